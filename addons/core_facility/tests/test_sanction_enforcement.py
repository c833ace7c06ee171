"""Sanctions enforced: at booking time (restriction, suspension, retraining, allowance,
blacklisting), in competing requests (integrity priority) and on service applications."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..rules.codes import SanctionKind as K
from ..rules.codes import ViolationSource, ViolationTrack
from .sanction_common import SanctionMixin
from .test_application_common import WEDNESDAY, ApplicationCase
from .test_booking import NOW, local


@tagged("post_install", "-at_install")
class TestSanctionEnforcement(SanctionMixin, ApplicationCase):
    @freeze_time(NOW)  # Wednesday 3 Dec 2025, 09:00 in Shanghai
    def test_booking_refused_during_a_restriction_naming_its_end(self):
        """The 10th violation restricts the group for a week: its bookings are refused, naming
        the sanction, its reason and its end (the instrument's time zone); another group books."""
        self.violate(self.group_a, self.student_a1, count=10)
        with self.assertRaisesRegex(
            ValidationError, r"Booking Restricted — Group A may not book until Wed 12/10/2025 09:00"
        ):
            self.book(self.spirit, local(2025, 12, 4, 10), local(2025, 12, 4, 12))
        with self.assertRaisesRegex(ValidationError, "10th violation without consequence"):
            self.book(self.spirit, local(2025, 12, 4, 10), local(2025, 12, 4, 12), self.pi_a)
        # nor later time while it lasts
        with self.assertRaisesRegex(ValidationError, "Booking Restricted"):
            self.book(self.spirit, local(2025, 12, 15, 10), local(2025, 12, 15, 12))
        self.book(self.spirit, local(2025, 12, 4, 10), local(2025, 12, 4, 12), self.student_b1)
        # the 6th violation asked for retraining: staff retrained the member since
        self.env["facility.qualification"].search(
            [("user_id", "=", self.student_a1.id), ("instrument_id", "=", self.spirit.id)]
        ).with_user(self.manager_spirit).action_clear_retraining()
        with freeze_time("2025-12-10 01:01:00"):
            booking = self.book(self.spirit, local(2025, 12, 11, 10), local(2025, 12, 11, 12))
            self.assertEqual(booking.state, "confirmed")

    @freeze_time(NOW)
    def test_suspended_user_refused_while_group_mates_book(self):
        self.violate(self.group_a, self.student_a1, track=ViolationTrack.CONSEQUENCE, count=2)
        with self.assertRaisesRegex(ValidationError, "User Suspended — t_student_a1"):
            self.book(self.spirit, local(2025, 12, 4, 10), local(2025, 12, 4, 12))
        booking = self.book(
            self.spirit, local(2025, 12, 4, 10), local(2025, 12, 4, 12), self.student_a2
        )
        self.assertEqual(booking.state, "confirmed")

    @freeze_time(NOW)
    def test_retraining_blocks_booking_until_cleared(self):
        """The 6th violation asks the members to retrain: their qualifications stop counting
        until staff clear them (or the level is granted again)."""
        Qualification = self.env["facility.qualification"]
        self.violate(self.group_a, self.student_a1, count=6)
        self.assertFalse(Qualification.is_qualified(self.student_a1, self.spirit, self.primary))
        self.assertFalse(self.spirit.is_user_qualified(self.student_a2))
        with self.assertRaisesRegex(ValidationError, "Certification rule"):
            self.book(self.spirit, local(2025, 12, 4, 10), local(2025, 12, 4, 12))
        q_a1 = Qualification.search(
            [("user_id", "=", self.student_a1.id), ("instrument_id", "=", self.spirit.id)]
        )
        q_a1.with_user(self.manager_spirit).action_clear_retraining()
        self.assertTrue(Qualification.is_qualified(self.student_a1, self.spirit, self.primary))
        self.book(self.spirit, local(2025, 12, 4, 10), local(2025, 12, 4, 12))
        # granted again (renewed): retrained
        q_a2 = Qualification.search(
            [("user_id", "=", self.student_a2.id), ("instrument_id", "=", self.spirit.id)]
        )
        q_a2.with_user(self.manager_spirit).date_granted = fields.Date.today()
        self.assertFalse(q_a2.needs_retraining)
        # the group B member is not concerned
        self.assertTrue(self.spirit.is_user_qualified(self.student_b1))

    @freeze_time(NOW)
    def test_smaller_allowance_shortens_the_horizon(self):
        """Four no-shows within 90 days: the group books at most 7 days ahead for 30 days."""
        self.violate(self.group_a, self.student_a1, count=4, source=ViolationSource.NO_SHOW)
        self.book(self.spirit, local(2025, 12, 9, 10), local(2025, 12, 9, 12))
        with self.assertRaisesRegex(ValidationError, "at most 7 days ahead.*12/10/2025"):
            self.book(self.spirit, local(2025, 12, 12, 10), local(2025, 12, 12, 12))

    @freeze_time(NOW)
    def test_blacklisted_and_refused_use(self):
        Sanction = self.env["facility.sanction"]
        Sanction._impose(
            K.BLACKLIST, self.group_b, fields.Datetime.now(), reason="Two malicious omissions"
        )
        with self.assertRaisesRegex(ValidationError, "Blacklisted.*until staff lift it.*malicious"):
            self.book(self.spirit, local(2025, 12, 4, 10), local(2025, 12, 4, 12), self.student_b1)
        # a refusal of the whole unit reaches every group of it
        Sanction._impose(
            K.USE_REFUSAL,
            self.group_b,
            fields.Datetime.now(),
            fields.Datetime.now() + timedelta(days=183),
            unit=self.research_unit,
            reason="Acknowledgement missing",
        )
        with self.assertRaisesRegex(ValidationError, "Instrument Use Refused — Research Unit"):
            self.book(self.spirit, local(2025, 12, 4, 10), local(2025, 12, 4, 12))

    @freeze_time(WEDNESDAY)
    def test_service_application_refused(self):
        Sanction = self.env["facility.sanction"]
        refusal = Sanction._impose(
            K.SERVICE_REFUSAL,
            self.group_a,
            fields.Datetime.now(),
            fields.Datetime.now() + timedelta(days=365),
            reason="Acknowledgement missing",
        )
        application = self.application(kind="service")
        with self.assertRaisesRegex(
            UserError, "Service Applications Refused: Group A may not apply .* until 2027-02-18"
        ):
            application.action_submit()
        self.submitted()  # machine time is not a service
        refusal.with_user(self.director).action_lift()
        application.action_submit()
        self.assertEqual(application.state, "submitted")

    @freeze_time(NOW)
    def test_integrity_lowers_booking_priority(self):
        """Two internal groups ask for the same Titan time: the one under a sanction (or with
        unpaid fees) gives way to the other."""
        student_c = new_test_user(
            self.env, login="t_student_c1", groups="core_facility.group_facility_user"
        )
        group_c = self.env["facility.research.group"].create(
            {"name": "Group C", "pi_id": self.pi_b.id, "member_ids": [Command.set(student_c.ids)]}
        )
        self.env["facility.booking.allocation"].create(
            {
                "instrument_id": self.titan.id,
                "research_group_id": group_c.id,
                "month": "2025-12-01",
                "hours": 100,
                "forfeit_date": "2025-12-02 00:00:00",
                "forfeited_hours": 0,
            }
        )
        Sanction = self.env["facility.sanction"]
        self.assertEqual(Sanction._priority_penalty(self.group_a), 0)
        Sanction._impose(
            K.SERVICE_REFUSAL, self.group_a, fields.Datetime.now(), reason="Unacknowledged"
        )
        self.violate(self.group_a, self.student_a1, source=ViolationSource.UNPAID_FEES)
        self.assertEqual(Sanction._priority_penalty(self.group_a), 2)
        start, stop = local(2025, 12, 4, 8, 30), local(2025, 12, 4, 18)
        ours = self.book(self.titan, start, stop)
        theirs = self.book(self.titan, start, stop, student_c, group_c)
        with self.assertRaisesRegex(UserError, "Group A has a lower booking priority"):
            ours.with_user(self.manager_t20).action_confirm()
        theirs.with_user(self.manager_t20).action_confirm()
        self.assertEqual(ours.state, "rejected")
        self.assertIn("better integrity record", ours.reject_reason)
