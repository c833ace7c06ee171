from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .charge_common import ChargeCase, utc


@tagged("post_install", "-at_install")
class TestChargeGeneration(ChargeCase):
    """Lines from bookings, service orders, unbooked use and staff: once per origin, priced by
    the standard valid on the day of use, exact to the fen."""

    def test_no_show_is_charged_its_booked_time(self):
        booking = self.book(utc(2040, 3, 5, 10), hours=2)
        booking._mark_no_show(at=utc(2040, 3, 5, 11))
        line = self.lines(booking)
        self.assertEqual(len(line), 1)
        self.assertRecordValues(
            line,
            [
                {
                    "kind": "booking",
                    "state": "draft",
                    "quantity": 2.0,
                    "fee_unit": "hour",
                    "unit_price": 100.0,
                    "amount": 200.0,
                    "standard_id": self.spirit_std.id,
                    "origin_key": f"booking:{booking.id}",
                    "date": date(2040, 3, 5),
                    "research_group_id": self.group_a.id,
                    "user_id": self.student_a1.id,
                    "fund_id": self.fund_a.id,
                    "payer_category": "internal",
                    "partner_id": self.company.partner_id.id,
                    "instrument_id": self.spirit.id,
                }
            ],
        )
        self.assertIn("no-show", line.name)

    def test_done_booking_is_charged_its_used_time(self):
        booking = self.book(utc(2040, 3, 6, 9), hours=3)
        booking._start(at=utc(2040, 3, 6, 9, 10))
        booking._finish(at=utc(2040, 3, 6, 10, 40))
        line = self.lines(booking)
        self.assertEqual((line.quantity, line.amount), (1.5, 150.0))

    def test_unreported_underuse_is_charged_the_booked_time(self):
        self.spirit.booking_policy_id = self.underuse_policy
        booking = self.book(utc(2040, 3, 7, 9), hours=2)
        booking._start(at=utc(2040, 3, 7, 9))
        booking._finish(at=utc(2040, 3, 7, 9, 30))
        self.assertTrue(booking.is_underuse)
        self.assertEqual(self.lines(booking).quantity, 2.0)

    def test_released_time_is_not_charged(self):
        booking = self.book(utc(2040, 3, 8, 9), hours=4)
        booking._start(at=utc(2040, 3, 8, 9))
        booking._release(at=utc(2040, 3, 8, 10))
        self.assertEqual(self.lines(booking).quantity, 1.0)

    def test_light_microscope_cancellation_two_hours_before(self):
        """Cancel notice 120 min: exactly 2 h or 2 h 01 min before is free, 1 h 59 min is not."""
        start = utc(2040, 4, 2, 14)
        cases = ((timedelta(hours=2, minutes=1), 0), (timedelta(hours=2), 0))
        cases += ((timedelta(hours=1, minutes=59), 1),)
        for days, (before, expected) in enumerate(cases):
            with self.subTest(before=before):
                booking = self.book(start + timedelta(days=days), hours=1.5, instrument=self.light)
                with freeze_time(booking.date_start - before):
                    booking.with_user(self.student_a1).action_cancel()
                self.assertEqual(booking.state, "cancelled")
                lines = self.lines(booking)
                self.assertEqual(len(lines), expected)
                if expected:
                    self.assertEqual((lines.quantity, lines.amount), (1.5, 90.0))
                    self.assertIn("late cancellation", lines.name)

    def test_generation_twice_creates_nothing(self):
        booking = self.book(utc(2040, 3, 9, 10))
        booking._mark_no_show(at=utc(2040, 3, 9, 12))
        line = self.lines(booking)
        self.assertFalse(booking._facility_generate_charges())
        self.assertNotIn(line, self.env["facility.charge"]._cron_generate_missing())
        booking._finalize_charge()
        self.assertEqual(self.lines(booking), line)

    def test_not_yet_approved_standard_charges_nothing_then_catch_up(self):
        booking = self.book(utc(2040, 3, 12, 10), instrument=self.t20)
        booking._mark_no_show(at=utc(2040, 3, 12, 12))
        self.assertFalse(self.lines(booking))
        standard = self.standard(self.t20, "internal", 500.0, state="submitted")
        self.env["facility.charge"]._cron_generate_missing()
        self.assertFalse(self.lines(booking), "a submitted standard charges nothing")
        standard.with_user(self.director)._approve("2040-01-01")
        created = self.env["facility.charge"]._cron_generate_missing()
        line = self.lines(booking)
        self.assertIn(line, created)
        self.assertEqual(line.amount, 1000.0)
        self.assertNotIn(line, self.env["facility.charge"]._cron_generate_missing())

    def test_standard_valid_on_the_day_of_use(self):
        """Old rate to 31 May; the new one from 1 June (the day in the instrument's zone)."""
        new = self.standard(self.spirit, "internal", 120.0, state="submitted")
        new.with_user(self.director)._approve("2040-06-01")
        self.assertEqual(self.spirit_std.state, "superseded")
        cases = (
            (utc(2040, 5, 31, 10), 100.0),  # the day before the valid-from
            (utc(2040, 6, 1, 7), 120.0),  # 07:00 in Shanghai = 23:00 UTC the day before
            (utc(2040, 6, 2, 10), 120.0),  # the day after
        )
        for start, rate in cases:
            with self.subTest(start=start):
                booking = self.book(start, hours=1)
                booking._mark_no_show(at=start + timedelta(hours=1))
                self.assertEqual(self.lines(booking).unit_price, rate)

    def test_payer_categories(self):
        external = self.book(utc(2040, 3, 13, 10), group=self.group_b)
        external._mark_no_show(at=utc(2040, 3, 13, 12))
        line = self.lines(external)
        self.assertEqual((line.payer_category, line.amount), ("external", 300.0))
        self.assertFalse(line.fund_id)
        teaching = self.book(utc(2040, 3, 14, 10))
        teaching.with_user(self.manager_spirit).is_teaching = True
        teaching._mark_no_show(at=utc(2040, 3, 14, 12))
        line = self.lines(teaching)
        self.assertEqual((line.payer_category, line.amount), ("teaching", 0.0))
        with self.assertRaisesRegex(UserError, "mark a booking as teaching"):
            self.book(utc(2040, 3, 15, 10)).with_user(self.student_a1).is_teaching = True

    def test_booking_fund_defaults_from_the_group(self):
        booking = self.book(utc(2040, 3, 16, 10))
        self.assertEqual(booking.fund_id, self.fund_a)
        other = self.book(utc(2040, 3, 17, 10), fund_id=self.fund_a2.id)
        other._mark_no_show(at=utc(2040, 3, 17, 12))
        self.assertEqual(self.lines(other).fund_id, self.fund_a2)

    def test_service_order_lines(self):
        order = self.receive_qualified(self.open_order())
        self.add_sample(order).sudo()._write_guarded({"state": "qualified"})
        order.write(
            {
                "staff_hours": 1.5,
                "consumable_ids": [
                    Command.create({"name": "Slot grids", "quantity": 4, "unit_price": 12.5}),
                    Command.create({"name": "Resin", "quantity": 2}),
                ],
            }
        )
        order.action_preparation_done()
        order.results = "<p>Sections on slot grids.</p>"
        order.action_approve_results()
        order.action_deliver()
        pi_order = order.with_user(self.pi_a)
        pi_order.pi_opinion = "Fine."
        pi_order.action_pi_sign()
        self.assertFalse(self.lines(order))
        order.action_close()
        lines = self.lines(order)
        found = {
            line.origin_key.split(":", 2)[2]: (line.quantity, line.unit_price, line.amount)
            for line in lines
        }
        resin, grids = order.consumable_ids.sorted("name")
        self.assertEqual(
            found,
            {
                "samples": (2.0, 200.0, 400.0),
                "staff_hours": (1.5, 90.0, 135.0),
                f"consumable:{grids.id}": (4.0, 12.5, 50.0),
                f"consumable:{resin.id}": (2.0, 15.0, 30.0),
            },
        )
        self.assertEqual(set(lines.mapped("fund_id")), {self.fund_a})
        self.assertEqual(set(lines.mapped("instrument_id")), {self.hpm})
        self.assertFalse(order._facility_generate_charges())

    def test_unbooked_use_once_per_source_key(self):
        Charge = self.env["facility.charge"]
        start, stop = utc(2040, 3, 20, 9), utc(2040, 3, 20, 9, 45)
        line = Charge.charge_unbooked_use(
            self.spirit, self.group_a, self.student_a1, start, stop, "box-7:4711"
        )
        self.assertRecordValues(
            line,
            [{"kind": "walk_in", "quantity": 0.75, "unit_price": 120.0, "amount": 90.0}],
        )
        again = Charge.charge_unbooked_use(
            self.spirit, self.group_a, self.student_a1, start, stop, "box-7:4711"
        )
        self.assertEqual(again, line)
        self.assertEqual(Charge.sudo().search_count([("origin_key", "=", "iot:box-7:4711")]), 1)
        nothing = Charge.charge_unbooked_use(
            self.t20, self.group_a, self.student_a1, start, stop, "box-8:1"
        )
        self.assertFalse(nothing, "no walk-in price: not charged")

    def test_manual_lines_by_staff(self):
        line = self.manual_line(self.manager_spirit)
        self.assertRecordValues(
            line,
            [
                {
                    "kind": "manual",
                    "state": "draft",
                    "amount": 71.0,
                    "fund_id": self.fund_a.id,
                    "payer_category": "internal",
                }
            ],
        )
        finance_line = self.manual_line(self.finance, instrument_id=False, quantity=-1.0)
        self.assertEqual(finance_line.amount, -35.5)
        with self.assertRaisesRegex(UserError, "finance or by the managers"):
            self.manual_line(self.manager_t20)
        with self.assertRaises(AccessError):
            self.manual_line(self.student_a1)
        forged = self.manual_line(
            self.manager_spirit, state="settled", amount=1.0, origin_key="booking:1"
        )
        self.assertEqual((forged.state, forged.amount, forged.origin_key), ("draft", 71.0, False))

    def test_sums_to_the_fen_over_many_awkward_lines(self):
        """333.33 元/h × 0.25 h = 83.33 per line; 1,000 lines total exactly 83,330.00."""
        values = dict(
            name="Awkward",
            instrument_id=self.spirit.id,
            research_group_id=self.group_a.id,
            date="2041-01-15",
            quantity=0.25,
            fee_unit="hour",
            unit_price=333.33,
        )
        lines = self.env["facility.charge"].with_user(self.finance).create([values] * 1000)
        self.assertEqual(set(lines.mapped("amount")), {83.33})
        [(total,)] = self.env["facility.charge"]._read_group(
            [("id", "in", lines.ids)], [], ["amount:sum"]
        )
        self.assertEqual(round(total, 2), 83330.00)
        self.env.cr.execute(
            "SELECT SUM(amount)::text FROM facility_charge WHERE id = ANY(%s)", [lines.ids]
        )
        self.assertEqual(str(self.env.cr.fetchone()[0]), "83330.00")
        lines.with_user(self.finance).action_confirm()
        fees = self.env["facility.charge"].get_instrument_fees(
            self.spirit, date(2041, 1, 1), date(2041, 1, 31)
        )
        self.assertEqual(
            fees[self.spirit.id], {"internal": 83330.0, "external": 0.0, "total": 83330.0}
        )
