"""Who takes part in a campaign, the figures' window and the prorated hours
(core_facility_eval/rules/figures.py; seed 002 附件3, 7.2 and 8.1 remarks, note (2))."""

from datetime import date, datetime

import pytest
from core_facility_eval.rules import figures as f
from core_facility_eval.rules.codes import SheetStatus

YEAR = 2041


def test_opened_on_30_september_is_assessed():
    assert f.status(YEAR, date(YEAR, 9, 30)) == (SheetStatus.ASSESSED, None)


@pytest.mark.parametrize("day", [date(YEAR, 10, 1), date(YEAR, 10, 8), date(YEAR, 12, 31)])
def test_opened_after_30_september_is_not_assessed(day):
    assert f.status(YEAR, day) == (SheetStatus.NOT_ASSESSED, f.OPENED_LATE)


def test_a_scrap_application_of_the_year_excludes_even_a_late_account():
    assert f.status(YEAR, date(2030, 1, 1), date(YEAR, 1, 1)) == (
        SheetStatus.EXCLUDED,
        f.SCRAP_APPLIED,
    )
    assert f.status(YEAR, date(YEAR, 10, 8), date(YEAR, 11, 2))[0] == SheetStatus.EXCLUDED


def test_a_scrap_application_of_the_next_year_does_not_exclude():
    assert f.status(YEAR, date(2030, 1, 1), date(YEAR + 1, 1, 1))[0] == SheetStatus.ASSESSED


def test_scrapped_without_a_date_is_excluded():
    assert f.status(YEAR, date(2030, 1, 1), None, scrapped=True) == (
        SheetStatus.EXCLUDED,
        f.SCRAPPED_UNDATED,
    )


def test_no_account_date_is_an_old_instrument():
    assert f.status(YEAR) == (SheetStatus.ASSESSED, None)


def test_in_campaign_leaves_out_later_accounts_and_earlier_scrap_applications():
    first, last = date(YEAR, 1, 1), date(YEAR, 12, 31)
    assert f.in_campaign(first, last, date(YEAR, 12, 31))
    assert not f.in_campaign(first, last, date(YEAR + 1, 1, 1))
    assert f.in_campaign(first, last, date(2030, 1, 1), date(YEAR, 1, 1))
    assert not f.in_campaign(first, last, date(2030, 1, 1), date(YEAR - 1, 12, 31))


def test_utc_bounds_of_a_shanghai_year():
    start, stop = f.utc_bounds(date(YEAR, 1, 1), date(YEAR, 12, 31), "Asia/Shanghai")
    assert start == datetime(YEAR - 1, 12, 31, 16, 0)
    assert stop == datetime(YEAR, 12, 31, 16, 0)


def test_opened_on_15_march_with_900_hours_counts_1200_in_9_months():
    got = f.figures(900, 90, date(YEAR, 3, 15), YEAR)
    assert got["full_months"] == 9
    assert got["hours"] == pytest.approx(1200)
    assert got["external_hours"] == pytest.approx(120)


def test_opened_the_year_before_counts_as_logged():
    assert f.figures(900, 90, date(YEAR - 1, 3, 15), YEAR) == {
        "full_months": 12,
        "hours": 900,
        "external_hours": 90,
    }


def test_not_assessed_keeps_its_logged_hours():
    assert f.figures(50, 0, date(YEAR, 10, 8), YEAR)["hours"] == 50


def test_the_late_rule_is_the_annual_evaluations_only():
    """附件3's 30 Sep rule; seed 001's benefit evaluation assesses every instrument in use."""
    assert f.status(2041, date(2041, 10, 8))[0] == SheetStatus.NOT_ASSESSED
    assert f.status(2041, date(2041, 10, 8), late_rule=False) == (SheetStatus.ASSESSED, None)
    assert f.status(2041, date(2041, 10, 8), date(2041, 11, 1), late_rule=False)[0] == (
        SheetStatus.EXCLUDED
    )
