from odoo import api, fields, models
from odoo.exceptions import UserError


class FacilityAssessmentLine(models.Model):
    """The result of one checklist item on one instrument (or once, for a common item)."""

    _name = "facility.assessment.line"
    _description = "Assessment Result"
    _order = "assessment_id, instrument_id, sequence, id"

    assessment_id = fields.Many2one(
        "facility.assessment", required=True, ondelete="cascade", index=True
    )
    item_id = fields.Many2one("facility.certification.item", required=True, ondelete="restrict")
    sequence = fields.Integer(related="item_id.sequence", store=True)
    instrument_id = fields.Many2one(
        "facility.instrument",
        ondelete="restrict",
        help="Empty for an item assessed once for all instruments.",
    )
    result = fields.Selection([("pass", "Pass"), ("fail", "Fail")])
    note = fields.Char()

    @api.depends("item_id.name", "instrument_id.name")
    def _compute_display_name(self):
        for line in self:
            if line.instrument_id:
                line.display_name = f"{line.item_id.name} ({line.instrument_id.name})"
            else:
                line.display_name = line.item_id.name

    def write(self, vals):
        if {"result", "item_id", "instrument_id"} & set(vals) and any(
            line.assessment_id.state != "draft" for line in self
        ):
            raise UserError(
                self.env._("Results are fixed once the assessor has signed the assessment.")
            )
        return super().write(vals)
