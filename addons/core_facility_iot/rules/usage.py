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
* ``heard_past(moment, last_event_ts, now, settle_delay)`` / ``session_settled(...)`` /
  ``booking_finishable(...)`` — when the measured time is *final*, so that its consequences
  (finishing the booking, the unbooked use's violation and charge) may be recorded. A box
  buffers its events while offline and sends them in order once back: what it measured up to a
  moment is final once it has reported an event at or after that moment, or once
  ``settle_delay`` has passed since (a box that never comes back). A session closed by its stop
  event or by the next user's login is final; one ended by heartbeat timeout is final once the
  box is heard past its end; an open one never. A running booking is finished once its time is
  over, it has sessions, all final, and the box is heard past the booking's end: a booking's
  time being over is not enough while its box is silent.
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
from .codes import FailMode, SessionEnd, SessionKind

SWIPE_LOOKBACK = timedelta(minutes=10)
# the 400 answer to an access question that is not one ({"card": ...} or {"user": ...})
BAD_QUESTION = "bad_question"
MAX_LOG_HOURS = 24
# a silent box's measurement counts as final this long after the moment in question
DEFAULT_SETTLE_HOURS = 24
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


def heard_past(moment, last_event_ts, now, settle_delay):
    """Whether the box's measurement up to ``moment`` is final (see the module doc)."""
    if last_event_ts is not None and last_event_ts >= moment:
        return True
    return now >= moment + settle_delay


def session_settled(end_reason, stop, last_event_ts, now, settle_delay):
    """Whether a session's measured time is final (see the module doc)."""
    end_reason = SessionEnd(end_reason)
    if end_reason in (SessionEnd.CLOSED, SessionEnd.SUPERSEDED):
        return True
    if end_reason == SessionEnd.HEARTBEAT_TIMEOUT and stop:
        return heard_past(stop, last_event_ts, now, settle_delay)
    return False


def booking_finishable(booking_stop, sessions, now, settle_delay):
    """Whether a running booking ending at ``booking_stop`` is finished now: ``sessions`` are
    ``(end_reason, stop, last event time of its box)`` of the booking's sessions."""
    if not sessions or booking_stop > now:
        return False
    return all(
        session_settled(reason, stop, last, now, settle_delay)
        and heard_past(booking_stop, last, now, settle_delay)
        for reason, stop, last in sessions
    )


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
