"""Pure tests of the box register's rules: serials, heartbeat bounds, silence and the replay
window, at both sides of every edge."""

from datetime import datetime, timedelta

import pytest
from core_facility_iot.rules import boxes as b
from core_facility_iot.rules.signing import DEFAULT_WINDOW_S

T0 = datetime(2041, 3, 6, 2, 0, 0)


@pytest.mark.parametrize("serial", ["SPIRIT-BOX-1", "a", "BOX.01_x", "9" * 64, "GW1-TEM-02"])
def test_serials_taken(serial):
    assert b.serial_ok(serial)


@pytest.mark.parametrize(
    "serial",
    ["", " BOX", "BOX 1", "BOX/1", "BOX+", "BOX#", "-BOX", "9" * 65, "生命科学楼", None, 12, "é1"],
)
def test_serials_refused(serial):
    assert not b.serial_ok(serial)


def test_heartbeat_bounds():
    assert b.heartbeat_ok(1) and b.heartbeat_ok(1440)
    assert not b.heartbeat_ok(0)
    assert not b.heartbeat_ok(1441)
    assert not b.heartbeat_ok(-5)
    assert not b.heartbeat_ok(True)
    assert not b.heartbeat_ok(5.0)


def test_silence_counts_from_the_later_of_last_seen_and_secret():
    early, late = T0, T0 + timedelta(hours=1)
    assert b.silence_reference(early, late) == late
    assert b.silence_reference(late, early) == late
    assert b.silence_reference(None, early) == early
    assert b.silence_reference(early, None) == early
    assert b.silence_reference(None, None) is None
    assert b.silence_reference(False, early) == early  # the ORM's empty datetime
    assert b.silence_reference(False, False) is None


def test_silent_after_twice_the_heartbeat_strictly():
    assert b.SILENCE_TOLERANCE == 2
    assert b.silent_since(5) == timedelta(minutes=10)
    assert not b.is_silent(T0, None, 5, T0 + timedelta(minutes=10))
    assert b.is_silent(T0, None, 5, T0 + timedelta(minutes=10, seconds=1))
    # one missed heartbeat is tolerated
    assert not b.is_silent(T0, None, 5, T0 + timedelta(minutes=6))


def test_never_seen_counts_from_the_secret_and_without_either_is_not_monitored():
    assert not b.is_silent(None, T0, 5, T0 + timedelta(minutes=10))
    assert b.is_silent(None, T0, 5, T0 + timedelta(minutes=11))
    assert not b.is_silent(None, None, 5, T0 + timedelta(days=300))


def test_a_new_secret_restarts_the_count():
    seen = T0
    rotated = T0 + timedelta(hours=2)
    assert not b.is_silent(seen, rotated, 5, rotated + timedelta(minutes=9))
    assert b.is_silent(seen, rotated, 5, rotated + timedelta(minutes=11))


@pytest.mark.parametrize(
    ("stored", "window"),
    [
        (None, DEFAULT_WINDOW_S),
        ("", DEFAULT_WINDOW_S),
        ("abc", DEFAULT_WINDOW_S),
        ("-5", DEFAULT_WINDOW_S),
        ("1.5", DEFAULT_WINDOW_S),
        ("１２０", DEFAULT_WINDOW_S),  # full-width digits are not a setting
        (True, DEFAULT_WINDOW_S),
        ("300", 300),
        (" 120 ", 120),
        (30, 30),
        ("29", 30),
        (0, 30),
        ("3600", 3600),
        ("3601", 3600),
        (10**9, 3600),
    ],
)
def test_replay_window_from_the_stored_setting(stored, window):
    assert b.replay_window(stored) == window


def test_replay_window_bounds_for_the_settings_form():
    assert b.replay_window_ok(30) and b.replay_window_ok(3600) and b.replay_window_ok(300)
    assert not b.replay_window_ok(29)
    assert not b.replay_window_ok(3601)
    assert not b.replay_window_ok(False)
    assert not b.replay_window_ok("300")
