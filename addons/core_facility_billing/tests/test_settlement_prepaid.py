"""A prepaid group's invoices are paid from its deposits as they are posted."""

from datetime import date

from odoo.tests import tagged

from ..rules.codes import BillingMode, PayerCategory, SettlementKind
from .external_common import ExternalCase
from .settlement_common import SettlementCase


@tagged("post_install", "-at_install")
class TestSettlementPrepaid(SettlementCase, ExternalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_b.partner_id = cls.ncu  # prepaid (ExternalCase), billed to 华北大学

    def test_invoice_of_a_prepaid_group_is_paid_from_its_deposit(self):
        self.deposit(1000.0)
        line = self.line(category=PayerCategory.EXTERNAL, amount=300.0)
        self.assertEqual(self.group_b.available_balance, 700.0)
        invoice = self.settle(kind=SettlementKind.INVOICE).move_ids
        self.assertEqual(line.invoice_id, invoice)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice.amount_residual, 0.0)
        self.group_b.invalidate_recordset(["available_balance"])
        self.assertEqual(self.group_b.available_balance, 700.0)
        overdue = self.env["account.move"]._facility_overdue_invoices(
            self.group_b, today=date(2045, 1, 1)
        )
        self.assertFalse(overdue.get(self.group_b.id))

    def test_invoice_beyond_the_deposit_is_partly_paid(self):
        self.deposit(100.0)
        self.line(category=PayerCategory.EXTERNAL, amount=300.0)
        invoice = self.settle(kind=SettlementKind.INVOICE).move_ids
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(invoice.amount_residual, 200.0)

    def test_a_postpaid_group_is_not_paid_from_its_credits(self):
        self.deposit(1000.0)
        self.group_b.billing_mode = BillingMode.INVOICE
        self.line(category=PayerCategory.EXTERNAL, amount=300.0)
        invoice = self.settle(kind=SettlementKind.INVOICE).move_ids
        self.assertEqual(invoice.payment_state, "not_paid")
