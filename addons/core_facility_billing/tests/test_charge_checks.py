from datetime import datetime, timedelta
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from .charge_common import SHANGHAI, ChargeCase, utc


class CheckCase(ChargeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for user in (cls.student_a1, cls.student_b1):
            cls.grant(user, cls.spirit, cls.primary)
            cls.grant(user, cls.spirit, cls.intermediate)
        cls.group_b_fund_day = None

    def _patch(self, model, method, function):
        patcher = patch.object(type(self.env[model]), method, function)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _values(self, group=None, start=None, hours=2, **values):
        group = group or self.group_a
        start = start or utc(2040, 5, 8, 10)
        return {
            "instrument_id": self.spirit.id,
            "operator_id": (self.student_a1 if group == self.group_a else self.student_b1).id,
            "research_group_id": group.id,
            "purpose": "Screening",
            "date_start": start,
            "date_stop": start + timedelta(hours=hours),
            **values,
        }


@tagged("post_install", "-at_install")
class TestChargeChecks(CheckCase):
    """A booking or a service is refused, before it is made, for an invalid fund, arrears or a
    prepaid balance that does not cover its estimate; the estimate is the standard's."""

    def test_estimate_from_the_applicable_standard(self):
        Booking = self.env["facility.booking"]
        external = Booking.new(self._values(self.group_b))
        self.assertEqual(external.estimated_amount, 300.0)
        amount, standard = external._facility_estimate()
        self.assertEqual((amount, standard.payer_category), (300.0, "external"))
        self.assertEqual(Booking.new(self._values(hours=1.25)).estimated_amount, 125.0)
        self.assertEqual(
            Booking.new(self._values(is_teaching=True)).estimated_amount, 0.0, "teaching"
        )
        self.assertEqual(
            Booking.new(self._values(start=utc(2039, 12, 31, 10))).estimated_amount,
            0.0,
            "no standard valid yet",
        )

    def test_prepaid_balance_refuses_with_the_figures(self):
        asked = []

        def prepaid_problem(group, estimate, exclude=None):
            asked.append((group, estimate))
            if group.category == "external" and estimate > 100.0:
                return f"estimated at {estimate:.2f} 元, available 100.00 元"
            return False

        self._patch("facility.research.group", "_facility_prepaid_problem", prepaid_problem)
        Booking = self.env["facility.booking"].with_user(self.student_b1)
        with self.assertRaisesRegex(ValidationError, "estimated at 300.00 元, available 100.00"):
            Booking.create(self._values(self.group_b))
        self.assertIn(self.group_b, [group for group, _estimate in asked])
        self.assertIn(300.0, [estimate for _group, estimate in asked])
        # within the balance: booked
        booking = Booking.create(self._values(self.group_b, hours=0.5))
        self.assertEqual(booking.state, "confirmed")
        # a change of time is checked again
        with self.assertRaisesRegex(ValidationError, "estimated at 300.00 元"):
            booking.write({"date_stop": booking.date_start + timedelta(hours=2)})

    def test_expired_fund_and_arrears_refuse(self):
        def fund_problem(fund, day):
            return (
                f"Fund {fund.facility_fund_code} expired on 2040-04-30." if day.month > 4 else False
            )

        self._patch("account.analytic.account", "_facility_fund_problem", fund_problem)
        Booking = self.env["facility.booking"].with_user(self.student_a1)
        with self.assertRaisesRegex(ValidationError, "Fund 2040-KY-0001 expired on 2040-04-30"):
            Booking.create(self._values())
        booking = Booking.create(self._values(start=utc(2040, 4, 20, 10)))
        self.assertEqual(booking.fund_id, self.fund_a)
        with self.assertRaisesRegex(ValidationError, "expired"):
            booking.write({"date_start": utc(2040, 5, 2, 10), "date_stop": utc(2040, 5, 2, 11)})
        self._patch(
            "facility.research.group",
            "_facility_arrears_problem",
            lambda group: "Invoice INV/2040/0001 (1,200.00 元) is 75 days overdue.",
        )
        with self.assertRaisesRegex(ValidationError, "75 days overdue"):
            Booking.create(self._values(start=utc(2040, 4, 21, 10)))
        with self.assertRaisesRegex(ValidationError, "75 days overdue"):
            booking.write({"fund_id": self.fund_a2.id})

    def test_fund_belongs_to_the_group(self):
        with self.assertRaisesRegex(ValidationError, "not a fund of Group B"):
            self.book(utc(2040, 3, 3, 10), group=self.group_b, fund_id=self.fund_a.id)

    def test_service_orders_are_checked_at_creation_and_review(self):
        order = self.open_order()
        self._patch(
            "facility.research.group",
            "_facility_arrears_problem",
            lambda group: "Group A has overdue invoices.",
        )
        with self.assertRaisesRegex(
            ValidationError, "cannot be accepted for Group A:\n- Group A has overdue invoices"
        ):
            order.action_review()
        with self.assertRaisesRegex(ValidationError, "overdue invoices"):
            self.open_order()

    def test_service_estimate(self):
        order = self.open_order(staff_hours=2.0)
        self.add_sample(order)
        self.add_sample(order)
        # 2 samples × 200 + 2 h × 90
        self.assertEqual(order.estimated_amount, 580.0)

    def test_instrument_fees_for_the_evaluation(self):
        internal = self.book(utc(2040, 7, 1, 10))
        external = self.book(utc(2040, 7, 2, 10), group=self.group_b)
        (internal | external)._mark_no_show(at=utc(2040, 7, 3))
        lines = self.lines(internal) | self.lines(external)
        Charge = self.env["facility.charge"]
        period = (datetime(2040, 7, 1).date(), datetime(2040, 7, 31).date())
        self.assertEqual(
            Charge.get_instrument_fees(self.spirit, *period)[self.spirit.id]["total"], 0.0
        )
        lines.with_user(self.finance).action_confirm()
        fees = Charge.get_instrument_fees(self.spirit | self.t20, *period)
        self.assertEqual(
            fees[self.spirit.id], {"internal": 200.0, "external": 300.0, "total": 500.0}
        )
        self.assertEqual(fees[self.t20.id]["total"], 0.0)


@tagged("post_install", "-at_install")
class TestChargePortalEstimate(HttpCase, CheckCase):
    """The portal booking form shows the rate, then the estimated charge of the times typed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_b.member_ids |= cls.portal_user
        cls.standard(cls.t20, "external", 150.0, date_from="2020-01-01")
        cls.day = (datetime.now(SHANGHAI) + timedelta(days=2)).strftime("%Y-%m-%d")

    def test_portal_form_shows_the_estimate(self):
        self.authenticate("t_portal", "t_portal")
        base = f"/my/bookings/new?instrument_id={self.t20.id}&research_group_id={self.group_b.id}"
        page = self.url_open(base).text
        self.assertIn("Rate for Group B: 150.00 元 per Hour (External rate)", page)
        self.assertIn("Estimate the Charge", page)
        page = self.url_open(
            f"{base}&date_start={self.day}T09:00&date_stop={self.day}T11:00&estimate=1"
        ).text
        self.assertIn(
            "Estimated charge: 300.00 元 (2 h at 150.00 元 per Hour, External rate)", page
        )
        self.assertFalse(
            self.env["facility.booking"].search([("operator_id", "=", self.portal_user.id)]),
            "estimating books nothing",
        )
        page = self.url_open(f"/my/bookings/new?instrument_id={self.spirit.id}").text
        self.assertIn("No approved fee standard prices Test Spirit for Group B", page)
