from odoo import fields, models


class FacilityApplicationLine(models.Model):
    """Hours asked, and granted by the committee, on one instrument for one month."""

    _name = "facility.application.line"
    _description = "Application Hours"
    _order = "month, instrument_id"

    application_id = fields.Many2one(
        "facility.application", required=True, index=True, ondelete="cascade"
    )
    instrument_id = fields.Many2one("facility.instrument", required=True, ondelete="restrict")
    month = fields.Date(required=True, help="Any day of the month (stored as its first day).")
    hours_requested = fields.Float(string="Hours Asked")
    hours_granted = fields.Float(string="Hours Granted", readonly=True, copy=False)
    allocation_id = fields.Many2one(
        "facility.booking.allocation", string="Allocation", readonly=True, copy=False
    )
