"""Pure tests of the sanction ladders of seed 000 附件4 (and 附件2 §1 for wasted time)."""

from datetime import date, datetime, timedelta

import pytest

from core_facility.rules import integrity_ladder as lad
from core_facility.rules.codes import SanctionKind, ViolationSource, ViolationTrack

NONE, CONSEQUENCE, SERIOUS = (
    ViolationTrack.NO_CONSEQUENCE,
    ViolationTrack.CONSEQUENCE,
    ViolationTrack.SERIOUS,
)
T0 = datetime(2026, 3, 2, 9, 0)
GROUP_LADDER = [
    lad.Step(1, NONE, lad.GROUP, 3),
    lad.Step(2, NONE, lad.GROUP, 6),
    lad.Step(3, NONE, lad.GROUP, 10),
]
USER_LADDER = [
    lad.Step(4, CONSEQUENCE, lad.USER, 1),
    lad.Step(5, CONSEQUENCE, lad.USER, 2),
    lad.Step(6, CONSEQUENCE, lad.USER, 3),
    lad.Step(7, SERIOUS, lad.USER, 1),
]
WASTE = lad.Step(8, lad.WASTE, lad.GROUP, 4, window_days=90)


def counted(n, track=NONE, source=ViolationSource.MANUAL, every_days=1, start=0):
    return [
        lad.Counted(start + i, track, source, T0 + timedelta(days=i * every_days)) for i in range(n)
    ]


def fired_ids(steps, violations, fired=()):
    return [s.id for s in lad.due_steps(steps, violations, set(fired))]


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, []),
        (2, []),
        (3, [1]),
        (5, [1]),
        (6, [1, 2]),
        (9, [1, 2]),
        (10, [1, 2, 3]),
        (14, [1, 2, 3]),
    ],
)
def test_no_consequence_ladder_fires_exactly_at_3_6_10(count, expected):
    assert fired_ids(GROUP_LADDER, counted(count)) == expected


def test_each_step_fires_once():
    violations = counted(10)
    assert fired_ids(GROUP_LADDER, violations, fired={1, 2}) == [3]
    assert fired_ids(GROUP_LADDER, violations, fired={1, 2, 3}) == []


@pytest.mark.parametrize(("count", "expected"), [(1, [4]), (2, [4, 5]), (3, [4, 5, 6])])
def test_consequence_ladder_per_user(count, expected):
    assert fired_ids(USER_LADDER, counted(count, CONSEQUENCE)) == expected


def test_one_serious_violation_is_enough():
    assert fired_ids(USER_LADDER, counted(1, SERIOUS)) == [7]


def test_tracks_do_not_mix():
    mixed = counted(2, NONE) + counted(1, CONSEQUENCE, start=10)
    assert fired_ids(GROUP_LADDER, mixed) == []
    assert fired_ids(USER_LADDER, mixed) == [4]


def test_reasons_are_the_first_violations_of_the_track():
    violations = counted(5) + counted(1, CONSEQUENCE, start=10)
    assert [v.id for v in lad.reasons_for(GROUP_LADDER[0], violations)] == [0, 1, 2]


def test_withdrawal_below_a_threshold_undoes_the_step():
    assert [s.id for s in lad.undone_steps(GROUP_LADDER, counted(9), {1, 2, 3})] == [3]
    assert lad.undone_steps(GROUP_LADDER, counted(10), {1, 2, 3}) == []


def test_waste_counts_no_shows_within_the_window():
    no_shows = counted(3, source=ViolationSource.NO_SHOW, every_days=30)  # days 0, 30, 60
    assert lad.step_count(WASTE, no_shows) == 3
    late = lad.Counted(99, NONE, ViolationSource.LATE_CANCEL, T0 + timedelta(days=91))
    assert lad.step_count(WASTE, [*no_shows, late]) == 3  # day 0 is out of the window by then
    assert fired_ids([WASTE], [*no_shows, late]) == []
    under = lad.Counted(98, NONE, ViolationSource.UNDER_USE, T0 + timedelta(days=90))
    assert fired_ids([WASTE], [*no_shows, under]) == [8]  # days 0..90: exactly 90 days
    manual = counted(4, source=ViolationSource.MANUAL, start=20)
    assert fired_ids([WASTE], manual) == []


@pytest.mark.parametrize(
    ("days", "low", "high", "problem"),
    [
        (7, 7, 31, None),
        (31, 7, 31, None),
        (6, 7, 31, (7, 31)),
        (32, 7, 31, (7, 31)),
        (400, 45, 0, None),
        (44, 45, 0, (45, 0)),
    ],
)
def test_period_bounds(days, low, high, problem):
    assert lad.period_problem(days, low, high) == problem


def test_period():
    assert lad.period(T0, 7, 7, 31) == (T0, T0 + timedelta(days=7))
    assert lad.period(T0, 0) == (T0, None)
    with pytest.raises(ValueError):
        lad.period(T0, 7, 7, 31, days=40)


def test_allowance_horizon():
    today = date(2026, 3, 2)
    assert lad.allowance_last_day(today, 7) == date(2026, 3, 9)
    assert not lad.breaks_allowance(today, date(2026, 3, 9), 7)
    assert lad.breaks_allowance(today, date(2026, 3, 10), 7)


def test_priority_penalty_and_ranking():
    assert lad.priority_penalty([]) == 0
    assert lad.priority_penalty([SanctionKind.INTERVIEW]) == 0
    assert lad.priority_penalty([SanctionKind.SERVICE_REFUSAL], unpaid_fees=1) == 2
    assert lad.priority_penalty([SanctionKind.BLACKLIST, SanctionKind.USE_REFUSAL]) == 5
    assert lad.outranks("internal", 3, "external", 0)  # internal first
    assert not lad.outranks("external", 0, "internal", 3)
    assert lad.outranks("external", 0, "internal", 3, internal_priority=False)
    assert lad.outranks("internal", 0, "internal", 1)
    assert not lad.outranks("internal", 1, "internal", 1)


def test_priority_penalty_counts_grade_unit_and_bonus():
    assert lad.priority_penalty([]) == 0
    assert lad.priority_penalty([], poor_grade=True) == 1
    assert lad.priority_penalty([], poor_grade=True, poor_unit=True) == 2
    assert lad.priority_penalty([], bonus=True) == -1
    assert lad.priority_penalty([SanctionKind.BLACKLIST], poor_grade=True, bonus=True) == 3
