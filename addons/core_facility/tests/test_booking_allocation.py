from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .test_booking import BookingCase, local


@tagged("post_install", "-at_install")
class TestBookingAllocation(BookingCase):
    """Talos, Titan, Helios: booking within the committee's allocation; unbooked hours lapse on
    the 1st and go to other groups in a second round (seed 000, 附件2 §3-5)."""

    def allocation(self, group, month="2026-01-01", instrument=None):
        return self.allocation_of(instrument or self.titan, group, month)

    def test_booking_within_allocated_hours_and_forfeiture(self):
        january = self.allocation(self.group_a)
        january.hours = 43  # a whole day (24 h) and two first slots (9.5 h each)
        self.allocation(self.group_b).unlink()
        with freeze_time("2025-12-25 01:00:00"):  # January opens in the last week of December
            self.book(self.titan, local(2026, 1, 5, 8, 30), local(2026, 1, 6, 8, 30))
            self.book(self.titan, local(2026, 1, 6, 8, 30), local(2026, 1, 6, 18))
            third = self.book(self.titan, local(2026, 1, 7, 8, 30), local(2026, 1, 7, 18))
            with self.assertRaisesRegex(
                ValidationError,
                r"Allocation rule: Group A has 43 h allocated on Test Titan for January 2026, "
                r"0 h of them left; with this booking it would use 52.5 h",
            ):
                self.book(self.titan, local(2026, 1, 8, 8, 30), local(2026, 1, 8, 18))
            with self.assertRaisesRegex(
                ValidationError, "Group B has no hours allocated for January 2026"
            ):
                self.book(
                    self.titan, local(2026, 1, 8, 8, 30), local(2026, 1, 8, 18), self.student_b1
                )
            third.with_user(self.student_a1).action_cancel()
            january.invalidate_recordset()
            self.assertEqual(january.booked_hours, 33.5)
            self.assertEqual(january.remaining_hours, 9.5)
        # on 2 January, before the scheduled job runs, the list already shows the lapse
        with freeze_time("2026-01-01 16:05:00"):
            january.invalidate_recordset()
            self.assertEqual(january.remaining_hours, 0)
            self.assertEqual(january.total_hours, 33.5)

        # 2 Jan 00:30 in Shanghai: the 9.5 h not booked by the 1st lapse
        with freeze_time("2026-01-01 16:30:00"):
            self.env["facility.booking.allocation"]._cron_forfeit()
            self.assertEqual(january.forfeited_hours, 9.5)
            self.assertIn("9.5 h allocated on Test Titan", january.message_ids[:1].body)
            with self.assertRaisesRegex(
                ValidationError, r"\(9.5 h not booked by Thu 01/01/2026 were forfeited\)"
            ):
                self.book(self.titan, local(2026, 1, 20, 8, 30), local(2026, 1, 20, 18))
            # the second round gives the forfeited time to another group, not more
            Allocation = self.env["facility.booking.allocation"].with_user(self.manager_t20)
            with self.assertRaisesRegex(ValidationError, "9.5 h were forfeited"):
                Allocation.create(
                    {
                        "instrument_id": self.titan.id,
                        "research_group_id": self.group_b.id,
                        "month": "2026-01-15",
                        "second_round_hours": 10,
                    }
                )
            second = Allocation.create(
                {
                    "instrument_id": self.titan.id,
                    "research_group_id": self.group_b.id,
                    "month": "2026-01-15",
                    "second_round_hours": 9.5,
                }
            )
            self.assertEqual(str(second.month), "2026-01-01")
            self.assertEqual(second.pool_hours, 0)
            booking = self.book(
                self.titan, local(2026, 1, 20, 8, 30), local(2026, 1, 20, 18), self.student_b1
            )
            self.assertEqual(booking.state, "requested")

    @freeze_time("2025-12-25 01:00:00")
    def test_unrecorded_lapse_and_deadline_day(self):
        """The rule does not wait for the scheduled job: past the deadline, hours have lapsed."""
        self.allocation(self.group_a).hours = 24
        with freeze_time("2026-01-01 15:59:00"):  # the 1st, 23:59 in Shanghai: still bookable
            self.book(self.titan, local(2026, 1, 12, 8, 30), local(2026, 1, 12, 18))
        with freeze_time("2026-01-01 16:00:00"):  # the 2nd, 00:00
            with self.assertRaisesRegex(ValidationError, r"14.5 h not booked by .* forfeited"):
                self.book(self.titan, local(2026, 1, 13, 8, 30), local(2026, 1, 13, 18))

    def test_policies_without_allocation_are_not_affected(self):
        self.assertFalse(self.spirit.booking_policy_id.allocation_required)
        self.assertTrue(self.env.ref("core_facility.policy_helios").allocation_required)
        with freeze_time("2025-12-03 01:00:00"):
            booking = self.book(self.spirit, local(2025, 12, 4, 9), local(2025, 12, 4, 10))
        self.assertEqual(booking.state, "confirmed")

    def test_access(self):
        Allocation = self.env["facility.booking.allocation"]
        visible = Allocation.with_user(self.student_a1).search([]) & self.allocations
        self.assertEqual(visible.research_group_id, self.group_a)
        with self.assertRaises(AccessError):
            self.allocation(self.group_a).with_user(self.student_a1).hours = 1000
        with self.assertRaises(AccessError):
            self.allocation(self.group_a).with_user(self.manager_spirit).hours = 1000
        self.allocation(self.group_a).with_user(self.manager_t20).hours = 60
        self.allocation(self.group_a).with_user(self.director).hours = 70
        self.assertEqual(self.allocation(self.group_a).hours, 70)
        self.assertEqual(
            Allocation.with_user(self.finance).search_count([]), Allocation.search_count([])
        )
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                Allocation.create(
                    {
                        "instrument_id": self.titan.id,
                        "research_group_id": self.group_a.id,
                        "month": "2026-01-20",
                        "hours": 5,
                    }
                )

    @freeze_time("2025-12-25 01:00:00")
    def test_allocation_message_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["core_facility"], ["zh_CN"])
        self.allocation(self.group_b).unlink()
        booking = self.env["facility.booking"].with_user(self.student_b1).with_context(lang="zh_CN")
        with self.assertRaisesRegex(
            ValidationError, "机时分配规定：.*Group B 在 2026年1月 没有分配机时"
        ):
            booking.create(
                {
                    "instrument_id": self.titan.id,
                    "research_group_id": self.group_b.id,
                    "purpose": "x",
                    "date_start": local(2026, 1, 5, 8, 30),
                    "date_stop": local(2026, 1, 5, 18),
                }
            )
