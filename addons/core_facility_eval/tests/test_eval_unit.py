"""A unit's form (附件2): its columns follow its instruments' forms and its showcase cases; who
enters the cases and signs, and in which order."""

from odoo.tests import tagged

from .test_eval_campaign_common import CampaignCase


@tagged("post_install", "-at_install")
class TestEvalUnit(CampaignCase):
    def case(self, form, user, section="usage", name="Cryo-EM structure of a transporter"):
        return (
            self.env["facility.eval.case"]
            .with_user(user)
            .create({"unit_eval_id": form.id, "section": section, "name": name})
        )

    def test_cases_by_the_unit_head_while_self_assessing(self):
        campaign = self.campaign()
        self.as_director(campaign).action_compute()
        research = self.unit_form(campaign, self.research_unit)
        with self.refused("filled while the units self-assess"):
            self.case(research, self.unit_head)
        self.as_director(campaign).action_start_self_assessment()
        before = research.total_unit
        case = self.case(research, self.unit_head)
        self.assertEqual(research.total_unit, before + 1)
        self.assertEqual(research.total_computed, before + 1)
        cases = research.line_ids.filtered(lambda line: line.criterion_id.code == "cases_usage")
        self.assertEqual(cases.points_unit, 1)
        with self.refused("Only the head of .*Research Unit"):
            self.case(research, self.school_assessor)
        with self.refused("Only the head of .*Research Unit"):
            self.case(research, self.director)
        with self.refused():
            case.with_user(self.unit_head2).name = "Not my unit"
        case.with_user(self.unit_head).unlink()
        self.assertEqual(research.total_unit, before)

    def test_at_most_five_cases_per_section(self):
        campaign = self.started()
        research = self.unit_form(campaign, self.research_unit)
        for number in range(5):
            self.case(research, self.unit_head, name=f"Case {number}")
        self.case(research, self.unit_head, section="sharing", name="Shared with a hospital")
        with self.refused("at most 5 showcase cases"):
            self.case(research, self.unit_head, name="Case 6")
        self.assertEqual(research.total_unit, 7.5 + 5)

    def test_unit_signs_after_its_instruments(self):
        campaign = self.started()
        research = self.unit_form(campaign, self.research_unit)
        with self.refused("Sign the instrument forms of .*Research Unit first"):
            research.with_user(self.unit_head).action_unit_sign()
        with self.refused():  # another unit's head does not even see it
            research.with_user(self.unit_head2).action_unit_sign()
        sheets = campaign._forms().filtered(
            lambda s: s.unit_id == self.research_unit and s.status == "assessed"
        )
        sheets.with_user(self.unit_head).action_unit_sign()
        research.with_user(self.unit_head).action_unit_sign()
        self.assertEqual(research.unit_signer_id, self.unit_head)
        self.assertTrue(research.unit_signed_date)
        with self.refused("was signed by"):
            self.case(research, self.unit_head)

    def test_school_signs_after_the_instruments(self):
        campaign = self.started()
        self.sign_units(campaign)
        research = self.unit_form(campaign, self.research_unit)
        with self.refused("filled while the school assesses"):
            research.with_user(self.school_assessor).action_school_sign()
        self.as_director(campaign).action_start_school_assessment()
        with self.refused("Sign the school column of the instrument forms"):
            research.with_user(self.school_assessor).action_school_sign()
        t20 = self.sheet(campaign, self.t20)
        self.line(t20, "hours").with_user(self.school_assessor).points_school = 22
        self.assertEqual(research.total_school, 11, "(22 + 22) ÷ 2 ÷ 2 in the school's column")
        self.assertEqual(research.total_unit, 7.5)
        for sheet in campaign._forms().filtered(
            lambda s: s.unit_id == self.research_unit and s.status == "assessed"
        ):
            sheet.with_user(self.school_assessor).action_school_sign()
        research.with_user(self.school_assessor).action_school_sign()
        self.assertEqual(research.school_signer_id, self.school_assessor)
        self.assertEqual(research.total, 11)
        self.assertFalse(research.failed)

    def test_unit_fails_below_its_threshold(self):
        self.figures[self.nmr.id] = {"hours": 100.0}
        campaign = self.started()
        chem = self.unit_form(campaign, self.chem_unit)
        self.assertEqual(chem.total_computed, 4)
        self.assertTrue(chem.failed)
        self.assertEqual(chem.fail_reason, "below 10 points")
