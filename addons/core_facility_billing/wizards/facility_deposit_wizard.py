from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.core_facility.models.access import FINANCE

from ..rules.codes import BillingMode
from ..rules.yuan import yuan


class FacilityDepositWizard(models.TransientModel):
    """Finance records a deposit of a prepaid group (预付): a posted customer payment of its
    billing partner in a bank or cash journal. The group's available balance is computed from
    accounting, so the payment is all there is to record."""

    _name = "facility.deposit.wizard"
    _description = "Register Deposit"

    research_group_id = fields.Many2one("facility.research.group", required=True, readonly=True)
    partner_id = fields.Many2one(related="research_group_id.partner_id", string="Billing Partner")
    company_id = fields.Many2one(related="research_group_id.company_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
        default=lambda self: self._default_journal(),
    )
    memo = fields.Char()

    @api.model
    def _default_journal(self):
        return self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id)], limit=1
        )

    @api.constrains("amount")
    def _check_amount(self):
        for wizard in self:
            if wizard.amount <= 0:
                raise ValidationError(self.env._("A deposit is a positive amount."))

    def action_register(self):
        """Create and post the customer payment; return the group."""
        self.ensure_one()
        if not self.env.user.has_group(FINANCE):
            raise UserError(self.env._("Only finance records deposits."))
        group = self.research_group_id
        if not group.partner_id:
            raise UserError(
                self.env._(
                    "Research group %(group)s has no billing partner: set it before recording "
                    "a deposit.",
                    group=group.name,
                )
            )
        if group.billing_mode != BillingMode.PREPAID:
            raise UserError(
                self.env._(
                    "Research group %(group)s does not pay from a prepaid account.",
                    group=group.name,
                )
            )
        payment = (
            self.env["account.payment"]
            .with_company(group.company_id)
            .create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": group.partner_id.id,
                    "amount": self.amount,
                    "date": self.date,
                    "journal_id": self.journal_id.id,
                    "memo": self.memo or self.env._("Deposit of %(group)s", group=group.name),
                }
            )
        )
        payment.action_post()
        self._reconcile_open_invoices(payment)
        group.message_post(
            body=self.env._(
                "Deposit of %(amount)s 元 recorded (%(payment)s).",
                amount=yuan(self.amount),
                payment=payment.name,
            )
        )
        return {"type": "ir.actions.act_window_close"}

    @api.model
    def _reconcile_open_invoices(self, payment):
        """Let a deposit pay the group's open invoices, oldest due first (Odoo's own
        reconciliation: partial where the deposit does not cover them), so that a prepaid group's
        invoices never fall into arrears while its deposit covers them."""
        credit = payment.sudo().move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
        if not credit:
            return
        partner = payment.partner_id.commercial_partner_id
        debits = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", partner.id),
                    ("account_id", "in", credit.account_id.ids),
                    ("move_id.move_type", "=", "out_invoice"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                    ("amount_residual", ">", 0),
                ],
                order="date_maturity, id",
            )
        )
        if debits:
            (credit | debits).reconcile()
