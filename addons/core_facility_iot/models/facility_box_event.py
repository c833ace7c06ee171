import calendar
import json
import logging

from odoo import api, fields, models

from ..rules import events as event_rules
from ..rules.codes import BatchError, Channel, EventOutcome, EventType
from .facility_box import BoxAuthError

_logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # a batch of 500 events with 4 KB payloads still fits

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


class FacilityBoxEvent(models.Model):
    """One event a box reported, stored once per (box, the box's own event id) by a unique key:
    the intake inserts with ``ON CONFLICT DO NOTHING``, so a repeated or concurrent delivery is
    a duplicate, never a second row. Measured facts: nobody writes or deletes them."""

    _name = "facility.box.event"
    _description = "Box Event"
    _order = "ts desc, id desc"
    _rec_name = "uid"

    box_id = fields.Many2one("facility.box", required=True, index=True, ondelete="restrict")
    instrument_id = fields.Many2one("facility.instrument", required=True, index=True)
    uid = fields.Char(string="Event ID", required=True, help="The box's own id of the event.")
    event_type = fields.Selection(EVENT_TYPES, string="Type", required=True)
    ts = fields.Datetime(string="Time", required=True, help="When it happened, by the box's clock.")
    card = fields.Char(index=True)
    login = fields.Char(string="PC Login")
    user_id = fields.Many2one("res.users", string="User", index=True)
    snapshot = fields.Char(string="Camera Snapshot")
    payload = fields.Json()
    received_at = fields.Datetime(required=True, default=fields.Datetime.now)
    channel = fields.Selection(CHANNELS, required=True, default=Channel.HTTP)

    _sql_constraints = [
        (
            "box_uid_unique",
            "UNIQUE(box_id, uid)",
            "This box already reported an event with this id.",
        ),
    ]

    def init(self):
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS facility_box_event_box_ts_idx "
            "ON facility_box_event (box_id, ts)"
        )
        return super().init()

    # -- the intake: one entry for HTTP, MQTT and the quarantine's replays -------------------------

    @api.model
    def _receive(self, serial, timestamp, signature, body, channel=Channel.HTTP, now=None):
        """Take a signed batch of a box: ``(status, answer)`` for the box, never an exception.

        401 (unknown box, bad signature, bad or stale timestamp) and 400 / 413 (malformed JSON,
        not a list, too many events, too large) refuse the whole request; every refused body is
        kept in the quarantine with its reason. Otherwise 200 and, per event, ``accepted``,
        ``duplicate`` or ``rejected`` with a reason (rejected events are quarantined one by one).
        ``body`` is the exact bytes that were signed; ``now`` a naive UTC datetime (tests)."""
        now = now or fields.Datetime.now()
        Quarantine = self.env["facility.box.quarantine"].sudo()
        body = bytes(body or b"")
        try:
            box = self.env["facility.box"]._authenticate(
                serial, timestamp, signature, body, now=calendar.timegm(now.timetuple())
            )
        except BoxAuthError as error:
            Quarantine._keep(error.box, serial, channel, 401, error.reason, body, timestamp)
            return 401, {"error": error.reason, "message": self._auth_message(error.reason)}
        box._touch(now)
        if len(body) > MAX_BODY_BYTES:
            message = f"the body has {len(body)} bytes, at most {MAX_BODY_BYTES}"
            Quarantine._keep(
                box, serial, channel, 413, BatchError.TOO_LARGE, body, timestamp, message
            )
            return 413, {"error": BatchError.TOO_LARGE, "message": message}
        try:
            decoded = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            message = str(error)[:200]
            Quarantine._keep(
                box, serial, channel, 400, BatchError.MALFORMED_JSON, body, timestamp, message
            )
            return 400, {"error": BatchError.MALFORMED_JSON, "message": message}
        return self._take_batch(
            box, decoded, channel, now, serial=serial, timestamp=timestamp, body=body
        )

    @api.model
    def _take_batch(self, box, decoded, channel, now, serial=None, timestamp=None, body=None):
        """``(status, answer)`` of an authenticated box's decoded batch (also the replay's)."""
        Quarantine = self.env["facility.box.quarantine"].sudo()
        try:
            verdicts = event_rules.validate_batch(decoded, now)
        except event_rules.BatchRefused as error:
            Quarantine._keep(
                box,
                serial or box.serial,
                channel,
                400,
                error.code,
                body if body is not None else json.dumps(decoded).encode(),
                timestamp,
                str(error),
            )
            return 400, {"error": error.code, "message": str(error)}
        valid = [(index, event) for index, event, reason in verdicts if event is not None]
        inserted = self._insert_events(box, [event for _index, event in valid], channel, now)
        results, seen = [], set()
        counts = dict.fromkeys(EventOutcome, 0)
        items = decoded.get("events") if isinstance(decoded, dict) else decoded
        for index, event, reason in verdicts:
            if event is None:
                raw = items[index]
                uid = (
                    raw.get("id")
                    if isinstance(raw, dict) and isinstance(raw.get("id"), str)
                    else None
                )
                Quarantine._keep(
                    box,
                    box.serial,
                    channel,
                    200,
                    reason,
                    json.dumps(raw, ensure_ascii=False).encode(),
                    timestamp,
                    event_uid=uid,
                )
                results.append(
                    {"index": index, "id": uid, "outcome": EventOutcome.REJECTED, "reason": reason}
                )
                counts[EventOutcome.REJECTED] += 1
                continue
            outcome = (
                EventOutcome.ACCEPTED
                if event.id in inserted and event.id not in seen
                else EventOutcome.DUPLICATE
            )
            seen.add(event.id)
            results.append({"index": index, "id": event.id, "outcome": outcome})
            counts[outcome] += 1
        if inserted:
            self.env["facility.usage.session"].sudo()._rebuild(box, now=now)
        answer = {"box": box.serial, "results": results, **{str(k): v for k, v in counts.items()}}
        return 200, answer

    @api.model
    def _insert_events(self, box, events, channel, now):
        """Insert ``events`` of ``box`` once each (unique box and id, ``ON CONFLICT DO
        NOTHING``): the set of ids inserted by this call."""
        if not events:
            return set()
        users = self._resolve_users(events)
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
                json.dumps(event.payload) if event.payload else None,
                now,
                channel,
                uid,
                now,
                uid,
                now,
            )
            for event in events
        ]
        inserted = self.env.cr.execute_values(
            """INSERT INTO facility_box_event (box_id, instrument_id, uid, event_type, ts, card,
                   login, user_id, snapshot, payload, received_at, channel, create_uid,
                   create_date, write_uid, write_date)
               VALUES %s ON CONFLICT (box_id, uid) DO NOTHING RETURNING uid""",
            rows,
            template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s)",
            page_size=len(rows),
            fetch=True,
        )
        self.invalidate_model()
        return {row[0] for row in inserted}

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
    def _auth_message(self, reason):
        """What a refused box is told: enough to fix its set-up, nothing about a secret."""
        return {
            "unknown_box": "no registered box has this serial",
            "bad_signature": "the signature does not match the body and timestamp",
            "bad_timestamp": "the timestamp header must be integer epoch seconds",
            "stale_timestamp": "the timestamp is older than the replay window: check the clock",
            "future_timestamp": "the timestamp is ahead of the server's clock: check the clock",
        }[reason]
