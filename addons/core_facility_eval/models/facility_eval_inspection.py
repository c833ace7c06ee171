from odoo import fields, models


class FacilityEvalInspection(models.Model):
    """A spot check by the equipment office (seed 002 第三条 1) and its findings."""

    _name = "facility.eval.inspection"
    _description = "Evaluation Spot Check"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    name = fields.Char(required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    unit_id = fields.Many2one("facility.unit", string="Unit (二级单位)", index=True)
    instrument_id = fields.Many2one("facility.instrument", index=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    findings = fields.Html()
