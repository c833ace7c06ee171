"""An instrument's form after the review of the addon: the benefit table reads the effective
hours logged (seed 001 has no proration), and the form lets each role edit only what the server
accepts from them."""

from odoo.tests import Form, tagged

from .test_eval_campaign_common import CampaignCase


@tagged("post_install", "-at_install")
class TestEvalSheetReview(CampaignCase):
    def test_benefit_table_reads_the_hours_logged(self):
        self.nmr.rated_annual_hours = 1400
        # opened on 1 Sep: 60 h logged, 180 h once prorated by 附件3's rule
        self.figures[self.nmr.id] = {"hours": 180.0, "hours_logged": 60.0, "full_months": 4}
        campaign = self.new_campaign(scheme=self.table_benefit)
        self.as_director(campaign).action_start_self_assessment()
        nmr = self.sheet(campaign, self.nmr)
        machine = self.line(nmr, "machine_hours")
        self.assertEqual(machine.figure_value, 60)
        expected = self.env["facility.eval.sheet"]._score_figures(
            self.table_benefit._scoring_table(),
            {**nmr._figures(), "hours": 60.0},
        )
        self.assertEqual(machine.points_computed, expected.points["machine_hours"])
        self.assertTrue(nmr.needs_explanation, "60 effective hours are under 150")
        with self.refused("60.0 effective hours are under 150"):
            nmr.with_user(self.unit_head2).action_unit_sign()
        nmr.with_user(self.unit_head2).explanation = "Installed in September"
        nmr.with_user(self.unit_head2).action_unit_sign()
        self.assertEqual(nmr.state, "unit_signed")

    def assert_readonly(self, sheet, user, names):
        form = Form(sheet.with_user(user))  # never saved: nothing to write
        with form.line_ids.edit(0) as line:
            for name in names:
                with self.subTest(user=user.login, field=name):
                    with self.assertRaisesRegex(AssertionError, "readonly"):
                        setattr(line, name, 1 if name.startswith("points") else "x")

    def test_form_lets_each_role_edit_only_its_column(self):
        campaign = self.started()
        spirit = self.sheet(campaign, self.spirit)
        self.assertTrue(spirit.with_user(self.unit_head).can_fill_unit)
        self.assertFalse(spirit.with_user(self.school_assessor).can_fill_school)
        self.assert_readonly(spirit, self.manager_spirit, ["note", "points_unit"])
        self.assert_readonly(spirit, self.school_assessor, ["note", "points_school"])
        with Form(spirit.with_user(self.unit_head)) as form:
            with form.line_ids.edit(0) as line:
                line.note = "Checked"
        self.assertEqual(spirit.line_ids[0].note, "Checked")
        self.sign_units(campaign)
        self.as_director(campaign).action_start_school_assessment()
        self.assertTrue(spirit.with_user(self.school_assessor).can_fill_school)
        self.assertFalse(spirit.with_user(self.unit_head).can_fill_unit)
        for user in (self.manager_spirit, self.unit_head, self.eval_reviewer):
            self.assert_readonly(spirit, user, ["note", "points_school", "points_unit"])
        with Form(spirit.with_user(self.school_assessor)) as form:
            with form.line_ids.edit(0) as line:
                line.note = "Seen by the school"
                line.points_school = 0
        self.assertEqual(spirit.line_ids[0].note, "Seen by the school")
        self.assertEqual(spirit.line_ids[0].points_school, 0)
