"""Fee standards' pure rules: time quantities, the cost-based rate, the standard of a day."""

from datetime import date
from decimal import Decimal

import pytest
from core_facility_billing.rules.codes import FeeUnit, StandardState
from core_facility_billing.rules.fees import (
    exact_quantity,
    included_total,
    is_valid_on,
    proposed_price,
    repricing_error,
    select_standard,
    select_time_standard,
    supersede_error,
    supersede_until,
    time_quantity,
)

S = StandardState


# -- time_quantity ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (2, "2.0000"),
        (0.25, "0.2500"),
        (20 / 60, "0.3333"),  # 20 minutes
        (40 / 60, "0.6667"),  # 40 minutes, half up
        (1.00004, "1.0000"),
        (1.00005, "1.0001"),
        (0, "0"),
        (-1, "0"),
    ],
)
def test_hours_are_exact_to_four_decimals(hours, expected):
    assert time_quantity(hours, FeeUnit.HOUR) == Decimal(expected)


@pytest.mark.parametrize(
    ("hours", "units"),
    [(0.01, 1), (1, 1), (4, 1), (4 + 1 / 60, 2), (8, 2), (8.000000001, 2), (9, 3)],
)
def test_half_days_are_rounded_up(hours, units):
    assert time_quantity(hours, FeeUnit.HALF_DAY) == units


@pytest.mark.parametrize(
    ("hours", "units"), [(1, 1), (8, 1), (8.000000001, 1), (8 + 1 / 60, 2), (16, 2), (16.5, 3)]
)
def test_days_are_rounded_up(hours, units):
    assert time_quantity(hours, FeeUnit.DAY) == units


def test_no_use_is_no_unit():
    assert time_quantity(0, FeeUnit.DAY) == 0
    assert time_quantity(0, FeeUnit.HALF_DAY) == 0


@pytest.mark.parametrize("unit", [FeeUnit.SAMPLE, FeeUnit.ITEM])
def test_counted_units_are_not_times(unit):
    with pytest.raises(ValueError):
        time_quantity(2, unit)


# -- proposed_price --------------------------------------------------------------------------

SPIRIT_COSTS = [
    (30000, True),  # materials
    (45000, True),  # utilities 水电
    (75000, True),  # running costs
    (350000, False),  # depreciation: excluded by default
]


def test_proposed_price_spreads_included_costs_over_annual_units():
    assert included_total(SPIRIT_COSTS) == Decimal("150000.00")
    assert proposed_price(SPIRIT_COSTS, 1500) == Decimal("100.00")


def test_proposed_price_with_depreciation_included():
    costs = [(amount, True) for amount, _included in SPIRIT_COSTS]
    assert proposed_price(costs, 1500) == Decimal("333.33")


def test_proposed_price_rounds_half_up_to_the_fen():
    assert proposed_price([(1000, True)], 3) == Decimal("333.33")
    assert proposed_price([(2000, True)], 3) == Decimal("666.67")
    assert proposed_price([(0.05, True)], 2) == Decimal("0.03")  # 0.025 → 0.03


def test_proposed_price_needs_annual_units():
    assert proposed_price(SPIRIT_COSTS, 0) is None
    assert proposed_price(SPIRIT_COSTS, None) is None
    assert proposed_price(SPIRIT_COSTS, -5) is None


def test_no_included_cost_proposes_zero():
    assert proposed_price([(1000, False)], 10) == Decimal("0.00")
    assert proposed_price([], 10) == Decimal("0.00")


# -- validity and selection ------------------------------------------------------------------

OLD, NEW = 1, 2
JAN1, JUN30, JUL1 = date(2038, 1, 1), date(2038, 6, 30), date(2038, 7, 1)
# OLD from 1 January, superseded by NEW from 1 July: OLD's last day is 30 June
SUPERSEDED = [(OLD, S.SUPERSEDED, JAN1, JUN30), (NEW, S.APPROVED, JUL1, None)]


def test_valid_from_day_itself_and_the_day_before():
    assert is_valid_on(JAN1, None, JAN1)
    assert not is_valid_on(JAN1, None, date(2037, 12, 31))
    assert not is_valid_on(None, None, JAN1)
    assert is_valid_on(JAN1, False, JAN1)  # Odoo's empty date
    assert not is_valid_on(False, False, JAN1)


def test_superseded_on_its_last_day_and_the_day_after():
    assert select_standard(SUPERSEDED, JUN30) == OLD
    assert select_standard(SUPERSEDED, JUL1) == NEW
    assert select_standard(SUPERSEDED, date(2043, 1, 1)) == NEW


def test_nothing_charges_before_the_first_valid_from():
    assert select_standard(SUPERSEDED, date(2037, 12, 31)) is None


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.REJECTED])
def test_standards_not_approved_charge_nothing(state):
    assert select_standard([(OLD, state, JAN1, None)], JAN1) is None
    assert select_standard([(OLD, state, JAN1, None)], JUL1) is None


def test_the_later_valid_from_wins_an_overlap():
    both = [(OLD, S.APPROVED, JAN1, None), (NEW, S.APPROVED, JUL1, None)]
    assert select_standard(both, JUN30) == OLD
    assert select_standard(both, JUL1) == NEW


def test_time_standard_prefers_hour_then_half_day_then_day():
    day_std = (3, FeeUnit.DAY, S.APPROVED, JAN1, None)
    half_std = (2, FeeUnit.HALF_DAY, S.APPROVED, JAN1, None)
    hour_std = (1, FeeUnit.HOUR, S.APPROVED, JUL1, None)
    sample_std = (4, FeeUnit.SAMPLE, S.APPROVED, JAN1, None)
    candidates = [day_std, half_std, hour_std, sample_std]
    assert select_time_standard(candidates, JUL1) == 1
    assert select_time_standard(candidates, JUN30) == 2  # the hour standard is not valid yet
    assert select_time_standard([day_std, sample_std], JUL1) == 3
    assert select_time_standard([sample_std], JUL1) is None


def test_supersede_ends_the_day_before():
    assert supersede_until(JUL1) == JUN30
    assert supersede_until(date(2040, 3, 1)) == date(2040, 2, 29)


def test_the_next_standard_starts_after_the_current_one():
    assert supersede_error(JAN1, date(2038, 1, 2)) is None
    assert supersede_error(JAN1, JAN1) == "not_after_current"
    assert supersede_error(JAN1, date(2037, 12, 31)) == "not_after_current"
    assert supersede_error(None, JAN1) is None


# -- exact_quantity and repricing_error ------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (0.33335, "0.3334"),  # half up, not the float's banker's or binary rounding
        (0.33334, "0.3333"),
        (2, "2.0000"),
        (None, "0.0000"),
        (-1.00005, "-1.0001"),  # a credit line rounds away from zero too
    ],
)
def test_exact_quantity_is_four_decimals_half_up(quantity, expected):
    assert exact_quantity(quantity) == Decimal(expected)


def test_repricing_error_names_the_last_priced_day_on_or_after():
    days = [date(2040, 3, 1), date(2040, 3, 5), None]
    assert repricing_error(date(2040, 3, 6), days) is None  # the day after: nothing repriced
    assert repricing_error(date(2040, 3, 5), days) == date(2040, 3, 5)  # same day: refused
    assert repricing_error(date(2040, 2, 1), days) == date(2040, 3, 5)
    assert repricing_error(date(2040, 2, 1), []) is None
