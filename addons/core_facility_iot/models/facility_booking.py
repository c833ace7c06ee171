from odoo import fields, models


class FacilityBooking(models.Model):
    _inherit = "facility.booking"

    usage_session_ids = fields.One2many(
        "facility.usage.session",
        "booking_id",
        string="Measured Sessions",
        help="The sessions the instrument's box measured for this booking.",
    )
    usage_session_count = fields.Integer(
        string="Measured Sessions Count", compute="_compute_usage_session_count"
    )

    def _compute_usage_session_count(self):
        counts = dict(
            self.env["facility.usage.session"]._read_group(
                [("booking_id", "in", self.ids)], ["booking_id"], ["__count"]
            )
        )
        for booking in self:
            booking.usage_session_count = counts.get(booking, 0)

    def action_view_usage_sessions(self):
        """The sessions the box measured for this booking."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility_iot.facility_usage_session_action"
        )
        action["domain"] = [("booking_id", "=", self.id)]
        action["context"] = {}
        return action
