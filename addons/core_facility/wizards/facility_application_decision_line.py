from odoo import fields, models


class FacilityApplicationDecisionLine(models.TransientModel):
    """Hours the committee grants on one line of the application (instrument, month)."""

    _name = "facility.application.decision.line"
    _description = "Hours Granted"

    wizard_id = fields.Many2one(
        "facility.application.decision.wizard", required=True, ondelete="cascade"
    )
    line_id = fields.Many2one("facility.application.line", required=True, readonly=True)
    instrument_id = fields.Many2one(related="line_id.instrument_id")
    month_label = fields.Char(related="line_id.month_label", string="Period")
    hours_requested = fields.Float(related="line_id.hours_requested")
    hours_granted = fields.Float()
