"""Pure tests of the box simulator's day (tools/sim.py): the events around each booking, the
heartbeats, nothing from the future, stable ids, and the batches a box posts."""

import itertools
import random
from collections import Counter
from datetime import datetime, timedelta

from core_facility_iot.rules import events as event_rules
from core_facility_iot.rules import signing
from core_facility_iot.tools import sim

KEY = signing.secret_hash("demo-SIM-1")
BOX = sim.SimBox("SIM-1", KEY, pc=True, power=True, door=True, heartbeat_minutes=5)
DAY = datetime(2026, 11, 30, 16, 0)  # Tuesday 00:00 in Shanghai, naive UTC
END = DAY + timedelta(days=1)
MORNING = sim.SimBooking(DAY + timedelta(hours=1), DAY + timedelta(hours=3), "lina", "04A1B2C3")
AFTERNOON = sim.SimBooking(DAY + timedelta(hours=6), DAY + timedelta(hours=8), "wangming")


def plan(bookings=(MORNING, AFTERNOON), seed=1, stop=END, **kwargs):
    kwargs.setdefault("no_show", 0.0)
    return sim.plan_day(BOX, DAY, stop, list(bookings), random.Random(seed), **kwargs)


def kinds(result, **match):
    return [
        event["type"]
        for _at, event in result.events
        if all(event.get(k) == v for k, v in match.items())
    ]


def test_every_event_is_valid_for_the_intake_and_sorted_by_time():
    result = plan(people=[("lina", "04A1B2C3")], unbooked=1.0)
    times = [at for at, _event in result.events]
    assert times == sorted(times)
    for at, event in result.events:
        valid, reason = event_rules.validate_event(event, END + timedelta(minutes=1))
        assert reason is None, (event, reason)
        assert valid.ts == at.replace(microsecond=0)


def test_a_booking_gives_card_door_power_login_then_logout_power_off():
    result = plan(bookings=[MORNING])
    assert kinds(result, card="04A1B2C3") == ["card_swipe", "door_open", "pc_login", "pc_logout"]
    sequence = [k for k in (e["type"] for _at, e in result.events) if k != "heartbeat"]
    assert sequence == ["card_swipe", "door_open", "power_on", "pc_login", "pc_logout", "power_off"]
    login = next(at for at, e in result.events if e["type"] == "pc_login")
    logout = next(at for at, e in result.events if e["type"] == "pc_logout")
    assert MORNING.start - timedelta(minutes=10) <= login <= MORNING.start + timedelta(minutes=18)
    assert logout > login
    assert result.sessions == 1


def test_user_without_card_logs_in_by_login_only():
    result = plan(bookings=[AFTERNOON])
    assert "card_swipe" not in kinds(result)
    assert kinds(result, user="wangming") == ["pc_login", "pc_logout"]


def test_session_ends_spread_near_the_end_early_and_overrun():
    ends = []
    for seed in range(200):
        result = plan(bookings=[MORNING], seed=seed)
        ends.append(next(at for at, e in result.events if e["type"] == "pc_logout"))
    near = sum(abs(at - MORNING.stop) <= timedelta(minutes=10) for at in ends)
    early = sum(at < MORNING.stop - timedelta(minutes=15) for at in ends)
    late = sum(at > MORNING.stop + timedelta(minutes=9) for at in ends)
    assert near > 100 and early > 20 and late > 15
    assert near + early + late == 200


def test_no_shows_leave_no_session():
    result = plan(bookings=[MORNING], no_show=1.0)
    assert result.no_shows == 1 and result.sessions == 0
    assert set(kinds(result)) == {"heartbeat"}


def test_heartbeats_every_interval_all_day_on_the_minute_grid():
    result = plan(bookings=[])
    beats = [at for at, e in result.events if e["type"] == "heartbeat"]
    assert len(beats) == 24 * 12 + 1  # both ends of the day included
    assert all((b - a) == timedelta(minutes=5) for a, b in itertools.pairwise(beats))
    later = sim.plan_day(BOX, DAY + timedelta(minutes=7), END, [], random.Random(1), day_start=DAY)
    assert later.events[0][0] == DAY + timedelta(minutes=10)  # the grid, not the window start


def test_nothing_after_now_and_a_booking_in_progress_is_in_use():
    now = MORNING.start + timedelta(hours=1)
    result = plan(bookings=[MORNING], stop=now)
    assert max(at for at, _e in result.events) <= now
    assert "pc_login" in kinds(result) and "pc_logout" not in kinds(result)
    assert result.in_use_by == "lina"


def test_a_night_session_ends_after_its_day_up_to_the_horizon():
    night = sim.SimBooking(DAY + timedelta(hours=10), DAY + timedelta(hours=26), "huang")
    result = sim.plan_day(
        BOX, DAY, END, [night], random.Random(2), no_show=0.0, horizon=END + timedelta(days=1)
    )
    logout = next(at for at, e in result.events if e["type"] == "pc_logout")
    assert logout > END
    beats = [at for at, e in result.events if e["type"] == "heartbeat"]
    assert max(beats) <= END  # the next day's heartbeats are the next day's plan


def test_unbooked_use_lands_in_a_free_gap_of_the_working_day():
    for seed in range(30):
        result = plan(people=[("zhoujie", None)], unbooked=1.0, seed=seed)
        assert result.unbooked == 1
        login = next(at for at, e in result.events if e.get("user") == "zhoujie")
        assert DAY + timedelta(hours=8) <= login <= DAY + timedelta(hours=22)
        for booking in (MORNING, AFTERNOON):
            assert not booking.start - timedelta(minutes=15) < login < booking.stop


def test_same_seed_same_events_and_ids_are_unique_and_stable():
    first, second = plan(seed=5), plan(seed=5)
    assert first.events == second.events
    ids = [e["id"] for _at, e in first.events]
    assert len(ids) == len(set(ids))
    assert "heartbeat-20261130T160500" in ids  # kind and time: the same on every run


def test_batches_post_every_interval_what_happened_since_and_keep_every_event():
    result = plan()
    sends = sim.batches("SIM-1", result.events, DAY, END, every_minutes=30)
    assert [e for s in sends for e in s.events] == [e for _at, e in result.events]
    for send in sends:
        stamps = [event_rules.parse_time(e["ts"]) for e in send.events]
        assert max(stamps) <= send.at <= min(stamps) + timedelta(minutes=30)
    assert all(s.at <= END for s in sends)


def test_batches_never_exceed_the_intake_limit():
    many = [(DAY + timedelta(seconds=k), {"id": f"e{k}", "type": "heartbeat"}) for k in range(1200)]
    sends = sim.batches("SIM-1", many, DAY, END, every_minutes=60)
    assert [len(s.events) for s in sends] == [500, 500, 200]
    assert Counter(e["id"] for s in sends for e in s.events) == Counter(e["id"] for _a, e in many)
