"""Machine time around the sessions: who used the instrument, which sessions drive bookings, what
an unbooked use leads to, the fail mode in the allow-list, a month in the instrument's zone and
the manual usage ledger's limits. Plain values in and out, standard library only.

* ``heartbeat_timeout_s(heartbeat_minutes)`` — the one definition of a box's heartbeat timeout
  (two intervals), for the sessions and the box's silence alike.
* ``driving_kind(control_pc)`` — the one kind of session that is matched to bookings (and can be
  unbooked use): PC sessions when the box controls the PC (the PC session is the use; the power
  may stay on between users), else power sessions. The other kind is measured, never matched, so
  that one use is never counted twice.
* ``session_user(start_user, swipes, start)`` — the user of a session: its start event's (card or
  PC login), else the user of the last card swipe on the box at most ``SWIPE_LOOKBACK`` before
  the start (inclusive both ends), else None.
* ``start_identity(user_id, card, login)`` — who a start event names, for
  ``sessions.assemble``: the user the intake found for its card or login, else the card, else
  the login, else None (a login of another person ends an open session whose logout was lost).
* ``unbooked_consequences(walk_in_use)`` — ``(violation, charge)`` of a closed session without a
  booking, for a known user and group: always charged (walk-in rate, billing permitting), a
  violation unless the instrument is log-only with walk-in use (a legitimate walk-in).
* ``unbooked_keys(serial, kind, start_event_id)`` — ``(violation source key, billing source)``
  of an unbooked use: the violation is recorded under ``iot:<serial>:<kind>:<start event id>``;
  billing's ``charge_unbooked_use`` adds its ``iot`` prefix itself, so it is given the rest and
  its line's ``origin_key`` is the same text.
* ``early_start(session_start, booking_start, allowance)`` — the moment a booking can be started
  for a session beginning at ``session_start``: the session's start, or the earliest moment the
  booking allows (``booking_start - allowance``) when the login was earlier; and whether it was
  clamped.
* ``with_fail_mode(payload, fail_mode)`` / ``fail_mode_of(payload)`` — the allow-list document
  (``allowlist.build``) carries the instrument's fail mode, signed with the rest, so that a box
  knows what to do once its list has expired: canonical JSON again, the other keys unchanged
  (``allowlist.parse_allow_list`` ignores the extra key). A document without one is read as
  ``closed``: a box never opens on a guess.
* ``month_bounds(month, tz)`` — ``[start, stop)`` in naive UTC of a calendar month in a zone.
* ``clipped_hours(intervals, start, stop)`` — hours of ``[a, b)`` intervals inside the window.
* ``log_problem(start, stop, max_hours)`` — why a manual usage entry is refused, or None.
"""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from . import boxes
from .codes import FailMode, SessionKind

SWIPE_LOOKBACK = timedelta(minutes=10)
# the 400 answer to an access question that is not one ({"card": ...} or {"user": ...})
BAD_QUESTION = "bad_question"
MAX_LOG_HOURS = 24
# the prefix of the keys of what a box's measurement records elsewhere (violations, charges)
SOURCE_PREFIX = "iot"


def heartbeat_timeout_s(heartbeat_minutes):
    """Seconds without any sign of life after which a box's open session ends: the time after
    which the box counts as silent (``boxes.silent_since``), so that one lost heartbeat ends
    nothing and a session never outlives its box's silence."""
    return int(boxes.silent_since(int(heartbeat_minutes or 0)).total_seconds())


def driving_kind(control_pc):
    """The session kind matched to bookings on a box (:class:`SessionKind`)."""
    return SessionKind.PC if control_pc else SessionKind.POWER


def session_user(start_user, swipes, start, lookback=SWIPE_LOOKBACK):
    """The user of a session starting at ``start``: ``start_user`` if any, else the user of
    the latest ``(ts, user)`` swipe with ``start - lookback <= ts <= start``, else None."""
    if start_user:
        return start_user
    best = None
    for ts, user in swipes:
        if user and start - lookback <= ts <= start and (best is None or ts >= best[0]):
            best = (ts, user)
    return best[1] if best else None


def start_identity(user_id, card, login):
    """Who an event names (see the module doc): a hashable value, or None."""
    if user_id:
        return ("user", user_id)
    if card:
        return ("card", card)
    if login:
        return ("login", login)
    return None


def unbooked_consequences(walk_in_use):
    """``(record a violation, charge the use)`` of an unbooked use by a known user and group."""
    return (not walk_in_use, True)


def unbooked_keys(serial, kind, start_event_id):
    """``(violation source key, billing source)`` of an unbooked use (see the module doc)."""
    source = f"{serial}:{kind}:{start_event_id}"
    return f"{SOURCE_PREFIX}:{source}", source


def early_start(session_start, booking_start, allowance):
    """``(moment to start the booking at, whether it was clamped)``."""
    earliest = booking_start - allowance
    if session_start < earliest:
        return earliest, True
    return session_start, False


def with_fail_mode(payload, fail_mode):
    """The allow-list document ``payload`` (canonical JSON bytes) with ``"fail_mode"``."""
    document = json.loads(payload)
    document["fail_mode"] = str(FailMode(fail_mode))
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fail_mode_of(payload):
    """The :class:`FailMode` a verified allow-list document names (``closed`` when none)."""
    try:
        return FailMode(json.loads(payload).get("fail_mode"))
    except (ValueError, TypeError, AttributeError):
        return FailMode.CLOSED


def month_bounds(month, tz):
    """``(start, stop)`` naive UTC of the month of ``month`` (a date) in zone ``tz`` (a name)."""
    zone = ZoneInfo(tz)
    first = date(month.year, month.month, 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)

    def utc(day):
        local = datetime(day.year, day.month, day.day, tzinfo=zone)
        return local.astimezone(UTC).replace(tzinfo=None)

    return utc(first), utc(following)


def clipped_hours(intervals, start, stop):
    """Hours of the ``(a, b)`` intervals (``b`` may be None: counted as empty) within
    ``[start, stop)``."""
    seconds = 0.0
    for a, b in intervals:
        if b is None:
            continue
        seconds += max((min(b, stop) - max(a, start)).total_seconds(), 0)
    return seconds / 3600


def log_problem(start, stop, max_hours=MAX_LOG_HOURS):
    """``"order"`` (the end is not after the start), ``"too_long"`` (more than ``max_hours``;
    exactly is taken) or None."""
    if not (start and stop) or stop <= start:
        return "order"
    if stop - start > timedelta(hours=max_hours):
        return "too_long"
    return None
