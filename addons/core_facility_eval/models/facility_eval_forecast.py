from odoo import fields, models


class FacilityEvalForecast(models.Model):
    """The early warning: an instrument's projected annual hours and score from the year to
    date plus its confirmed bookings, refreshed by a cron, alerting while there is time."""

    _name = "facility.eval.forecast"
    _description = "Evaluation Early Warning"
    _order = "year desc, alert desc, projected_hours"

    instrument_id = fields.Many2one(
        "facility.instrument", required=True, ondelete="cascade", index=True
    )
    unit_id = fields.Many2one("facility.unit", string="Unit (二级单位)", index=True)
    year = fields.Integer(required=True, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    projected_hours = fields.Float(readonly=True)
    projected_points = fields.Float(readonly=True)
    alert = fields.Boolean(readonly=True, index=True)

    _sql_constraints = [
        (
            "instrument_year_unique",
            "unique(instrument_id, year)",
            "An instrument has one forecast per year.",
        )
    ]
