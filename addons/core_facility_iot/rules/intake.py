"""The intake's own rules around a box's batch: decoding the body, what PostgreSQL can store,
the verdict of each event once the rows are inserted, and the answer a box reads.

``events.validate_batch`` says whether each event is well formed; this module adds what only the
intake knows:

* ``decode_body`` parses the exact bytes strictly: UTF-8, standard JSON (no ``NaN`` or
  ``Infinity``, which PostgreSQL's ``jsonb`` refuses), a bounded nesting depth. The error message
  is the parser's, for the box (``malformed_json``).
* ``unstorable(value)``: an event whose strings (keys included) hold a NUL character or a lone
  surrogate cannot be stored in PostgreSQL (``text`` and ``jsonb`` refuse both); it is rejected
  with ``bad_text`` and kept in the quarantine with those characters escaped (``storable_text``).
  ``non_finite(value)``: standard JSON may write a number no float holds (``1e400``): Python reads
  it as infinity, which ``jsonb`` refuses; such an event is rejected with ``bad_payload``
  (``unstorable_reason`` gives the reason of either). The intake checks both *before* its insert,
  so that the insert cannot fail on what a box sent (nor log it).
* ``kept_body``: what the quarantine keeps of a refused body. A body refused before its box was
  authenticated (401, 413, a malformed MQTT payload...) could come from anyone: only its first
  ``UNAUTHENTICATED_KEEP_BYTES`` (16 KiB) are kept, with its size and SHA-256; an authenticated
  box's body is kept whole.
* ``classify`` gives each event of a batch its outcome from what the insert reported: the first
  valid occurrence of an id that the insert took is ``accepted``; an id already stored (by an
  earlier batch, a concurrent one, or earlier in this batch) is a ``duplicate`` when it is the same
  event (type, time, card, login), and ``rejected`` with ``id_conflict`` when the box reused the
  id for a different event: the second event is not silently dropped, it goes to the quarantine.
* ``answer`` is the 200 body: ``{"box", "received_at", "results", "accepted", "duplicate",
  "rejected"}``; each result is ``{"index", "id", "outcome"}`` plus ``"reason"`` when rejected.

Standard library only, no Odoo import.
"""

import hashlib
import json
import math
import re
from datetime import UTC
from enum import StrEnum

from .codes import EventOutcome, RejectReason
from .events import MAX_ID

MAX_BODY_BYTES = 1024 * 1024  # a batch of 500 events of 2 KB each still fits
MAX_DEPTH = 64  # nesting of a body: more is not a box's batch
# what the quarantine keeps of a body refused before its box was authenticated (anyone may send
# one): its start, its size and its hash; an authenticated box's refused body is kept whole
UNAUTHENTICATED_KEEP_BYTES = 16 * 1024
# what a box (and a log reader) is told of a failure of the server (HTTP 500 ``internal``)
INTERNAL_MESSAGE = "the server could not take the request; send it again later"


class IntakeReason(StrEnum):
    """Reasons of the intake beyond ``events.validate_event`` (per event, in the answer)."""

    ID_CONFLICT = "id_conflict"  # the box already sent a different event with this id
    BAD_TEXT = "bad_text"  # a NUL character or a lone surrogate: PostgreSQL cannot store it


class IntakeError(StrEnum):
    """Errors of a whole request beyond :class:`~.codes.BatchError` and ``AuthReason``."""

    INTERNAL = "internal"  # HTTP 500: the server failed; the body is kept, the box sends it again
    METHOD_NOT_ALLOWED = "method_not_allowed"  # HTTP 405
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"  # HTTP 415: a form, not a JSON body


class QuarantineKind(StrEnum):
    """What a quarantined body is: a whole request refused, or one event of a taken batch."""

    REQUEST = "request"
    EVENT = "event"


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def _depth(value, limit):
    """Whether ``value`` nests deeper than ``limit`` (iteratively: no recursion limit hit)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def decode_body(body):
    """``(value, None)`` for a UTF-8 JSON body, else ``(None, message)`` with the parse error."""
    try:
        text = bytes(body).decode("utf-8")
    except UnicodeDecodeError as error:
        return None, f"the body is not UTF-8: {error}"[:300]
    return decode_text(text)


def decode_text(text):
    """``(value, None)`` for a JSON text, else ``(None, message)``."""
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        return None, f"the JSON nests deeper than {MAX_DEPTH} levels"
    except ValueError as error:
        return None, str(error)[:300]
    if _depth(value, MAX_DEPTH):
        return None, f"the JSON nests deeper than {MAX_DEPTH} levels"
    return value, None


_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")


def _bad_char(text):
    """A NUL or a lone surrogate (one regular-expression scan: every string of every event
    passes here)."""
    return _BAD_CHAR.search(text) is not None


def unstorable(value):
    """Whether any string of ``value`` (dict keys included) holds a NUL or a lone surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _bad_char(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def non_finite(value):
    """Whether ``value`` holds a float that is not finite (infinity or NaN): what JSON's
    ``1e400`` becomes in Python, and what PostgreSQL's ``jsonb`` cannot store."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def unstorable_reason(value):
    """Why an event (its raw object) cannot be stored as it is: ``bad_text`` (a NUL or a lone
    surrogate in a string), ``bad_payload`` (a number out of a float's range, anywhere in the
    event), else None."""
    if unstorable(value):
        return IntakeReason.BAD_TEXT
    if non_finite(value):
        return RejectReason.BAD_PAYLOAD
    return None


def kept_body(body, authenticated):
    """``(bytes to keep, size, sha256 hex)`` of a refused body: the whole body of an
    authenticated box, else its first ``UNAUTHENTICATED_KEEP_BYTES``; the size and the hash are
    always those of the whole body (a body sent again is counted, however long)."""
    body = bytes(body)
    kept = body if authenticated else body[:UNAUTHENTICATED_KEEP_BYTES]
    return kept, len(body), body_hash(body)


def storable_text(text):
    """``text`` with NUL characters and lone surrogates written as JSON escapes (``\\u0000``)."""
    if not _bad_char(text):
        return text
    return "".join(
        f"\\u{ord(char):04x}" if char == "\x00" or "\ud800" <= char <= "\udfff" else char
        for char in text
    )


def body_text(body):
    """The text to keep of a refused body (bytes): UTF-8, invalid bytes as ``\\xNN`` escapes."""
    return storable_text(bytes(body).decode("utf-8", errors="backslashreplace"))


def body_hash(body):
    """SHA-256 (hex) of the exact bytes: the quarantine counts a body sent again."""
    return hashlib.sha256(bytes(body)).hexdigest()


def event_text(raw):
    """A rejected event as it is kept (and replayed): its JSON, readable (not ASCII-escaped)."""
    try:
        return storable_text(json.dumps(raw, ensure_ascii=False))
    except (TypeError, ValueError):
        return storable_text(repr(raw))


def raw_id(raw):
    """The id a rejected item claimed, for the answer: a string (cut to 64), else None."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return storable_text(raw["id"][:MAX_ID])
    return None


def fingerprint(event_type, ts, card=None, login=None):
    """What makes two events with the same id the same event (a re-sent one)."""
    return (str(event_type), ts.replace(microsecond=0), card or None, login or None)


def classify(verdicts, inserted, stored):
    """The outcome of each item of a batch: ``[(index, id, outcome, reason), ...]``.

    ``verdicts`` are ``validate_batch``'s ``(index, Event | None, reason)`` (the intake may have
    replaced some by its own rejections); ``inserted`` the ids this batch's insert stored;
    ``stored`` the fingerprints of the ids it did not store (already there)."""
    first = {}  # id -> fingerprint of its first valid occurrence in the batch
    out = []
    for index, event, reason in verdicts:
        if event is None:
            out.append((index, None, EventOutcome.REJECTED, reason))
            continue
        mark = fingerprint(event.type, event.ts, event.card, event.user)
        if event.id not in first:
            first[event.id] = mark
            if event.id in inserted:
                out.append((index, event.id, EventOutcome.ACCEPTED, None))
                continue
        reference = stored.get(event.id, first[event.id])
        if mark == reference:
            out.append((index, event.id, EventOutcome.DUPLICATE, None))
        else:
            out.append((index, event.id, EventOutcome.REJECTED, IntakeReason.ID_CONFLICT))
    return out


def iso_utc(moment):
    """``2041-03-06T02:00:00Z`` of a naive UTC datetime."""
    return moment.replace(microsecond=0, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def answer(serial, results, received_at, ids=None):
    """The 200 answer of a batch; ``ids`` gives the claimed ids of rejected items by index."""
    ids = ids or {}
    counts = dict.fromkeys(EventOutcome, 0)
    items = []
    for index, event_id, outcome, reason in results:
        counts[outcome] += 1
        item = {"index": index, "id": event_id if event_id is not None else ids.get(index)}
        item["outcome"] = str(outcome)
        if reason is not None:
            item["reason"] = str(reason)
        items.append(item)
    return {
        "box": serial,
        "received_at": iso_utc(received_at),
        "results": items,
        **{str(outcome): count for outcome, count in counts.items()},
    }
