"""The early warning's projection (core_facility_eval/rules/forecast.py): year to date, the
confirmed bookings, the last 90 days' pace over the days no booking covers, the alerts."""

from datetime import date

import pytest
from core_facility_eval.rules import forecast as f

TODAY = date(2041, 6, 30)
YEAR_END = date(2041, 12, 31)


def test_observed_days_of_the_pace_window():
    assert f.observed_days(TODAY) == 90
    assert f.observed_days(TODAY, date(2030, 1, 1)) == 90
    assert f.observed_days(TODAY, date(2041, 6, 1)) == 30
    assert f.observed_days(TODAY, date(2041, 7, 1)) == 0


def test_unbooked_days_start_after_the_last_booked_day():
    assert f.unbooked_days(TODAY, YEAR_END) == 184
    assert f.unbooked_days(TODAY, YEAR_END, date(2041, 7, 30)) == 154
    assert f.unbooked_days(TODAY, YEAR_END, date(2041, 6, 1)) == 184  # horizon in the past
    assert f.unbooked_days(YEAR_END, YEAR_END) == 0


def test_projection_adds_bookings_and_the_pace_over_the_unbooked_days():
    # 400 h so far, 40 h booked until 30 Jul, 180 h over the last 90 days: 2 h a day × 154 days
    assert f.project(400, 40, 180, 90, 154) == pytest.approx(400 + 40 + 308)


def test_projection_without_observed_days_has_no_pace():
    assert f.project(0, 10, 5, 0, 100) == 10


def test_alerts_at_the_fail_rules_edges():
    assert f.alert_reasons(799.9, 80) == [f.HOURS]
    assert f.alert_reasons(800, 60) == []
    assert f.alert_reasons(800, 59.9) == [f.POINTS]
    assert f.alert_reasons(640, 40) == [f.HOURS, f.POINTS]
    assert f.alert_reasons(640, None) == [f.HOURS]
