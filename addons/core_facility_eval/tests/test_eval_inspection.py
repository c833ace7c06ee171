"""Spot checks of the equipment office (seed 002 第三条 1) and the problems they record."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import EvalCase


@tagged("post_install", "-at_install")
class TestEvalInspection(EvalCase):
    def new_inspection(self, **values):
        return (
            self.env["facility.eval.inspection"]
            .with_user(self.school_assessor)
            .create(
                {
                    "name": "Collector of the Spirit",
                    "topic": "collector",
                    "date": "2041-07-08",
                    "instrument_id": self.spirit.id,
                    "findings": "<p>The collector has been offline since June.</p>",
                }
                | values
            )
        )

    def test_a_spot_check_records_a_problem_for_the_unit(self):
        inspection = self.new_inspection()
        self.assertEqual(inspection.unit_id, self.research_unit)
        self.assertEqual(inspection.inspector_id, self.school_assessor)
        self.assertEqual(inspection.result, "ok")
        action = inspection.action_create_problem()
        problem = self.env["facility.eval.problem"].browse(action["res_id"])
        self.assertRecordValues(
            problem,
            [
                {
                    "year": 2041,
                    "source": "inspection",
                    "inspection_id": inspection.id,
                    "unit_id": self.research_unit.id,
                    "instrument_id": self.spirit.id,
                    "responsible_id": self.unit_head.id,
                    "state": "open",
                }
            ],
        )
        self.assertIn("offline since June", problem.description)
        self.assertIn("Collector of the Spirit", problem.name)
        self.assertEqual(inspection.result, "problems")
        self.assertEqual(inspection.problem_count, 1)
        # the unit's head sees the check and the problem, and plans the rectification
        self.assertEqual(inspection.with_user(self.unit_head).problem_ids, problem)

    def test_a_problem_needs_a_unit(self):
        inspection = self.new_inspection(instrument_id=False, topic="platform")
        with self.assertRaisesRegex(UserError, "names no unit"):
            inspection.action_create_problem()

    def test_only_the_equipment_office_records_spot_checks(self):
        with self.assertRaises(AccessError):
            self.env["facility.eval.inspection"].with_user(self.unit_head).create(
                {"name": "Own check", "unit_id": self.research_unit.id}
            )
        inspection = self.new_inspection()
        with self.assertRaises(AccessError):
            inspection.with_user(self.unit_head).action_create_problem()
        with self.assertRaises(AccessError):
            inspection.with_user(self.manager_spirit).read(["findings"])
