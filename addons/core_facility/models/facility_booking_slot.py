from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules import booking as rules


class FacilityBookingSlot(models.Model):
    """A named part of the day that bookings must match (Talos: 08:30-17:00, 18:00-08:00)."""

    _name = "facility.booking.slot"
    _description = "Booking Day Slot"
    _inherit = ["facility.booking.rule.mixin"]
    _order = "policy_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Technical name, unique within the policy.")
    sequence = fields.Integer(default=10)
    policy_id = fields.Many2one("facility.booking.policy", required=True, ondelete="cascade")
    hour_from = fields.Float(string="From", required=True, help="Local time, e.g. 8.5 for 08:30.")
    hour_to = fields.Float(
        string="To", required=True, help="Local time; earlier than From means the next day."
    )
    restricted = fields.Boolean(
        string="Open to Restricted Users",
        help="Users without the policy's whole-day level may book this slot.",
    )

    _sql_constraints = [
        ("code_policy_uniq", "unique(policy_id, code)", "Slot codes must be unique per policy."),
    ]

    @api.depends("name", "hour_from", "hour_to")
    def _compute_display_name(self):
        for slot in self:
            slot.display_name = f"{slot.name} ({_hhmm(slot.hour_from)}–{_hhmm(slot.hour_to)})"

    def _to_rule(self):
        """The plain :class:`rules.Slot` the pure rules use."""
        self.ensure_one()
        return rules.Slot(
            self.code or str(self.id), round(self.hour_from * 60), round(self.hour_to * 60)
        )

    @api.constrains("hour_from", "hour_to")
    def _check_hours(self):
        for slot in self:
            if not (0 <= slot.hour_from < 24 and 0 <= slot.hour_to <= 24):
                raise ValidationError(
                    self.env._("Slot %(slot)s: hours lie between 0 and 24.", slot=slot.name)
                )


def _hhmm(hours):
    minutes = round(hours * 60)
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"
