from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import FacilityCase


@tagged("post_install", "-at_install")
class TestOrganisation(FacilityCase):
    def test_unit_tree_names_and_counts(self):
        self.assertEqual(self.center.complete_name, "Test Institute / Imaging Center")
        self.assertEqual(self.institution.instrument_count, 3)
        self.assertEqual(self.research_unit.instrument_count, 0)
        self.assertEqual(self.research_unit._get_heads(), self.unit_head)

    def test_unit_cannot_be_its_own_ancestor(self):
        with self.assertRaises(UserError):
            self.institution.parent_id = self.center

    def test_pi_is_always_a_member(self):
        self.assertIn(self.pi_a, self.group_a.member_ids)
        self.group_a.pi_id = self.student_a1
        self.assertIn(self.student_a1, self.group_a.member_ids)
        self.assertIn(self.group_a, self.student_a1.facility_group_ids)

    def test_user_in_several_groups(self):
        self.group_b.member_ids = [(4, self.student_a1.id)]
        self.assertEqual(self.student_a1.facility_group_ids, self.group_a | self.group_b)

    def test_suspension_needs_a_reason_and_a_coherent_period(self):
        with self.assertRaisesRegex(ValidationError, "needs a reason"):
            self.group_a.state = "suspended"
        with self.assertRaisesRegex(ValidationError, "cannot end before it starts"):
            self.group_a.write(
                {
                    "state": "suspended",
                    "state_reason": "No acknowledgement",
                    "state_date_from": "2025-06-01",
                    "state_date_to": "2025-05-01",
                }
            )

    def test_state_wizard_suspends_then_reactivates(self):
        action = self.group_a.with_user(self.director).action_change_state()
        wizard_form = Form(
            self.env[action["res_model"]].with_user(self.director).with_context(**action["context"])
        )
        wizard_form.state = "suspended"
        wizard_form.reason = "Facility data published without acknowledgement"
        wizard_form.date_from = date(2025, 6, 1)
        wizard_form.date_to = date(2025, 12, 1)
        wizard_form.save().action_apply()
        self.assertEqual(self.group_a.state, "suspended")
        self.assertTrue(self.group_a._is_restricted_on(date(2025, 6, 1)))
        self.assertTrue(self.group_a._is_restricted_on(date(2025, 12, 1)))
        self.assertFalse(self.group_a._is_restricted_on(date(2025, 12, 2)))
        self.assertFalse(self.group_a._is_restricted_on(date(2025, 5, 31)))

        wizard = self.env["facility.research.group.state.wizard"].create(
            {"group_id": self.group_a.id, "state": "suspended"}
        )
        with self.assertRaisesRegex(UserError, "reason"):
            wizard.action_apply()

        wizard = self.env["facility.research.group.state.wizard"].create(
            {"group_id": self.group_a.id, "state": "active"}
        )
        wizard.action_apply()
        self.assertEqual(self.group_a.state, "active")
        self.assertFalse(self.group_a.state_date_to)
        self.assertFalse(self.group_a._is_restricted_on(date(2025, 7, 1)))

    def test_open_ended_blacklist(self):
        self.group_b.write(
            {"state": "blacklisted", "state_reason": "Twice unacknowledged publications"}
        )
        self.assertTrue(self.group_b._is_restricted_on(date(2040, 1, 1)))
