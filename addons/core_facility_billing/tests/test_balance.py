"""Prepaid accounts (预付结算): the available balance comes from accounting (deposits are
customer payments, invoices debit the receivable) less the unsettled lines; a use beyond the
balance and credit limit is refused with the figures, exactly equal is allowed."""

from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..rules.codes import BillingMode, ChargeState
from .external_common import ExternalCase


@tagged("post_install", "-at_install")
class TestBalance(ExternalCase):
    def test_deposit_is_a_posted_customer_payment(self):
        payment = self.deposit(5000)
        self.assertEqual(payment.state, "in_process")
        self.assertEqual(payment.move_id.state, "posted")
        self.assertEqual(payment.partner_id, self.ncu)
        self.assertEqual(payment.payment_type, "inbound")
        self.assertEqual(self.group_b.available_balance, 5000)
        self.assertEqual(self.group_b.deposit_count, 1)

    def test_balance_is_deposits_less_invoiced_less_unsettled(self):
        self.deposit(5000)
        self.invoice(1200)
        self.group_b.invalidate_recordset(["available_balance"])
        self.assertEqual(self.group_b.available_balance, 3800)
        for state in (ChargeState.DRAFT, ChargeState.CONFIRMED, ChargeState.DISPUTED):
            self.charge(100, state=state)
        self.charge(999, state=ChargeState.CANCELLED)  # cancelled: nothing owed
        invoice = self.invoice(300, post=False)
        self.charge(300, invoice_id=invoice.id)  # invoiced: counted once, by the invoice
        self.group_b.invalidate_recordset(["available_balance"])
        self.assertEqual(self.group_b.available_balance, 3500)
        invoice.action_post()
        self.group_b.invalidate_recordset(["available_balance"])
        self.assertEqual(self.group_b.available_balance, 3200)

    def test_draft_invoice_and_other_partner_do_not_count(self):
        self.deposit(1000)
        self.invoice(400, post=False)
        other = self.env["res.partner"].create({"name": "Other University"})
        self.invoice(400, partner=other)
        self.group_b.invalidate_recordset(["available_balance"])
        self.assertEqual(self.group_b.available_balance, 1000)

    def test_contact_of_the_partner_pays_for_the_group(self):
        contact = self.env["res.partner"].create({"name": "NCU cashier", "parent_id": self.ncu.id})
        self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": contact.id,
                "amount": 250,
                "journal_id": self.bank.id,
            }
        ).action_post()
        self.assertEqual(self.group_b.available_balance, 250)

    def test_groups_sharing_a_partner_share_its_unsettled_lines(self):
        """Two groups paid by one university (one through a contact of it): each is given the
        partner's deposits less the unsettled lines of both, not its own lines only."""
        contact = self.env["res.partner"].create({"name": "NCU physics", "parent_id": self.ncu.id})
        sister = self.env["facility.research.group"].create(
            {
                "name": "华北大学 物理",
                "pi_id": self.pi_a.id,
                "category": "external",
                "partner_id": contact.id,
                "billing_mode": BillingMode.PREPAID,
            }
        )
        self.deposit(1000)
        self.charge(300)  # group B's
        self.charge(200, group=sister)
        other = self.env["res.partner"].create({"name": "Other University", "is_company": True})
        stranger = self.env["facility.research.group"].create(
            {"name": "Other", "pi_id": self.pi_a.id, "category": "external", "partner_id": other.id}
        )
        self.charge(50, group=stranger)  # another partner: not counted
        (self.group_b | sister).invalidate_recordset(["available_balance"])
        self.assertEqual(self.group_b.available_balance, 500)
        self.assertEqual(sister.available_balance, 500)
        # asked for one group alone, the sister's lines still count
        self.assertEqual(sister._facility_available_balances()[sister.id], 500)
        self.assertEqual(stranger._facility_available_balances()[stranger.id], -50)

    def test_100_available_refuses_a_300_booking_with_both_figures(self):
        self.deposit(100)
        problem = self.group_b._facility_prepaid_problem(300)
        self.assertIn("300.00 元", problem)
        self.assertIn("the available balance of 华北大学 is 100.00 元", problem)
        self.assertIn("credit limit 0.00 元", problem)
        self.assertIn("200.00 元", problem)  # what is missing
        # after a deposit it can
        self.deposit(200)
        self.assertFalse(self.group_b._facility_prepaid_problem(300))

    def test_exactly_equal_is_allowed_one_fen_more_is_not(self):
        self.deposit(300)
        self.assertFalse(self.group_b._facility_prepaid_problem(300.00))
        self.assertTrue(self.group_b._facility_prepaid_problem(300.01))

    def test_credit_limit_of_the_group_else_the_company(self):
        self.deposit(100)
        self.company.facility_credit_limit = 200
        self.assertFalse(self.group_b._facility_prepaid_problem(300))
        self.assertIn("credit limit 200.00 元", self.group_b._facility_prepaid_problem(300.01))
        self.group_b.with_user(self.finance).credit_limit = 50
        self.assertFalse(self.group_b._facility_prepaid_problem(150))
        self.assertIn("credit limit 50.00 元", self.group_b._facility_prepaid_problem(150.01))

    def test_other_open_uses_not_yet_charged_count(self):
        """Ten 300 元 bookings do not all pass on 300 元: the open ones are counted."""
        self.deposit(300)
        booking = self.env["facility.booking"].with_context(booking_skip_rules=True).sudo()
        booking = booking.create(
            {
                "instrument_id": self.spirit.id,
                "operator_id": self.student_b1.id,
                "research_group_id": self.group_b.id,
                "purpose": "Grid screening",
                "date_start": "2041-03-05 02:00:00",
                "date_stop": "2041-03-05 04:00:00",
                "state": "confirmed",
            }
        )
        Booking = type(self.env["facility.booking"])

        def estimate(records):
            for record in records:
                record.estimated_amount = 300.0

        with patch.object(Booking, "_compute_estimated_amount", estimate):
            problem = self.group_b._facility_prepaid_problem(300)
            self.assertIn("estimated at 300.00 元; a deposit of at least 300.00 元", problem)
            # the booking being confirmed is not counted twice
            self.assertFalse(self.group_b._facility_prepaid_problem(300, exclude=booking))
            # once charged, the booking counts through its line
            self.charge(300, booking_id=booking.id)
            self.group_b.invalidate_recordset(["available_balance"])
            self.assertEqual(self.group_b._facility_headroom().pending, 0)
            self.assertTrue(self.group_b._facility_prepaid_problem(0.01))

    def test_groups_not_prepaid_are_not_asked(self):
        self.assertFalse(self.group_a._facility_prepaid_problem(10**6))
        self.group_b.billing_mode = BillingMode.INVOICE
        self.assertFalse(self.group_b._facility_prepaid_problem(10**6))

    def test_who_sets_billing_mode_and_credit_limit(self):
        self.group_b.with_user(self.finance).write({"credit_limit": 500})
        self.group_b.with_user(self.director).write({"billing_mode": BillingMode.INVOICE})
        with self.assertRaisesRegex(UserError, "only finance or a facility manager"):
            self.group_b.with_user(self.pi_b).write({"credit_limit": 10**6})

    def test_only_finance_registers_deposits(self):
        with self.assertRaises(UserError):
            self.group_b.with_user(self.pi_b).action_register_deposit()
        action = self.group_b.with_user(self.finance).action_register_deposit()
        self.assertEqual(action["res_model"], "facility.deposit.wizard")

    def test_deposit_must_be_positive_and_prepaid(self):
        with self.assertRaises(ValidationError):
            self.deposit(0)
        self.group_b.billing_mode = BillingMode.INVOICE
        with self.assertRaisesRegex(UserError, "does not pay from a prepaid account"):
            self.deposit(100)

    def test_ledger_and_deposits_actions(self):
        self.deposit(700)
        self.invoice(200)
        ledger = self.group_b.with_user(self.finance).action_view_ledger()
        lines = self.env["account.move.line"].search(ledger["domain"])
        self.assertEqual(sum(lines.mapped("balance")), -500)
        deposits = self.group_b.with_user(self.finance).action_view_deposits()
        self.assertEqual(self.env["account.payment"].search_count(deposits["domain"]), 1)
