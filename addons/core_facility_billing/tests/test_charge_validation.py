"""Manual lines and corrections are checked (fund of the paying group, quantity, standard,
company, settled period, quantity rounded before the amount); the IoT method and the
evaluation's question take records or ids and check who calls them; each company sees only its
own lines and standards."""

from datetime import date

from odoo import api
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.core_facility.models.access import permit

from .charge_common import ChargeCase, utc


@tagged("post_install", "-at_install")
class TestManualLineChecks(ChargeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fund_b = cls.env["account.analytic.account"].create(
            {
                "name": "Fund of group B",
                "plan_id": cls.company._facility_fund_plan().id,
                "facility_fund_code": "2040-KY-0099",
                "facility_research_group_id": cls.group_b.id,
            }
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other University 2040"})

    def test_fund_must_belong_to_the_paying_group(self):
        with self.assertRaisesRegex(ValidationError, "not a fund of"):
            self.manual_line(fund_id=self.fund_b.id)
        line = self.manual_line(fund_id=self.fund_a2.id)
        self.assertEqual(line.fund_id, self.fund_a2)
        self.assertEqual(self.manual_line().fund_id, self.fund_a, "the group's default fund")

    def test_negative_quantity_is_a_credit_of_finance_only(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.manual_line(user=self.manager_spirit, quantity=-1.0)
        credit = self.manual_line(quantity=-1.0, name="Credit: grids returned unused")
        self.assertEqual(credit.amount, -35.5)
        self.assertEqual(self.manual_line(quantity=0.0).amount, 0.0)  # the edge: zero passes

    def test_negative_correction_is_finance_only(self):
        line = self.manual_line()
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            line.with_user(self.manager_spirit)._correct("Returned", quantity=-2.0)
        line.with_user(self.finance)._correct("Returned after settlement", quantity=-2.0)
        self.assertEqual((line.quantity, line.amount), (-2.0, -71.0))

    def test_standard_must_charge_on_the_lines_day(self):
        submitted = self.standard(self.t20, "internal", 70.0, state="submitted")
        with self.assertRaisesRegex(ValidationError, "does not charge on"):
            self.manual_line(standard_id=submitted.id, unit_price=0.0)
        # the Spirit's standard is valid from 2040-01-01: the day before is refused
        with self.assertRaisesRegex(ValidationError, "does not charge on"):
            self.manual_line(standard_id=self.spirit_std.id, unit_price=0.0, date="2039-12-31")
        line = self.manual_line(standard_id=self.spirit_std.id, unit_price=0.0, date="2040-01-01")
        self.assertEqual((line.unit_price, line.fee_unit), (100.0, "hour"))

    def test_company_is_the_groups_or_the_instruments(self):
        with self.assertRaisesRegex(ValidationError, "belongs to the company"):
            self.manual_line(company_id=self.other_company.id)
        self.assertEqual(self.manual_line().company_id, self.spirit.company_id)

    def test_no_line_in_a_settled_period(self):
        permit(self.env["facility.settlement"].sudo()).create(
            {
                "kind": "period",
                "date_from": date(2040, 2, 1),
                "date_to": date(2040, 2, 29),
                "state": "posted",
                "company_id": self.company.id,
            }
        )
        for day in ("2040-02-01", "2040-02-29"):
            with self.subTest(day=day), self.assertRaisesRegex(ValidationError, "already settled"):
                self.manual_line(date=day)
        # the days around the settled period stay open
        for day in ("2040-01-31", "2040-03-01"):
            self.assertTrue(self.manual_line(date=day))

    def test_quantity_rounded_before_the_amount(self):
        # 0.33335 × 300 = 100.005 → 100.01; stored 0.3334 × 300 = 100.02: the amount follows
        # the stored quantity
        line = self.manual_line(quantity=0.33335, unit_price=300.0)
        self.assertEqual(line.quantity, 0.3334)
        self.assertEqual(line.amount, 100.02)
        line.with_user(self.finance)._correct("Measured again", quantity=0.66665)
        self.assertEqual((line.quantity, line.amount), (0.6667, 200.01))


@tagged("post_install", "-at_install")
class TestChargePublicApi(ChargeCase):
    def test_unbooked_use_refuses_other_callers(self):
        Charge = self.env["facility.charge"]
        args = (self.spirit, self.group_a, self.student_a1, utc(2040, 3, 20, 10))
        for user in (self.manager_spirit, self.student_a1, self.pi_a):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Charge.with_user(user).charge_unbooked_use(
                    *args, utc(2040, 3, 20, 11), f"box:{user.id}"
                )
        line = Charge.with_user(self.finance).charge_unbooked_use(
            *args, utc(2040, 3, 20, 11), "box:finance"
        )
        self.assertEqual(line.amount, 120.0)
        sudo_line = (
            Charge.with_user(self.student_a1)
            .sudo()
            .charge_unbooked_use(*args, utc(2040, 3, 20, 12), "box:iot")
        )
        self.assertEqual(sudo_line.amount, 240.0, "the IoT addon calls it as superuser")

    def test_unbooked_use_over_rpc_with_ids(self):
        Charge = self.env["facility.charge"].with_user(self.finance)
        line_id = api.call_kw(
            Charge,
            "charge_unbooked_use",
            [
                self.spirit.id,
                self.group_a.id,
                self.student_a1.id,
                "2040-03-21 02:00:00",
                "2040-03-21 03:30:00",
                "box:rpc",
            ],
            {},
        )
        self.assertIsInstance(line_id, int)
        line = self.env["facility.charge"].browse(line_id)
        self.assertEqual((line.quantity, line.amount), (1.5, 180.0))
        self.assertEqual(line.user_id, self.student_a1)
        with self.assertRaises(ValidationError):
            Charge.charge_unbooked_use(
                self.spirit.id, 0, False, "2040-03-21 02:00:00", "2040-03-21 03:00:00", "x"
            )

    def test_instrument_fees_from_ids(self):
        self.manual_line(quantity=2.0, unit_price=35.5)
        Charge = self.env["facility.charge"]
        period = (date(2040, 3, 1), date(2040, 3, 31))
        by_records = Charge.get_instrument_fees(self.spirit | self.t20, *period)
        by_ids = Charge.get_instrument_fees([self.spirit.id, self.t20.id], *period)
        self.assertEqual(by_ids, by_records)
        self.assertEqual(
            Charge.get_instrument_fees(self.spirit.id, *period),
            {self.spirit.id: by_records[self.spirit.id]},
        )
        by_rpc = api.call_kw(
            Charge, "get_instrument_fees", [[self.spirit.id], "2040-03-01", "2040-03-31"], {}
        )
        self.assertEqual(by_rpc[self.spirit.id], by_records[self.spirit.id])


@tagged("post_install", "-at_install")
class TestBillingCompanies(ChargeCase):
    def test_each_company_sees_its_own_lines_and_standards(self):
        other = self.env["res.company"].create({"name": "Other University 2041"})
        line = permit(self.env["facility.charge"].sudo()).create(
            {
                "name": "Other company's line",
                "research_group_id": self.group_a.id,
                "user_id": self.student_a1.id,
                "date": date(2040, 3, 5),
                "company_id": other.id,
            }
        )
        standard = self.standard(self.spirit, "internal", 1.0, company_id=other.id)
        mine = self.manual_line()
        for user in (self.finance, self.director, self.student_a1, self.pi_a):
            with self.subTest(user=user.login):
                Charge = self.env["facility.charge"].with_user(user)
                found = Charge.search([("date", "=", date(2040, 3, 5))])
                self.assertIn(mine, found)
                self.assertNotIn(line, found)
                Standard = self.env["facility.fee.standard"].with_user(user)
                spirit = Standard.search([("instrument_id", "=", self.spirit.id)])
                self.assertNotIn(standard, spirit)
                self.assertIn(self.spirit_std, spirit)
        # a user of both companies sees both, each with its company in the allowed ones
        self.finance.company_ids |= other
        both = (
            self.env["facility.charge"]
            .with_user(self.finance)
            .with_context(allowed_company_ids=[self.company.id, other.id])
        )
        self.assertIn(line, both.search([("date", "=", date(2040, 3, 5))]))
