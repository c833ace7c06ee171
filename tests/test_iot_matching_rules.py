"""Pure tests of matching sessions to bookings: most overlap, ties, states, unbooked use."""

from datetime import datetime, timedelta

import pytest
from core_facility_iot.rules import matching as m
from core_facility_iot.rules.codes import SessionEnd, SessionKind
from core_facility_iot.rules.sessions import Session

T0 = datetime(2025, 12, 10, 1, 0)


def at(hours):
    return T0 + timedelta(hours=hours)


def session(start, stop):
    end = SessionEnd.OPEN if stop is None else SessionEnd.CLOSED
    return Session(SessionKind.PC, at(start), stop and at(stop), end, "s", stop and "t")


def booking(bid, start, stop, state="confirmed", operator=7):
    return (bid, at(start), at(stop), operator, state)


def test_overlap_hours():
    assert m.overlap_hours(at(0), at(2), at(1), at(3)) == 1
    assert m.overlap_hours(at(0), at(1), at(1), at(2)) == 0  # touching
    assert m.overlap_hours(at(0), at(1), at(2), at(3)) == 0
    assert m.overlap_hours(at(0), at(4), at(1), at(2)) == 1


def test_most_overlap_wins():
    found = m.match(session(1, 3.5), [booking(1, 0, 2), booking(2, 2, 4)])
    assert found.id == 2


def test_tie_goes_to_the_earliest_start_then_lowest_id():
    assert m.match(session(1, 3), [booking(2, 2, 4), booking(1, 0, 2)]).id == 1
    assert m.match(session(1, 3), [booking(5, 0, 2), booking(4, 0, 2)]).id == 4


def test_no_overlap_is_unbooked_use():
    assert m.match(session(2, 3), [booking(1, 0, 2), booking(2, 3, 4)]) is None
    assert m.match(session(2, 3), []) is None


@pytest.mark.parametrize(
    ("state", "matched"),
    [
        ("confirmed", True),
        ("in_use", True),
        ("done", True),
        ("requested", False),
        ("cancelled", False),
        ("rejected", False),
        ("no_show", False),
    ],
)
def test_only_bookings_holding_their_time(state, matched):
    assert (m.match(session(0, 1), [booking(1, 0, 1, state)]) is not None) == matched


def test_open_session_overlaps_up_to_now():
    s = session(1, None)
    bookings = [booking(1, 0, 1.5), booking(2, 1.5, 4)]
    assert m.match(s, bookings, now=at(1.6)).id == 1
    assert m.match(s, bookings, now=at(3)).id == 2
    # without now: a point at its start
    assert m.match(s, bookings).id == 1
    assert m.match(session(1.5, None), bookings).id == 2  # start inclusive, stop exclusive


def test_zero_length_session():
    assert m.match(session(2, 2), [booking(1, 0, 2)]) is None
    assert m.match(session(2, 2), [booking(1, 2, 3)]).id == 1


def test_actual_times_are_the_measured_ones_unclipped():
    b = m.Booking(*booking(1, 1, 2))
    assert m.actual_times(session(0.5, 2.5), b) == (at(0.5), at(2.5))
    assert m.actual_times(session(1, None), b) == (at(1), None)
    with pytest.raises(ValueError):
        m.actual_times(session(0, 1), None)
