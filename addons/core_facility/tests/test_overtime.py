from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import FacilityCase

NOW = "2026-12-01 01:00:00"  # Tuesday 09:00 in Shanghai


@tagged("post_install", "-at_install")
class TestOvertime(FacilityCase):
    """Staff overtime help: requested in advance on a booking, approved by the director, on the
    staff member's calendar."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Request = cls.env["facility.overtime.request"]
        # Wednesday 2 December 2026, 15:00-23:00 in Shanghai
        with freeze_time(NOW):
            cls.booking = (
                cls.env["facility.booking"]
                .with_user(cls.student_a1)
                .create(
                    {
                        "instrument_id": cls.spirit.id,
                        "operator_id": cls.student_a1.id,
                        "research_group_id": cls.group_a.id,
                        "purpose": "Overnight tomography",
                        "date_start": datetime(2026, 12, 2, 7),
                        "date_stop": datetime(2026, 12, 2, 15),
                    }
                )
            )
        cls.env.company.facility_director_id = cls.director

    def request(self, user=None, **values):
        return self.Request.with_user(user or self.student_a1).create(
            {
                "booking_id": self.booking.id,
                "staff_id": self.technician.id,
                "reason": "Refill the cryo-holder at 21:00",
                **values,
            }
        )

    @freeze_time(NOW)
    def test_requested_with_the_bookings_times_and_approved_on_the_staff_calendar(self):
        request = self.request()
        self.assertRecordValues(
            request,
            [
                {
                    "state": "requested",
                    "requester_id": self.student_a1.id,
                    "date_start": datetime(2026, 12, 2, 7),
                    "date_stop": datetime(2026, 12, 2, 15),
                    "hours": 8,
                }
            ],
        )
        self.assertTrue(request.name.startswith("OT/"))
        # the director has an activity to approve it
        self.assertEqual(request.activity_ids.user_id, self.director)
        self.assertEqual(self.booking.overtime_count, 1)
        request.with_user(self.director).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.decision_user_id, self.director)
        event = request.calendar_event_id
        self.assertEqual(event.partner_ids, self.technician.partner_id)
        self.assertEqual(event.user_id, self.technician)
        self.assertEqual((event.start, event.stop), (request.date_start, request.date_stop))
        self.assertIn("Test Spirit", event.name)
        # no invitation mail to the staff member
        invitations = self.env["mail.mail"].search(
            [("model", "=", "calendar.event"), ("res_id", "=", event.id)]
        )
        self.assertFalse(invitations)
        self.assertFalse(request.activity_ids)

    @freeze_time(NOW)
    def test_offhours_share_of_the_help(self):
        # the company's working hours end at 17:00: of 15:00-23:00, 6 h are off-hours
        request = self.request()
        self.assertEqual(request.offhours_hours, 6)
        request = self.request(
            date_start=datetime(2026, 12, 2, 7), date_stop=datetime(2026, 12, 2, 10)
        )
        self.assertEqual(request.offhours_hours, 1)  # 15:00-18:00: 17:00-18:00 is off-hours

    @freeze_time(NOW)
    def test_who_requests(self):
        self.request(user=self.pi_a)
        self.request(user=self.technician)
        with self.assertRaisesRegex(UserError, "requested by its operator, its group's PI"):
            self.request(user=self.student_a2)
        with self.assertRaisesRegex(
            ValidationError, r"t_pi_b.* is not a manager or technician of Test Spirit"
        ):
            self.request(staff_id=self.pi_b.id)

    def test_requested_in_advance_within_the_booking(self):
        with (
            freeze_time("2026-12-02 10:00:00"),
            self.assertRaisesRegex(UserError, "help is requested in advance"),
        ):
            self.request(date_start=datetime(2026, 12, 2, 9, 30))
        with freeze_time(NOW), self.assertRaisesRegex(ValidationError, "lies within its booking"):
            self.request(date_stop=datetime(2026, 12, 2, 16))

    def test_changes_while_waiting_are_checked_again(self):
        """The requester cannot move a waiting request into the past nor onto a booking that is
        not his: the checks of the request run again on a change."""
        with freeze_time(NOW):
            # Thursday 3 December 2026, 15:00-23:00 in Shanghai, group B's
            others = (
                self.env["facility.booking"]
                .with_user(self.student_b1)
                .create(
                    {
                        "instrument_id": self.spirit.id,
                        "operator_id": self.student_b1.id,
                        "research_group_id": self.group_b.id,
                        "purpose": "Group B's tomography",
                        "date_start": datetime(2026, 12, 3, 7),
                        "date_stop": datetime(2026, 12, 3, 15),
                    }
                )
            )
            request = self.request().with_user(self.student_a1)
            with self.assertRaisesRegex(
                UserError, r"help on .* is requested by its operator, its group's PI"
            ):
                request.write(
                    {
                        "booking_id": others.id,
                        "date_start": datetime(2026, 12, 3, 7),
                        "date_stop": datetime(2026, 12, 3, 15),
                    }
                )
            # within its own booking and in advance: fine
            request.write({"date_start": datetime(2026, 12, 2, 11)})
        with freeze_time("2026-12-02 10:00:00"):
            with self.assertRaisesRegex(UserError, "help is requested in advance; .* has passed"):
                request.write({"date_start": datetime(2026, 12, 2, 9, 30)})
            # a change of the end of help that has not started yet is still fine
            request.write({"date_stop": datetime(2026, 12, 2, 14)})
        self.assertRecordValues(
            request,
            [
                {
                    "booking_id": self.booking.id,
                    "date_start": datetime(2026, 12, 2, 11),
                    "date_stop": datetime(2026, 12, 2, 14),
                }
            ],
        )

    @freeze_time(NOW)
    def test_only_the_director_decides(self):
        request = self.request()
        for user in (self.student_a1, self.manager_spirit, self.technician):
            with self.assertRaisesRegex(UserError, "approved by the director"):
                request.with_user(user).action_approve()
        with self.assertRaisesRegex(UserError, "change only through its actions"):
            request.with_user(self.director).write({"state": "approved"})
        request.with_user(self.director).action_refuse()
        self.assertEqual(request.state, "refused")
        self.assertFalse(request.calendar_event_id)
        with self.assertRaisesRegex(UserError, "is Refused"):
            request.with_user(self.director).action_approve()

    def test_approved_before_the_help_starts(self):
        with freeze_time(NOW):
            request = self.request()
        with (
            freeze_time("2026-12-02 09:30:00"),
            self.assertRaisesRegex(UserError, "it is approved before the help starts"),
        ):
            request.with_user(self.director).action_approve()

    @freeze_time(NOW)
    def test_cancelled_by_the_requester_or_with_the_booking(self):
        request = self.request()
        request.with_user(self.director).action_approve()
        event = request.calendar_event_id
        request.with_user(self.student_a1).action_cancel()
        self.assertEqual(request.state, "cancelled")
        self.assertFalse(event.exists())
        other = self.request()
        other.with_user(self.director).action_approve()
        event = other.calendar_event_id
        with self.assertRaisesRegex(UserError, "Only the requester, the staff member"):
            other.with_user(self.student_a2).action_cancel()
        self.booking.with_user(self.student_a1).action_cancel()
        self.assertEqual(other.state, "cancelled")
        self.assertFalse(event.exists())
        self.assertIn("Cancelled with its booking", other.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "help is requested for a requested or confirmed"):
            self.request()

    @freeze_time(NOW)
    def test_who_sees_it(self):
        request = self.request()
        for user in (self.student_a1, self.pi_a, self.technician, self.manager_spirit):
            request.with_user(user).check_access("read")
        for user in (self.student_a2, self.pi_b, self.manager_t20):
            with self.assertRaises(AccessError):
                request.with_user(user).check_access("read")
        # the requester changes the reason while it waits, not once decided
        request.with_user(self.student_a1).reason = "Refill at 22:00"
        request.with_user(self.director).action_approve()
        with self.assertRaises(AccessError):
            request.with_user(self.student_a1).reason = "Changed"

    @freeze_time(NOW)
    def test_my_overtime_on_the_calendar(self):
        self.request()
        action = self.booking.action_view_overtime()
        self.assertEqual(action["domain"], [("booking_id", "=", self.booking.id)])
        mine = self.Request.with_user(self.technician).search(
            [("staff_id", "=", self.technician.id)]
        )
        self.assertEqual(len(mine), 1)
