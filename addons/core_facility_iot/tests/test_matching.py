"""Sessions matched to bookings: an open session starts its booking, the booking is finished at
the stop of its last session once its time is over and the box was heard past its end (under-use
and overrun computed by booking as it does; a silent box's booking waits for its buffered events),
an early login is clamped to what booking allows, and a booking that refuses never breaks the
intake: the session says why."""

from datetime import timedelta
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import NOW, event
from .test_session_common import UsageCase


@tagged("post_install", "-at_install")
class TestMatching(UsageCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spirit.booking_policy_id = cls.env["facility.booking.policy"].create(
            {"name": "Machine time test policy", "underuse_ratio": 0.5}
        )

    def test_open_session_starts_the_booking(self):
        booking = self.book(self.at(-60), hours=3)
        self.post(self.login("L1", -50, user=self.student_a1.login), *self.beats(-45, 0))
        session = self.sessions()
        self.assertEqual(session.booking_id, booking)
        self.assertFalse(session.is_unbooked)
        self.assertEqual((booking.state, booking.actual_start), ("in_use", self.at(-50)))
        self.assertEqual(session.research_group_id, self.group_a)

    def test_closed_session_finishes_the_booking_once_its_time_is_over(self):
        booking = self.book(self.at(-180), hours=2)  # ended an hour ago
        self.post(
            self.login("L1", -175, user=self.student_a1.login),
            *self.beats(-170, -115),
            self.logout("O1", -110),  # overran by ten minutes
            *self.beats(-105, 0),  # the box lives on
        )
        self.assertEqual(booking.state, "done")
        self.assertEqual(
            (booking.actual_start, booking.actual_stop), (self.at(-175), self.at(-110))
        )
        self.assertAlmostEqual(booking.used_hours, 65 / 60)
        self.assertFalse(booking.is_underuse)
        self.assertFalse(self.sessions().match_note)

    def test_lunch_break_keeps_one_booking_running(self):
        booking = self.book(self.at(-240), hours=4)  # ends now
        self.post(
            self.login("L1", -235),
            *self.beats(-230, -185),
            self.logout("O1", -180),
            self.login("L2", -120),
            *self.beats(-115, -35),
            self.logout("O2", -30),
            now=self.at(-30),
        )
        self.assertEqual(booking.state, "in_use")  # its time is not over
        self.assertEqual(len(booking.usage_session_ids), 2)
        self.Session._cron_close_sessions(now=NOW)
        self.assertEqual(booking.state, "in_use")  # the box was not heard past its end yet
        self.post(*self.beats(-25, 0), now=NOW)
        self.Session._cron_close_sessions(now=NOW)
        self.assertEqual(booking.state, "done")
        self.assertEqual((booking.actual_start, booking.actual_stop), (self.at(-235), self.at(-30)))

    def test_left_early_is_under_use(self):
        booking = self.book(self.at(-240), hours=4)
        self.post(
            self.login("L1", -235),
            *self.beats(-230, -185),
            self.logout("O1", -180),
            *self.beats(-175, 0),
        )
        self.assertEqual(booking.state, "done")  # booked time over: finished at once
        self.assertTrue(booking.is_underuse)

    def test_a_silent_box_does_not_finish_its_booking(self):
        """Review finding 1 (/tmp/review/s4.py): the box goes offline 20 minutes into a
        three-hour booking and buffers its events. The cron past the booking's end ends the
        session by heartbeat timeout but leaves the booking running; the buffered events then
        give the true length, and the booking is finished at the true logout."""
        booking = self.book(self.at(-240), hours=3)  # -240 to -60
        login = self.login("L1", -239, user=self.student_a1.login)
        self.post(login, *self.beats(-235, -220), now=self.at(-219))
        self.assertEqual(booking.state, "in_use")
        self.Session._cron_close_sessions(now=self.at(-55))
        session = self.sessions()
        self.assertEqual(session.end_reason, "heartbeat_timeout")
        self.assertEqual(session.date_stop, self.at(-210))
        self.assertEqual(booking.state, "in_use")  # the box is silent: not final
        self.post(
            *self.beats(-215, -65), self.logout("O1", -62), *self.beats(-60, -50), now=self.at(-50)
        )
        self.assertEqual((session.end_reason, session.date_stop), ("closed", self.at(-62)))
        self.assertEqual(booking.state, "done")
        self.assertEqual((booking.actual_start, booking.actual_stop), (self.at(-239), self.at(-62)))
        self.assertFalse(booking.is_underuse)
        violations = (
            self.env["facility.violation"]
            .sudo()
            .search([("source_key", "=like", f"booking:{booking.id}:%")])
        )
        self.assertFalse(violations)
        self.assertFalse(session.needs_review)

    def test_a_box_that_never_comes_back_finishes_after_the_settle_delay(self):
        booking = self.book(self.at(-240), hours=3)
        self.post(self.login("L1", -239), *self.beats(-235, -220), now=self.at(-219))
        self.Session._cron_close_sessions(now=self.at(-60 + 23 * 60))
        self.assertEqual(booking.state, "in_use")
        self.Session._cron_close_sessions(now=self.at(-60 + 24 * 60))
        self.assertEqual(booking.state, "done")
        self.assertEqual(booking.actual_stop, self.at(-210))  # what was measured
        # a shorter delay, set by the administrator
        other = self.book(self.at(2000), hours=1)
        self.env["ir.config_parameter"].sudo().set_param(
            "core_facility_iot.session_settle_hours", "2"
        )
        self.post(self.login("L2", 2001), self.beat("H2005", 2005), now=self.at(2006))
        self.Session._cron_close_sessions(now=self.at(2060 + 119))
        self.assertEqual(other.state, "in_use")
        self.Session._cron_close_sessions(now=self.at(2060 + 120))
        self.assertEqual(other.state, "done")

    def test_early_login_is_clamped_to_what_booking_allows(self):
        booking = self.book(self.at(-60), hours=3)
        self.post(self.login("L1", -90), *self.beats(-85, 0))
        session = self.sessions()
        self.assertEqual(session.booking_id, booking)
        self.assertEqual(booking.actual_start, self.at(-75))  # 15 minutes before its start
        self.assertIn("the earliest it allows", session.match_note)

    def test_a_refusing_booking_never_breaks_the_intake(self):
        booking = self.book(self.at(-60), hours=3)
        Booking = type(self.env["facility.booking"])
        with patch.object(Booking, "_start", side_effect=UserError("Booking says no")):
            answer = self.post(self.login("L1", -50), *self.beats(-45, 0))
        self.assertEqual(answer["accepted"], 11)
        session = self.sessions()
        self.assertEqual(session.booking_id, booking)
        self.assertEqual(booking.state, "confirmed")
        self.assertIn("could not be started: Booking says no", session.match_note)

    def test_someone_else_at_the_booked_time(self):
        booking = self.book(self.at(-60), hours=3)
        self.post(self.login("L1", -50, user=self.student_a2.login), *self.beats(-45, 0))
        session = self.sessions()
        self.assertEqual(session.booking_id, booking)
        self.assertEqual(session.user_id, self.student_a2)
        self.assertIn(f"Used by {self.student_a2.name}", session.match_note)

    def test_unknown_user_is_the_bookings_operator(self):
        self.book(self.at(-60), hours=3)
        self.post(self.login("L1", -50), *self.beats(-45, 0))
        self.assertEqual(self.sessions().user_id, self.student_a1)

    def test_only_pc_sessions_drive_bookings_on_a_pc_box(self):
        booking = self.book(self.at(-60), hours=3)
        self.post(event("P1", "power_on", self.at(-50)), *self.beats(-45, 0))
        power = self.sessions()
        self.assertFalse(power.drives_bookings)
        self.assertFalse(power.booking_id)
        self.assertFalse(power.is_unbooked)
        self.assertEqual(booking.state, "confirmed")

    def test_booking_form_counts_the_measured_sessions(self):
        booking = self.book(self.at(-60), hours=3)
        self.post(self.login("L1", -50), *self.beats(-45, 0))
        self.assertEqual(booking.usage_session_count, 1)
        action = booking.action_view_usage_sessions()
        self.assertEqual(action["domain"], [("booking_id", "=", booking.id)])
        self.assertEqual(NOW - timedelta(minutes=50), booking.actual_start)
