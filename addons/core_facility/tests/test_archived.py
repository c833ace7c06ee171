from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import FacilityCase


@tagged("post_install", "-at_install")
class TestArchived(FacilityCase):
    """Archived users and instruments: records stay editable, no recursion, no server error."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.retired_pi = new_test_user(
            cls.env, login="t_retired_pi", groups="core_facility.group_facility_pi"
        )
        cls.retired_pi.active = False
        cls.free_user = new_test_user(
            cls.env, login="t_free", groups="core_facility.group_facility_user"
        )
        cls.Group = cls.env["facility.research.group"].with_user(cls.director)

    def members(self, group):
        group.invalidate_recordset(["member_ids"])
        return group.with_context(active_test=False).member_ids

    def test_group_of_an_archived_pi_is_created_and_edited(self):
        group = self.Group.create({"name": "Dormant Lab", "pi_id": self.retired_pi.id})
        self.assertEqual(self.members(group), self.retired_pi)
        group.write({"member_ids": [Command.link(self.free_user.id)]})
        self.assertEqual(self.members(group), self.retired_pi | self.free_user)
        group.write({"member_ids": [Command.clear()]})  # the PI stays a member
        self.assertEqual(self.members(group), self.retired_pi)
        group.write({"name": "Dormant Lab (closed)", "note": "<p>PI retired</p>"})
        self.assertIn(group, self.retired_pi.sudo().facility_group_ids)

    def test_archived_pi_set_on_an_existing_group(self):
        self.group_a.with_user(self.director).pi_id = self.retired_pi
        self.assertIn(self.retired_pi, self.members(self.group_a))
        self.assertEqual(self.group_a.member_ids, self.pi_a | self.student_a1 | self.student_a2)

    def test_group_without_members(self):
        group = self.Group.create({"name": "New Lab", "pi_id": self.pi_b.id})
        self.assertEqual(group.member_ids, self.pi_b)
        group.with_user(self.pi_b).write({"member_ids": [Command.link(self.free_user.id)]})
        self.assertEqual(group.member_ids, self.pi_b | self.free_user)

    def test_archived_member_stays_and_can_be_removed(self):
        self.student_a2.active = False
        group = self.group_a.with_user(self.pi_a)
        group.write({"member_ids": [Command.link(self.free_user.id)]})
        self.assertIn(self.student_a2, self.members(self.group_a))
        # as for any many2many, an archived record is unlinked with active_test off
        group.with_context(active_test=False).write(
            {"member_ids": [Command.unlink(self.student_a2.id)]}
        )
        self.assertNotIn(self.student_a2, self.members(self.group_a))
        self.assertFalse(self.student_a2.sudo().facility_group_ids)

    def test_archived_trainee_and_trainer_staff(self):
        training = self.env["facility.training"].create(
            {
                "instrument_id": self.spirit.id,
                "level_id": self.primary.id,
                "trainer_id": self.technician.id,
                "trainee_ids": [Command.set((self.student_a1 | self.student_a2).ids)],
            }
        )
        (self.student_a1 | self.student_a2 | self.technician).active = False
        # the session's rules are checked again, archived people included
        training.with_user(self.manager_spirit).write(
            {"hours": 3, "date_start": "2025-06-02 02:00:00"}
        )
        self.assertEqual(training.hours, 3)

    def test_archived_instrument_keeps_its_qualifications(self):
        self.t20.active = False
        qualification = self.grant(self.student_a1, self.t20, self.primary)
        model = self.env["facility.qualification"]
        self.assertTrue(model.is_qualified(self.student_a1, self.t20, self.primary))
        self.assertTrue(model.is_qualified(self.student_a1.id, self.t20.id, self.primary.id))
        qualification.with_user(self.manager_t20).write({"note": "Instrument retired"})
        qualification.with_user(self.manager_t20).action_revoke()
        self.assertFalse(model.is_qualified(self.student_a1, self.t20, self.primary))

    def test_assessment_on_an_archived_instrument_or_with_an_archived_unit_head(self):
        self.unit_head.active = False
        self.t20.active = False
        assessment = (
            self.env["facility.assessment"]
            .with_user(self.manager_t20)
            .create(
                {
                    "trainee_id": self.student_a1.id,
                    "research_group_id": self.group_a.id,
                    "level_id": self.primary.id,
                    "instrument_ids": [Command.set(self.t20.ids)],
                }
            )
        )
        self.assertEqual(assessment.unit_head_id, self.unit_head)
        for line in assessment.line_ids:
            line.with_user(self.manager_t20).result = "pass"
        assessment.with_user(self.manager_t20).action_confirm()
        assessment.with_user(self.student_a1).action_sign_trainee()
        assessment.with_user(self.pi_a).action_sign_lab_head()
        self.assertEqual(assessment.state, "assessed")
        assessment.with_user(self.manager_t20).action_cancel()
        self.assertEqual(assessment.state, "cancelled")
