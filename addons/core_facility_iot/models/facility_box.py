import logging
import time

from odoo import api, fields, models

from ..rules import signing
from ..rules.codes import AuthReason, BoxState, ControlKind

_logger = logging.getLogger(__name__)

DEFAULT_HEARTBEAT_MINUTES = 5


class BoxAuthError(Exception):
    """A request of a box refused (HTTP 401); ``reason`` is an :class:`AuthReason`, which never
    reveals a secret (nor whether a serial exists beyond ``unknown_box``)."""

    def __init__(self, reason, box=None):
        super().__init__(reason)
        self.reason = AuthReason(reason)
        self.box = box


class FacilityBox(models.Model):
    """A controller at an instrument (card reader, PC, power or door control, camera) behind the
    site's IoT gateway. It authenticates every request with its own secret: the secret is shown
    once (registration, rotation) and only its SHA-256 is stored (``rules.signing``)."""

    _name = "facility.box"
    _description = "Instrument Box"
    _inherit = ["mail.thread", "mail.activity.mixin", "facility.guarded.mixin"]
    _order = "instrument_id, serial"
    _rec_name = "serial"
    # state, the secret and the last sign of life change only through the box's methods
    _guarded_fields = ("state", "secret_hash", "last_seen", "secret_rotated_at")

    serial = fields.Char(
        required=True, index=True, copy=False, tracking=True, help="The box's serial number."
    )
    instrument_id = fields.Many2one(
        "facility.instrument", required=True, index=True, ondelete="restrict", tracking=True
    )
    gateway = fields.Char(string="Site Gateway", tracking=True)
    control_pc = fields.Boolean(string="PC Control")
    control_power = fields.Boolean(string="Power Metering")
    control_door = fields.Boolean(string="Door Access")
    control_camera = fields.Boolean(string="Camera")
    firmware = fields.Char()
    heartbeat_minutes = fields.Integer(
        string="Heartbeat Interval (min)",
        default=DEFAULT_HEARTBEAT_MINUTES,
        required=True,
        help="The box sends a heartbeat at least this often; silent for longer, its instrument's "
        "managers get an activity, and an open usage session ends at its last sign of life plus "
        "this interval.",
    )
    state = fields.Selection(
        [
            (BoxState.ONLINE, "Online"),
            (BoxState.SILENT, "Silent"),
            (BoxState.RETIRED, "Retired"),
        ],
        default=BoxState.ONLINE,
        required=True,
        tracking=True,
        index=True,
    )
    last_seen = fields.Datetime(readonly=True, copy=False)
    secret_hash = fields.Char(copy=False, groups="base.group_system", exportable=False)
    secret_rotated_at = fields.Datetime(string="Secret Set On", readonly=True, copy=False)
    company_id = fields.Many2one(related="instrument_id.company_id", store=True, index=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("serial_unique", "UNIQUE(serial)", "A box with this serial number is already registered."),
    ]

    def _control_kinds(self):
        """The box's :class:`ControlKind` values."""
        self.ensure_one()
        flags = {
            ControlKind.PC: self.control_pc,
            ControlKind.POWER: self.control_power,
            ControlKind.DOOR: self.control_door,
            ControlKind.CAMERA: self.control_camera,
        }
        return [kind for kind, on in flags.items() if on]

    # -- secrets ---------------------------------------------------------------------------------

    def _set_new_secret(self):
        """Give the box a new secret and return it (to show once): only its hash is stored, the
        old secret stops working at once. Never log the return value."""
        self.ensure_one()
        secret = signing.new_secret()
        self.sudo()._write_guarded(
            {"secret_hash": signing.secret_hash(secret), "secret_rotated_at": fields.Datetime.now()}
        )
        return secret

    # -- the signed request of a box -------------------------------------------------------------

    @api.model
    def _authenticate(self, serial, timestamp, signature, body, now=None, window_s=None):
        """The box that signed this request, or :class:`BoxAuthError`.

        ``serial`` as sent, ``timestamp`` the decimal epoch seconds as sent, ``signature`` the hex
        HMAC, ``body`` the exact bytes (``b""`` for a GET). Retired and archived boxes are
        unknown. The window defaults to the company's setting (``facility_iot_window_s``)."""
        box = self.sudo().search(
            [
                ("serial", "=", serial if isinstance(serial, str) else ""),
                ("state", "!=", "retired"),
            ],
            limit=1,
        )
        if not box or not box.sudo().secret_hash:
            raise BoxAuthError(AuthReason.UNKNOWN_BOX)
        now = int(now if now is not None else time.time())
        window = window_s if window_s is not None else box._replay_window()
        reason = signing.check_timestamp(timestamp, now, window)
        if reason:
            raise BoxAuthError(reason, box)
        if not signing.verify(box.sudo().secret_hash, timestamp, body, signature):
            raise BoxAuthError(AuthReason.BAD_SIGNATURE, box)
        return box

    def _replay_window(self):
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("core_facility_iot.replay_window_s", signing.DEFAULT_WINDOW_S)
        )

    def _touch(self, moment=None):
        """A sign of life of the box (any signed request): last seen, silent → online."""
        moment = moment or fields.Datetime.now()
        for box in self.sudo():
            vals = {}
            if not box.last_seen or box.last_seen < moment:
                vals["last_seen"] = moment
            if box.state == BoxState.SILENT:
                vals["state"] = BoxState.ONLINE
            if vals:
                box._write_guarded(vals)
