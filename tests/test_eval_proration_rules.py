"""Who is assessed and the proration of a new instrument's hours (seed 002 附件3, 7.2 remark and
note (2); core_facility_eval/rules/proration.py), on their dates."""

from datetime import date

import pytest
from core_facility_eval.rules import proration as p

YEAR = 2026


def test_opened_on_15_march_counts_nine_full_months():
    opened = date(YEAR, 3, 15)
    assert p.full_months(opened, YEAR) == 9
    assert p.prorated(900, opened, YEAR) == pytest.approx(1200)


def test_opened_on_the_first_of_a_month_counts_that_month():
    assert p.full_months(date(YEAR, 3, 1), YEAR) == 10
    assert p.full_months(date(YEAR, 9, 30), YEAR) == 3
    assert p.full_months(date(YEAR, 9, 1), YEAR) == 4


def test_30_september_is_the_last_assessed_day():
    assert p.assessed(date(YEAR, 9, 30), YEAR)
    assert not p.assessed(date(YEAR, 10, 1), YEAR)
    assert not p.assessed(date(YEAR, 10, 8), YEAR)
    with pytest.raises(ValueError):
        p.prorated(100, date(YEAR, 10, 8), YEAR)


def test_older_instruments_are_taken_as_logged():
    assert p.full_months(date(YEAR - 3, 7, 20), YEAR) == 12
    assert p.prorated(900, date(YEAR - 3, 7, 20), YEAR) == 900
    assert p.prorated(900, None, YEAR) == 900


def test_a_scrap_application_or_a_later_account_excludes():
    assert not p.assessed(date(YEAR - 5, 1, 1), YEAR, scrap_applied=True)
    assert not p.assessed(date(YEAR + 1, 1, 1), YEAR)
    assert p.assessed(date(YEAR, 1, 1), YEAR)
