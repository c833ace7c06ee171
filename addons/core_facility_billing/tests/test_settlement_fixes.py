"""Settlement edge cases: mixed booking and service lines, zero sums, currency, dispute window,
credit notes, taxes, guarded run fields, the cron across companies, RPC-safe arguments."""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from ..rules.codes import ChargeState, PayerCategory, SettlementKind
from .settlement_common import SettlementCase

EXTERNAL = PayerCategory.EXTERNAL
RUN_DAY = "2039-04-10"


@tagged("post_install", "-at_install")
@freeze_time(RUN_DAY)
class TestSettlementFixes(SettlementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service_type = cls.env["facility.service.type"].create({"name": "Negative staining"})

    def posted_note(self, settlement, text):
        return any(text in message.body for message in settlement.message_ids)

    def service_line(self, amount, fund=None, **values):
        return self.line(
            fund=fund or self.fund_a,
            amount=amount,
            instrument_id=False,
            service_type_id=self.service_type.id,
            **values,
        )

    # -- 1: booking and service lines of one fund ------------------------------------------------

    def test_booking_and_service_lines_of_one_fund(self):
        booking = self.line(fund=self.fund_a, amount=120.0)
        service = self.service_line(30.5)
        settlement = self.settle()
        entry = booking.move_id
        self.assertTrue(entry)
        self.assertEqual(service.move_id, entry)
        self.assertEqual(entry.amount_total, 150.5)
        self.assertEqual(len(entry.line_ids), 4)
        self.assertIn(self.service_type.name, entry.line_ids.mapped("name"))
        self.assertEqual(settlement.charge_ids, booking | service)

    # -- 2: zero sums ----------------------------------------------------------------------------

    def test_a_fund_whose_lines_sum_to_zero_keeps_them_confirmed(self):
        zero = self.line(fund=self.fund_a2, amount=40.0)
        zero |= self.line(fund=self.fund_a2, amount=-40.0)
        posted = self.line(fund=self.fund_a, amount=25.0)
        settlement = self.settle()
        self.assertEqual(settlement.charge_ids, posted)
        self.assertEqual(set(zero.mapped("state")), {ChargeState.CONFIRMED})
        self.assertFalse(zero.move_id)
        self.assertFalse(zero.settlement_id)
        self.assertTrue(self.posted_note(settlement, "2039-KY-0002: 2 lines, 0.00 元"))
        # every settled line has its entry
        self.assertTrue(all(line.move_id for line in settlement.charge_ids))

    def test_only_zero_sums_settle_nothing(self):
        zero = self.line(fund=self.fund_a, amount=40.0) | self.line(fund=self.fund_a, amount=-40.0)
        with self.assertRaisesRegex(UserError, "Nothing settled.*2039-KY-0001: 2 lines"):
            self.settle()
        self.assertEqual(set(zero.mapped("state")), {ChargeState.CONFIRMED})

    # -- 4: currency -----------------------------------------------------------------------------

    def test_a_company_not_in_yuan_is_refused(self):
        lines = self.line(fund=self.fund_a, amount=10.0)
        usd = self.env.ref("base.USD")
        # the demo's journal items forbid changing the currency through the ORM
        self.env.cr.execute(
            "UPDATE res_company SET currency_id = %s WHERE id = %s", (usd.id, self.company.id)
        )
        self.company.invalidate_recordset(["currency_id"])
        with self.assertRaisesRegex(UserError, "in USD.*set the company's currency to CNY"):
            self.settle()
        self.assertEqual(lines.state, ChargeState.CONFIRMED)

    # -- 11: dispute window ----------------------------------------------------------------------

    def test_lines_in_their_dispute_window_wait(self):
        open_today = self.line(fund=self.fund_a, amount=11.0, dispute_deadline=date(2039, 4, 10))
        closed = self.line(fund=self.fund_a, amount=22.0, dispute_deadline=date(2039, 4, 9))
        no_deadline = self.line(fund=self.fund_a, amount=33.0)
        wizard = Form(
            self.env["facility.settlement.wizard"]
            .with_user(self.finance)
            .with_context(default_day=date(2039, 3, 17))
        )
        self.assertEqual(wizard.pending_count, 2)
        self.assertEqual(wizard.pending_amount, 55.0)
        self.assertEqual(wizard.in_dispute_count, 1)
        settlement = self.settle()
        self.assertEqual(settlement.charge_ids, closed | no_deadline)
        self.assertEqual(open_today.state, ChargeState.CONFIRMED)
        with freeze_time("2039-04-11"):
            again = self.settle()
        self.assertEqual(again, settlement)
        self.assertEqual(open_today.state, ChargeState.SETTLED)

    # -- 9: a posted run's fields ----------------------------------------------------------------

    def test_posted_run_keeps_its_period(self):
        self.line(fund=self.fund_a, amount=10.0)
        settlement = self.settle().with_user(self.finance)
        for vals in (
            {"date_from": date(2039, 2, 1)},
            {"date_to": date(2039, 4, 30)},
            {"kind": SettlementKind.INVOICE},
            {"origin": "booking"},
            {"company_id": self.company.id},
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "cannot change"):
                settlement.write(vals)
        draft = self.env["facility.settlement"].create(
            {"date_from": date(2041, 1, 1), "date_to": date(2041, 1, 31)}
        )
        draft.with_user(self.finance).write({"date_to": date(2041, 1, 30)})
        self.assertEqual(draft.date_to, date(2041, 1, 30))

    # -- 19: public API over RPC -----------------------------------------------------------------

    def test_settle_period_takes_ids_and_strings(self):
        line = self.line(fund=self.fund_a, amount=10.0)
        Settlement = self.env["facility.settlement"].with_user(self.finance)
        settlement = Settlement.settle_period(self.company.id, "2039-03-01", "2039-03-31")
        self.assertEqual(settlement.charge_ids, line)
        with self.assertRaises(UserError):
            Settlement.settle_period(self.company.id, "2039-03-01", "2039-03-31", "drop")
        self.assertFalse(hasattr(Settlement, "settle_origin"))
        self.assertFalse(hasattr(Settlement, "pending_summary"))

    # -- 17: the cron across companies ----------------------------------------------------------

    def test_cron_one_company_refused_others_settled(self):
        other = self.env["res.company"].create(
            {"name": "Second Institute", "currency_id": self.env.ref("base.CNY").id, "sequence": 0}
        )
        other.chart_template = "generic_coa"
        blocked = self.line(amount=10.0, company_id=other.id)  # internal, no fund
        settled = self.line(fund=self.fund_a, amount=10.0)
        Settlement = self.env["facility.settlement"]
        with mute_logger("odoo.addons.core_facility_billing.models.facility_settlement"):
            Settlement._cron_settle_previous_period()
        self.assertEqual(settled.state, ChargeState.SETTLED)
        self.assertEqual(blocked.state, ChargeState.CONFIRMED)

    # -- 15: invoices ----------------------------------------------------------------------------

    def test_invoice_lines_carry_no_tax(self):
        tax = self.env["account.tax"].create(
            {"name": "VAT 6% (test)", "amount": 6.0, "type_tax_use": "sale"}
        )
        self.company.facility_income_account_id.tax_ids = [Command.set(tax.ids)]
        line = self.line(category=EXTERNAL, amount=100.0)
        invoice = self.settle(kind=SettlementKind.INVOICE).move_ids
        self.assertEqual(line.invoice_id, invoice)
        self.assertFalse(invoice.invoice_line_ids.tax_ids)
        self.assertEqual(invoice.amount_tax, 0.0)
        self.assertEqual(invoice.amount_total, 100.0)

    def test_a_group_summing_to_zero_or_less_is_not_invoiced(self):
        self.group_a.partner_id = self.env["res.partner"].create({"name": "Refunded Lab"})
        held = self.line(category=EXTERNAL, group=self.group_a, amount=50.0)
        held |= self.line(category=EXTERNAL, group=self.group_a, amount=-80.0)
        invoiced = self.line(category=EXTERNAL, amount=70.0)
        settlement = self.settle(kind=SettlementKind.INVOICE)
        self.assertEqual(settlement.charge_ids, invoiced)
        self.assertEqual(len(settlement.move_ids), 1)
        self.assertEqual(set(held.mapped("state")), {ChargeState.CONFIRMED})
        self.assertFalse(held.invoice_id)
        self.assertTrue(self.posted_note(settlement, f"{self.group_a.name}: 2 lines, -30.00 元"))

    # -- 12: credit notes ------------------------------------------------------------------------

    def credit_note(self, invoice):
        wizard = (
            self.env["account.move.reversal"]
            .with_user(self.finance)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "move_ids": [Command.set(invoice.ids)],
                    "journal_id": invoice.journal_id.id,
                    "reason": "Wrong hours",
                    "date": date(2039, 4, 10),
                }
            )
        )
        action = wizard.reverse_moves()
        return self.env["account.move"].browse(action["res_id"])

    def test_a_draft_credit_note_leaves_the_lines_settled_a_posted_one_frees_them(self):
        lines = self.line(category=EXTERNAL, amount=100.0) | self.line(category=EXTERNAL, amount=5)
        settlement = self.settle(kind=SettlementKind.INVOICE)
        refund = self.credit_note(settlement.move_ids)
        self.assertEqual(refund.state, "draft")
        self.assertEqual(set(lines.mapped("state")), {ChargeState.SETTLED})
        self.assertEqual(settlement.state, "posted")
        refund.with_user(self.finance).action_post()
        self.assertEqual(set(lines.mapped("state")), {ChargeState.CONFIRMED})
        self.assertFalse(lines.invoice_id)
        self.assertEqual(settlement.state, "reversed")

    def test_a_partial_credit_note_leaves_the_lines_settled(self):
        lines = self.line(category=EXTERNAL, amount=100.0)
        settlement = self.settle(kind=SettlementKind.INVOICE)
        refund = self.credit_note(settlement.move_ids)
        refund.invoice_line_ids.price_unit = 40.0
        refund.action_post()
        self.assertEqual(refund.amount_total, 40.0)
        self.assertEqual(lines.state, ChargeState.SETTLED)
        self.assertEqual(settlement.state, "posted")
