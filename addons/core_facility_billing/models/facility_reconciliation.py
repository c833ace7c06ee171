from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rules import reconcile
from ..rules.codes import ChargeState
from ..rules.money import to_decimal

BILLING_ADMIN = "core_facility_billing.group_billing_admin"
# what a reconciliation is of: fixed once it is checked
PERIOD_FIELDS = frozenset({"date_from", "date_to", "company_id"})


class FacilityReconciliation(models.Model):
    """The monthly check (平账): every settled line is in a posted entry and every entry's total
    equals its lines; the differences are listed. One per company and period (a unique key);
    checking again replaces the list."""

    _name = "facility.reconciliation"
    _description = "Billing Reconciliation"
    _inherit = ["mail.thread", "facility.guarded.mixin"]
    _order = "date_to desc, id desc"
    _guarded_fields = (
        "checked_date",
        "line_ids",
        "line_count",
        "checked_line_count",
        "checked_entry_count",
    )

    name = fields.Char(readonly=True, copy=False, default="/")
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    line_ids = fields.One2many(
        "facility.reconciliation.line", "reconciliation_id", string="Differences"
    )
    line_count = fields.Integer(string="Differences Found", readonly=True, copy=False)
    checked_line_count = fields.Integer(string="Settled Lines Checked", readonly=True, copy=False)
    checked_entry_count = fields.Integer(string="Entries Checked", readonly=True, copy=False)
    checked_date = fields.Datetime(string="Checked", readonly=True, copy=False)
    state = fields.Selection(
        [("draft", "Not Checked"), ("balanced", "Balanced"), ("differences", "Differences")],
        compute="_compute_state",
        store=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )

    _sql_constraints = [
        (
            "period_uniq",
            "unique(company_id, date_from, date_to)",
            "There is one reconciliation per company and period.",
        ),
        ("dates_order", "CHECK(date_to >= date_from)", "A period ends after it starts."),
    ]

    @api.depends("checked_date", "line_count")
    def _compute_state(self):
        for rec in self:
            if not rec.checked_date:
                rec.state = "draft"
            else:
                rec.state = "differences" if rec.line_count else "balanced"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/" and vals.get("date_from"):
                vals["name"] = self.env._(
                    "Reconciliation %(period)s",
                    period=fields.Date.to_date(vals["date_from"]).strftime("%Y-%m"),
                )
        return super().create(vals_list)

    def write(self, vals):
        """The period and company are fixed once checked: the list of differences belongs to
        them (a new period is a new reconciliation)."""
        fixed = set(vals) & PERIOD_FIELDS
        if fixed and not self._guard_open() and any(rec.checked_date for rec in self):
            raise UserError(
                self.env._(
                    "%(name)s was checked: its period and company no longer change; create the "
                    "reconciliation of the other period instead.",
                    name=self.filtered("checked_date")[0].name,
                )
            )
        return super().write(vals)

    def action_check(self):
        """Compare the period's settled lines with their entries and list the differences."""
        if not (self.env.su or self.env.user.has_group(BILLING_ADMIN)):
            raise UserError(self.env._("Only the platform system administrator reconciles (平账)."))
        for rec in self:
            rec._check()
        return True

    def _check(self):
        self.ensure_one()
        env = self.sudo().env
        charges = env["facility.charge"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "=", ChargeState.SETTLED),
                ("date", ">=", self.date_from),
                ("date", "<=", self.date_to),
            ]
        )
        lines = [
            reconcile.Line(c.id, to_decimal(c.amount), (c.move_id or c.invoice_id).id or None)
            for c in charges
        ]
        moves = (charges.move_id | charges.invoice_id) | env["account.move"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("facility_settlement_id", "!=", False),
                ("state", "=", "posted"),
                ("date", ">=", self.date_from),
                ("date", "<=", self.date_to),
            ]
        )
        # an entry reversed by a correction is not counted: its lines went back to be settled
        moves = moves.filtered(lambda m: not m.reversal_move_ids)
        all_lines = {c.id: c for c in charges}
        # lines of these entries settled on days outside the period still count in its total
        others = env["facility.charge"].search(
            [
                ("id", "not in", charges.ids),
                ("state", "=", ChargeState.SETTLED),
                "|",
                ("move_id", "in", moves.ids),
                ("invoice_id", "in", moves.ids),
            ]
        )
        lines += [
            reconcile.Line(c.id, to_decimal(c.amount), (c.move_id or c.invoice_id).id)
            for c in others
        ]
        all_lines.update({c.id: c for c in others})
        income = self.company_id.sudo().facility_income_account_id
        entries = [
            reconcile.Entry(m.id, m.state == "posted", _facility_total(m, income)) for m in moves
        ]
        differences = reconcile.differences(lines, entries)
        Line = env["facility.reconciliation.line"]
        self._write_guarded({"line_ids": [(5, 0, 0)]})
        Line._guard_context().create(
            [
                {
                    "reconciliation_id": self.id,
                    "kind": d.kind,
                    "name": Line._describe(
                        d, all_lines.get(d.line_id), env["account.move"].browse(d.move_id)
                    ),
                    "charge_id": d.line_id or False,
                    "move_id": d.move_id or False,
                    "expected_amount": float(d.expected),
                    "found_amount": float(d.found),
                }
                for d in differences
            ]
        )
        self._write_guarded(
            {
                "checked_date": fields.Datetime.now(),
                "line_count": len(differences),
                "checked_line_count": len(lines),
                "checked_entry_count": len(entries),
            }
        )

    @api.model
    def _cron_monthly(self, today=None):
        """Monthly: last month's reconciliation of each company, created once and checked."""
        today = fields.Date.to_date(today) if today else fields.Date.context_today(self)
        first = today.replace(day=1) - relativedelta(months=1)
        last = today.replace(day=1) - relativedelta(days=1)
        records = self.browse()
        for company in self.env["res.company"].sudo().search([]):
            rec = self.sudo().search(
                [("company_id", "=", company.id), ("date_from", "=", first), ("date_to", "=", last)]
            )
            if not rec:
                rec = self.sudo().create(
                    {"company_id": company.id, "date_from": first, "date_to": last}
                )
            rec._check()
            records |= rec
        return records


def _facility_total(move, income_account):
    """What the charges of ``move`` account for, as a Decimal: an invoice's untaxed amount; a
    settlement entry's net on the facility income account (credits − debits of its items on
    that account: a fund's negative sum on one instrument debits it)."""
    if move.is_invoice(include_receipts=True):
        return to_decimal(abs(move.amount_untaxed_signed))
    items = move.line_ids.filtered(lambda item: item.account_id == income_account)
    return reconcile.income_net((item.debit, item.credit) for item in items)
