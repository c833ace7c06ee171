"""``instrument.get_access_facts(user, moment)``: what booking knows of a user at an instrument's
door, asked by an access device (core_facility_iot) that must not copy a rule."""

from datetime import datetime, timedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FacilityCase

NOW = datetime(2041, 3, 6, 2, 0)  # a Wednesday, 10:00 in Shanghai


@tagged("post_install", "-at_install")
class TestAccessFacts(FacilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spirit.required_level_id = cls.primary
        cls.grant(cls.student_a1, cls.spirit, cls.primary)

    @classmethod
    def book(cls, start, hours=2, operator=None, group=None, state="confirmed"):
        return (
            cls.env["facility.booking"]
            .sudo()
            .with_context(booking_skip_rules=True)
            .create(
                {
                    "instrument_id": cls.spirit.id,
                    "operator_id": (operator or cls.student_a1).id,
                    "research_group_id": (group or cls.group_a).id,
                    "purpose": "Access facts",
                    "date_start": start,
                    "date_stop": start + timedelta(hours=hours),
                    "state": state,
                }
            )
        )

    def facts(self, user=None, moment=NOW, instrument=None):
        return (instrument or self.spirit).get_access_facts(user or self.student_a1, moment)

    def test_a_confirmed_booking_now(self):
        booking = self.book(NOW - timedelta(hours=1))
        self.assertEqual(
            self.facts(),
            {
                "available": True,
                "log_only": False,
                "qualified": True,
                "research_group_id": self.group_a.id,
                "group_state": "active",
                "sanctioned": False,
                "booking": (booking.id, booking.date_start, booking.date_stop),
            },
        )

    def test_booking_bounds(self):
        booking = self.book(NOW, hours=1)
        self.assertEqual(self.facts(moment=NOW)["booking"][0], booking.id)  # its start: in
        self.assertIsNone(self.facts(moment=NOW + timedelta(hours=1))["booking"])  # its end: out
        self.assertIsNone(self.facts(moment=NOW - timedelta(seconds=1))["booking"])

    def test_only_bookings_holding_the_time_now(self):
        for state in ("requested", "done", "cancelled", "no_show"):
            with self.subTest(state=state):
                booking = self.book(NOW - timedelta(hours=1), state=state)
                self.assertIsNone(self.facts()["booking"])
                self.env.cr.execute("DELETE FROM facility_booking WHERE id = %s", booking.ids)
                self.env.invalidate_all()
        running = self.book(NOW - timedelta(hours=1), state="in_use")
        self.assertEqual(self.facts()["booking"][0], running.id)
        # another user's booking is not this user's
        self.assertIsNone(self.facts(self.student_a2)["booking"])

    def test_grace_after_the_booking(self):
        """With a grace, a booking holds the time until its stop plus the grace, a finished
        one too (the job may finish it at its stop), however short; the later one wins."""
        short = self.book(NOW - timedelta(minutes=12), hours=10 / 60, state="done")
        self.assertIsNone(self.facts()["booking"])
        found = self.spirit.get_access_facts(self.student_a1, NOW, grace_minutes=15)
        self.assertEqual(found["booking"], (short.id, short.date_start, short.date_stop))
        later = self.spirit.get_access_facts(self.student_a1, NOW + timedelta(minutes=13), 15)
        self.assertIsNone(later["booking"])  # 15 minutes after its stop: over
        # the next booking starts within the grace: it is the one
        following = self.book(NOW, hours=1, group=self.group_a)
        found = self.spirit.get_access_facts(self.student_a1, NOW, grace_minutes=15)
        self.assertEqual(found["booking"][0], following.id)
        # a booking finished early (checked out) does not hold its own time any more
        following.state = "done"
        found = self.spirit.get_access_facts(self.student_a1, NOW + timedelta(minutes=20), 15)
        self.assertIsNone(found["booking"])

    def test_the_group_without_a_booking(self):
        other = self.env["facility.research.group"].create(
            {
                "name": "A Suspended Group",
                "pi_id": self.pi_b.id,
                "member_ids": [Command.link(self.student_a1.id)],
            }
        )
        other.write({"state": "suspended", "state_reason": "Unpaid fees"})
        facts = self.facts()
        self.assertEqual(
            (facts["research_group_id"], facts["group_state"]), (self.group_a.id, "active")
        )
        self.group_a.write({"state": "suspended", "state_reason": "Unpaid fees"})
        facts = self.facts()
        # all suspended: the first by name
        self.assertEqual(facts["research_group_id"], other.id)
        self.assertEqual(facts["group_state"], "suspended")

    def test_the_bookings_group_first(self):
        second = self.env["facility.research.group"].create(
            {
                "name": "AA Group",
                "pi_id": self.pi_b.id,
                "member_ids": [Command.link(self.student_a1.id)],
            }
        )
        self.book(NOW - timedelta(hours=1), group=self.group_a)
        self.assertEqual(self.facts()["research_group_id"], self.group_a.id)
        self.assertEqual(
            self.facts(moment=NOW + timedelta(hours=3))["research_group_id"], second.id
        )

    def test_no_group(self):
        facts = self.facts(self.finance)
        self.assertEqual(
            (facts["research_group_id"], facts["group_state"], facts["sanctioned"]),
            (False, False, False),
        )

    def test_qualification(self):
        self.assertTrue(self.facts()["qualified"])
        self.assertFalse(self.facts(self.student_a2)["qualified"])
        self.assertTrue(self.facts(self.student_a2, instrument=self.titan)["qualified"])

    def test_sanctions_in_force(self):
        Sanction = self.env["facility.sanction"]
        Sanction._impose(
            "user_suspension",
            self.group_a,
            NOW - timedelta(days=1),
            NOW + timedelta(days=1),
            user=self.student_a2,
        )
        self.assertTrue(self.facts(self.student_a2)["sanctioned"])
        self.assertFalse(self.facts()["sanctioned"])
        self.assertFalse(self.facts(self.student_a2, moment=NOW + timedelta(days=2))["sanctioned"])
        # a measure that does not refuse use (an interview) is not a sanction in force here
        Sanction._impose("interview", self.group_a, NOW - timedelta(days=1), user=self.student_a1)
        self.assertFalse(self.facts()["sanctioned"])
        Sanction._impose("group_restriction", self.group_a, NOW - timedelta(days=1))
        self.assertTrue(self.facts()["sanctioned"])

    def test_own_sanction_after_leaving_the_group(self):
        self.env["facility.sanction"]._impose(
            "user_suspension",
            self.group_a,
            NOW - timedelta(days=1),
            NOW + timedelta(days=30),
            user=self.student_a2,
        )
        self.group_a.member_ids = [Command.unlink(self.student_a2.id)]
        facts = self.facts(self.student_a2)
        self.assertEqual((facts["research_group_id"], facts["sanctioned"]), (False, True))
        self.assertFalse(self.facts(self.student_b1)["sanctioned"])  # someone else's

    def test_sanctions_without_a_group_are_the_users_own(self):
        """The sanction rule itself answers for a user without a group: the user's own
        sanctions, never the group- or unit-level ones of anyone."""
        Sanction = self.env["facility.sanction"]
        own = Sanction._impose(
            "user_suspension",
            self.group_a,
            NOW - timedelta(days=1),
            NOW + timedelta(days=1),
            user=self.student_a2,
        )
        Sanction._impose("group_restriction", self.group_a, NOW - timedelta(days=1))
        Groups = self.env["facility.research.group"]
        for no_group in (None, Groups):
            with self.subTest(group=no_group):
                self.assertEqual(Sanction._active_for(no_group, self.student_a2, NOW), own)
                self.assertFalse(Sanction._active_for(no_group, self.student_b1, NOW))
                self.assertFalse(Sanction._active_for(no_group, None, NOW))
        self.assertTrue(self.facts(self.student_a2)["sanctioned"])

    def test_instrument_status_and_mode(self):
        self.spirit.state = "repair"
        self.assertFalse(self.facts()["available"])
        self.spirit.state = "in_service"
        self.spirit.booking_mode = "log"
        self.assertTrue(self.facts()["log_only"])
        self.spirit.active = False
        self.assertFalse(self.facts()["available"])

    def test_arguments(self):
        booking = self.book(NOW - timedelta(hours=1))
        by_id = self.spirit.get_access_facts(self.student_a1.id, "2041-03-06 02:00:00")
        self.assertEqual(by_id["booking"][0], booking.id)
        with self.assertRaisesRegex(UserError, "is not a record of res.users"):
            self.spirit.get_access_facts(0, NOW)
        with self.assertRaisesRegex(UserError, "is not a date and time"):
            self.spirit.get_access_facts(self.student_a1, "tomorrow")
