from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_application_common import FRIDAY, WEDNESDAY, ApplicationCase
from .test_booking import local


@tagged("post_install", "-at_install")
class TestApplicationAllocation(ApplicationCase):
    """An approved Talos application: the group books within the hours granted; hours not
    booked by the 1st lapse into the second round (附件2 §3)."""

    def test_approved_talos_hours_are_booked_and_lapse(self):
        with freeze_time(WEDNESDAY):
            application = self.submitted()
        with freeze_time(FRIDAY):
            self.env["facility.review.batch"]._cron_committee()
            self.vote(application, self.reviewer_x, "approve")
            self.decide(application, hours=40)
        line = application.line_ids
        allocation = line.allocation_id
        self.assertEqual(line.hours_granted, 40)
        self.assertEqual(
            (allocation.instrument_id, allocation.research_group_id, str(allocation.month)),
            (self.talos, self.group_a, "2026-03-01"),
        )
        self.assertEqual(allocation.hours, 40)
        self.assertEqual(allocation.origin, application.name)
        # March opens in the last week of February: a whole day and a first slot, 32 h
        with freeze_time("2026-02-25 02:00:00"):
            self.book(
                self.talos, local(2026, 3, 2, 8, 30), local(2026, 3, 3, 8), long_collection=True
            )
            self.book(self.talos, local(2026, 3, 4, 8, 30), local(2026, 3, 4, 17))
            allocation.invalidate_recordset()
            self.assertEqual(allocation.booked_hours, 32)
            self.assertEqual(allocation.remaining_hours, 8)
            # one more slot would use 40.5 h of the 40 h granted: refused
            with self.assertRaisesRegex(
                ValidationError,
                r"Group A has 40 h allocated on Test Talos for March 2026, 8 h of them left",
            ):
                self.book(self.talos, local(2026, 3, 5, 8, 30), local(2026, 3, 5, 17))
            # group B got nothing for March
            with self.assertRaisesRegex(ValidationError, "Group B has no hours allocated"):
                self.book(
                    self.talos,
                    local(2026, 3, 5, 8, 30),
                    local(2026, 3, 5, 17),
                    self.student_b1,
                )
        # 2 March, 00:30 in Shanghai: the 8 h not booked by the 1st lapse into the second round
        with freeze_time("2026-03-01 16:30:00"):
            self.env["facility.booking.allocation"]._cron_forfeit()
            self.assertEqual(allocation.forfeited_hours, 8)
            allocation.invalidate_recordset()
            self.assertEqual(allocation.pool_hours, 8)

    def test_second_approval_adds_to_the_month(self):
        with freeze_time(WEDNESDAY):
            first = self.submitted()
            second = self.submitted(title="Tomography of the same cells")
        with freeze_time(FRIDAY):
            self.env["facility.review.batch"]._cron_committee()
            for application, hours in ((first, 24), (second, 16)):
                self.vote(application, self.reviewer_y, "approve")
                self.decide(application, hours=hours)
        self.assertEqual(first.line_ids.allocation_id, second.line_ids.allocation_id)
        allocation = first.line_ids.allocation_id
        self.assertEqual(allocation.hours, 40)
        self.assertEqual(allocation.origin, f"{first.name}, {second.name}")
