from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools.sql import column_exists

from odoo.addons.core_facility.models.access import FACILITY_MANAGER, INSTRUMENT_MANAGER

from ..rules.codes import FailMode
from ..rules.decision import DEFAULT_GRACE_MINUTES, DEFAULT_WALK_IN_MINUTES

LOG_ONLY = "log"  # core_facility's booking mode "usage log only"


class FacilityInstrument(models.Model):
    _inherit = "facility.instrument"

    box_ids = fields.One2many("facility.box", "instrument_id", groups=INSTRUMENT_MANAGER)
    camera_url = fields.Char(
        string="Camera Stream",
        groups=INSTRUMENT_MANAGER,
        compute="_compute_camera_url",
        inverse="_inverse_camera_url",
        help="Link to the instrument's video monitoring stream (视频监控), for its managers.",
    )
    # where the link is stored: read and written through camera_url, which checks that the user
    # manages this very instrument (the group alone would show every instrument's camera to
    # every instrument manager)
    iot_camera_url = fields.Char(string="Camera Stream (stored)", groups="base.group_system")
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
        help="The box keeps the instrument open this long after the booking's end (0 or more).",
    )
    iot_walk_in = fields.Boolean(
        string="Walk-in Use",
        help="Only for instruments in 'Usage log only' booking mode: the box lets a qualified "
        "user in without a booking; the use is measured and charged at the walk-in rate.",
    )
    iot_walk_in_minutes = fields.Integer(
        string="Walk-in Span (min)",
        default=DEFAULT_WALK_IN_MINUTES,
        help="How long a walk-in admission lasts before the box asks again (at least 1 minute).",
    )
    iot_can_manage = fields.Boolean(
        string="Manages Its Boxes",
        compute="_compute_iot_can_manage",
        help="Whether the current user sees the instrument's boxes and camera: its managers and "
        "the facility managers.",
    )

    @api.depends_context("uid")
    @api.depends("manager_ids")
    def _compute_iot_can_manage(self):
        for instrument in self:
            instrument.iot_can_manage = instrument._iot_manages()

    @api.depends_context("uid")
    @api.depends("iot_camera_url", "manager_ids")
    def _compute_camera_url(self):
        for instrument in self:
            instrument.camera_url = (
                instrument.sudo().iot_camera_url if instrument._iot_manages() else False
            )

    def _inverse_camera_url(self):
        for instrument in self:
            if not instrument._iot_manages():
                raise AccessError(
                    self.env._(
                        "Only the managers of %(instrument)s and the facility managers set its "
                        "camera stream.",
                        instrument=instrument.display_name,
                    )
                )
            instrument.sudo().iot_camera_url = instrument.camera_url

    @api.constrains(
        "iot_fail_mode", "iot_grace_minutes", "iot_walk_in", "iot_walk_in_minutes", "booking_mode"
    )
    def _check_iot_settings(self):
        _ = self.env._
        for instrument in self:
            if instrument.iot_fail_mode not in tuple(FailMode):
                raise ValidationError(
                    _(
                        "Choose what the box of %(instrument)s does when it cannot decide: fail "
                        "open or fail closed.",
                        instrument=instrument.display_name,
                    )
                )
            if instrument.iot_grace_minutes < 0:
                raise ValidationError(
                    _(
                        "The access grace of %(instrument)s cannot be negative (%(minutes)s min "
                        "given): it is how long the box keeps the instrument open after a "
                        "booking's end.",
                        instrument=instrument.display_name,
                        minutes=instrument.iot_grace_minutes,
                    )
                )
            if instrument.iot_walk_in_minutes <= 0:
                raise ValidationError(
                    _(
                        "The walk-in span of %(instrument)s must be at least 1 minute "
                        "(%(minutes)s min given).",
                        instrument=instrument.display_name,
                        minutes=instrument.iot_walk_in_minutes,
                    )
                )
            if instrument.iot_walk_in and instrument.booking_mode != LOG_ONLY:
                raise ValidationError(
                    _(
                        "Walk-in use is only for instruments in 'Usage log only' booking mode: "
                        "%(instrument)s requires bookings, so its box admits no one without one. "
                        "Switch walk-in use off, or the booking mode to 'Usage log only'.",
                        instrument=instrument.display_name,
                    )
                )

    def init(self):
        # the first version stored the link in a camera_url column: keep what it holds
        cr = self.env.cr
        if column_exists(cr, self._table, "camera_url"):
            cr.execute(
                "UPDATE facility_instrument SET iot_camera_url = camera_url "
                "WHERE iot_camera_url IS NULL AND camera_url IS NOT NULL"
            )
        return super().init()

    def _iot_manages(self):
        """Whether the current user manages this instrument's boxes and sees its camera: its
        managers, the facility managers, and server code (superuser)."""
        self.ensure_one()
        user = self.env.user
        return self.env.su or user.has_group(FACILITY_MANAGER) or user in self.sudo().manager_ids
