from odoo import fields, models


class FacilityEvalProblem(models.Model):
    """A problem found by an evaluation or a spot check, tracked to its rectification (整改)."""

    _name = "facility.eval.problem"
    _description = "Evaluation Problem"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "year desc, id desc"

    name = fields.Char(required=True)
    year = fields.Integer(required=True, index=True)
    unit_id = fields.Many2one("facility.unit", string="Unit (二级单位)", index=True)
    instrument_id = fields.Many2one("facility.instrument", index=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
