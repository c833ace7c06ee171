"""Problems tracked to their rectification (seed 002 第三条, 上一年度问题整改): the unit's head
plans and reports, the equipment office verifies; last year's unverified problems stay listed."""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import YEAR, EvalCase


@tagged("post_install", "-at_install")
class TestEvalProblem(EvalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Problem = cls.env["facility.eval.problem"]

    def new_problem(self, **values):
        return self.Problem.with_user(self.school_assessor).create(
            {"name": "Usage ledger not kept", "year": YEAR, "instrument_id": self.spirit.id}
            | values
        )

    def test_the_unit_and_its_head_follow_the_instrument(self):
        problem = self.new_problem()
        self.assertEqual(problem.unit_id, self.research_unit)  # the center's 二级单位
        self.assertEqual(problem.responsible_id, self.unit_head)

    def test_workflow_to_verification(self):
        problem = self.new_problem()
        as_head = problem.with_user(self.unit_head)
        with self.assertRaisesRegex(UserError, "rectification plan"):
            as_head.action_start_rectification()
        as_head.plan = "<p>Keep the ledger daily; the group leader checks it monthly.</p>"
        as_head.action_start_rectification()
        self.assertEqual(problem.state, "rectifying")
        with self.assertRaisesRegex(UserError, "Rectifying"):
            as_head.action_start_rectification()
        with freeze_time("2041-05-06"):
            as_head.action_mark_rectified()
        self.assertEqual((problem.state, problem.rectified_date), ("rectified", date(2041, 5, 6)))
        with self.assertRaises(AccessError):
            as_head.action_verify()
        problem.with_user(self.school_assessor).action_reopen()
        self.assertEqual((problem.state, problem.rectified_date), ("rectifying", False))
        as_head.action_mark_rectified()
        with freeze_time("2041-06-01"):
            problem.with_user(self.school_assessor).action_verify()
        self.assertRecordValues(
            problem,
            [
                {
                    "state": "verified",
                    "verified_by_id": self.school_assessor.id,
                    "verified_date": date(2041, 6, 1),
                }
            ],
        )

    def test_the_state_changes_only_through_the_steps(self):
        problem = self.new_problem()
        for user in (self.unit_head, self.school_assessor, self.director):
            with self.assertRaises(UserError):
                problem.with_user(user).write({"state": "verified"})
        self.assertEqual(problem.state, "open")

    def test_another_units_head_sees_nothing(self):
        problem = self.new_problem()
        self.research_unit.manager_id = self.director
        with self.assertRaises(AccessError):
            problem.with_user(self.unit_head).read(["name"])

    def test_open_from_previous_years(self):
        """The filter of the follow-up: problems of earlier years not verified yet."""
        old_open = self.new_problem(year=YEAR - 1, plan="<p>Plan</p>")
        old_open.action_start_rectification()
        old_done = self.new_problem(year=YEAR - 1, plan="<p>Plan</p>")
        old_done.action_start_rectification()
        old_done.action_mark_rectified()
        old_done.with_user(self.school_assessor).action_verify()
        this_year = self.new_problem()
        view = self.env.ref("core_facility_eval.facility_eval_problem_view_search")
        self.assertIn('name="previous_years"', view.arch)
        with freeze_time(f"{YEAR}-03-01"):
            domain = [("state", "!=", "verified"), ("year", "<", YEAR)]
            found = self.Problem.with_user(self.unit_head).search(domain)
        self.assertIn(old_open, found)
        self.assertNotIn(old_done, found)
        self.assertNotIn(this_year, found)

    def test_overdue(self):
        problem = self.new_problem(deadline=date(2041, 3, 31))
        with freeze_time("2041-03-31"):
            problem.invalidate_recordset(["is_overdue"])
            self.assertFalse(problem.is_overdue)
        with freeze_time("2041-04-01"):
            problem.invalidate_recordset(["is_overdue"])
            self.assertTrue(problem.is_overdue)

    def test_a_problem_found_on_an_evaluation_form(self):
        campaign = self.new_campaign()
        sheet = self.env["facility.eval.sheet"].create(
            {
                "campaign_id": campaign.id,
                "instrument_id": self.t20.id,
                "unit_id": self.research_unit.id,
            }
        )
        Problem = self.Problem.with_user(self.school_assessor)
        action = Problem.action_create_from_sheets(sheet.with_user(self.school_assessor))
        problem = self.Problem.browse(action["res_id"])
        self.assertRecordValues(
            problem,
            [
                {
                    "year": YEAR,
                    "source": "evaluation",
                    "sheet_id": sheet.id,
                    "instrument_id": self.t20.id,
                    "unit_id": self.research_unit.id,
                    "responsible_id": self.unit_head.id,
                }
            ],
        )
        with self.assertRaises(AccessError):
            self.Problem.with_user(self.unit_head).action_create_from_sheets(sheet)
