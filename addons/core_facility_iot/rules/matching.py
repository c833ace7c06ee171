"""Matching a usage session to the booking it belongs to, and the times to record on it.

Bookings come as plain tuples ``(id, start, stop, operator_id, state)`` (naive UTC datetimes; the
state is a ``core_facility`` booking state value). Only bookings that hold their time are matched
(``MATCHED_STATES``: confirmed, in use, done; the same set as core_facility's ``ACTIVE_STATES``);
a requested, rejected, cancelled or no-show booking is ignored.

* ``match`` picks the booking overlapping the session most; ties go to the earliest start, then
  to the lowest id (deterministic). No overlap at all (touching ends do not overlap) → None: the
  session is *unbooked use*. An open session overlaps up to ``now`` (or is a point at its start
  without ``now``); a zero-length session matches a booking containing its instant
  (``start <= t < stop``).
* A session spanning two bookings is matched to one of them only; the other stays without actual
  times (its under-use is then what booking computes). The box does not know who is at the PC, so
  the operator does not decide the match; the ORM may check it and flag a mismatch.
* ``actual_times`` returns the measured session times unclipped: an early login is an early
  start and a late logout an overrun, which core_facility computes from the actual and booked
  times as it already does. An open session has no actual stop yet (None).
"""

from collections import namedtuple

Booking = namedtuple("Booking", "id start stop operator_id state")

MATCHED_STATES = frozenset({"confirmed", "in_use", "done"})


def overlap_hours(a_start, a_stop, b_start, b_stop):
    """Hours common to ``[a_start, a_stop)`` and ``[b_start, b_stop)``; 0 when disjoint."""
    seconds = (min(a_stop, b_stop) - max(a_start, b_start)).total_seconds()
    return max(seconds, 0) / 3600


def match(session, bookings, now=None):
    """The :class:`Booking` the session belongs to, or None for unbooked use."""
    stop = session.stop or now or session.start
    best, best_key = None, None
    for raw in bookings:
        booking = Booking(*raw)
        if booking.state not in MATCHED_STATES:
            continue
        if stop > session.start:
            hours = overlap_hours(session.start, stop, booking.start, booking.stop)
            if hours <= 0:
                continue
        elif booking.start <= session.start < booking.stop:
            hours = 0.0
        else:
            continue
        key = (-hours, booking.start, booking.id)
        if best_key is None or key < best_key:
            best, best_key = booking, key
    return best


def actual_times(session, booking):
    """``(actual_start, actual_stop)`` to write on the matched booking: the session's own
    times (``booking`` is taken for symmetry and must be the session's match)."""
    if booking is None:
        raise ValueError("an unbooked session has no booking to record actual times on")
    return session.start, session.stop
