from odoo import fields, models


class FacilitySpotCheck(models.Model):
    """The monthly spot check (抽查) of one instrument: booked, box-measured and manually logged
    hours of a month, and the discrepancies ``rules.spotcheck.compare`` finds."""

    _name = "facility.spot.check"
    _description = "Machine Time Spot Check"
    _inherit = ["mail.thread"]
    _order = "month desc, instrument_id"

    instrument_id = fields.Many2one("facility.instrument", required=True, index=True)
    month = fields.Date(required=True, help="The first day of the month checked.")
    booked_hours = fields.Float(readonly=True)
    measured_hours = fields.Float(readonly=True)
    manual_hours = fields.Float(readonly=True)
    note = fields.Text()

    _sql_constraints = [
        (
            "instrument_month_unique",
            "UNIQUE(instrument_id, month)",
            "This instrument's month was already checked.",
        ),
    ]
