"""Pure tests of prepaid headroom and arrears: both sides of every edge."""

from datetime import date
from decimal import Decimal

import pytest
from core_facility_billing.rules import prepaid as p

D = Decimal


def test_available_balance_from_the_receivable():
    # 5,000 deposited (credit), 1,200 invoiced (debit): receivable −3,800; 300 unsettled
    assert p.available_balance(D("-3800"), D("300")) == D("3500.00")


@pytest.mark.parametrize(("estimate", "refused"), [("300.00", False), ("300.01", True)])
def test_estimate_equal_to_headroom_is_allowed(estimate, refused):
    headroom = p.Headroom(available=D("250.00"), credit_limit=D("100.00"), pending=D("50.00"))
    assert p.exceeds(D(estimate), headroom) is refused


def test_other_open_bookings_count():
    # 300 on the balance; one 300 booking pending: the next 300 is refused
    assert not p.exceeds(D(300), p.Headroom(D(300), D(0), D(0)))
    assert p.exceeds(D(300), p.Headroom(D(300), D(0), D(300)))


def test_100_available_refuses_300():
    assert p.exceeds(D(300), p.Headroom(D(100), D(0), D(0)))


@pytest.mark.parametrize(
    ("today", "blocking"),
    [(date(2041, 3, 2), False), (date(2041, 3, 3), True)],
)
def test_arrears_block_the_day_after_the_grace(today, blocking):
    # due 1 January 2041, 60 days of grace: 2 March is the 60th day after, still allowed
    assert p.arrears_blocking(date(2041, 1, 1), today, 60) is blocking


def test_days_overdue():
    assert p.days_overdue(date(2041, 1, 1), date(2041, 1, 31)) == 30
    assert p.days_overdue(date(2041, 1, 1), date(2040, 12, 31)) == 0
