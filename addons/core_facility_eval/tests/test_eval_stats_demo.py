"""The demo loader skips, politely, a step whose method is missing or refuses."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import EvalCase


@tagged("post_install", "-at_install")
class TestEvalStatsDemo(EvalCase):
    def test_a_missing_or_refused_step_is_skipped(self):
        Demo = self.env["facility.eval.demo"]
        campaign = self.new_campaign()
        self.assertIsNone(Demo._step("compute", campaign, "no_such_method"))
        problem = self.env["facility.eval.problem"].create(
            {"name": "Demo", "year": 2041, "unit_id": self.research_unit.id}
        )
        # no plan: refused, rolled back, skipped
        self.assertIsNone(Demo._step("rectification", problem, "action_start_rectification"))
        self.assertEqual(problem.state, "open")
        problem.plan = "<p>Plan</p>"
        Demo._step("rectification", problem, "action_start_rectification")
        self.assertEqual(problem.state, "rectifying")
        with self.assertRaises(UserError):
            problem.action_start_rectification()  # without the loader, the refusal shows

    def test_only_the_superuser_runs_the_loader(self):
        for user in (self.school_assessor, self.unit_head, self.eval_reviewer):
            with self.assertRaises(AccessError):
                self.env["facility.eval.demo"].with_user(user).load()
