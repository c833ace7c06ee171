from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import FacilityCase

MANAGER = "core_facility.group_facility_manager"


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

    def test_status_changes_only_through_the_wizard(self):
        for user in (self.pi_a, self.director):
            with self.assertRaisesRegex(UserError, "Status rule: .* of research group Group A"):
                self.group_a.with_user(user).write(
                    {"state": "suspended", "state_reason": "Unpaid fees"}
                )
        with self.assertRaisesRegex(UserError, "Status rule.*Restricted Until"):
            self.group_a.with_user(self.pi_a).write({"state_date_to": "2030-01-01"})
        with self.assertRaisesRegex(UserError, "starts active"):
            self.env["facility.research.group"].with_user(self.director).create(
                {"name": "Group C", "pi_id": self.pi_b.id, "state": "blacklisted"}
            )
        with self.assertRaises(AccessError):
            self.env["facility.research.group.state.wizard"].with_user(self.pi_a).create(
                {"group_id": self.group_a.id, "state": "suspended", "reason": "x"}
            )
        wizard = (
            self.env["facility.research.group.state.wizard"]
            .with_user(self.director)
            .create({"group_id": self.group_a.id, "state": "suspended", "reason": "Unpaid fees"})
        )
        wizard.action_apply()
        self.assertEqual(self.group_a.state, "suspended")
        # the director's wizard is the director's
        with self.assertRaises(AccessError):
            wizard.with_user(new_test_user(self.env, "t_director2", groups=MANAGER)).read(["state"])

    def test_who_changes_what_on_a_research_group(self):
        partner = self.env["res.partner"].create({"name": "Institute finance office"})
        pi = self.group_a.with_user(self.pi_a)
        pi.write({"name": "Group A (cryo-EM)", "note": "<p>Cryo</p>"})
        with self.assertRaisesRegex(
            UserError, "only a facility manager or finance can change the Billing Partner"
        ):
            pi.write({"partner_id": partner.id})
        with self.assertRaisesRegex(UserError, "only a facility manager can change the Category"):
            pi.write({"category": "external"})
        with self.assertRaisesRegex(UserError, "Principal Investigator"):
            pi.write({"pi_id": self.student_a1.id})
        with self.assertRaisesRegex(UserError, "only the PI of Group A .*or a facility manager"):
            self.group_a.with_user(self.manager_spirit).write({"name": "Renamed"})
        self.group_a.with_user(self.finance).write({"partner_id": partner.id})
        self.group_a.with_user(self.director).write({"category": "external", "unit_id": False})
        self.assertEqual(self.group_a.category, "external")

    def test_membership(self):
        newcomer = new_test_user(self.env, "t_newcomer", groups="core_facility.group_facility_user")
        pi = self.group_a.with_user(self.pi_a)
        pi.write({"member_ids": [Command.link(newcomer.id)]})
        with self.assertRaisesRegex(
            UserError, "t_student_b1.*already belongs to another"
        ) as caught:
            pi.write({"member_ids": [Command.link(self.student_b1.id)]})
        self.assertNotIn("Group B", str(caught.exception))  # which group is not told
        pi.write({"member_ids": [Command.unlink(self.student_a2.id)]})
        pi.write({"member_ids": [Command.unlink(self.pi_a.id)]})  # the PI stays a member
        self.assertEqual(self.group_a.member_ids, self.pi_a | self.student_a1 | newcomer)
        with self.assertRaises(AccessError):
            self.group_b.with_user(self.pi_a).write({"member_ids": [Command.clear()]})
        with self.assertRaisesRegex(UserError, "Membership rule: only a facility manager"):
            self.group_a.with_user(self.finance).write(
                {"member_ids": [Command.link(self.student_a2.id)]}
            )
        # intake by the instrument managers: also users of other groups
        self.group_a.with_user(self.manager_spirit).write(
            {"member_ids": [Command.link(self.student_b1.id)]}
        )
        self.assertIn(self.group_a, self.student_b1.facility_group_ids)
        self.assertEqual(self.student_b1.facility_group_ids, self.group_a | self.group_b)
        # what a user sees of another's groups: only the groups they may read
        self.assertEqual(
            self.student_b1.with_user(self.student_a1).facility_group_ids, self.group_a
        )
        with self.assertRaisesRegex(UserError, "Membership rule: members are added"):
            self.student_a1.write({"facility_group_ids": [Command.link(self.group_b.id)]})

    def test_pi_editing_the_form(self):
        """The PI's form saves what the PI may change and refuses the rest, naming the field."""
        form = Form(self.group_a.with_user(self.pi_a))
        form.name = "Group A (cryo-EM)"
        form.save()
        form.category = "external"
        with self.assertRaisesRegex(UserError, "only a facility manager can change the Category"):
            form.save()
