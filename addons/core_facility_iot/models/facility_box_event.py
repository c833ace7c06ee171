import calendar
import json
import logging
import time

import psycopg2

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from ..rules import boxes as box_rules
from ..rules import events as event_rules
from ..rules import intake as intake_rules
from ..rules import sessions as session_rules
from ..rules.codes import BatchError, Channel, EventType
from ..rules.intake import (
    INTERNAL_MESSAGE,
    MAX_BODY_BYTES,
    IntakeError,
    QuarantineKind,
)
from .facility_box import BoxAuthError

_logger = logging.getLogger(__name__)

EVENT_TYPES = [
    (EventType.CARD_SWIPE, "Card Swipe"),
    (EventType.PC_LOGIN, "PC Login"),
    (EventType.PC_LOGOUT, "PC Logout"),
    (EventType.POWER_ON, "Power On"),
    (EventType.POWER_OFF, "Power Off"),
    (EventType.DOOR_OPEN, "Door Open"),
    (EventType.HEARTBEAT, "Heartbeat"),
]
CHANNELS = [(Channel.HTTP, "HTTP"), (Channel.MQTT, "MQTT"), (Channel.REPLAY, "Replay")]
# what a refused box is told: enough to fix its set-up, nothing about a secret (and nothing that
# says whether a serial exists beyond "unknown_box")
AUTH_MESSAGES = {
    "unknown_box": "no registered box has this serial",
    "bad_signature": "the signature does not match the body and timestamp",
    "bad_timestamp": "the timestamp header must be integer epoch seconds",
    "stale_timestamp": "the timestamp is older than the replay window: check the clock",
    "future_timestamp": "the timestamp is ahead of the server's clock: check the clock",
}


def _log_failure(what, error):
    """Log a failure of the server (``what`` failed): a database error by its class and
    SQLSTATE only (its text may quote what a box sent: cards, logins), anything else with its
    traceback."""
    if isinstance(error, psycopg2.Error):
        _logger.error(
            "core_facility_iot: %s: %s (SQLSTATE %s)", what, type(error).__name__, error.pgcode
        )
    else:
        _logger.exception("core_facility_iot: %s", what)


def _shown(serial):
    """A serial as sent, safe for a log line (quoted, cut)."""
    return repr(serial if isinstance(serial, str) else str(serial))[:80]


class FacilityBoxEvent(models.Model):
    """One event a box reported, stored once per (box, the box's own event id) by a unique key:
    the intake inserts with ``ON CONFLICT DO NOTHING``, so a repeated or concurrent delivery is
    a duplicate, never a second row. The event object is kept whole in ``raw`` (fields a newer
    firmware adds included). Measured facts: nobody writes or deletes them."""

    _name = "facility.box.event"
    _description = "Box Event"
    _order = "ts desc, id desc"
    _rec_name = "uid"

    box_id = fields.Many2one(
        "facility.box", required=True, index=True, ondelete="restrict", readonly=True
    )
    instrument_id = fields.Many2one("facility.instrument", required=True, index=True, readonly=True)
    uid = fields.Char(
        string="Event ID", required=True, readonly=True, help="The box's own id of the event."
    )
    event_type = fields.Selection(EVENT_TYPES, string="Type", required=True, readonly=True)
    ts = fields.Datetime(
        string="Time", required=True, readonly=True, help="When it happened, by the box's clock."
    )
    card = fields.Char(index=True, readonly=True)
    login = fields.Char(string="PC Login", readonly=True)
    user_id = fields.Many2one("res.users", index=True, readonly=True)
    snapshot = fields.Char(
        string="Camera Snapshot",
        readonly=True,
        help="The camera snapshot the box referenced (a path or link on the site's video server).",
    )
    payload = fields.Json(readonly=True)
    raw = fields.Json(
        string="As Received",
        readonly=True,
        help="The event object exactly as the box sent it, unknown fields included.",
    )
    received_at = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    channel = fields.Selection(CHANNELS, required=True, default=Channel.HTTP, readonly=True)
    payload_text = fields.Text(string="Payload (JSON)", compute="_compute_json_texts")
    raw_text = fields.Text(string="As Received (JSON)", compute="_compute_json_texts")

    _sql_constraints = [
        (
            "box_uid_unique",
            "UNIQUE(box_id, uid)",
            "This box already reported an event with this id.",
        ),
    ]

    @api.depends("payload", "raw")
    def _compute_json_texts(self):
        for event in self:
            event.payload_text = (
                json.dumps(event.payload, ensure_ascii=False, indent=2) if event.payload else False
            )
            event.raw_text = (
                json.dumps(event.raw, ensure_ascii=False, indent=2) if event.raw else False
            )

    def init(self):
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS facility_box_event_box_ts_idx "
            "ON facility_box_event (box_id, ts)"
        )
        return super().init()

    # -- the intake: one entry for HTTP, MQTT and the quarantine's replays -------------------------

    @api.model
    def _receive(self, serial, timestamp, signature, body, channel=Channel.HTTP, now=None):
        """Take a signed batch of a box: ``(status, answer)`` for the box.

        413 (more than 1 MiB), 401 (unknown or retired box, bad signature, missing, stale or
        future timestamp) and 400 (malformed JSON, not a list, too many events) refuse the whole
        request; every refused body is kept in the quarantine with its reason. Otherwise 200 and,
        per event, ``accepted``, ``duplicate`` or ``rejected`` with a reason (rejected events are
        quarantined one by one). A failure of the server is answered 500 ``internal``, logged,
        and the body quarantined. ``body`` is the exact bytes that were signed; ``now`` a naive
        UTC datetime (tests).

        It raises nothing but PostgreSQL's concurrency errors (serialization failure, deadlock,
        lock not available): the caller retries the whole transaction, as Odoo's HTTP layer
        does (``odoo.service.model.retrying``); the retry then finds the rows of the concurrent
        delivery and answers ``duplicate``."""
        started = time.monotonic()
        now = (now or fields.Datetime.now()).replace(microsecond=0)
        if isinstance(body, str):
            body = body.encode("utf-8", errors="surrogateescape")
        signed = {}  # the box, once its signature is checked
        try:
            body = bytes(body or b"")
            with self.env.cr.savepoint():
                status, answer = self._receive_request(
                    serial, timestamp, signature, body, channel, now, signed=signed
                )
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception as error:
            _log_failure(f"the intake failed on a request of box {_shown(serial)}", error)
            box = signed.get("box")
            self.env["facility.box.quarantine"].sudo()._keep(
                box,
                serial,
                channel,
                500,
                IntakeError.INTERNAL,
                body if isinstance(body, bytes) else b"",
                timestamp,
                detail="the server failed on this request (see the server log at this time)",
                now=now,
                authenticated=bool(box),
            )
            status, answer = 500, {"error": str(IntakeError.INTERNAL), "message": INTERNAL_MESSAGE}
        self._log_request(serial, channel, status, answer, started)
        return status, answer

    @api.model
    def _receive_request(self, serial, timestamp, signature, body, channel, now, signed=None):
        Quarantine = self.env["facility.box.quarantine"].sudo()
        if len(body) > MAX_BODY_BYTES:
            # refused before the signature is checked (the box is named, not authenticated):
            # its start, size and hash are kept
            message = f"the body has more than {MAX_BODY_BYTES} bytes: send smaller batches"
            Quarantine._keep(
                None,
                serial,
                channel,
                413,
                BatchError.TOO_LARGE,
                body,
                timestamp,
                detail=message,
                now=now,
            )
            return 413, {"error": str(BatchError.TOO_LARGE), "message": message}
        try:
            box = (
                self.env["facility.box"]
                .sudo()
                ._authenticate(
                    serial, timestamp, signature, body, now=calendar.timegm(now.timetuple())
                )
            )
        except BoxAuthError as error:
            message = self._auth_message(error.reason)
            Quarantine._keep(
                error.box, serial, channel, 401, error.reason, body, timestamp, message, now=now
            )
            return 401, {"error": str(error.reason), "message": message}
        if signed is not None:
            signed["box"] = box
        box._touch(now)
        decoded, message = intake_rules.decode_body(body)
        if message is not None:
            Quarantine._keep(
                box,
                serial,
                channel,
                400,
                BatchError.MALFORMED_JSON,
                body,
                timestamp,
                message,
                now=now,
                authenticated=True,
            )
            return 400, {"error": str(BatchError.MALFORMED_JSON), "message": message}
        return self._take_batch(
            box, decoded, channel, now, serial=serial, timestamp=timestamp, body=body
        )

    @api.model
    def _take_batch(
        self,
        box,
        decoded,
        channel,
        now,
        serial=None,
        timestamp=None,
        body=None,
        keep_batch=True,
        keep_events=True,
    ):
        """``(status, answer)`` of an authenticated box's decoded batch: the part of the intake
        after the signature, also run by the quarantine's replays (``keep_batch`` /
        ``keep_events``: whether a refused batch / a rejected event goes to the quarantine)."""
        Quarantine = self.env["facility.box.quarantine"].sudo()
        box = box.sudo()
        try:
            verdicts = event_rules.validate_batch(decoded, now)
        except event_rules.BatchRefused as error:
            if keep_batch:
                Quarantine._keep(
                    box,
                    serial or box.serial,
                    channel,
                    400,
                    error.code,
                    body if body is not None else json.dumps(decoded, ensure_ascii=False).encode(),
                    timestamp,
                    str(error),
                    now=now,
                    authenticated=True,
                )
            return 400, {"error": str(error.code), "message": str(error)}
        items = decoded.get("events") if isinstance(decoded, dict) else decoded
        # what PostgreSQL would refuse is rejected before the insert: the insert cannot fail on
        # what a box sent (a failed statement would roll the whole batch back, for ever)
        verdicts = [
            (index, None, unstorable)
            if event is not None
            and (unstorable := intake_rules.unstorable_reason(items[index])) is not None
            else (index, event, reason)
            for index, event, reason in verdicts
        ]
        first = {}
        for index, event, _reason in verdicts:
            if event is not None and event.id not in first:
                first[event.id] = (event, items[index])
        inserted = self._insert_events(box, list(first.values()), channel, now)
        stored = self._stored_fingerprints(box, [uid for uid in first if uid not in inserted])
        results = intake_rules.classify(verdicts, inserted, stored)
        claimed = {}
        for index, event_id, _outcome, reason in results:
            if reason is None:
                continue
            raw = items[index]
            claimed[index] = intake_rules.raw_id(raw)
            if keep_events:
                Quarantine._keep(
                    box,
                    box.serial,
                    channel,
                    200,
                    reason,
                    intake_rules.event_text(raw).encode(),
                    timestamp,
                    event_uid=event_id or claimed[index],
                    kind=QuarantineKind.EVENT,
                    now=now,
                    authenticated=True,
                )
        if inserted:
            fresh = [event for uid, (event, _raw) in first.items() if uid in inserted]
            self._rebuild_sessions(box, now, session_rules.NewEvents.of(fresh))
        return 200, intake_rules.answer(box.serial, results, now, ids=claimed)

    @api.model
    def _insert_events(self, box, events, channel, now):
        """Insert ``events`` (``(Event, raw object)`` pairs, one per id) of ``box`` once each
        (unique box and id, ``ON CONFLICT DO NOTHING``): the set of ids this call inserted.

        Rows go in the order of their ids, so two concurrent batches sharing ids wait for each
        other instead of deadlocking."""
        if not events:
            return set()
        users = self._resolve_users([event for event, _raw in events])
        uid = self.env.uid
        rows = [
            (
                box.id,
                box.instrument_id.id,
                event.id,
                event.type.value,
                event.ts,
                event.card,
                event.user,
                users.get(("card", event.card)) or users.get(("login", event.user)),
                event.snapshot,
                json.dumps(event.payload, ensure_ascii=False) if event.payload else None,
                json.dumps(raw, ensure_ascii=False),
                now,
                channel,
                uid,
                now,
                uid,
                now,
            )
            for event, raw in sorted(events, key=lambda pair: pair[0].id)
        ]
        cr = self.env.cr
        # one placeholder a row: psycopg2 quotes each row tuple as "(v1, v2, ...)" (the JSON
        # text goes to its jsonb column as an untyped literal) — one SQL object for the batch
        # instead of one per row
        # not logged when it fails ("bad query: ..." would print every card and login of the
        # batch); the rows were checked to be storable (``unstorable_reason``) beforehand
        cr.execute(
            SQL(
                "INSERT INTO facility_box_event (box_id, instrument_id, uid, event_type, ts, card, "
                "login, user_id, snapshot, payload, raw, received_at, channel, create_uid, "
                "create_date, write_uid, write_date) VALUES "
                + ", ".join(["%s"] * len(rows))
                + " ON CONFLICT (box_id, uid) DO NOTHING RETURNING uid",
                *rows,
            ),
            log_exceptions=False,
        )
        inserted = cr.fetchall()
        self.invalidate_model()
        return {row[0] for row in inserted}

    @api.model
    def _stored_fingerprints(self, box, uids):
        """``{uid: fingerprint}`` of already stored events of ``box`` (to tell a re-sent event
        from an id the box reused for another one)."""
        if not uids:
            return {}
        self.env.cr.execute(
            "SELECT uid, event_type, ts, card, login FROM facility_box_event "
            "WHERE box_id = %s AND uid = ANY(%s)",
            [box.id, list(uids)],
        )
        return {
            uid: intake_rules.fingerprint(kind, ts, card, login)
            for uid, kind, ts, card, login in self.env.cr.fetchall()
        }

    @api.model
    def _resolve_users(self, events):
        """``{("card", number) | ("login", login): user id}`` for the cards and logins of the
        events (one query each)."""
        out = {}
        cards = sorted({e.card for e in events if e.card})
        logins = sorted({e.user for e in events if e.user})
        if cards:
            self.env.cr.execute(
                "SELECT facility_card, id FROM res_users WHERE facility_card = ANY(%s) AND active",
                [cards],
            )
            out.update({("card", card): user_id for card, user_id in self.env.cr.fetchall()})
        if logins:
            self.env.cr.execute(
                "SELECT login, id FROM res_users WHERE login = ANY(%s) AND active", [logins]
            )
            out.update({("login", login): user_id for login, user_id in self.env.cr.fetchall()})
        return out

    @api.model
    def _rebuild_sessions(self, box, now, fresh=None):
        """Let the usage sessions see the new events (``fresh``: a ``rules.sessions.NewEvents``
        of what this batch inserted). A failure there does not undo the events: they are
        stored and answered ``accepted``, and the next batch of the box rebuilds."""
        try:
            with self.env.cr.savepoint():
                self.env["facility.usage.session"].sudo()._rebuild(box, now=now, fresh=fresh)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:
            _logger.exception(
                "core_facility_iot: the sessions of box %s could not be rebuilt; its events are "
                "stored",
                box.serial,
            )

    @api.model
    def _box_named(self, serial):
        """The box a request names by its serial, authenticated or not (to file it with)."""
        if not box_rules.serial_ok(serial):
            return self.env["facility.box"]
        return (
            self.env["facility.box"]
            .sudo()
            .with_context(active_test=False)
            .search([("serial", "=", serial)], limit=1)
        )

    @api.model
    def _auth_message(self, reason):
        """What a refused box is told: enough to fix its set-up, nothing about a secret."""
        return AUTH_MESSAGES[str(reason)]

    @api.model
    def _log_request(self, serial, channel, status, answer, started):
        """One line per request: the box, the counts, the time; never the body nor a header."""
        elapsed = (time.monotonic() - started) * 1000
        if status == 200:
            _logger.info(
                "intake box=%s channel=%s status=200 accepted=%d duplicate=%d rejected=%d ms=%.1f",
                _shown(serial),
                channel,
                answer["accepted"],
                answer["duplicate"],
                answer["rejected"],
                elapsed,
            )
        else:
            _logger.info(
                "intake box=%s channel=%s status=%d error=%s ms=%.1f",
                _shown(serial),
                channel,
                status,
                answer.get("error"),
                elapsed,
            )
