"""What the equipment office recorded of a problem is its own: the unit's head writes the
rectification plan and what was done, nothing else (not the unit, the year or the deadline)."""

from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import YEAR, EvalCase


@tagged("post_install", "-at_install")
class TestEvalProblemReview(EvalCase):
    def test_the_unit_head_writes_only_the_plan_and_the_note(self):
        other = self.env["facility.unit"].create(
            {"name": "School B", "unit_type": "department", "manager_id": self.pi_b.id}
        )
        problem = (
            self.env["facility.eval.problem"]
            .with_user(self.school_assessor)
            .create(
                {
                    "name": "Usage ledger not kept",
                    "year": YEAR,
                    "instrument_id": self.spirit.id,
                    "deadline": date(YEAR, 9, 30),
                }
            )
        )
        as_head = problem.with_user(self.unit_head)
        for vals in (
            {"unit_id": other.id},
            {"name": "Nothing"},
            {"description": "<p>Fine</p>"},
            {"year": YEAR + 1},
            {"deadline": date(YEAR + 1, 9, 30)},
            {"instrument_id": self.t20.id},
            {"responsible_id": self.student_a1.id},
            {"source": "inspection"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_head.write(vals)
        as_head.write({"plan": "<p>Keep the ledger daily</p>", "rectification_note": "Done"})
        self.assertEqual(problem.unit_id, self.research_unit)
        self.assertEqual(problem.deadline, date(YEAR, 9, 30))
        self.assertEqual(problem.rectification_note, "Done")
        # the equipment office may correct its own record
        problem.with_user(self.school_assessor).write({"deadline": date(YEAR, 10, 31)})
        self.assertEqual(problem.deadline, date(YEAR, 10, 31))
