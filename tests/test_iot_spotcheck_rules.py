"""Pure tests of the monthly spot check (抽查): each discrepancy on both sides of its tolerance."""

from datetime import datetime, timedelta

import pytest
from core_facility_iot.rules import spotcheck as sc
from core_facility_iot.rules.codes import SpotCheck

UNDER, UNBOOKED = SpotCheck.UNDER_USE, SpotCheck.UNBOOKED
MISMATCH, NO_MEASURE, NO_LOG = (
    SpotCheck.MANUAL_MISMATCH,
    SpotCheck.NO_MEASUREMENT,
    SpotCheck.NO_MANUAL_LOG,
)


@pytest.mark.parametrize(
    ("booked", "measured", "manual", "codes"),
    [
        (100, 100, 100, []),
        (0, 0, 0, []),
        (0, 0, None, []),
        (None, 0, 0, []),
        # under-use: 10 % of 100 h is the edge
        (100, 90, 90, []),
        (100, 89.9, 89.9, [UNDER]),
        # the absolute floor: 0.5 h on a small month
        (2, 1.5, 1.5, []),
        (2, 1.4, 1.4, [UNDER]),
        # unbooked use
        (100, 110, 110, []),
        (100, 110.1, 110.1, [UNBOOKED]),
        (0, 0.5, 0.5, []),
        (0, 0.6, 0.6, [UNBOOKED]),
        (None, 3, 3, [UNBOOKED]),
        # manual ledger against the measured time (tolerance of the larger)
        (100, 100, 111.1, []),  # 11.1 h against 10 % of 111.1 h
        (100, 100, 111.2, [MISMATCH]),
        (100, 100, 90, []),  # 10 h against 10 % of 100 h: exactly the edge
        (100, 100, 89.9, [MISMATCH]),
        (100, 0, 0, [UNDER]),
        (100, 0, 100, [UNDER, MISMATCH]),
        # missing sources
        (100, None, 100, [NO_MEASURE]),
        (0, None, 2, [NO_MEASURE]),
        (0, None, 0, []),
        (0, None, None, []),
        (100, None, None, [NO_MEASURE, NO_LOG]),
        (0, 0.5, None, []),
        (0, 0.6, None, [UNBOOKED, NO_LOG]),
        (100, 100, None, [NO_LOG]),
    ],
)
def test_compare(booked, measured, manual, codes):
    assert sc.compare(booked, measured, manual) == codes


def test_tolerances_are_parameters():
    assert sc.compare(100, 95, 95, tolerance=0.05) == []
    assert sc.compare(100, 94.9, 94.9, tolerance=0.05) == [UNDER]
    assert sc.compare(2, 1, 1, min_hours=1) == []
    assert sc.compare(2, 0.9, 0.9, min_hours=1) == [UNDER]


def test_float_noise_does_not_cross_the_edge():
    assert sc.differs(0.1 + 0.2, 3, tolerance=0.1, min_hours=0) is False


def test_what_cancels_out_is_two_findings():
    """Review finding 12: ten hours booked and unused, ten hours used without a booking."""
    assert sc.compare(10, 10, 10) == []  # the net difference hides both
    assert sc.compare(10, 10, 10, under_h=10, over_h=10) == [UNDER, UNBOOKED]
    assert sc.compare(10, 10, 10, under_h=0.5, over_h=0.5) == []
    assert sc.compare(10, 10, 10, under_h=1.1, over_h=0) == [UNDER]


def test_uncovered_hours():
    t = datetime(2041, 3, 1)

    def h(a, b):
        return (t + timedelta(hours=a), t + timedelta(hours=b))

    booked = [h(0, 10), h(20, 22)]
    measured = [h(9, 12), h(21, 21.5), (t, None)]
    month = (t, t + timedelta(hours=100))
    assert sc.uncovered_hours(booked, measured, *month) == 9 + 1.5
    assert sc.uncovered_hours(measured, booked, *month) == 2
    # overlapping intervals count once; the window clips
    assert sc.uncovered_hours([h(0, 5), h(3, 8)], [], *month) == 8
    assert sc.uncovered_hours([h(-5, 5)], [h(4, 6)], *month) == 4
    assert sc.uncovered_hours([], booked, *month) == 0
