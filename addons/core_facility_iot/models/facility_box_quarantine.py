import json
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..rules import intake as intake_rules
from ..rules.codes import (
    AuthReason,
    BatchError,
    Channel,
    QuarantineState,
    RejectReason,
)
from ..rules.intake import IntakeError, IntakeReason, QuarantineKind
from .facility_box_event import CHANNELS

_logger = logging.getLogger(__name__)

REASONS = [
    (BatchError.MALFORMED_JSON, "Malformed JSON"),
    (BatchError.TOO_LARGE, "Body too large"),
    (BatchError.NOT_A_LIST, "Not a list of events"),
    (BatchError.TOO_MANY, "Too many events"),
    (AuthReason.UNKNOWN_BOX, "Unknown box"),
    (AuthReason.BAD_SIGNATURE, "Bad signature"),
    (AuthReason.BAD_TIMESTAMP, "Bad timestamp"),
    (AuthReason.STALE_TIMESTAMP, "Stale timestamp"),
    (AuthReason.FUTURE_TIMESTAMP, "Timestamp in the future"),
    (RejectReason.NOT_AN_OBJECT, "Event not an object"),
    (RejectReason.UNKNOWN_TYPE, "Unknown event type"),
    (RejectReason.BAD_ID, "Bad event id"),
    (RejectReason.BAD_TIME, "Bad time"),
    (RejectReason.FUTURE_TIME, "Time in the future"),
    (RejectReason.TOO_OLD, "Too old"),
    (RejectReason.BAD_CARD, "Bad card"),
    (RejectReason.BAD_USER, "Bad user"),
    (RejectReason.BAD_SNAPSHOT, "Bad snapshot"),
    (RejectReason.BAD_PAYLOAD, "Bad payload"),
    (IntakeReason.BAD_TEXT, "Characters the database cannot store"),
    (IntakeReason.ID_CONFLICT, "Event id reused for another event"),
    (IntakeError.INTERNAL, "Server failure"),
    (IntakeError.METHOD_NOT_ALLOWED, "Wrong HTTP method"),
    (IntakeError.UNSUPPORTED_MEDIA_TYPE, "Not sent as JSON"),
]
STATES = [
    (QuarantineState.NEW, "New"),
    (QuarantineState.REPLAYED, "Replayed"),
    (QuarantineState.DISCARDED, "Discarded"),
]
KINDS = [(QuarantineKind.REQUEST, "Whole Request"), (QuarantineKind.EVENT, "One Event")]
# what a facility manager may still change, while the record is new
EDITABLE_WHILE_NEW = ("body", "box_id")


class FacilityBoxQuarantine(models.Model):
    """What the intake refused, kept whole with its reason: a request refused as a whole (400,
    401, 413, 500) or one event of a batch (rejected in a 200 answer). A box sending the same
    refused body again adds to ``repeat_count`` instead of a new record (one record per serial
    sent, reason and body, counted by ``ON CONFLICT``). A facility manager inspects it, corrects
    the body, and replays it through the same intake as the box named on the record, or discards
    it (it stays on record)."""

    _name = "facility.box.quarantine"
    _description = "Quarantined Box Request"
    _inherit = ["mail.thread", "facility.guarded.mixin"]
    _order = "last_received_at desc, id desc"
    # what was received, and the replay's outcome, change only through the intake and the actions
    _guarded_fields = (
        "state",
        "replayed_at",
        "replayed_by_id",
        "replay_result",
        "replay_status",
        "serial",
        "channel",
        "kind",
        "received_at",
        "last_received_at",
        "repeat_count",
        "status_code",
        "reason",
        "detail",
        "request_timestamp",
        "event_uid",
        "original_body",
        "body_hash",
    )

    box_id = fields.Many2one(
        "facility.box",
        index=True,
        ondelete="restrict",
        tracking=True,
        help="The box the request named. A replay runs as this box: pick it when the serial "
        "was unknown.",
    )
    instrument_id = fields.Many2one(related="box_id.instrument_id", store=True, index=True)
    serial = fields.Char(
        string="Serial Sent", readonly=True, help="The serial the request named, as sent."
    )
    channel = fields.Selection(CHANNELS, required=True, readonly=True)
    kind = fields.Selection(KINDS, required=True, default=QuarantineKind.REQUEST, readonly=True)
    received_at = fields.Datetime(
        string="First Received", required=True, default=fields.Datetime.now, readonly=True
    )
    last_received_at = fields.Datetime(
        string="Last Received", required=True, default=fields.Datetime.now, readonly=True
    )
    repeat_count = fields.Integer(
        string="Times Received",
        default=1,
        readonly=True,
        help="How often this body was refused for this reason (a box sending it again).",
    )
    status_code = fields.Integer(
        string="HTTP Status",
        readonly=True,
        help="The status the box was answered: 200 for one event rejected in a taken batch.",
    )
    reason = fields.Selection(REASONS, required=True, readonly=True, index=True)
    detail = fields.Char(readonly=True, help="The reason as the box was told it.")
    request_timestamp = fields.Char(
        string="Timestamp Sent", readonly=True, help="The request's timestamp header, as sent."
    )
    event_uid = fields.Char(string="Event ID", readonly=True, index=True)
    body = fields.Text(
        help="The refused body (a whole batch, or one event): correct it here, then Replay."
    )
    original_body = fields.Text(readonly=True, help="The body exactly as it was received.")
    body_hash = fields.Char(
        readonly=True, help="SHA-256 of the received body: the same body sent again is counted."
    )
    state = fields.Selection(
        STATES,
        default=QuarantineState.NEW,
        required=True,
        tracking=True,
        index=True,
        readonly=True,
    )
    replayed_at = fields.Datetime(readonly=True)
    replayed_by_id = fields.Many2one("res.users", readonly=True)
    replay_status = fields.Integer(readonly=True)
    replay_result = fields.Text(readonly=True, help="The intake's answer to the last replay.")

    _sql_constraints = [
        (
            "dedup_unique",
            "UNIQUE(serial, reason, body_hash)",
            "This body is already in the quarantine for this reason.",
        ),
    ]

    @api.depends("reason", "serial", "event_uid")
    def _compute_display_name(self):
        labels = dict(self._fields["reason"]._description_selection(self.env))
        for record in self:
            parts = [record.serial or "?", labels.get(record.reason, record.reason or "")]
            if record.event_uid:
                parts.append(record.event_uid)
            record.display_name = " · ".join(parts)

    def write(self, vals):
        changed = set(vals) & set(EDITABLE_WHILE_NEW)
        if changed and not self._guard_open():
            done = self.filtered(lambda r: r.state != QuarantineState.NEW)
            if done:
                raise UserError(
                    self.env._(
                        "%(records)s: only a new quarantined request can be corrected; a "
                        "replayed or discarded one stays as it was.",
                        records=", ".join(done.mapped("display_name")),
                    )
                )
        return super().write(vals)

    # -- actions ---------------------------------------------------------------------------------

    def action_replay(self):
        """Run the (corrected) bodies through the intake as their boxes (facility managers):
        the signature and timestamp are not checked again, an administrator vouches for the
        body. Replaying twice is harmless: the events already stored are duplicates."""
        self.check_access("write")
        missing = self.filtered(lambda r: not r.box_id)
        if missing:
            raise UserError(
                self.env._(
                    "%(records)s: pick the box to replay as first (the serial sent names no "
                    "registered box).",
                    records=", ".join(missing.mapped("display_name")),
                )
            )
        discarded = self.filtered(lambda r: r.state == QuarantineState.DISCARDED)
        if discarded:
            raise UserError(
                self.env._(
                    "%(records)s: a discarded request is not replayed.",
                    records=", ".join(discarded.mapped("display_name")),
                )
            )
        now = fields.Datetime.now().replace(microsecond=0)
        refused = self.browse()
        for record in self:
            if not record._replay(now):
                refused |= record
        taken = len(self) - len(refused)
        if refused:
            message = self.env._(
                "%(taken)s replayed; %(refused)s still refused (see Replay Result): %(records)s",
                taken=taken,
                refused=len(refused),
                records=", ".join(refused.mapped("display_name")),
            )
        else:
            message = self.env._("%(taken)s replayed.", taken=taken)
        return self._notify(message, "warning" if refused else "success")

    def action_discard(self):
        """Keep the record but stop looking at it (facility managers)."""
        self.check_access("write")
        done = self.filtered(lambda r: r.state != QuarantineState.NEW)
        if done:
            raise UserError(
                self.env._(
                    "%(records)s: only a new quarantined request can be discarded.",
                    records=", ".join(done.mapped("display_name")),
                )
            )
        self._write_guarded({"state": QuarantineState.DISCARDED})
        return True

    def _notify(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Replay"),
                "message": message,
                "type": kind,
                "sticky": kind != "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # -- business logic ----------------------------------------------------------------------------

    def _replay(self, now):
        """Replay this record's body: whether the intake took it (then the record is replayed;
        otherwise it stays new with the answer in ``replay_result``).

        A whole request is replayed as a batch: its events are taken, duplicates answered as
        such, and events still rejected go to the quarantine as records of their own. One event
        is replayed as a one-event batch and must be taken itself."""
        self.ensure_one()
        Event = self.env["facility.box.event"].sudo()
        box = self.box_id.sudo()
        decoded, message = intake_rules.decode_text(self.body or "")
        if message is not None:
            status = 400
            answer = {"error": str(BatchError.MALFORMED_JSON), "message": message}
        elif self.kind == QuarantineKind.EVENT:
            status, answer = Event._take_batch(
                box, [decoded], Channel.REPLAY, now, keep_batch=False, keep_events=False
            )
        else:
            status, answer = Event._take_batch(
                box, decoded, Channel.REPLAY, now, keep_batch=False, keep_events=True
            )
        taken = status == 200 and not (
            self.kind == QuarantineKind.EVENT and answer["results"][0]["outcome"] == "rejected"
        )
        _logger.info(
            "intake replay of quarantine %s as box %s: status=%s taken=%s",
            self.id,
            box.serial,
            status,
            taken,
        )
        values = {
            "replay_status": status,
            "replay_result": json.dumps(answer, ensure_ascii=False, indent=2),
            "replayed_at": now,
            "replayed_by_id": self.env.user.id,
        }
        if taken:
            values["state"] = QuarantineState.REPLAYED
        self._write_guarded(values)
        return taken

    @api.model
    def _keep(
        self,
        box,
        serial,
        channel,
        status,
        reason,
        body,
        timestamp=None,
        detail=None,
        event_uid=None,
        kind=QuarantineKind.REQUEST,
        now=None,
    ):
        """Keep a refused body (bytes) with its reason: the id of its record, or None when it
        could not be kept (logged). The same body refused again for the same reason and serial
        counts on the existing record (``ON CONFLICT``), under any concurrency.

        Raises nothing but PostgreSQL's concurrency errors (the caller's transaction is retried,
        so that the count is right). ``box`` None: the box the serial names, if any. Bodies that
        are not UTF-8 are kept with escapes; the hash is of the exact bytes."""
        now = (now or fields.Datetime.now()).replace(microsecond=0)
        body = bytes(body or b"")
        try:
            with self.env.cr.savepoint():
                if box is None:
                    box = self.env["facility.box.event"]._box_named(serial)
                text = intake_rules.body_text(body)
                if not isinstance(serial, str):
                    serial = "" if serial is None else repr(serial)
                row = {
                    "box_id": box.id if box else None,
                    "instrument_id": box.instrument_id.id if box else None,
                    "serial": intake_rules.storable_text(serial[:128]),
                    "channel": str(channel),
                    "kind": str(kind),
                    "received_at": now,
                    "last_received_at": now,
                    "repeat_count": 1,
                    "status_code": status,
                    "reason": str(reason),
                    "detail": intake_rules.storable_text((detail or "")[:500]) or None,
                    "request_timestamp": (
                        intake_rules.storable_text(str(timestamp)[:32])
                        if timestamp is not None
                        else None
                    ),
                    "event_uid": intake_rules.storable_text((event_uid or "")[:64]) or None,
                    "body": text,
                    "original_body": text,
                    "body_hash": intake_rules.body_hash(body),
                    "state": str(QuarantineState.NEW),
                    "create_uid": self.env.uid,
                    "create_date": now,
                    "write_uid": self.env.uid,
                    "write_date": now,
                }
                self.env.cr.execute(
                    """INSERT INTO facility_box_quarantine (box_id, instrument_id, serial,
                           channel, kind, received_at, last_received_at, repeat_count,
                           status_code, reason, detail, request_timestamp, event_uid, body,
                           original_body, body_hash, state, create_uid, create_date, write_uid,
                           write_date)
                       VALUES (%(box_id)s, %(instrument_id)s, %(serial)s, %(channel)s, %(kind)s,
                           %(received_at)s, %(last_received_at)s, %(repeat_count)s,
                           %(status_code)s, %(reason)s, %(detail)s, %(request_timestamp)s,
                           %(event_uid)s, %(body)s, %(original_body)s, %(body_hash)s, %(state)s,
                           %(create_uid)s, %(create_date)s, %(write_uid)s, %(write_date)s)
                       ON CONFLICT (serial, reason, body_hash) DO UPDATE SET
                           repeat_count = facility_box_quarantine.repeat_count + 1,
                           last_received_at = GREATEST(facility_box_quarantine.last_received_at,
                                                       EXCLUDED.last_received_at),
                           write_date = EXCLUDED.write_date
                       RETURNING id""",
                    row,
                )
                record_id = self.env.cr.fetchone()[0]
                self.invalidate_model()
                return record_id
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:
            _logger.exception("core_facility_iot: could not quarantine a refused request")
            return None
