"""Pure tests of the machine-time helpers: session user, driving kind, unbooked consequences,
early start, the fail mode in the allow-list, months in a zone, clipped hours, manual entries."""

import json
from datetime import date, datetime, timedelta

from core_facility_iot.rules import allowlist as al
from core_facility_iot.rules import signing
from core_facility_iot.rules import usage as u
from core_facility_iot.rules.codes import FailMode, SessionEnd, SessionKind

T = datetime(2041, 3, 6, 2, 0, 0)


def m(n):
    return T + timedelta(minutes=n)


def test_heartbeat_timeout_is_two_intervals():
    assert u.heartbeat_timeout_s(5) == 600
    assert u.heartbeat_timeout_s(0) == 0


def test_unbooked_keys_carry_one_iot_prefix():
    violation, charge = u.unbooked_keys("SPIRIT-BOX-1", SessionKind.PC, "L1")
    assert violation == "iot:SPIRIT-BOX-1:pc:L1"
    # billing's charge_unbooked_use prefixes "iot:" itself: the line's key is the violation's
    assert charge == "SPIRIT-BOX-1:pc:L1"
    assert f"iot:{charge}" == violation


def test_start_identity_prefers_the_user_found():
    assert u.start_identity(7, "04A1", "alice") == ("user", 7)
    assert u.start_identity(None, "04A1", "alice") == ("card", "04A1")
    assert u.start_identity(False, None, "alice") == ("login", "alice")
    assert u.start_identity(None, None, None) is None


DAY = timedelta(hours=24)


def test_heard_past_a_moment():
    # the box reported an event at or after the moment: what it measured before is in
    assert u.heard_past(m(30), m(30), m(31), DAY)
    assert u.heard_past(m(30), m(45), m(46), DAY)
    assert not u.heard_past(m(30), m(29), m(600), DAY)
    assert not u.heard_past(m(30), None, m(600), DAY)
    # a box that never comes back: final once the delay has passed (exactly is final)
    assert u.heard_past(m(30), m(29), m(30) + DAY, DAY)
    assert not u.heard_past(m(30), m(29), m(30) + DAY - timedelta(seconds=1), DAY)


def test_session_settled():
    for reason in (SessionEnd.CLOSED, SessionEnd.SUPERSEDED):
        assert u.session_settled(reason, m(30), None, m(31), DAY)
    assert not u.session_settled(SessionEnd.OPEN, None, m(60), m(61), DAY)
    timeout = SessionEnd.HEARTBEAT_TIMEOUT
    # ended by the cron while the box is silent: not final until it is heard past the end
    assert not u.session_settled(timeout, m(30), m(20), m(300), DAY)
    assert u.session_settled(timeout, m(30), m(31), m(300), DAY)
    assert u.session_settled(timeout, m(30), m(20), m(30) + DAY, DAY)


def test_booking_finishable_only_once_the_box_is_heard_past_its_end():
    """Review finding 1: a booking from 0 to 180 whose box fell silent at 20 is not finished
    at 185 (its session ended by timeout at 30, the buffered rest has not arrived)."""
    timeout = SessionEnd.HEARTBEAT_TIMEOUT
    assert not u.booking_finishable(m(180), [(timeout, m(30), m(20))], m(185), DAY)
    # the buffered events arrive: closed at 178; final once the box is heard past 180
    assert not u.booking_finishable(m(180), [(SessionEnd.CLOSED, m(178), m(178))], m(190), DAY)
    assert u.booking_finishable(m(180), [(SessionEnd.CLOSED, m(178), m(183))], m(190), DAY)
    # a box that never comes back: after the delay the booking ends at what was measured
    assert u.booking_finishable(m(180), [(timeout, m(30), m(20))], m(180) + DAY, DAY)
    # not before its time, not while a session runs, not without sessions
    assert not u.booking_finishable(m(180), [(SessionEnd.CLOSED, m(60), m(200))], m(179), DAY)
    assert not u.booking_finishable(m(180), [(SessionEnd.OPEN, None, m(200))], m(200), DAY)
    assert not u.booking_finishable(m(180), [], m(200), DAY)
    closed = (SessionEnd.CLOSED, m(60), m(200))
    assert not u.booking_finishable(m(180), [closed, (timeout, m(90), m(80))], m(200), DAY)


def test_driving_kind():
    assert u.driving_kind(True) == SessionKind.PC
    assert u.driving_kind(False) == SessionKind.POWER


def test_session_user_prefers_the_start_event():
    assert u.session_user(7, [(m(-1), 8)], T) == 7


def test_session_user_last_swipe_within_ten_minutes_both_ends():
    swipes = [(m(-10), 1), (m(-5), 2), (m(0), 3), (m(1), 4)]
    assert u.session_user(None, swipes, T) == 3  # at the start itself, the later one
    assert u.session_user(None, swipes[:1], T) == 1  # exactly 10 minutes before: taken
    assert u.session_user(None, [(m(-10) - timedelta(seconds=1), 1)], T) is None
    assert u.session_user(None, [(m(1), 4)], T) is None  # after the start: not the user
    assert u.session_user(None, [(m(-2), None)], T) is None  # an unknown card


def test_unbooked_consequences():
    assert u.unbooked_consequences(False) == (True, True)
    assert u.unbooked_consequences(True) == (False, True)


def test_early_start_both_sides():
    allowance = timedelta(minutes=15)
    assert u.early_start(m(-15), T, allowance) == (m(-15), False)
    assert u.early_start(m(-16), T, allowance) == (m(-15), True)
    assert u.early_start(m(5), T, allowance) == (m(5), False)


def test_fail_mode_travels_signed_in_the_allow_list():
    key = signing.secret_hash("s")
    payload = u.with_fail_mode(al.build([("04a1", m(0), m(60))], T), "open")
    assert b" " not in payload
    assert json.loads(payload)["fail_mode"] == "open"
    signature = al.sign_allow_list(key, payload)
    parsed = al.parse_allow_list(key, payload, signature)
    assert parsed.entries == (("04A1", m(0), m(60)),)
    assert u.fail_mode_of(payload) == FailMode.OPEN
    # canonical: the same facts give the same bytes
    assert payload == u.with_fail_mode(al.build([("04A1", m(0), m(60))], T), FailMode.OPEN)


def test_fail_mode_missing_or_bad_is_closed():
    assert u.fail_mode_of(al.build([], T)) == FailMode.CLOSED
    assert u.fail_mode_of(b'{"fail_mode": "ajar"}') == FailMode.CLOSED
    assert u.fail_mode_of(b"[]") == FailMode.CLOSED
    assert u.fail_mode_of(b"not json") == FailMode.CLOSED


def test_month_bounds_in_shanghai():
    start, stop = u.month_bounds(date(2041, 3, 15), "Asia/Shanghai")
    assert start == datetime(2041, 2, 28, 16, 0)
    assert stop == datetime(2041, 3, 31, 16, 0)
    start, stop = u.month_bounds(date(2041, 12, 1), "UTC")
    assert (start, stop) == (datetime(2041, 12, 1), datetime(2042, 1, 1))


def test_clipped_hours():
    window = (m(0), m(120))
    intervals = [(m(-60), m(30)), (m(60), m(180)), (m(10), None), (m(200), m(260))]
    assert u.clipped_hours(intervals, *window) == 1.5
    assert u.clipped_hours([], *window) == 0


def test_log_problem_edges():
    assert u.log_problem(T, T) == "order"
    assert u.log_problem(T, m(-1)) == "order"
    assert u.log_problem(T, None) == "order"
    assert u.log_problem(T, m(1)) is None
    assert u.log_problem(T, T + timedelta(hours=24)) is None
    assert u.log_problem(T, T + timedelta(hours=24, seconds=1)) == "too_long"
