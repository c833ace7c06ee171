"""Pure tests of access decisions online (the reasons' order, grace, walk-in) and offline."""

import random
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from core_facility_iot.rules import decision as d
from core_facility_iot.rules.codes import AllowReason, Decision, DenyReason, FailMode

NOW = datetime(2025, 12, 10, 2, 0)
BOOKING = (9, NOW - timedelta(hours=1), NOW + timedelta(hours=1))
FACTS = d.AccessFacts(
    now=NOW,
    instrument_available=True,
    log_only=False,
    walk_in_allowed=False,
    booking=BOOKING,
    qualified=True,
    group_state="active",
    sanctioned=False,
    grace_minutes=15,
)
ALLOWED = (Decision.ALLOW, AllowReason.BOOKING, BOOKING[2] + timedelta(minutes=15))


def test_booking_now_allows_until_stop_plus_grace():
    assert d.decide(FACTS) == ALLOWED


def test_booking_window_edges():
    start, stop = BOOKING[1], BOOKING[2]
    assert d.decide(replace(FACTS, now=start)) == ALLOWED
    assert d.decide(replace(FACTS, now=start - timedelta(seconds=1)))[1] == DenyReason.NO_BOOKING
    last = stop + timedelta(minutes=15) - timedelta(seconds=1)
    assert d.decide(replace(FACTS, now=last)) == ALLOWED
    ended = replace(FACTS, now=stop + timedelta(minutes=15))
    assert d.decide(ended) == (Decision.DENY, DenyReason.NO_BOOKING, None)


def test_no_booking():
    assert d.decide(replace(FACTS, booking=None)) == (Decision.DENY, DenyReason.NO_BOOKING, None)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (dict(known_card=False), DenyReason.UNKNOWN_CARD),
        (dict(instrument_available=False), DenyReason.INSTRUMENT_UNAVAILABLE),
        (dict(sanctioned=True), DenyReason.SANCTIONED),
        (dict(group_state="suspended"), DenyReason.GROUP_SUSPENDED),
        (dict(group_state="blacklisted"), DenyReason.GROUP_SUSPENDED),
        (dict(qualified=False), DenyReason.NOT_QUALIFIED),
    ],
)
def test_each_reason_alone(change, reason):
    assert d.decide(replace(FACTS, **change)) == (Decision.DENY, reason, None)


def test_reasons_are_ordered():
    everything_wrong = dict(
        known_card=False,
        instrument_available=False,
        sanctioned=True,
        group_state="suspended",
        qualified=False,
        booking=None,
    )
    order = [
        ("known_card", DenyReason.UNKNOWN_CARD),
        ("instrument_available", DenyReason.INSTRUMENT_UNAVAILABLE),
        ("sanctioned", DenyReason.SANCTIONED),
        ("group_state", DenyReason.GROUP_SUSPENDED),
        ("qualified", DenyReason.NOT_QUALIFIED),
        ("booking", DenyReason.NO_BOOKING),
    ]
    facts = replace(FACTS, **everything_wrong)
    for name, reason in order:
        assert d.decide(facts)[1] == reason
        facts = replace(facts, **{name: getattr(FACTS, name)})
    assert d.decide(facts) == ALLOWED


def test_walk_in_needs_log_only_and_the_allowance():
    walk = replace(FACTS, booking=None, walk_in_minutes=45)
    expected = (Decision.ALLOW, AllowReason.WALK_IN, NOW + timedelta(minutes=45))
    assert d.decide(replace(walk, log_only=True, walk_in_allowed=True)) == expected
    assert d.decide(replace(walk, log_only=True))[1] == DenyReason.NO_BOOKING
    assert d.decide(replace(walk, walk_in_allowed=True))[1] == DenyReason.NO_BOOKING
    # the checks before the booking apply to walk-in too
    unqualified = replace(walk, log_only=True, walk_in_allowed=True, qualified=False)
    assert d.decide(unqualified)[1] == DenyReason.NOT_QUALIFIED
    # a booking wins over walk-in
    assert d.decide(replace(FACTS, log_only=True, walk_in_allowed=True)) == ALLOWED


# -- offline --------------------------------------------------------------------------------------
def at(hours):
    return NOW + timedelta(hours=hours)


LIST = d.AllowList(
    at(-1),
    at(23),
    (
        ("04A1", at(0), at(1)),
        ("04A1", at(1), at(2)),
        ("04A1", at(3), at(4)),
        ("BEEF", at(5), at(6)),
    ),
)


def test_offline_inside_an_entry_until_its_chained_stop():
    assert d.offline_decide(LIST, "04a1", NOW, "closed") == (
        Decision.ALLOW,
        AllowReason.OFFLINE_LIST,
        at(2),
    )
    assert d.offline_decide(LIST, "04A1", at(3.5), "closed")[2] == at(4)


def test_offline_entry_edges():
    assert d.offline_decide(LIST, "BEEF", at(5), "closed")[0] == Decision.ALLOW
    deny = (Decision.DENY, DenyReason.OFFLINE_NOT_LISTED, None)
    assert d.offline_decide(LIST, "BEEF", at(6), "closed") == deny
    assert d.offline_decide(LIST, "BEEF", at(5) - timedelta(seconds=1), "open") == deny
    assert d.offline_decide(LIST, "CAFE", NOW, "open") == deny  # a valid list decides
    assert d.offline_decide(LIST, None, NOW, "open") == deny


@pytest.mark.parametrize(
    "allow_list",
    [None, d.AllowList(at(-1), at(23)), replace(LIST, valid_until=NOW)],
)
def test_offline_unknown_situation_follows_the_fail_mode(allow_list):
    assert d.offline_decide(allow_list, "04A1", NOW, FailMode.OPEN) == (
        Decision.ALLOW,
        AllowReason.OFFLINE_FAIL_OPEN,
        None,
    )
    assert d.offline_decide(allow_list, "04A1", NOW, "closed") == (
        Decision.DENY,
        DenyReason.OFFLINE_FAIL_CLOSED,
        None,
    )


def test_offline_list_valid_until_its_last_second():
    last = replace(LIST, valid_until=NOW + timedelta(seconds=1))
    assert d.offline_decide(last, "04A1", NOW, "closed")[1] == AllowReason.OFFLINE_LIST


# -- one rule for both: the spans ------------------------------------------------------------------
def test_chained_until():
    spans = [(at(0), at(1)), (at(1), at(2)), (at(3), at(4))]
    assert d.chained_until(spans, NOW) == at(2)
    assert d.chained_until(spans, at(1.5)) == at(2)
    assert d.chained_until(spans, at(2)) is None
    assert d.chained_until(spans, at(3)) == at(4)
    assert d.chained_until(list(reversed(spans)), NOW) == at(2)
    assert d.chained_until([], NOW) is None


def test_online_chains_the_following_bookings_as_offline_does():
    later = (10, BOOKING[2] + timedelta(minutes=10), BOOKING[2] + timedelta(hours=1))
    apart = (11, later[2] + timedelta(minutes=30), later[2] + timedelta(hours=1))
    facts = replace(FACTS, following=(later, apart))
    # the next booking starts within the grace: one span until its stop plus the grace
    assert d.decide(facts) == (
        Decision.ALLOW,
        AllowReason.BOOKING,
        later[2] + timedelta(minutes=15),
    )


def test_a_booking_shorter_than_the_grace_opens_for_its_whole_grace():
    short = (12, NOW - timedelta(minutes=12), NOW - timedelta(minutes=2))
    facts = replace(FACTS, booking=short)
    assert d.decide(facts) == (
        Decision.ALLOW,
        AllowReason.BOOKING,
        short[2] + timedelta(minutes=15),
    )


def test_list_entry_is_decide():
    assert d.list_entry(FACTS) == (BOOKING[1], BOOKING[2] + timedelta(minutes=15))
    assert d.list_entry(replace(FACTS, qualified=False)) is None
    walk = replace(FACTS, booking=None, log_only=True, walk_in_allowed=True)
    assert d.list_entry(walk) == AllowReason.WALK_IN
    assert d.list_entry(replace(walk, sanctioned=True)) is None
    assert d.list_entry(replace(FACTS, booking=None)) is None


def test_offline_walk_in_cards():
    walk_list = replace(LIST, walk_in_cards=frozenset({"CAFE", "04A1"}), walk_in_minutes=45)
    assert d.offline_decide(walk_list, "cafe", NOW, "closed") == (
        Decision.ALLOW,
        AllowReason.OFFLINE_LIST,
        NOW + timedelta(minutes=45),
    )
    # a booking's span wins, as online
    assert d.offline_decide(walk_list, "04A1", NOW, "closed")[2] == at(2)
    assert d.offline_decide(walk_list, "04A1", at(2.5), "closed")[2] == at(2.5) + timedelta(
        minutes=45
    )
    assert d.offline_decide(walk_list, "DEAD", NOW, "open")[1] == DenyReason.OFFLINE_NOT_LISTED
    # walk-in cards alone make a valid list
    only = d.AllowList(at(-1), at(23), (), frozenset({"CAFE"}), 45)
    assert d.offline_decide(only, "CAFE", NOW, "closed")[0] == Decision.ALLOW
    assert d.offline_decide(only, "DEAD", NOW, "open")[1] == DenyReason.OFFLINE_NOT_LISTED


def _online(bookings, t, facts, grace):
    """What the ORM gives ``decide`` at ``t``: the latest-starting booking whose span holds
    ``t`` (core_facility's get_access_facts with the grace), with the later ones."""
    holding = [b for b in bookings if b[1] <= t < b[2] + timedelta(minutes=grace)]
    if not holding:
        return replace(facts, now=t, booking=None, following=())
    booking = max(holding, key=lambda b: b[1])
    following = tuple(b for b in bookings if b[1] > booking[1])
    return replace(facts, now=t, booking=booking, following=following)


def _offline_list(bookings, issued, facts, grace):
    """What the ORM lists: one entry per booking (facts at a moment of it), walk-in cards."""
    entries = [("FFFF", issued, issued + timedelta(hours=24))]  # someone else's: not empty
    for booking in bookings:
        inside = max(booking[1], min(issued, booking[2] - timedelta(seconds=1)))
        entry = d.list_entry(replace(facts, now=inside, booking=booking, following=()))
        if entry:
            entries.append(("04A1", *entry))
    walk_in = d.list_entry(replace(facts, now=issued, booking=None, following=()))
    cards = frozenset({"04A1"}) if walk_in == AllowReason.WALK_IN else frozenset()
    return d.AllowList(
        issued, issued + timedelta(hours=24), tuple(entries), cards, facts.walk_in_minutes
    )


@pytest.mark.parametrize("seed", range(40))
def test_offline_decides_as_online_whatever_the_bookings(seed):
    """Review finding 9: for any bookings (short, back to back, within the grace of each
    other), walk-in or not, the box with its list decides as the server would, at any time."""
    rng = random.Random(seed)
    grace = rng.choice([0, 5, 15, 30])
    facts = replace(
        FACTS,
        grace_minutes=grace,
        log_only=rng.random() < 0.5,
        walk_in_allowed=rng.random() < 0.5,
        qualified=rng.random() < 0.9,
        walk_in_minutes=rng.choice([30, 60]),
    )
    bookings, moment = [], NOW - timedelta(hours=2)
    for index in range(rng.randint(0, 5)):
        moment += timedelta(minutes=rng.choice([0, 0, 5, 20, 90]))
        length = timedelta(minutes=rng.choice([5, 10, 60, 120]))
        bookings.append((index, moment, moment + length))
        moment += length
    allow_list = _offline_list(bookings, NOW, facts, grace)
    for step in range(0, 12 * 60, 5):
        t = NOW + timedelta(minutes=step)
        online = d.decide(_online(bookings, t, facts, grace))
        offline = d.offline_decide(allow_list, "04A1", t, "closed")
        assert (offline[0], offline[2]) == (online[0], online[2]), (t, bookings, online, offline)
