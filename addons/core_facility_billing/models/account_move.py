from collections import defaultdict

from odoo import api, fields, models

from ..rules import prepaid
from ..rules.codes import ChargeState

# Customer invoices still owed (in part or in full).
UNPAID = ("not_paid", "partial")


class AccountMove(models.Model):
    """What billing adds to journal entries: the settlement an entry or invoice belongs to and
    its fapiao number (发票号码); arrears (欠款) — customer
    invoices of research groups' billing partners past their due date and not paid, listed for
    finance with their days overdue — and the link of an allocation's entries (拨款)."""

    _inherit = "account.move"

    facility_fapiao_number = fields.Char(
        string="Fapiao Number",
        copy=False,
        tracking=True,
        help="Number of the fapiao (发票) issued for the invoice.",
    )
    facility_settlement_id = fields.Many2one(
        "facility.settlement", readonly=True, copy=False, index=True
    )
    facility_charge_count = fields.Integer(
        string="Charge Lines", compute="_compute_facility_charge_count"
    )

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

    def _compute_facility_charge_count(self):
        Charge = self.env["facility.charge"]
        counts = dict(Charge._read_group([("move_id", "in", self.ids)], ["move_id"], ["__count"]))
        invoiced = dict(
            Charge._read_group([("invoice_id", "in", self.ids)], ["invoice_id"], ["__count"])
        )
        for move in self:
            move.facility_charge_count = counts.get(move, 0) + invoiced.get(move, 0)

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

    def action_view_facility_charges(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Charge Lines"),
            "res_model": "facility.charge",
            "view_mode": "list,form",
            "domain": ["|", ("move_id", "=", self.id), ("invoice_id", "=", self.id)],
            "context": {"create": False},
        }

    def _post(self, soft=True):
        """A posted reversal that fully reverses a settlement's entry or invoice (the
        settlement's Reverse, Odoo's Reverse of an entry, a credit note of the whole invoice
        once posted) puts its charge lines back to confirmed, to be corrected and settled again.
        A draft or partial credit note leaves them settled."""
        posted = super()._post(soft=soft)
        reversed_moves = posted.filtered(
            lambda move: (
                move.reversed_entry_id.facility_settlement_id and move._facility_fully_reverses()
            )
        ).reversed_entry_id
        if reversed_moves:
            reversed_moves._facility_release_charges()
        return posted

    def _facility_fully_reverses(self):
        """Whether this (reversal) move reverses the whole of the move it reverses: same
        currency, same total."""
        self.ensure_one()
        original = self.reversed_entry_id
        return (
            self.currency_id == original.currency_id
            and self.currency_id.compare_amounts(self.amount_total, original.amount_total) == 0
        )

    def _facility_posted_reversals(self):
        """The posted reversals that fully reverse this move."""
        self.ensure_one()
        return self.reversal_move_ids.filtered(
            lambda move: move.state == "posted" and move._facility_fully_reverses()
        )

    def _facility_pay_from_deposits(self):
        """Reconcile this posted invoice with its partner's outstanding credits (the prepaid
        group's deposits), oldest first, until it is paid: a prepaid group pays from its
        deposits and does not fall into arrears."""
        self.ensure_one()
        invoice = self.sudo()
        for credit in (invoice.invoice_outstanding_credits_debits_widget or {}).get("content", []):
            if invoice.payment_state in ("paid", "in_payment") or not invoice.amount_residual:
                break
            invoice.js_assign_outstanding_line(credit["id"])

    def _facility_release_charges(self):
        charges = (
            self.env["facility.charge"]
            .sudo()
            .search(["|", ("move_id", "in", self.ids), ("invoice_id", "in", self.ids)])
        )
        charges._write_guarded(
            {
                "state": ChargeState.CONFIRMED,
                "settlement_id": False,
                "move_id": False,
                "invoice_id": False,
            }
        )
        self.facility_settlement_id.sudo()._update_reversed_state()

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
