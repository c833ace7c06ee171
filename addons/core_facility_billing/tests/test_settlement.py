from datetime import date
from decimal import Decimal

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from ..rules.codes import ChargeState, InvoiceGrouping, PayerCategory, SettlementKind
from ..rules.money import line_amount, total
from .settlement_common import SettlementCase

EXTERNAL = PayerCategory.EXTERNAL


@tagged("post_install", "-at_install")
class TestSettlement(SettlementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 12 lines at 333.33 CNY/h × 0.25 h (83.3325 → 83.33 each) on the Spirit, fund A
        cls.spirit_a = cls.env["facility.charge"]
        for _i in range(12):
            cls.spirit_a |= cls.line(fund=cls.fund_a, quantity=0.25, unit_price=333.33)
        cls.t20_a = cls.line(fund=cls.fund_a, instrument=cls.t20, quantity=1.5, unit_price=266.67)
        cls.spirit_a2 = cls.line(fund=cls.fund_a2, quantity=2, unit_price=180.0)
        cls.collaboration = cls.line(
            fund=cls.fund_a2, instrument=cls.t20, amount=55.5, category="collaboration"
        )
        # not taken by March's internal run
        cls.external = cls.line(category=EXTERNAL, amount=1200.0)
        cls.april = cls.line(fund=cls.fund_a, amount=10.0, day=date(2039, 4, 1))
        cls.last_february = cls.line(fund=cls.fund_a, amount=10.0, day=date(2039, 2, 28))
        cls.draft = cls.line(fund=cls.fund_a, amount=10.0, state=ChargeState.DRAFT)
        cls.disputed = cls.line(fund=cls.fund_a, amount=10.0, state=ChargeState.DISPUTED)
        cls.march = cls.spirit_a | cls.t20_a | cls.spirit_a2 | cls.collaboration

    def entry_of(self, fund):
        return self.env["account.move"].search(
            [("ref", "=like", f"% {fund.facility_fund_code}"), ("state", "=", "posted")]
        )

    def test_one_entry_per_fund_summarised_per_instrument(self):
        settlement = self.settle()
        self.assertEqual(settlement.state, "posted")
        self.assertEqual(settlement.kind, SettlementKind.PERIOD)
        self.assertEqual(len(settlement.move_ids), 2)
        journal = self.company.facility_billing_journal_id
        self.assertEqual(journal.code, "FAC")
        self.assertEqual(settlement.move_ids.journal_id, journal)
        self.assertEqual(set(settlement.move_ids.mapped("state")), {"posted"})
        entry_a = settlement.move_ids.filtered(lambda m: self.fund_a.name and "0001" in m.ref)
        self.assertEqual(len(entry_a.line_ids), 4)  # two instruments: a pair each
        debits = entry_a.line_ids.filtered(
            lambda line: line.account_id == self.company.facility_internal_charge_account_id
        )
        spirit_debit = debits.filtered(lambda line: line.name == self.spirit.name)
        self.assertEqual(spirit_debit.debit, 999.96)  # 12 × 83.33, not 12 × 83.3325 = 999.99
        self.assertEqual(spirit_debit.analytic_distribution, {str(self.fund_a.id): 100})
        credit = entry_a.line_ids.filtered(
            lambda line: (
                line.account_id == self.company.facility_income_account_id
                and line.name == self.spirit.name
            )
        )
        self.assertEqual(credit.credit, 999.96)
        platform = self.center.analytic_account_id
        self.assertEqual(platform.plan_id, self.company._facility_platform_plan())
        self.assertEqual(credit.analytic_distribution, {str(platform.id): 100})
        # the entry equals its lines to the fen
        self.assertEqual(
            Decimal(str(entry_a.amount_total)),
            total((self.spirit_a | self.t20_a).mapped("amount")),
        )
        self.assertEqual(spirit_debit.debit + 400.01, entry_a.amount_total)  # 1.5 × 266.67

    def test_lines_settled_with_their_entry(self):
        settlement = self.settle()
        self.assertEqual(set(self.march.mapped("state")), {ChargeState.SETTLED})
        self.assertEqual(self.march.settlement_id, settlement)
        self.assertEqual(self.spirit_a.move_id, self.entry_of(self.fund_a))
        self.assertEqual(self.collaboration.move_id, self.spirit_a2.move_id)
        self.assertAlmostEqual(settlement.amount_total, sum(self.march.mapped("amount")), 2)
        self.assertEqual(settlement.charge_count, len(self.march))
        for line in self.external | self.april | self.last_february | self.draft | self.disputed:
            self.assertFalse(line.settlement_id, line.name)
            self.assertNotEqual(line.state, ChargeState.SETTLED, line.name)

    def test_running_twice_posts_nothing_twice(self):
        first = self.settle()
        moves = self.env["account.move"].search_count([("facility_settlement_id", "!=", False)])
        self.assertFalse(self.settle())
        self.assertEqual(
            self.env["account.move"].search_count([("facility_settlement_id", "!=", False)]), moves
        )
        self.assertEqual(len(first.move_ids), 2)
        self.assertEqual(
            self.env["facility.settlement"].search_count(
                [("date_from", "=", self.MARCH[0]), ("kind", "=", "period")]
            ),
            1,
        )

    def test_analytic_report_by_fund_equals_the_settled_lines(self):
        self.settle()
        plan = self.company._facility_fund_plan()
        column = plan._column_name()
        Analytic = self.env["account.analytic.line"]
        for fund in self.fund_a | self.fund_a2:
            lines = Analytic.search([(column, "=", fund.id)])
            settled = self.march.filtered(lambda c, f=fund: c.fund_id == f)
            self.assertEqual(
                round(-sum(lines.mapped("amount")), 2),
                float(total(settled.mapped("amount"))),
                fund.name,
            )
            self.assertEqual(fund.facility_spent, float(total(settled.mapped("amount"))))

    def test_a_line_without_fund_blocks_the_run(self):
        self.line(amount=20.0)
        with self.assertRaisesRegex(UserError, "1 confirmed internal lines have no research fund"):
            self.settle()
        self.assertEqual(set(self.march.mapped("state")), {ChargeState.CONFIRMED})

    def test_reverse_puts_the_lines_back_and_the_period_settles_again(self):
        settlement = self.settle()
        entries = settlement.move_ids
        settlement.with_user(self.finance).action_reverse()
        self.assertEqual(settlement.state, "reversed")
        self.assertTrue(all(entry.reversal_move_ids for entry in entries))
        self.assertEqual(entries.reversal_move_ids.mapped("state"), ["posted", "posted"])
        self.assertEqual(set(entries.mapped("state")), {"posted"})  # never edited
        self.assertEqual(set(self.march.mapped("state")), {ChargeState.CONFIRMED})
        self.assertFalse(self.march.move_id)
        self.assertFalse(self.march.settlement_id)
        for fund in self.fund_a | self.fund_a2:
            self.assertEqual(fund.facility_spent, 0.0)
        again = self.settle()
        self.assertNotEqual(again, settlement)
        self.assertEqual(len(again.move_ids), 2)
        self.assertEqual(set(self.march.mapped("state")), {ChargeState.SETTLED})

    def test_reversing_one_entry_with_odoo_releases_its_fund_only(self):
        settlement = self.settle()
        entry_a2 = self.spirit_a2.move_id
        entry_a2._reverse_moves([{"date": date(2039, 4, 2)}], cancel=True)
        self.assertEqual(self.spirit_a2.state, ChargeState.CONFIRMED)
        self.assertEqual(self.collaboration.state, ChargeState.CONFIRMED)
        self.assertEqual(set(self.spirit_a.mapped("state")), {ChargeState.SETTLED})
        self.assertEqual(settlement.state, "posted")
        # corrected, then settled again in the same run of the period
        again = self.settle()
        self.assertEqual(again, settlement)
        self.assertEqual(len(settlement.move_ids), 3)
        self.assertEqual(self.spirit_a2.state, ChargeState.SETTLED)
        self.assertNotEqual(self.spirit_a2.move_id, entry_a2)

    def test_finance_only(self):
        for user in (self.pi_a, self.manager_spirit, self.student_a1):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.settle(user=user)
        self.assertEqual(set(self.march.mapped("state")), {ChargeState.CONFIRMED})

    def test_entries_cannot_be_edited_and_lines_not_written(self):
        settlement = self.settle()
        with self.assertRaises(UserError):
            self.spirit_a[0].with_user(self.finance).write({"state": ChargeState.CONFIRMED})
        with self.assertRaises(UserError):
            settlement.with_user(self.finance).write({"state": "draft"})

    def test_wizard_settles_the_period_of_the_day(self):
        wizard = Form(
            self.env["facility.settlement.wizard"]
            .with_user(self.finance)
            .with_context(default_day=date(2039, 3, 17))
        )
        self.assertEqual((wizard.date_from, wizard.date_to), self.MARCH)
        self.assertEqual(wizard.pending_count, len(self.march))
        self.assertAlmostEqual(wizard.pending_amount, sum(self.march.mapped("amount")))
        action = wizard.save().action_run()
        settlement = self.env["facility.settlement"].browse(action["res_id"])
        self.assertEqual(settlement.charge_ids, self.march)
        with self.assertRaisesRegex(UserError, "Nothing left to settle"):
            Form(
                self.env["facility.settlement.wizard"]
                .with_user(self.finance)
                .with_context(default_day=date(2039, 3, 1))
            ).save().action_run()

    def test_cutoff_periods(self):
        self.company.write(
            {"facility_period_scheme": "cutoff", "facility_period_cutoffs": "05-16,11-16"}
        )
        period = self.company._facility_period(date(2039, 3, 10))
        self.assertEqual(
            (period.date_from, period.date_to), (date(2038, 11, 17), date(2039, 5, 16))
        )
        settlement = self.settle(period=(period.date_from, period.date_to))
        self.assertIn(self.last_february, settlement.charge_ids)
        self.assertIn(self.april, settlement.charge_ids)
        self.assertNotIn(self.external, settlement.charge_ids)
        with self.assertRaisesRegex(ValidationError, '"16 May" is not one'):
            self.company.facility_period_cutoffs = "16 May"


@tagged("post_install", "-at_install")
class TestSingleSettlementAndInvoices(SettlementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service_type = cls.env["facility.service.type"].create({"name": "Cryo-EM imaging"})
        Order = cls.env["facility.service.order"]
        cls.order_1 = Order.create(
            {
                "title": "Grids",
                "research_group_id": cls.group_b.id,
                "service_type_id": cls.service_type.id,
            }
        )
        cls.order_2 = Order.create(
            {
                "title": "Tomography",
                "research_group_id": cls.group_b.id,
                "service_type_id": cls.service_type.id,
            }
        )
        cls.b1 = cls.line(
            category=EXTERNAL, quantity=3, unit_price=666.67, service_order_id=cls.order_1.id
        )
        cls.b2 = cls.line(
            category=EXTERNAL, instrument=cls.t20, amount=300.0, service_order_id=cls.order_1.id
        )
        cls.b3 = cls.line(category=EXTERNAL, amount=99.99, service_order_id=cls.order_2.id)
        cls.externals = cls.b1 | cls.b2 | cls.b3

    def test_one_invoice_per_group_and_month(self):
        self.company.facility_invoice_grouping = InvoiceGrouping.PER_MONTH
        settlement = self.settle(kind=SettlementKind.INVOICE)
        invoice = settlement.move_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.partner_id, self.external_partner)
        self.assertEqual(invoice.amount_total, float(total(self.externals.mapped("amount"))))
        self.assertEqual(len(invoice.invoice_line_ids), 2)  # the Spirit and the T20
        self.assertEqual(self.externals.invoice_id, invoice)
        self.assertEqual(set(self.externals.mapped("state")), {ChargeState.SETTLED})
        self.assertEqual(
            invoice.invoice_line_ids.account_id, self.company.facility_income_account_id
        )
        self.assertFalse(self.settle(kind=SettlementKind.INVOICE))
        invoice.with_user(self.finance).facility_fapiao_number = "26112000000001234567"
        self.assertEqual(invoice.facility_fapiao_number, "26112000000001234567")

    def test_one_invoice_per_order(self):
        self.company.facility_invoice_grouping = InvoiceGrouping.PER_ORIGIN
        invoices = self.settle(kind=SettlementKind.INVOICE).move_ids
        self.assertEqual(len(invoices), 2)
        self.assertEqual((self.b1 | self.b2).invoice_id, self.b1.invoice_id)
        self.assertNotEqual(self.b3.invoice_id, self.b1.invoice_id)
        self.assertEqual(self.b3.invoice_id.amount_total, 99.99)
        self.assertEqual(self.b1.invoice_id.amount_total, float(line_amount(3, 666.67) + 300))

    def test_reversing_an_invoice_gives_a_credit_note(self):
        settlement = self.settle(kind=SettlementKind.INVOICE)
        settlement.with_user(self.finance).action_reverse()
        refund = settlement.move_ids.reversal_move_ids
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(set(self.externals.mapped("state")), {ChargeState.CONFIRMED})
        self.assertFalse(self.externals.invoice_id)

    def test_single_settlement_of_a_service_order(self):
        with freeze_time("2039-03-10"):  # a day the group's fund is valid
            internal_order = self.env["facility.service.order"].create(
                {
                    "title": "Sections",
                    "research_group_id": self.group_a.id,
                    "service_type_id": self.service_type.id,
                }
            )
        lines = self.line(fund=self.fund_a, amount=88.88, service_order_id=internal_order.id)
        lines |= self.line(fund=self.fund_a, amount=11.11, service_order_id=internal_order.id)
        other = self.line(fund=self.fund_a, amount=5.0)
        wizard = Form(
            self.env["facility.settlement.wizard"]
            .with_user(self.finance)
            .with_context(active_model="facility.service.order", active_id=internal_order.id)
        )
        self.assertEqual(wizard.pending_count, 2)
        action = wizard.save().action_run()
        settlement = self.env["facility.settlement"].browse(action["res_id"])
        self.assertEqual(settlement.kind, SettlementKind.SINGLE)
        self.assertEqual(settlement.origin, internal_order.display_name)
        self.assertEqual(settlement.charge_ids, lines)
        self.assertEqual(settlement.move_ids.amount_total, 99.99)
        self.assertEqual(other.state, ChargeState.CONFIRMED)
        with self.assertRaisesRegex(UserError, "no confirmed line to settle"):
            self.env["facility.settlement"].with_user(self.finance)._settle_origin(internal_order)
        # the external order: invoiced at once
        settlements = (
            self.env["facility.settlement"].with_user(self.finance)._settle_origin(self.order_1)
        )
        self.assertEqual(settlements.kind, SettlementKind.INVOICE)
        self.assertEqual((self.b1 | self.b2).invoice_id.move_type, "out_invoice")
        self.assertFalse(self.b3.invoice_id)

    def test_single_settlement_is_for_finance(self):
        with self.assertRaises(AccessError):
            self.env["facility.settlement"].with_user(self.manager_spirit)._settle_origin(
                self.order_1
            )
