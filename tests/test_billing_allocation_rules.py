"""Pure tests of the allocation of a platform's income (拨款): split to the fen, the school takes
the remainder, the parts always sum to the income."""

from decimal import Decimal

import pytest
from core_facility_billing.rules import allocation as a

D = Decimal


def test_split_default_shares():
    parts = a.split(D("1000.00"), a.Shares.of(70, 20, 10))
    assert (parts.platform, parts.department, parts.school) == (
        D("700.00"),
        D("200.00"),
        D("100.00"),
    )


@pytest.mark.parametrize(
    "income", ["0.01", "0.02", "0.05", "1.00", "333.33", "999.99", "100000.01", "12345.67"]
)
@pytest.mark.parametrize("shares", [(70, 20, 10), (33.33, 33.33, 33.34), (50, 50, 0), (0, 0, 100)])
def test_parts_sum_to_income_to_the_fen(income, shares):
    parts = a.split(D(income), a.Shares.of(*shares))
    assert parts.total == D(income)
    assert min(parts.platform, parts.department, parts.school) >= 0


def test_remainder_goes_to_the_school():
    # 100.01 × 33.33 % = 33.333333 → 33.33 twice; the school has 33.35, not 33.34
    parts = a.split(D("100.01"), a.Shares.of("33.33", "33.33", "33.34"))
    assert (parts.platform, parts.department, parts.school) == (D("33.33"), D("33.33"), D("33.35"))


def test_half_fen_rounds_up():
    parts = a.split(D("0.05"), a.Shares.of(50, 50, 0))  # 0.025 → 0.03 each: 0.06 > 0.05
    # the school has no share to absorb it: the department gives the fen back
    assert (parts.platform, parts.department, parts.school) == (D("0.03"), D("0.02"), D("0.00"))


@pytest.mark.parametrize(
    ("shares", "problem"),
    [
        ((70, 20, 10), None),
        ((70, 20, 9.99), "sum"),
        ((70, 20, 10.01), "sum"),
        ((80, 30, -10), "negative"),
        ((33.33, 33.33, 33.34), None),
    ],
)
def test_shares_must_sum_to_100(shares, problem):
    assert a.shares_problem(a.Shares.of(*shares)) == problem


@pytest.mark.parametrize(
    ("quarter", "months"), [(1, (1, 3)), (2, (4, 6)), (3, (7, 9)), (4, (10, 12))]
)
def test_quarter_bounds(quarter, months):
    first, last = a.quarter_bounds(2041, quarter)
    assert (first[1], last[1]) == months


@pytest.mark.parametrize("quarter", [0, 5])
def test_quarter_out_of_range(quarter):
    with pytest.raises(ValueError):
        a.quarter_bounds(2041, quarter)
