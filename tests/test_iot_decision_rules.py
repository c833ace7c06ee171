"""Pure tests of access decisions online (the reasons' order, grace, walk-in) and offline."""

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
