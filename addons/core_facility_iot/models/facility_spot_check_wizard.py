from datetime import timedelta

from odoo import fields, models


def _last_month(record):
    return fields.Date.context_today(record).replace(day=1) - timedelta(days=1)


class FacilitySpotCheckWizard(models.TransientModel):
    """Run the spot check of a month (default: last month) for the instruments one manages."""

    _name = "facility.spot.check.wizard"
    _description = "Run Spot Check"

    month = fields.Date(
        required=True,
        default=lambda self: _last_month(self).replace(day=1),
        help="Any day of the month to check.",
    )
    instrument_ids = fields.Many2many(
        "facility.instrument",
        string="Instruments",
        help="Empty: every instrument with a box or with bookings that month (yours only, "
        "unless you are a facility manager).",
    )

    def action_run(self):
        self.ensure_one()
        checks = self.env["facility.spot.check"].generate(self.month, self.instrument_ids or None)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility_iot.facility_spot_check_action"
        )
        action["domain"] = [("id", "in", checks.ids)]
        return action
