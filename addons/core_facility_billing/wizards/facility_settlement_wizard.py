from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..rules.codes import SettlementKind


class FacilitySettlementWizard(models.TransientModel):
    """Run Settlement: finance settles a period (internal lines from research funds, or
    external lines by invoice), or one booking or service order at once (单笔结算)."""

    _name = "facility.settlement.wizard"
    _description = "Run Settlement"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    kind = fields.Selection(
        [
            (SettlementKind.PERIOD, "Internal: Deduct from Research Funds"),
            (SettlementKind.INVOICE, "External: Customer Invoices"),
        ],
        string="Settle",
        required=True,
        default=SettlementKind.PERIOD,
    )
    day = fields.Date(
        string="Period Containing",
        required=True,
        default=lambda self: self._default_day(),
        help="Any day of the period to settle; the period follows the company's scheme "
        "(months, or cut-off days).",
    )
    date_from = fields.Date(compute="_compute_period", string="From")
    date_to = fields.Date(compute="_compute_period", string="To")
    booking_id = fields.Many2one("facility.booking", readonly=True)
    service_order_id = fields.Many2one("facility.service.order", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    pending_count = fields.Integer(string="Lines to Settle", compute="_compute_pending")
    pending_amount = fields.Monetary(string="Amount to Settle", compute="_compute_pending")
    without_fund_count = fields.Integer(
        string="Lines Without Fund",
        compute="_compute_pending",
        help="Confirmed internal lines without a research fund block the settlement.",
    )
    in_dispute_count = fields.Integer(
        string="Lines in Dispute Window",
        compute="_compute_pending",
        help="Confirmed lines whose dispute window is still open: they are settled by a run "
        "after their dispute deadline.",
    )

    @api.model
    def _default_day(self):
        today = fields.Date.context_today(self)
        return self.env.company._facility_previous_period(today).date_from

    @api.depends("company_id", "day")
    def _compute_period(self):
        for wizard in self:
            if wizard.company_id and wizard.day:
                period = wizard.company_id._facility_period(wizard.day)
                wizard.date_from, wizard.date_to = period.date_from, period.date_to
            else:
                wizard.date_from = wizard.date_to = False

    @api.depends("company_id", "kind", "date_from", "date_to", "booking_id", "service_order_id")
    def _compute_pending(self):
        Settlement = self.env["facility.settlement"]
        for wizard in self:
            origin = wizard.booking_id or wizard.service_order_id
            counts = {"count": 0, "amount": 0.0, "without_fund": 0, "in_dispute": 0}
            if origin:
                for category in ("internal", "external"):
                    found = Settlement._pending_summary(
                        wizard.company_id, None, None, category, where=wizard._origin_where()
                    )
                    counts = {key: counts[key] + found[key] for key in counts}
            elif wizard.date_from:
                category = "external" if wizard.kind == SettlementKind.INVOICE else "internal"
                counts = Settlement._pending_summary(
                    wizard.company_id, wizard.date_from, wizard.date_to, category
                )
            wizard.pending_count = counts["count"]
            wizard.pending_amount = counts["amount"]
            wizard.without_fund_count = counts["without_fund"]
            wizard.in_dispute_count = counts["in_dispute"]

    def _origin_where(self):
        if self.booking_id:
            return SQL("c.booking_id = %s", self.booking_id.id)
        return SQL("c.service_order_id = %s", self.service_order_id.id)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        model, active_id = self.env.context.get("active_model"), self.env.context.get("active_id")
        if active_id and model == "facility.booking":
            values["booking_id"] = active_id
        elif active_id and model == "facility.service.order":
            values["service_order_id"] = active_id
        return values

    def action_run(self):
        self.ensure_one()
        Settlement = self.env["facility.settlement"]
        origin = self.booking_id or self.service_order_id
        if origin:
            settlements = Settlement._settle_origin(origin)
        else:
            settlements = Settlement.settle_period(
                self.company_id, self.date_from, self.date_to, self.kind
            )
        if not settlements:
            raise UserError(
                self.env._(
                    "Nothing left to settle from %(date_from)s to %(date_to)s: every confirmed "
                    "line of the period is settled.",
                    date_from=self.date_from.isoformat(),
                    date_to=self.date_to.isoformat(),
                )
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility_billing.action_facility_settlement"
        )
        if len(settlements) == 1:
            action.update(
                {"res_id": settlements.id, "view_mode": "form", "views": [(False, "form")]}
            )
        else:
            action["domain"] = [("id", "in", settlements.ids)]
        return action
