import json
import logging

import psycopg2

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
from ..rules.intake import UNAUTHENTICATED_KEEP_BYTES, IntakeError, IntakeReason, QuarantineKind
from .facility_box_event import CHANNELS, _log_failure

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
EDITABLE_WHILE_NEW = ("body", "box_id", "replay_box_id")


class FacilityBoxQuarantine(models.Model):
    """What the intake refused, kept with its reason: a request refused as a whole (400, 401,
    413, 500) or one event of a batch (rejected in a 200 answer). A body refused after its box
    was authenticated is kept whole; one refused before (401, 413, a form, a malformed MQTT
    payload: anyone may send those) keeps its first 16 KiB, its size and its hash, and is marked
    *unauthenticated*. A box sending the same refused body again adds to ``repeat_count`` while
    the record is new (one new record per serial sent, reason and body, counted by ``ON
    CONFLICT`` on a partial unique index); once replayed or discarded, the same body makes a new
    record. A facility manager inspects it, corrects the body, and replays it through the same
    intake as the box, or discards it (it stays on record). An unauthenticated body is replayed
    only one at a time, as a box the manager picks (``replay_box_id``), after a confirmation."""

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
        "body_size",
        "body_truncated",
        "authenticated",
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
    body_size = fields.Integer(
        string="Size (bytes)", readonly=True, help="The size of the body as it was received."
    )
    body_truncated = fields.Boolean(
        string="Only Its Start Kept",
        readonly=True,
        help="The body was refused before its box was authenticated and was longer than 16 KiB: "
        "only its start is kept (with its size and hash).",
    )
    authenticated = fields.Boolean(
        readonly=True,
        index=True,
        help="Whether the box's signature was checked before the body was refused. An "
        "unauthenticated body may come from anyone: it is replayed only one at a time, as a box "
        "you pick, after a confirmation.",
    )
    replay_box_id = fields.Many2one(
        "facility.box",
        string="Replay As",
        ondelete="restrict",
        tracking=True,
        help="For an unauthenticated body: the box you vouch sent it. It is replayed as this "
        "box only.",
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

    def init(self):
        # one NEW record per serial, reason and body: a body refused again after its record was
        # replayed or discarded starts a new one (the unique constraint of the first version
        # counted it on the closed record)
        self.env.cr.execute(
            "ALTER TABLE facility_box_quarantine DROP CONSTRAINT IF EXISTS "
            "facility_box_quarantine_dedup_unique"
        )
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS facility_box_quarantine_dedup_new_idx "
            "ON facility_box_quarantine (serial, reason, body_hash) WHERE state = 'new'"
        )
        return super().init()

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
        body. Replaying twice is harmless: the events already stored are duplicates.

        Unauthenticated bodies (refused before their box's signature was checked: anyone may
        have sent them) are skipped: each is replayed alone with ``action_replay_as_box``. A
        failure of the server on one body is kept in its *Replay Result* (it stays new)."""
        self.check_access("write")
        self._check_replayable()
        unauthenticated = self.filtered(lambda r: not r.authenticated)
        records = self - unauthenticated
        if not records:
            raise UserError(
                self.env._(
                    "%(records)s: refused before their box was authenticated (anyone may have "
                    "sent them), so they are not replayed with others. Open each one, pick the "
                    "box under Replay As, and use Replay as Chosen Box.",
                    records=", ".join(unauthenticated.mapped("display_name")),
                )
            )
        missing = records.filtered(lambda r: not r.box_id)
        if missing:
            raise UserError(
                self.env._(
                    "%(records)s: pick the box to replay as first (the serial sent names no "
                    "registered box).",
                    records=", ".join(missing.mapped("display_name")),
                )
            )
        return records._replay_all(skipped=unauthenticated)

    def action_replay_as_box(self):
        """Replay one unauthenticated body as the box the facility manager picked in
        ``replay_box_id`` (the form's button asks for a confirmation first)."""
        self.check_access("write")
        if len(self) != 1:
            raise UserError(
                self.env._("Replay an unauthenticated body one at a time, from its form.")
            )
        self._check_replayable()
        if self.authenticated:
            raise UserError(
                self.env._(
                    "%(record)s was sent by an authenticated box: use Replay.",
                    record=self.display_name,
                )
            )
        if not self.replay_box_id:
            raise UserError(
                self.env._(
                    "%(record)s was refused before its box was authenticated: choose the box you "
                    "vouch sent it under Replay As first.",
                    record=self.display_name,
                )
            )
        if self.body_truncated and self.body == self.original_body:
            raise UserError(
                self.env._(
                    "%(record)s: only the first %(kept)s bytes of its %(size)s were kept; it "
                    "cannot be replayed as received. Ask the box to send it again.",
                    record=self.display_name,
                    kept=UNAUTHENTICATED_KEEP_BYTES,
                    size=self.body_size,
                )
            )
        return self._replay_all()

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

    def _check_replayable(self):
        discarded = self.filtered(lambda r: r.state == QuarantineState.DISCARDED)
        if discarded:
            raise UserError(
                self.env._(
                    "%(records)s: a discarded request is not replayed.",
                    records=", ".join(discarded.mapped("display_name")),
                )
            )

    def _replay_all(self, skipped=None):
        """Replay these records; the notification says what was taken, still refused, failed
        or skipped. A single record the server failed on is a UserError with the reason."""
        now = fields.Datetime.now().replace(microsecond=0)
        refused = failed = self.browse()
        for record in self:
            taken, status = record._replay(now)
            if status == 500:
                failed |= record
            elif not taken:
                refused |= record
        if failed and len(self) == 1:
            raise UserError(
                self.env._(
                    "%(record)s could not be replayed: %(reason)s",
                    record=failed.display_name,
                    reason=json.loads(failed.replay_result)["message"],
                )
            )
        taken = len(self) - len(refused) - len(failed)
        parts = [self.env._("%(taken)s replayed.", taken=taken)]
        if refused:
            parts.append(
                self.env._(
                    "%(refused)s still refused (see Replay Result): %(records)s.",
                    refused=len(refused),
                    records=", ".join(refused.mapped("display_name")),
                )
            )
        if failed:
            parts.append(
                self.env._(
                    "%(failed)s failed on the server, nothing of them stored (see Replay "
                    "Result): %(records)s.",
                    failed=len(failed),
                    records=", ".join(failed.mapped("display_name")),
                )
            )
        if skipped:
            parts.append(
                self.env._(
                    "%(skipped)s skipped, refused before their box was authenticated (replay "
                    "each one from its form): %(records)s.",
                    skipped=len(skipped),
                    records=", ".join(skipped.mapped("display_name")),
                )
            )
        trouble = refused or failed or skipped
        return self._notify(" ".join(parts), "warning" if trouble else "success")

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
        """Replay this record's body: ``(taken, status)``; taken, the record is replayed,
        otherwise it stays new with the answer in ``replay_result`` (status 500: the server
        failed on it, nothing of it was stored).

        A whole request is replayed as a batch: its events are taken, duplicates answered as
        such, and events still rejected go to the quarantine as records of their own. One event
        is replayed as a one-event batch and must be taken itself. It runs as ``box_id``, or as
        ``replay_box_id`` for an unauthenticated body."""
        self.ensure_one()
        Event = self.env["facility.box.event"].sudo()
        box = (self.box_id if self.authenticated else self.replay_box_id).sudo()
        if not box:
            raise UserError(
                self.env._("%(record)s: choose the box to replay as.", record=self.display_name)
            )
        decoded, message = intake_rules.decode_text(self.body or "")
        try:
            with self.env.cr.savepoint():
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
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception as error:
            _log_failure(f"the replay of quarantine record {self.id} failed", error)
            status = 500
            answer = {"error": str(IntakeError.INTERNAL), "message": _replay_failure(error)}
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
        return taken, status

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
        authenticated=False,
        size=None,
    ):
        """Keep a refused body (bytes) with its reason: the id of its record, or None when it
        could not be kept (logged). The same body refused again for the same reason and serial
        counts on its record while that one is new (``ON CONFLICT`` on the partial unique
        index), under any concurrency.

        ``authenticated``: whether the box's signature was checked; if not, only the body's
        first ``UNAUTHENTICATED_KEEP_BYTES`` are kept (with its size and hash). ``size``: the
        real size when ``body`` is already only the start of what was received (a message too
        large for the MQTT client). Raises nothing but PostgreSQL's concurrency errors (the
        caller's transaction is retried, so that the count is right). ``box`` None: the box the
        serial names, if any. Bodies that are not UTF-8 are kept with escapes; the hash is of
        the exact bytes."""
        now = (now or fields.Datetime.now()).replace(microsecond=0)
        body = bytes(body or b"")
        try:
            with self.env.cr.savepoint():
                if box is None:
                    box = self.env["facility.box.event"]._box_named(serial)
                kept, body_size, body_hash = intake_rules.kept_body(body, authenticated)
                body_size = max(body_size, size or 0)
                text = intake_rules.body_text(kept)
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
                    "body_hash": body_hash,
                    "body_size": body_size,
                    "body_truncated": len(kept) < body_size,
                    "authenticated": bool(authenticated),
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
                           original_body, body_hash, body_size, body_truncated, authenticated,
                           state, create_uid, create_date, write_uid, write_date)
                       VALUES (%(box_id)s, %(instrument_id)s, %(serial)s, %(channel)s, %(kind)s,
                           %(received_at)s, %(last_received_at)s, %(repeat_count)s,
                           %(status_code)s, %(reason)s, %(detail)s, %(request_timestamp)s,
                           %(event_uid)s, %(body)s, %(original_body)s, %(body_hash)s,
                           %(body_size)s, %(body_truncated)s, %(authenticated)s, %(state)s,
                           %(create_uid)s, %(create_date)s, %(write_uid)s, %(write_date)s)
                       ON CONFLICT (serial, reason, body_hash) WHERE state = 'new' DO UPDATE SET
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
        except Exception as error:
            _log_failure("could not quarantine a refused request", error)
            return None


def _replay_failure(error):
    """What a facility manager reads when the server failed on a replay: the database's own
    one-line reason (never the statement, which quotes the body) or the error's class."""
    if isinstance(error, psycopg2.Error) and error.diag.message_primary:
        reason = error.diag.message_primary
    else:
        reason = type(error).__name__
    return (
        f"the server could not store this body's events ({reason[:200]}); nothing of it was "
        "stored: correct the body and replay it again"
    )
