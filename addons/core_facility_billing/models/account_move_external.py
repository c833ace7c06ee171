from collections import defaultdict

from odoo import api, fields, models

from ..rules import prepaid

# Customer invoices still owed (in part or in full).
UNPAID = ("not_paid", "partial")


class AccountMove(models.Model):
    """What the external side of billing adds to journal entries: arrears (欠款) — customer
    invoices of research groups' billing partners past their due date and not paid, listed for
    finance with their days overdue — and the link of an allocation's entries (拨款)."""

    _inherit = "account.move"

    facility_allocation_id = fields.Many2one(
        "facility.income.allocation",
        string="Income Allocation",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    facility_days_overdue = fields.Integer(
        string="Days Overdue",
        compute="_compute_facility_days_overdue",
        help="Days since the due date of an unpaid customer invoice.",
    )
    facility_is_group_invoice = fields.Boolean(
        string="Research Group Invoice",
        compute="_compute_facility_is_group_invoice",
        search="_search_facility_is_group_invoice",
        help="A customer invoice of a research group's billing partner.",
    )

    @api.depends_context("tz")
    def _compute_facility_days_overdue(self):
        today = fields.Date.context_today(self)
        for move in self:
            unpaid = (
                move.move_type == "out_invoice"
                and move.state == "posted"
                and move.payment_state in UNPAID
                and move.invoice_date_due
            )
            move.facility_days_overdue = (
                prepaid.days_overdue(move.invoice_date_due, today) if unpaid else 0
            )

    def _compute_facility_is_group_invoice(self):
        partners = set(self._facility_group_partner_ids())
        for move in self:
            move.facility_is_group_invoice = (
                move.move_type == "out_invoice" and move.commercial_partner_id.id in partners
            )

    def _search_facility_is_group_invoice(self, operator, value):
        positive = (operator == "=") == bool(value)
        return [
            ("move_type", "=", "out_invoice"),
            (
                "commercial_partner_id",
                "in" if positive else "not in",
                self._facility_group_partner_ids(),
            ),
        ]

    def _facility_group_partner_ids(self):
        """Commercial partners billed for research groups."""
        groups = self.env["facility.research.group"].sudo().with_context(active_test=False)
        return groups.search([("partner_id", "!=", False)]).partner_id.commercial_partner_id.ids

    @api.model
    def _facility_overdue_invoices(self, groups, today=None, blocking=False):
        """``{group id: invoices}``: posted customer invoices of the groups' billing partners,
        not paid, past their due date on ``today`` (default: today) — with ``blocking``, only
        those more than the company's "fees overdue after" days past it."""
        today = today or fields.Date.context_today(self)
        partner_groups = groups._facility_partner_groups()
        if not partner_groups:
            return {}
        invoices = self.sudo().search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", UNPAID),
                ("invoice_date_due", "<", today),
                ("commercial_partner_id", "in", list(partner_groups)),
                ("company_id", "in", groups.sudo().company_id.ids or self.env.company.ids),
            ],
            order="invoice_date_due, id",
        )
        result = defaultdict(lambda: self.browse())
        for move in invoices:
            days = move.company_id.facility_fee_overdue_days
            if blocking and not prepaid.arrears_blocking(move.invoice_date_due, today, days):
                continue
            for group in partner_groups[move.commercial_partner_id.id]:
                if group.company_id == move.company_id:
                    result[group.id] |= move
        return dict(result)
