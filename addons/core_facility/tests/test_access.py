from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import FacilityCase


@tagged("post_install", "-at_install")
class TestAccess(FacilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.q_a1 = cls.grant(cls.student_a1, cls.spirit, cls.primary)
        cls.q_b1 = cls.grant(cls.student_b1, cls.spirit, cls.primary)
        cls.q_portal = cls.grant(cls.portal_user, cls.spirit, cls.primary)
        Training = cls.env["facility.training"]
        cls.training_a = Training.create(
            {
                "instrument_id": cls.t20.id,
                "level_id": cls.primary.id,
                "trainer_id": cls.manager_t20.id,
                "trainee_ids": [Command.set(cls.student_a2.ids)],
            }
        )
        cls.training_b = Training.create(
            {
                "instrument_id": cls.spirit.id,
                "level_id": cls.primary.id,
                "trainer_id": cls.manager_spirit.id,
                "trainee_ids": [Command.set(cls.student_b1.ids)],
            }
        )

    def _visible(self, user, model):
        """Records of this test (not demo data) that ``user`` can find."""
        mine = {
            "facility.qualification": self.q_a1 | self.q_b1 | self.q_portal,
            "facility.training": self.training_a | self.training_b,
            "facility.research.group": self.group_a | self.group_b,
            "facility.instrument": self.spirit | self.t20 | self.titan,
        }[model]
        return self.env[model].with_user(user).search([("id", "in", mine.ids)])

    def test_facility_user_sees_only_own_records(self):
        user = self.student_a1
        self.assertEqual(self._visible(user, "facility.qualification"), self.q_a1)
        self.assertEqual(self._visible(user, "facility.research.group"), self.group_a)
        self.assertFalse(self._visible(user, "facility.training"))
        # whatever else exists (e.g. demo data), a user finds only their own qualifications
        everything = self.env["facility.qualification"].with_user(user).search([])
        self.assertEqual(everything.user_id, user)
        groups = self.env["facility.research.group"].with_user(user).search([])
        self.assertTrue(all(user in group.member_ids for group in groups.sudo()))
        with self.assertRaises(AccessError):
            self.q_b1.with_user(user).read(["level_id"])
        with self.assertRaises(AccessError):
            self.group_b.with_user(user).read(["name"])
        # the catalogue is public to every internal user, unpublished instruments included
        self.assertEqual(
            self._visible(user, "facility.instrument"), self.spirit | self.t20 | self.titan
        )

    def test_pi_sees_the_whole_group(self):
        self.assertEqual(self._visible(self.pi_a, "facility.qualification"), self.q_a1)
        self.assertEqual(self._visible(self.pi_a, "facility.training"), self.training_a)
        self.assertEqual(self._visible(self.pi_b, "facility.training"), self.training_b)
        self.group_a.with_user(self.pi_a).write({"note": "<p>Cryo-EM lab</p>"})
        with self.assertRaises(AccessError):
            self.group_b.with_user(self.pi_a).write({"note": "<p>Not mine</p>"})

    def test_instrument_manager_edits_only_managed_instruments(self):
        manager = self.manager_spirit
        self.spirit.with_user(manager).write({"room": "B1-107"})
        with self.assertRaises(AccessError):
            self.t20.with_user(manager).write({"room": "B1-105"})
        with self.assertRaises(AccessError):
            self.env["facility.instrument"].with_user(manager).create(
                {"name": "New", "unit_id": self.center.id}
            )
        # qualifications: those on managed instruments (plus own)
        self.assertEqual(
            self._visible(manager, "facility.qualification"), self.q_a1 | self.q_b1 | self.q_portal
        )
        self.assertFalse(self._visible(self.manager_t20, "facility.qualification"))

    def test_facility_user_cannot_edit_instruments_or_grant(self):
        with self.assertRaises(AccessError):
            self.spirit.with_user(self.student_a1).write({"room": "X"})
        with self.assertRaises(AccessError):
            self.env["facility.qualification"].with_user(self.student_a1).create(
                {
                    "user_id": self.student_a1.id,
                    "instrument_id": self.t20.id,
                    "level_id": self.primary.id,
                }
            )

    def test_facility_user_records_only_trainings_they_give(self):
        self.grant(self.student_a1, self.spirit, self.intermediate)
        Training = self.env["facility.training"].with_user(self.student_a1)
        training = Training.create(
            {
                "instrument_id": self.spirit.id,
                "level_id": self.primary.id,
                "trainer_id": self.student_a1.id,
                "trainee_ids": [Command.set(self.student_a2.ids)],
            }
        )
        self.assertEqual(training.trainer_id, self.student_a1)
        with self.assertRaises(AccessError):
            Training.create(
                {
                    "instrument_id": self.spirit.id,
                    "level_id": self.primary.id,
                    "trainer_id": self.manager_spirit.id,
                    "trainee_ids": [Command.set(self.student_a2.ids)],
                }
            )

    def test_staff_and_finance_see_every_research_group(self):
        for user in (self.finance, self.manager_t20, self.director):
            self.assertEqual(
                self._visible(user, "facility.research.group"), self.group_a | self.group_b
            )
        with self.assertRaisesRegex(UserError, "only the PI of Group A or a facility manager"):
            self.group_a.with_user(self.finance).write({"name": "Renamed"})
        billing = self.env["res.partner"].create({"name": "Institute finance office"})
        self.group_a.with_user(self.finance).write({"partner_id": billing.id})
        self.assertEqual(self.group_a.partner_id, billing)

    def test_portal_user_sees_catalogue_and_own_records_only(self):
        portal = self.portal_user
        self.assertEqual(self._visible(portal, "facility.instrument"), self.spirit | self.t20)
        self.assertEqual(self._visible(portal, "facility.qualification"), self.q_portal)
        self.assertEqual(
            self.env["facility.qualification"].with_user(portal).search([]), self.q_portal
        )
        published = self.env["facility.instrument"].with_user(portal).search([])
        self.assertTrue(all(published.sudo().mapped("is_published")))
        self.assertFalse(self._visible(portal, "facility.research.group"))
        self.assertFalse(self._visible(portal, "facility.training"))
        catalogue = self.spirit.with_user(portal).read(
            [
                "name",
                "model_name",
                "location_display",
                "state",
                "manager_contact",
                "required_level_id",
            ]
        )
        self.assertEqual(catalogue[0]["name"], "Test Spirit")
        with self.assertRaises(AccessError):
            self.spirit.with_user(portal).read(["original_value"])
        with self.assertRaises(AccessError):
            self.titan.with_user(portal).read(["name"])
        with self.assertRaises(AccessError):
            self.spirit.with_user(portal).write({"room": "X"})

    def test_configuration_is_for_facility_managers(self):
        with self.assertRaises(AccessError):
            self.primary.with_user(self.manager_spirit).write({"validity_months": 6})
        self.primary.with_user(self.director).write({"validity_months": 6})
        with self.assertRaises(AccessError):
            self.env["facility.unit"].with_user(self.pi_a).create({"name": "Lab"})
