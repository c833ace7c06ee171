"""Validation of the events a box posts, one by one and as a batch.

An event is a JSON object::

    {"id": "b12-000042",            # the box's own event id: 1-64 printable characters
     "type": "pc_login",            # an EventType
     "ts": "2025-12-10T09:00:05+08:00",   # ISO 8601 *with* an offset, or integer epoch seconds
     "card": "04A1B2C3",            # optional: the card read (normalised: stripped, upper case)
     "user": "zhangsan",            # optional: the login typed on the instrument PC
     "snapshot": "cam1/2025/12/10/090005.jpg",  # optional: a camera snapshot reference
     "payload": {"watts": 412.5}}   # optional: anything else, an object of at most 4 KB of JSON

Edges, each tested on both sides:

* ``id`` must be a string (a number is refused: ``1`` and ``"1"`` would otherwise collide), of 1
  to 64 printable characters without leading or trailing white space. Ids are unique per box, not
  globally: the intake's unique key is (box, id).
* ``ts`` with an offset is converted to naive UTC (the ORM's datetimes); a string without an
  offset is refused (``bad_time``): a box's local time is ambiguous. Epoch seconds may be an int or
  a finite float (not a bool). Unparseable or out-of-range times are ``bad_time``; later than
  ``now + max_future_s`` is ``future_time`` (exactly ``max_future_s`` is taken); older than
  ``now - max_age_days`` is ``too_old`` (exactly ``max_age_days`` is taken).
* Unknown keys are ignored (a newer firmware may send more); the ORM keeps the raw body anyway.
* The first failing check gives the reason, in the order: object, id, type, time, card, user,
  snapshot, payload.

``validate_batch`` takes the decoded body: a list of events, or an object whose ``events`` is that
list. A body that is neither, or holds more than ``MAX_BATCH`` events, raises :class:`BatchRefused`
(HTTP 400, the body goes whole to the quarantine); otherwise every item gets its own verdict and a
bad item never spoils the others. Duplicate ids inside one batch are both returned valid: the
unique key makes the second a duplicate, exactly as across batches.
"""

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .codes import BatchError, EventType, RejectReason

MAX_BATCH = 500
MAX_ID = 64
MAX_CARD = 64
MAX_USER = 64
MAX_SNAPSHOT = 512
MAX_PAYLOAD_BYTES = 4096
DEFAULT_MAX_AGE_DAYS = 90  # a box offline for a term still delivers, older is suspicious
DEFAULT_MAX_FUTURE_S = 300  # the clock skew tolerated, as for the request timestamp
_TYPES = frozenset(t.value for t in EventType)


class BatchRefused(ValueError):
    """A whole batch refused; ``code`` is a :class:`BatchError`, the message says why."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Event:
    id: str
    type: EventType
    ts: datetime  # naive UTC
    card: str | None = None
    user: str | None = None
    snapshot: str | None = None
    payload: dict = field(default_factory=dict, hash=False)


def _short_text(value, limit):
    """``value`` when it is a non-empty printable string of at most ``limit`` characters without
    surrounding white space, else None."""
    if not isinstance(value, str) or not 1 <= len(value) <= limit:
        return None
    if not value.isprintable() or value != value.strip():
        return None
    return value


def normalize_card(card):
    """A card number as stored on the user and in the allow-list: stripped, upper case (readers
    print hex UIDs in either case). None for anything that is not a usable card number."""
    if not isinstance(card, str):
        return None
    return _short_text(card.strip().upper(), MAX_CARD)


def parse_time(value):
    """Naive UTC datetime from ISO 8601 with an offset or from epoch seconds, else None."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            if not math.isfinite(value):
                return None
            return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)
        if isinstance(value, str) and len(value) <= 40:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                return None
            return parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def validate_event(raw, now, max_age_days=DEFAULT_MAX_AGE_DAYS, max_future_s=DEFAULT_MAX_FUTURE_S):
    """``(Event, None)`` for a valid event, ``(None, RejectReason)`` otherwise; ``now`` is naive
    UTC."""
    if not isinstance(raw, dict):
        return None, RejectReason.NOT_AN_OBJECT
    event_id = _short_text(raw.get("id"), MAX_ID)
    if event_id is None:
        return None, RejectReason.BAD_ID
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in _TYPES:
        return None, RejectReason.UNKNOWN_TYPE
    ts = parse_time(raw.get("ts"))
    if ts is None:
        return None, RejectReason.BAD_TIME
    if ts > now + timedelta(seconds=max_future_s):
        return None, RejectReason.FUTURE_TIME
    if ts < now - timedelta(days=max_age_days):
        return None, RejectReason.TOO_OLD
    card = raw.get("card")
    if card is not None:
        card = normalize_card(card)
        if card is None:
            return None, RejectReason.BAD_CARD
    user = raw.get("user")
    if user is not None and _short_text(user, MAX_USER) is None:
        return None, RejectReason.BAD_USER
    snapshot = raw.get("snapshot")
    if snapshot is not None and _short_text(snapshot, MAX_SNAPSHOT) is None:
        return None, RejectReason.BAD_SNAPSHOT
    payload = raw.get("payload", {})
    if payload is None:
        payload = {}
    if not isinstance(payload, dict) or _json_size(payload) > MAX_PAYLOAD_BYTES:
        return None, RejectReason.BAD_PAYLOAD
    event = Event(event_id, EventType(kind), ts, card, user, snapshot, payload)
    return event, None


def _json_size(payload):
    try:
        return len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())
    except (TypeError, ValueError):
        return MAX_PAYLOAD_BYTES + 1


def validate_batch(
    body_obj, now, max_age_days=DEFAULT_MAX_AGE_DAYS, max_future_s=DEFAULT_MAX_FUTURE_S
):
    """``[(index, Event | None, RejectReason | None), ...]`` for every item of the batch, in
    order; raises :class:`BatchRefused` for a body that is not a list of at most ``MAX_BATCH``."""
    items = body_obj.get("events") if isinstance(body_obj, dict) else body_obj
    if not isinstance(items, list):
        raise BatchRefused(
            BatchError.NOT_A_LIST, 'the body must be a list of events or {"events": [...]}'
        )
    if len(items) > MAX_BATCH:
        raise BatchRefused(
            BatchError.TOO_MANY, f"{len(items)} events in one batch, at most {MAX_BATCH}"
        )
    out = []
    for index, raw in enumerate(items):
        event, reason = validate_event(raw, now, max_age_days, max_future_s)
        out.append((index, event, reason))
    return out
