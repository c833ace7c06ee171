from odoo import fields, models


class FacilityReconciliation(models.Model):
    """The monthly check (平账): every settled line is in a posted entry and every entry's total
    equals its lines; the differences are listed."""

    _name = "facility.reconciliation"
    _description = "Billing Reconciliation"
    _inherit = ["mail.thread"]
    _order = "date_to desc, id desc"

    name = fields.Char(readonly=True, copy=False, default="/")
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    line_ids = fields.One2many(
        "facility.reconciliation.line", "reconciliation_id", string="Differences"
    )
    checked_date = fields.Datetime(readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
