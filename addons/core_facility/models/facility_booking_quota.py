from odoo import fields, models


class FacilityBookingQuota(models.Model):
    """A ceiling on booked time per user or group over a week or a month."""

    _name = "facility.booking.quota"
    _description = "Booking Quota"
    _inherit = ["facility.booking.rule.mixin"]
    _order = "policy_id, id"

    policy_id = fields.Many2one("facility.booking.policy", required=True, ondelete="cascade")
    enabled = fields.Boolean(
        default=True, help="Switch a peak-time quota on and off (e.g. 8 h/week/group at peak)."
    )
    scope = fields.Selection(
        [("user", "Per user"), ("group", "Per research group")], required=True, default="group"
    )
    period = fields.Selection([("week", "Week"), ("month", "Month")], required=True, default="week")
    unit = fields.Selection(
        [("hours", "Hours"), ("workdays", "Workdays")], required=True, default="hours"
    )
    limit = fields.Float(required=True)

    _sql_constraints = [
        ("limit_positive", 'CHECK("limit" > 0)', "A quota's limit must be positive."),
    ]
