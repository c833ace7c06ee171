from odoo import fields, models

from ..rules.codes import FailMode
from ..rules.decision import DEFAULT_GRACE_MINUTES, DEFAULT_WALK_IN_MINUTES


class FacilityInstrument(models.Model):
    _inherit = "facility.instrument"

    box_ids = fields.One2many("facility.box", "instrument_id", groups="base.group_user")
    camera_url = fields.Char(
        string="Camera Stream",
        groups="core_facility.group_facility_instrument_manager",
        help="Link to the instrument's video monitoring stream (视频监控), for its managers.",
    )
    iot_fail_mode = fields.Selection(
        [
            (FailMode.OPEN, "Fail open (stays usable, use is logged)"),
            (FailMode.CLOSED, "Fail closed (stays locked)"),
        ],
        string="When the Box Cannot Decide",
        default=FailMode.CLOSED,
        required=True,
        help="What the instrument's box does without network and without a valid allow-list.",
    )
    iot_grace_minutes = fields.Integer(
        string="Access Grace (min)",
        default=DEFAULT_GRACE_MINUTES,
        help="The box keeps the instrument open this long after the booking's end.",
    )
    iot_walk_in = fields.Boolean(
        string="Walk-in Use",
        help="A log-only instrument lets a qualified user in without a booking; the use is "
        "measured and charged at the walk-in rate.",
    )
    iot_walk_in_minutes = fields.Integer(
        string="Walk-in Span (min)", default=DEFAULT_WALK_IN_MINUTES
    )
