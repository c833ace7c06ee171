from odoo import api, fields, models

from ..rules.codes import SettlementKind, SettlementState


class FacilitySettlement(models.Model):
    """A settlement run (结算): for a period and company, every confirmed line not yet settled —
    internal lines posted per fund as one journal entry summarised per instrument, external
    lines invoiced — or one booking or service settled at once (单笔结算). Posted once: running
    it again posts nothing twice; a correction goes through a reversal entry."""

    _name = "facility.settlement"
    _description = "Settlement Run"
    _inherit = ["mail.thread", "facility.guarded.mixin"]
    _order = "date_to desc, id desc"
    _guarded_fields = ("state", "move_ids", "posted_date", "posted_by_id")

    name = fields.Char(readonly=True, copy=False, default="/")
    kind = fields.Selection(
        [
            (SettlementKind.PERIOD, "Periodic (Internal)"),
            (SettlementKind.SINGLE, "Single (Internal)"),
            (SettlementKind.INVOICE, "Invoices (External)"),
        ],
        required=True,
        default=SettlementKind.PERIOD,
    )
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    state = fields.Selection(
        [
            (SettlementState.DRAFT, "Draft"),
            (SettlementState.POSTED, "Posted"),
            (SettlementState.REVERSED, "Reversed"),
        ],
        required=True,
        default=SettlementState.DRAFT,
        tracking=True,
        copy=False,
        index=True,
    )
    charge_ids = fields.One2many("facility.charge", "settlement_id", string="Charge Lines")
    move_ids = fields.Many2many("account.move", string="Entries", readonly=True, copy=False)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_total = fields.Monetary(compute="_compute_amount_total", store=True)
    posted_date = fields.Datetime(readonly=True, copy=False)
    posted_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )

    @api.depends("charge_ids.amount")
    def _compute_amount_total(self):
        for settlement in self:
            settlement.amount_total = sum(settlement.charge_ids.mapped("amount"))
