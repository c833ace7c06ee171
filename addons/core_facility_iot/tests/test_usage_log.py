"""The manual usage ledger (使用记录): users log their own use, staff anyone's; hours computed;
the end after the start and at most 24 hours later; the group the user's (or the booking's)."""

from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import NOW
from .test_session_common import UsageCase


@tagged("post_install", "-at_install")
class TestUsageLog(UsageCase):
    def log(self, user=None, as_user=None, **values):
        user = user or self.student_a1
        vals = {
            "instrument_id": self.spirit.id,
            "user_id": user.id,
            "date_start": NOW,
            "date_stop": NOW + timedelta(hours=2, minutes=30),
            **values,
        }
        return self.env["facility.usage.log"].with_user(as_user or user).create(vals)

    def test_hours_and_group(self):
        entry = self.log(note="Grids 1-4")
        self.assertEqual(entry.hours, 2.5)
        self.assertEqual(entry.research_group_id, self.group_a)
        self.assertEqual(entry.user_id, self.student_a1)

    def test_group_from_the_booking(self):
        booking = self.book(NOW, hours=3)
        entry = self.log(booking_id=booking.id)
        self.assertEqual(entry.research_group_id, booking.research_group_id)

    def test_group_of_the_booking_at_that_time(self):
        """Review finding 17: the group is core_facility's answer for the user at the
        instrument (the booking then, else the first active group), not a copy of that rule."""
        self.group_b.member_ids = [(4, self.student_a1.id)]  # "Group A" comes first by name
        self.book(NOW, hours=3, group=self.group_b)
        self.assertEqual(self.log().research_group_id, self.group_b)
        self.assertEqual(
            self.log(
                date_start=NOW + timedelta(hours=4), date_stop=NOW + timedelta(hours=5)
            ).research_group_id,
            self.group_a,
        )

    def test_times_both_sides(self):
        with self.assertRaisesRegex(ValidationError, "must end after it starts"):
            self.log(date_stop=NOW)
        with self.assertRaisesRegex(ValidationError, "at most 24 hours"):
            self.log(date_stop=NOW + timedelta(hours=24, minutes=1))
        self.assertEqual(self.log(date_stop=NOW + timedelta(hours=24)).hours, 24)

    def test_users_log_their_own_use(self):
        with self.assertRaisesRegex(ValidationError, "only log your own use"):
            self.log(user=self.student_a2, as_user=self.student_a1)
        entry = self.log(user=self.student_a2, as_user=self.manager_spirit)
        self.assertEqual(entry.user_id, self.student_a2)

    def test_group_and_booking_must_be_the_users(self):
        with self.assertRaisesRegex(ValidationError, "is not a member of Group B"):
            self.log(research_group_id=self.group_b.id)
        other = self.book(NOW, hours=1, operator=self.student_a2)
        with self.assertRaisesRegex(ValidationError, "is not .*'s booking"):
            self.log(booking_id=other.id)

    def test_users_see_their_own_pis_their_groups(self):
        mine = self.log()
        theirs = self.log(user=self.student_b1)
        Log = self.env["facility.usage.log"]
        self.assertEqual(Log.with_user(self.student_a1).search([]), mine)
        self.assertEqual(Log.with_user(self.pi_a).search([]), mine)
        self.assertEqual(Log.with_user(self.manager_spirit).search([]), mine | theirs)
