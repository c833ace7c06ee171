from odoo import fields, models


class FacilityStatement(models.Model):
    """A research group's statement of a period (月结单): every line, totals per fund and per
    instrument, as PDF and XLSX, mailed to the PI in their language."""

    _name = "facility.statement"
    _description = "Charge Statement"
    _inherit = ["mail.thread", "portal.mixin"]
    _order = "date_to desc, research_group_id"

    name = fields.Char(readonly=True, copy=False, default="/")
    research_group_id = fields.Many2one("facility.research.group", required=True, index=True)
    pi_id = fields.Many2one(related="research_group_id.pi_id", store=True, index=True, string="PI")
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_total = fields.Monetary(readonly=True)
    sent_date = fields.Datetime(readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
