"""Pure tests of session building: order, duplicates, missing ends, the heartbeat edge."""

import random
from datetime import datetime, timedelta

from core_facility_iot.rules import sessions as se
from core_facility_iot.rules.codes import EventType, SessionEnd, SessionKind
from core_facility_iot.rules.events import Event

T0 = datetime(2025, 12, 10, 1, 0)
TIMEOUT = 600  # 10 minutes
LOGIN, LOGOUT = EventType.PC_LOGIN, EventType.PC_LOGOUT
ON, OFF, HB = EventType.POWER_ON, EventType.POWER_OFF, EventType.HEARTBEAT


def e(event_id, kind, minutes):
    return Event(event_id, kind, T0 + timedelta(minutes=minutes))


def at(minutes):
    return T0 + timedelta(minutes=minutes)


def run(events, now_min=1000):
    return se.assemble(events, TIMEOUT, at(now_min))


DAY = [
    e("1", ON, 0),
    e("2", LOGIN, 1),
    e("3", HB, 5),
    e("4", HB, 14),
    e("5", LOGOUT, 20),
    e("6", OFF, 22),
]


def test_a_plain_day():
    assert run(DAY) == [
        se.Session(SessionKind.POWER, at(0), at(22), SessionEnd.CLOSED, "1", "6"),
        se.Session(SessionKind.PC, at(1), at(20), SessionEnd.CLOSED, "2", "5"),
    ]
    assert run(DAY)[1].hours() == 19 / 60


def test_any_order_and_duplicates_give_the_same_sessions():
    expected = run(DAY)
    rng = random.Random(12)
    for _ in range(20):
        shuffled = DAY + rng.sample(DAY, 3)
        rng.shuffle(shuffled)
        assert run(shuffled) == expected


def test_a_stop_before_its_start_waits_for_it():
    stop_first = [e("5", LOGOUT, 20), e("4", HB, 14)]
    assert run(stop_first) == []
    assert se.orphan_stops(stop_first, TIMEOUT) == ["5"]
    both = [*stop_first, e("2", LOGIN, 12)]
    assert run(both) == [se.Session(SessionKind.PC, at(12), at(20), SessionEnd.CLOSED, "2", "5")]
    assert se.orphan_stops(both, TIMEOUT) == []


def test_missing_end_closes_at_last_sign_of_life_plus_timeout():
    events = [e("1", LOGIN, 0), e("2", HB, 5), e("3", EventType.CARD_SWIPE, 8)]
    # now - last sign of life == timeout: still open
    assert run(events, now_min=18) == [
        se.Session(SessionKind.PC, at(0), None, SessionEnd.OPEN, "1", None)
    ]
    # one second more: closed at last sign of life + timeout
    now = at(18) + timedelta(seconds=1)
    assert se.assemble(events, TIMEOUT, now) == [
        se.Session(SessionKind.PC, at(0), at(18), SessionEnd.HEARTBEAT_TIMEOUT, "1", None)
    ]
    assert run(events, now_min=18)[0].hours(now=at(18)) == 0.3
    assert run(events, now_min=18)[0].hours() == 0


def test_a_gap_longer_than_the_timeout_ends_the_session_in_the_stream():
    # the box died after 10 min and came back at 30: the re-login opens a new session
    events = [e("1", LOGIN, 0), e("2", HB, 10), e("3", LOGIN, 30), e("4", LOGOUT, 40)]
    assert run(events) == [
        se.Session(SessionKind.PC, at(0), at(20), SessionEnd.HEARTBEAT_TIMEOUT, "1", None),
        se.Session(SessionKind.PC, at(30), at(40), SessionEnd.CLOSED, "3", "4"),
    ]
    # a gap of exactly the timeout keeps it alive
    events = [e("1", LOGIN, 0), e("2", HB, 10), e("3", HB, 20), e("4", LOGOUT, 30)]
    assert run(events) == [se.Session(SessionKind.PC, at(0), at(30), SessionEnd.CLOSED, "1", "4")]
    # one second more: closed, and the late logout is an orphan
    late = [e("1", LOGIN, 0), Event("4", LOGOUT, at(10) + timedelta(seconds=1))]
    assert run(late) == [
        se.Session(SessionKind.PC, at(0), at(10), SessionEnd.HEARTBEAT_TIMEOUT, "1", None)
    ]
    assert se.orphan_stops(late, TIMEOUT) == ["4"]


def test_a_repeated_start_is_ignored():
    events = [e("1", LOGIN, 0), e("2", LOGIN, 5), e("3", LOGOUT, 9), e("4", LOGOUT, 9.5)]
    assert run(events) == [se.Session(SessionKind.PC, at(0), at(9), SessionEnd.CLOSED, "1", "3")]
    assert se.orphan_stops(events, TIMEOUT) == ["4"]


def test_kinds_are_independent_and_may_overlap():
    events = [e("1", ON, 0), e("2", LOGIN, 2), e("3", OFF, 5), e("4", LOGOUT, 8)]
    assert [(s.kind, s.start_event_id, s.stop_event_id) for s in run(events)] == [
        (SessionKind.POWER, "1", "3"),
        (SessionKind.PC, "2", "4"),
    ]


def test_same_timestamp_is_ordered_by_id():
    assert run([e("a", LOGIN, 0), e("b", LOGOUT, 0)]) == [
        se.Session(SessionKind.PC, at(0), at(0), SessionEnd.CLOSED, "a", "b")
    ]
    # the stop sorts first: it is an orphan, the login stays open until the timeout
    assert run([e("b", LOGIN, 0), e("a", LOGOUT, 0)], now_min=5) == [
        se.Session(SessionKind.PC, at(0), None, SessionEnd.OPEN, "b", None)
    ]


def test_the_same_id_twice_keeps_the_first_in_time():
    events = [e("1", LOGIN, 0), e("2", LOGOUT, 5), e("2", LOGOUT, 7)]
    assert run(events)[0].stop == at(5)


def test_idempotent_and_empty():
    assert run([]) == []
    assert run(DAY) == run(DAY) == run(list(reversed(DAY)))


def test_a_login_of_another_person_ends_the_open_session():
    """A lost logout while the box keeps beating: the next user's login ends the first user's
    session at that login, and their time is their own."""
    events = [
        Event("1", LOGIN, at(0), user="alice"),
        *[e(f"h{m}", HB, m) for m in range(5, 60, 5)],
        Event("2", LOGIN, at(30), card="04B1"),
        e("3", LOGOUT, 58),
    ]
    assert run(events) == [
        se.Session(SessionKind.PC, at(0), at(30), SessionEnd.SUPERSEDED, "1", None),
        se.Session(SessionKind.PC, at(30), at(58), SessionEnd.CLOSED, "2", "3"),
    ]
    assert se.orphan_stops(events, TIMEOUT) == []
    # the caller's identities decide (a login and a card of one user are one person)
    same = {"1": ("user", 7), "2": ("user", 7)}
    assert se.assemble(events, TIMEOUT, at(1000), same) == [
        se.Session(SessionKind.PC, at(0), at(58), SessionEnd.CLOSED, "1", "3")
    ]


def test_the_same_person_or_nobody_named_repeats_a_login():
    for first, second in (("alice", "alice"), (None, "alice"), ("alice", None), (None, None)):
        events = [
            Event("1", LOGIN, at(0), user=first),
            Event("2", LOGIN, at(5), user=second),
            e("3", LOGOUT, 9),
        ]
        assert run(events) == [
            se.Session(SessionKind.PC, at(0), at(9), SessionEnd.CLOSED, "1", "3")
        ], (first, second)
    # any order of arrival gives the same sessions
    events = [
        Event("1", LOGIN, at(0), user="alice"),
        Event("2", LOGIN, at(5), user="bob"),
        e("3", LOGOUT, 9),
    ]
    rng = random.Random(3)
    expected = run(events)
    for _ in range(10):
        assert run(rng.sample(events, len(events))) == expected


def test_new_events_bound_what_a_batch_added():
    t = [datetime(2041, 3, 6, 1, m) for m in range(6)]
    events = [
        Event("b", EventType.HEARTBEAT, t[1]),
        Event("a", EventType.PC_LOGIN, t[3]),
        Event("c", EventType.HEARTBEAT, t[4]),
        Event("d", EventType.PC_LOGOUT, t[2]),
    ]
    assert se.NewEvents.of(events) == se.NewEvents(t[2], t[1], t[4])
    assert se.NewEvents.of([Event("h", EventType.HEARTBEAT, t[0])]) == se.NewEvents(
        None, t[0], t[0]
    )
    assert se.NewEvents.of([]) == se.NewEvents()
