import logging
import time
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.core_facility.models.access import FACILITY_MANAGER, ensure_single
from odoo.addons.core_facility.models.utils import to_local

from ..rules import boxes as box_rules
from ..rules import signing
from ..rules.codes import AuthReason, BoxState, ControlKind

_logger = logging.getLogger(__name__)

DEFAULT_HEARTBEAT_MINUTES = 5
# last_seen moves forward in steps of at least this much: a box posting every second does not
# rewrite (and lock) its row every second; silence is judged in minutes
TOUCH_RESOLUTION = timedelta(seconds=30)
SILENT_ACTIVITY = "core_facility_iot.mail_activity_type_box_silent"
# the list actions of the box's events and sessions, when their areas define them
EVENT_ACTIONS = (
    "core_facility_iot.facility_box_event_action",
    "core_facility_iot.action_facility_box_event",
)
SESSION_ACTIONS = (
    "core_facility_iot.facility_usage_session_action",
    "core_facility_iot.action_facility_usage_session",
)
SECRET_FIELDS = ("secret_hash",)


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
    once (registration, rotation, reactivation) and only its SHA-256 is stored
    (``rules.signing``). Facility managers register, rotate, retire and reactivate boxes; the
    instrument's managers read their boxes; a box silent past its heartbeat raises an activity."""

    _name = "facility.box"
    _description = "Instrument Box"
    _inherit = ["mail.thread", "mail.activity.mixin", "facility.guarded.mixin"]
    _order = "instrument_id, serial"
    _rec_name = "serial"
    # state, the secret and the last sign of life change only through the box's methods
    _guarded_fields = ("state", "secret_hash", "last_seen", "secret_rotated_at")

    serial = fields.Char(
        required=True,
        index=True,
        copy=False,
        tracking=True,
        help="The box's serial number: letters, digits, '.', '_' or '-' (it is sent in the "
        "X-Facility-Box header and in the MQTT topic facility/<serial>/events).",
    )
    instrument_id = fields.Many2one(
        "facility.instrument", required=True, index=True, ondelete="restrict", tracking=True
    )
    gateway = fields.Char(
        string="Site Gateway", tracking=True, help="The site's IoT gateway the box is behind."
    )
    control_pc = fields.Boolean(string="PC Control")
    control_power = fields.Boolean(string="Power Metering")
    control_door = fields.Boolean(string="Door Access")
    control_camera = fields.Boolean(string="Camera")
    control_summary = fields.Char(string="Controls", compute="_compute_control_summary")
    firmware = fields.Char(tracking=True)
    heartbeat_minutes = fields.Integer(
        string="Heartbeat Interval (min)",
        default=DEFAULT_HEARTBEAT_MINUTES,
        required=True,
        help="The box sends a heartbeat at least this often. Silent for twice as long, its "
        "instrument's managers get an activity, and an open usage session ends at its last sign "
        "of life plus twice this interval.",
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
    last_seen = fields.Datetime(readonly=True, copy=False, help="Its last signed request.")
    secret_hash = fields.Char(copy=False, groups="base.group_system", exportable=False)
    secret_rotated_at = fields.Datetime(
        string="Secret Set On",
        readonly=True,
        copy=False,
        help="When the box's current secret was issued (registration, rotation, reactivation).",
    )
    has_secret = fields.Boolean(
        compute="_compute_has_secret",
        compute_sudo=True,
        help="Whether the box has a secret: without one it cannot talk to Odoo.",
    )
    event_count = fields.Integer(string="Events", compute="_compute_event_count")
    session_count = fields.Integer(string="Sessions", compute="_compute_session_count")
    company_id = fields.Many2one(related="instrument_id.company_id", store=True, index=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("serial_unique", "UNIQUE(serial)", "A box with this serial number is already registered."),
    ]

    # -- computes --------------------------------------------------------------------------------

    @api.depends_context("lang")
    @api.depends("control_pc", "control_power", "control_door", "control_camera")
    def _compute_control_summary(self):
        names = {
            ControlKind.PC: "control_pc",
            ControlKind.POWER: "control_power",
            ControlKind.DOOR: "control_door",
            ControlKind.CAMERA: "control_camera",
        }
        for box in self:
            box.control_summary = ", ".join(
                box._fields[names[kind]]._description_string(self.env)
                for kind in box._control_kinds()
            )

    @api.depends("secret_hash")
    def _compute_has_secret(self):
        for box in self:
            box.has_secret = bool(box.secret_hash)

    def _compute_event_count(self):
        Event = self.env["facility.box.event"]
        for box in self:
            box.event_count = Event.search_count([("box_id", "=", box.id)]) if box.id else 0

    def _compute_session_count(self):
        Session = self.env["facility.usage.session"]
        for box in self:
            box.session_count = Session.search_count([("box_id", "=", box.id)]) if box.id else 0

    # -- constraints -----------------------------------------------------------------------------

    @api.constrains("serial")
    def _check_serial(self):
        for box in self:
            if not box_rules.serial_ok(box.serial):
                raise ValidationError(
                    self.env._(
                        "The serial %(serial)s cannot be used: a box's serial is 1 to 64 letters, "
                        "digits, '.', '_' or '-', starting with a letter or digit (it travels in "
                        "a request header and in the MQTT topic).",
                        serial=repr(box.serial or ""),
                    )
                )

    @api.constrains("heartbeat_minutes")
    def _check_heartbeat_minutes(self):
        for box in self:
            if not box_rules.heartbeat_ok(box.heartbeat_minutes):
                raise ValidationError(
                    self.env._(
                        "The heartbeat interval of box %(serial)s must be between %(low)s and "
                        "%(high)s minutes (%(given)s given).",
                        serial=box.serial,
                        low=box_rules.HEARTBEAT_MIN_MINUTES,
                        high=box_rules.HEARTBEAT_MAX_MINUTES,
                        given=box.heartbeat_minutes,
                    )
                )

    # -- CRUD ------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._strip_serial(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._strip_serial(vals)
        return super().write(vals)

    @staticmethod
    def _strip_serial(vals):
        if isinstance(vals.get("serial"), str):
            vals["serial"] = vals["serial"].strip()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_with_history(self):
        """A box that reported anything is retired, not deleted: its events and sessions are
        the measured history of its instrument."""
        Event = self.env["facility.box.event"].sudo()
        for box in self:
            if Event.search_count([("box_id", "=", box.id)], limit=1):
                raise UserError(
                    self.env._(
                        "Box %(serial)s has reported events: retire it instead of deleting it, so "
                        "that its instrument's history stays.",
                        serial=box.serial,
                    )
                )

    def export_data(self, fields_to_export):
        """Refuse exporting the secret's hash (the HMAC key), whoever asks."""
        self._check_no_secret([path.replace(":", "/").split("/") for path in fields_to_export])
        return super().export_data(fields_to_export)

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        """Every export of boxes goes through here, also from another model (a quarantine
        record's ``box_id/secret_hash``, an instrument's ``box_ids/secret_hash``): refused."""
        self._check_no_secret(fields)
        return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)

    @api.model
    def _read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        """No grouping, aggregate (``secret_hash:count_distinct``...), filter on an aggregate
        or ordering of groups by the secret's hash, but for server code (superuser)."""
        if not self.env.su:
            specs = [*groupby, *aggregates]
            specs += [term[0] for term in having or () if isinstance(term, list | tuple)]
            specs += [part.split()[0] for part in (order or "").split(",") if part.strip()]
            self._check_no_secret([spec.split(":")[0].split(".") for spec in specs])
        return super()._read_group(
            domain,
            groupby=groupby,
            aggregates=aggregates,
            having=having,
            offset=offset,
            limit=limit,
            order=order,
        )

    def _check_no_secret(self, paths):
        """Refuse when a field path (a list of names) goes through a secret field."""
        if any(part in SECRET_FIELDS for path in paths for part in path or ()):
            raise UserError(self.env._("A box's secret is never exported or grouped."))

    # -- actions ---------------------------------------------------------------------------------

    def action_new_secret(self):
        """Register (first secret) or rotate: a new secret replaces the old one at once, and the
        answer opens the dialog that shows it once. Facility managers only."""
        box = ensure_single(self)
        box._check_manage()
        if box.state == BoxState.RETIRED:
            raise UserError(
                self.env._(
                    "Box %(serial)s is retired: reactivate it to give it a new secret.",
                    serial=box.serial,
                )
            )
        rotated = box.has_secret
        secret = box._set_new_secret()
        if rotated:
            note = self.env._(
                "Secret rotated by %(user)s: the previous secret no longer works; the box "
                "needs the new one.",
                user=self.env.user.name,
            )
        else:
            note = self.env._(
                "Box registered by %(user)s: its secret was issued and shown once.",
                user=self.env.user.name,
            )
        box.message_post(body=note, subtype_xmlid="mail.mt_note")
        return box._secret_action(secret)

    def action_retire(self):
        """Take boxes out of service: their secret is erased and the intake refuses them as
        unknown; open silence activities are closed. Facility managers only."""
        self._check_manage()
        for box in self:
            if box.state == BoxState.RETIRED:
                raise UserError(self.env._("Box %(serial)s is already retired.", serial=box.serial))
        for box in self:
            box.sudo()._write_guarded({"state": BoxState.RETIRED, "secret_hash": False})
            box._close_silence(self.env._("The box was retired."))
            box.message_post(
                body=self.env._(
                    "Box retired by %(user)s: its secret was erased and it is refused until "
                    "it is reactivated with a new secret.",
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_reactivate(self):
        """Bring a retired box back: online again with a new secret, shown once."""
        box = ensure_single(self)
        box._check_manage()
        if box.state != BoxState.RETIRED:
            raise UserError(
                self.env._(
                    "Box %(serial)s is not retired: rotate its secret instead.", serial=box.serial
                )
            )
        box.sudo()._write_guarded({"state": BoxState.ONLINE})
        secret = box._set_new_secret()
        box.message_post(
            body=self.env._(
                "Box reactivated by %(user)s with a new secret, shown once.",
                user=self.env.user.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return box._secret_action(secret)

    def action_view_events(self):
        return self._box_action("facility.box.event", EVENT_ACTIONS, self.env._("Box Events"))

    def action_view_sessions(self):
        return self._box_action(
            "facility.usage.session", SESSION_ACTIONS, self.env._("Usage Sessions")
        )

    def _box_action(self, model, xmlids, name):
        """The default list action of ``model`` (the first of ``xmlids`` that exists, else a
        plain one), restricted to this box's records."""
        box = ensure_single(self)
        action = {"type": "ir.actions.act_window", "res_model": model, "name": name}
        for xmlid in xmlids:
            if self.env.ref(xmlid, raise_if_not_found=False):
                action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
                break
        action.update(
            {
                "domain": [("box_id", "=", box.id)],
                "context": {"create": False, "default_box_id": box.id},
                "view_mode": "list,form",
                "views": [(False, "list"), (False, "form")],
            }
        )
        return action

    def _secret_action(self, secret):
        """The dialog that shows ``secret`` once; the secret travels in the action's context
        only (the wizard stores nothing)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Secret of Box %(serial)s", serial=self.serial),
            "res_model": "facility.box.secret.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_box_id": self.id, "box_secret": secret},
        }

    def _check_manage(self):
        """Refuse unless the user may manage these boxes: facility managers (and server code)."""
        if not self.env.su and not self.env.user.has_group(FACILITY_MANAGER):
            raise AccessError(
                self.env._("Only facility managers register, rotate, retire or reactivate boxes.")
            )
        self.check_access("write")

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

    @api.model
    def _demo_set_secrets(self):
        """Demo data only: each demo box of this addon gets the secret ``"demo-" + serial``, so
        that the box simulator can sign as it (retired ones stay without). Never on a real
        box."""
        data = (
            self.env["ir.model.data"]
            .sudo()
            .search([("module", "=", "core_facility_iot"), ("model", "=", self._name)])
        )
        now = fields.Datetime.now()
        boxes = self.sudo().browse(data.mapped("res_id")).exists()
        for box in boxes.filtered(lambda box: box.state != BoxState.RETIRED):
            box._write_guarded(
                {"secret_hash": signing.secret_hash(f"demo-{box.serial}"), "secret_rotated_at": now}
            )

    # -- the signed request of a box -------------------------------------------------------------

    @api.model
    def _authenticate(self, serial, timestamp, signature, body, now=None, window_s=None):
        """The box that signed this request, or :class:`BoxAuthError`.

        ``serial`` as sent, ``timestamp`` the decimal epoch seconds as sent, ``signature`` the hex
        HMAC, ``body`` the exact bytes (``b""`` for a GET). Retired, archived and secretless
        boxes are unknown. The window defaults to the setting (``_replay_window``)."""
        box = self.sudo().search(
            [
                ("serial", "=", serial if isinstance(serial, str) else ""),
                ("state", "!=", BoxState.RETIRED),
            ],
            limit=1,
            order="id",  # the model's order would join the instrument for nothing
        )
        if not box or not box.secret_hash:
            raise BoxAuthError(AuthReason.UNKNOWN_BOX)
        now = int(now if now is not None else time.time())
        window = window_s if window_s is not None else box._replay_window()
        reason = signing.check_timestamp(timestamp, now, window)
        if reason:
            raise BoxAuthError(reason, box)
        if not signing.verify(box.secret_hash, timestamp, body, signature):
            raise BoxAuthError(AuthReason.BAD_SIGNATURE, box)
        return box

    def _replay_window(self):
        """Seconds a signed request stays valid either side of the server's clock: the setting
        ``core_facility_iot.replay_window_s`` (Settings → Core Facility), 300 by default, kept
        within 30..3600 even when the parameter was edited by hand."""
        return box_rules.replay_window(
            self.env["ir.config_parameter"].sudo().get_param("core_facility_iot.replay_window_s")
        )

    def _touch(self, moment=None):
        """A sign of life of the box (any signed request) at ``moment`` (naive UTC, default
        now): last seen moves forward (in steps of at least ``TOUCH_RESOLUTION``, so frequent
        posts do not rewrite the row each time); a silent box turns online and its silence
        activities are marked done."""
        moment = moment or fields.Datetime.now()
        for box in self.sudo():
            vals = {}
            if not box.last_seen or box.last_seen + TOUCH_RESOLUTION <= moment:
                vals["last_seen"] = moment
            heard_again = box.state == BoxState.SILENT
            if heard_again:
                vals["state"] = BoxState.ONLINE
                if not box.last_seen or box.last_seen < moment:
                    vals["last_seen"] = moment
            if vals:
                box._write_guarded(vals)
            if heard_again:
                box._close_silence(
                    self.env._("Heard again at %(time)s.", time=box._local_minute(moment))
                )

    # -- silence ---------------------------------------------------------------------------------

    @api.model
    def _cron_mark_silent(self, now=None):
        """Mark silent the online boxes not heard from for twice their heartbeat interval
        (``rules.boxes.is_silent``) and give each silence one activity per recipient. Rows are
        locked (others' skipped) and a box already silent is left alone: a second or concurrent
        run adds nothing. Returns the boxes it marked."""
        now = now or fields.Datetime.now()
        self.flush_model(
            [
                "state",
                "active",
                "secret_hash",
                "last_seen",
                "secret_rotated_at",
                "heartbeat_minutes",
            ]
        )
        self.env.cr.execute(
            SQL(
                "SELECT id FROM facility_box WHERE state = %s AND active "
                "AND secret_hash IS NOT NULL "
                "AND GREATEST(last_seen, secret_rotated_at) "
                "+ make_interval(mins => heartbeat_minutes * %s) < %s "
                "ORDER BY id FOR UPDATE SKIP LOCKED",
                BoxState.ONLINE,
                box_rules.SILENCE_TOLERANCE,
                now,
            )
        )
        boxes = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        boxes = boxes.filtered(
            lambda box: box_rules.is_silent(
                box.last_seen, box.secret_rotated_at, box.heartbeat_minutes, now
            )
        )
        for box in boxes:
            box._write_guarded({"state": BoxState.SILENT})
            box._schedule_silence(now)
        if boxes:
            _logger.info("%s instrument boxes fell silent: %s", len(boxes), boxes.mapped("serial"))
        return boxes

    def _silence_recipients(self):
        """Who hears of this box's silence: the instrument's managers who can read the box, else
        the facility managers."""
        self.ensure_one()
        managers = self.instrument_id.sudo().manager_ids.filtered(
            lambda user: user.active and not user.share and self.with_user(user).has_access("read")
        )
        if managers:
            return managers
        group = self.env.ref(FACILITY_MANAGER)
        return group.sudo().users.filtered(lambda user: user.active and not user.share)

    def _schedule_silence(self, now):
        """One "Box Silent" activity for each recipient who has none open on this box."""
        self.ensure_one()
        box = self.sudo()
        activity_type = self.env.ref(SILENT_ACTIVITY)
        notified = box.activity_ids.filtered(
            lambda activity: activity.activity_type_id == activity_type
        ).user_id
        tz = pytz.timezone(box.instrument_id.get_timezone())
        deadline = to_local(now, tz).date()
        for user in box._silence_recipients() - notified:
            local = box.with_context(lang=user.lang)
            _ = local.env._
            if box.last_seen:
                summary = _("Box %(serial)s silent", serial=box.serial)
                note = _(
                    "The box %(serial)s of %(instrument)s has not been heard from since "
                    "%(last_seen)s (heartbeat every %(minutes)s min). Check its power and "
                    "network, and the site gateway %(gateway)s.",
                    serial=box.serial,
                    instrument=box.instrument_id.display_name,
                    last_seen=box._local_minute(box.last_seen),
                    minutes=box.heartbeat_minutes,
                    gateway=box.gateway or "-",
                )
            else:
                summary = _("Box %(serial)s never heard from", serial=box.serial)
                note = _(
                    "The box %(serial)s of %(instrument)s has never been heard from since its "
                    "secret was set on %(since)s (heartbeat every %(minutes)s min). Check that "
                    "the secret was stored in the box and that it reaches the site gateway "
                    "%(gateway)s.",
                    serial=box.serial,
                    instrument=box.instrument_id.display_name,
                    since=box._local_minute(box.secret_rotated_at),
                    minutes=box.heartbeat_minutes,
                    gateway=box.gateway or "-",
                )
            box.activity_schedule(
                SILENT_ACTIVITY,
                date_deadline=deadline,
                summary=summary,
                note=note,
                user_id=user.id,
            )

    def _close_silence(self, feedback):
        """Mark this box's open "Box Silent" activities done with ``feedback``."""
        activity_type = self.env.ref(SILENT_ACTIVITY)
        activities = self.sudo().activity_ids.filtered(
            lambda activity: activity.activity_type_id == activity_type
        )
        if activities:
            activities.action_feedback(feedback=feedback)

    # -- helpers ---------------------------------------------------------------------------------

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

    def _local_minute(self, moment):
        """``moment`` (naive UTC) in the instrument's zone, without seconds."""
        self.ensure_one()
        if not moment:
            return "-"
        tz = pytz.timezone(self.sudo().instrument_id.get_timezone())
        return to_local(moment, tz).strftime("%Y-%m-%d %H:%M")
