"""Pure tests of the integrity ledger (seed 000 附件4): points, grades at their edges, the year."""

from datetime import datetime

import pytest

from core_facility.rules import integrity as r
from core_facility.rules.codes import IntegrityGrade as G
from core_facility.rules.codes import ViolationTrack as T

# the documented defaults (data/facility_violation_data.xml)
DEFAULTS = (
    r.Threshold(G.EXCELLENT, 45, no_serious=True),
    r.Threshold(G.GOOD, 35),
    r.Threshold(G.FAIR, 20),
)


def test_remaining_points_deducts_every_counted_violation():
    assert r.remaining_points(50, [1, 1, 3]) == 45
    assert r.remaining_points(50, []) == 50
    assert r.remaining_points(50, [25, 25, 10]) == -10


def test_ledger_counts_and_serious():
    year = r.ledger(50, [(1, T.NO_CONSEQUENCE), (10, T.SERIOUS), (3, T.CONSEQUENCE)])
    assert (year.remaining, year.count, year.serious) == (36, 3, 1)


@pytest.mark.parametrize(
    "remaining, serious, expected",
    [
        (50, 0, G.EXCELLENT),
        (45, 0, G.EXCELLENT),
        (45, 1, G.GOOD),  # a serious violation bars 优 whatever remains
        (44, 0, G.GOOD),
        (35, 0, G.GOOD),
        (34, 0, G.FAIR),
        (20, 0, G.FAIR),  # 20 points left at year end: 中
        (19, 0, G.POOR),
        (0, 0, G.POOR),
        (-10, 2, G.POOR),
    ],
)
def test_grade_at_the_edges(remaining, serious, expected):
    assert r.grade(remaining, serious, DEFAULTS) == expected


def test_grade_order_does_not_depend_on_the_list_order():
    assert r.grade(40, 0, tuple(reversed(DEFAULTS))) == G.GOOD


def test_no_threshold_gives_the_lowest_grade():
    assert r.grade(50, 0, ()) == G.POOR


def test_year_in_the_facility_zone():
    # 2025-12-31 16:00 UTC is 2026-01-01 00:00 in Shanghai
    assert r.year_of(datetime(2025, 12, 31, 15, 59), "Asia/Shanghai") == 2025
    assert r.year_of(datetime(2025, 12, 31, 16, 0), "Asia/Shanghai") == 2026
    assert r.year_of(datetime(2025, 12, 31, 16, 0), "UTC") == 2025


def test_year_bounds_in_the_zone():
    start, stop = r.year_bounds(2026, "Asia/Shanghai")
    assert start == datetime(2025, 12, 31, 16, 0)
    assert stop == datetime(2026, 12, 31, 16, 0)
