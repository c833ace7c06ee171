"""Access cards on users: normalised as the boxes send them, unique, registered by the
instrument managers (who otherwise cannot edit users), one's own shown read-only."""

import re
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.core_facility.tests.test_booking_concurrency import CommittedCase, _env

from .common import NOW
from .test_session_common import UsageCase


@tagged("post_install", "-at_install")
class TestAccessCard(UsageCase):
    def test_normalised(self):
        self.student_a2.facility_card = "  0a0b0c "
        self.assertEqual(self.student_a2.facility_card, "0A0B0C")
        self.student_a2.facility_card = "   "
        self.assertFalse(self.student_a2.facility_card)
        with self.assertRaisesRegex(ValidationError, "is not a card number"):
            self.student_a2.facility_card = "x" * 65

    def test_unique_with_a_clear_message(self):
        with self.assertRaisesRegex(
            ValidationError, re.escape(f"04A1B2C3 is already registered to {self.student_a1.name}")
        ):
            self.student_a2.facility_card = "04a1b2c3"

    def test_instrument_manager_registers_cards(self):
        self.book(NOW + timedelta(days=1), operator=self.student_a2)
        self.student_a2.with_user(self.manager_spirit).write({"facility_card": "ab12"})
        self.assertEqual(self.student_a2.facility_card, "AB12")
        # the card alone: nothing else of the user
        with self.assertRaises(AccessError):
            self.student_a2.with_user(self.manager_spirit).write(
                {"facility_card": "ab13", "name": "Renamed"}
            )

    def test_instrument_managers_register_their_users_cards_only(self):
        """Review finding 7: an instrument manager may not put a card on a staff account (and
        so open the instruments in a facility manager's name), nor on a user of instruments
        they do not manage; facility managers register anyone's."""
        as_manager = self.env["res.users"].with_user(self.manager_spirit)
        refused = {
            "a facility manager": self.director,
            "another instrument manager": self.manager_t20,
            "themselves": self.manager_spirit,
            "a user of nothing they manage": self.student_b1,
        }
        self.book(NOW + timedelta(days=1), operator=self.student_b1, instrument=self.t20)
        for name, user in refused.items():
            with self.subTest(user=name), self.assertRaises(AccessError):
                as_manager.browse(user.id).write({"facility_card": "FEED01"})
        self.assertFalse(self.director.facility_card)
        # qualified on the Spirit: theirs to register
        as_manager.browse(self.student_a1.id).write({"facility_card": "FEED02"})
        self.assertEqual(self.student_a1.facility_card, "FEED02")
        # the manager of the T20 registers its user's card; a facility manager anyone's
        self.student_b1.with_user(self.manager_t20).write({"facility_card": "FEED03"})
        for user in (self.manager_t20, self.director):
            user.with_user(self.director).write({"facility_card": f"FEED{user.id}"})
            self.assertEqual(user.facility_card, f"FEED{user.id}")

    def test_every_change_is_noted_without_the_number(self):
        def notes():
            return self.env["mail.message"].search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", self.student_a1.partner_id.id),
                    ("body", "ilike", "Access card"),
                ],
                order="id",
            )

        before = notes()
        as_manager = self.student_a1.with_user(self.manager_spirit)
        as_manager.write({"facility_card": "CAFE01"})
        as_manager.write({"facility_card": "CAFE01"})  # unchanged: no note
        as_manager.write({"facility_card": False})
        added = notes() - before
        self.assertEqual(len(added), 2)
        self.assertIn("changed by", added[0].body)
        self.assertIn(self.manager_spirit.name, added[0].body)
        self.assertIn("removed by", added[1].body)
        self.assertFalse(any("CAFE01" in (m.body or "") for m in added))
        self.assertEqual(added.subtype_id, self.env.ref("mail.mt_note"))

    def test_users_cannot_set_or_read_cards(self):
        with self.assertRaises(AccessError):
            self.student_a2.with_user(self.student_a1).write({"facility_card": "ab12"})
        with self.assertRaises(AccessError):
            self.student_a1.with_user(self.student_a1).write({"facility_card": "ab12"})
        with self.assertRaises(AccessError):
            self.student_a2.with_user(self.student_a1).read(["facility_card"])

    def test_own_card_in_the_preferences(self):
        own = self.student_a1.with_user(self.student_a1)
        self.assertEqual(own.read(["facility_card_own"])[0]["facility_card_own"], "04A1B2C3")
        other = self.student_a2.with_user(self.student_a1)
        self.assertFalse(other.facility_card_own)
        self.assertEqual(self.student_a2.with_user(self.manager_spirit).facility_card_own, "04A2")


@tagged("post_install", "-at_install")
class TestAccessCardConcurrency(CommittedCase):
    """Two sessions registering the same card to two users at once: one card, one user."""

    def _prepare(self, env, instrument, groups):
        Users = env["res.users"].with_context(no_reset_password=True)
        self.ids["users"] = Users.create(
            [{"name": f"Card race {x}", "login": f"card_race_{x}"} for x in "ab"]
        ).ids

    def _cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM res_users WHERE id IN %s", [tuple(self.ids["users"])])
        return super()._cleanup()

    def test_two_sessions_give_the_same_card(self):
        user_a, user_b = self.ids["users"]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            self.assertFalse(env_b["res.users"].search([("facility_card", "=", "RACE1")]))
            env_a["res.users"].browse(user_a).facility_card = "RACE1"
            env_a.flush_all()
            cr_a.commit()
            # B checked before A committed: its check passes, the unique index refuses
            with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
                env_b["res.users"].browse(user_b).facility_card = "RACE1"
                env_b.flush_all()
            cr_b.rollback()
        with self.registry.cursor() as cr:
            cr.execute("SELECT id FROM res_users WHERE facility_card = 'RACE1'")
            self.assertEqual(cr.fetchall(), [(user_a,)])
