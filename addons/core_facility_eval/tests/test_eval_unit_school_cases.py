"""The school assesses a unit's showcase cases (附件2 7.4, 8.5) in its own column: its assessors
accept or reject each case while the school assesses; the unit's column keeps them all."""

from odoo.tests import tagged

from .test_eval_campaign_common import CampaignCase


@tagged("post_install", "-at_install")
class TestEvalUnitSchoolCases(CampaignCase):
    def test_school_rejects_a_case_in_its_column_only(self):
        campaign = self.started()
        research = self.unit_form(campaign, self.research_unit)
        Case = self.env["facility.eval.case"].with_user(self.unit_head)
        cases = Case.create(
            [
                {"unit_eval_id": research.id, "section": "usage", "name": f"Case {n}"}
                for n in range(3)
            ]
        )
        self.assertTrue(all(cases.mapped("school_accepted")))
        with self.refused("filled while the school assesses"):
            cases[0].with_user(self.school_assessor).action_school_reject()
        with self.refused("buttons of the unit's form"):
            cases[0].with_user(self.unit_head).write({"school_accepted": False})
        self.sign_units(campaign)
        self.as_director(campaign).action_start_school_assessment()
        unit_total = research.total_unit
        self.assertEqual(research.total_school, unit_total)
        self.assertTrue(research.with_user(self.school_assessor).can_fill_school)
        self.assertFalse(research.with_user(self.unit_head).can_fill_school)
        with self.refused("Only the school's assessors"):
            cases[0].with_user(self.unit_head).action_school_reject()
        (cases[0] | cases[1]).with_user(self.school_assessor).action_school_reject()
        self.assertEqual(research.total_school, unit_total - 2)
        self.assertEqual(research.total_unit, unit_total, "the unit's column keeps its cases")
        line = research.line_ids.filtered(lambda line: line.criterion_id.code == "cases_usage")
        self.assertEqual((line.points_unit, line.points_school), (3, 1))
        cases[1].with_user(self.school_assessor).action_school_accept()
        self.assertEqual(research.total_school, unit_total - 1)
        # the school's later edits of the instruments' school column keep its decision
        spirit = self.sheet(campaign, self.spirit)
        self.line(spirit, "outcomes").with_user(self.school_assessor).points_school = 1
        self.assertEqual(line.points_school, 2)
        self.sign_school(campaign)
        self.assertEqual(research.total, research.total_school)
        with self.refused("signed by"):
            cases[0].with_user(self.school_assessor).action_school_accept()
