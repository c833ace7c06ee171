"""Pure tests of billing's charge rules: what a booking is charged, who pays it, the dispute
window, the states, a service's parts; and the money rounding of many awkward lines."""

from datetime import date

import pytest
from core_facility_billing.rules import charging as c
from core_facility_billing.rules.codes import ChargeState as S
from core_facility_billing.rules.codes import PayerCategory as P
from core_facility_billing.rules.money import line_amount, total


@pytest.mark.parametrize(
    ("state", "chargeable", "used", "underuse", "actual", "expected"),
    [
        ("done", 3.0, 2.5, False, True, 2.5),  # used time, recorded
        ("done", 3.0, 3.25, False, True, 3.25),  # overran: the used time
        ("done", 3.0, 0.0, False, False, 3.0),  # no times recorded: the booked time
        ("done", 3.0, 1.0, True, True, 3.0),  # unreported under-use: the booked time
        ("no_show", 2.0, 0.0, False, False, 2.0),
        ("cancelled", 2.0, 0.0, False, False, 2.0),  # late: the booking sets chargeable hours
        ("cancelled", 0.0, 0.0, False, False, 0.0),  # in time
        ("rejected", 0.0, 0.0, False, False, 0.0),
        ("confirmed", 2.0, 0.0, False, False, 0.0),  # not final
        ("done", 1.123456, 1.123456, False, True, 1.1235),
    ],
)
def test_booking_hours(state, chargeable, used, underuse, actual, expected):
    assert c.booking_hours(state, chargeable, used, underuse, actual) == expected


def test_payer_category():
    assert c.payer_category("internal") == P.INTERNAL
    assert c.payer_category("external") == P.EXTERNAL
    assert c.payer_category("external", has_collaboration=True) == P.COLLABORATION
    assert c.payer_category("internal", has_collaboration=True, is_teaching=True) == P.TEACHING
    assert c.payer_category(False) == P.INTERNAL


def test_dispute_window_both_sides():
    confirmed = date(2040, 3, 10)
    deadline = c.dispute_deadline(confirmed, 7)
    assert deadline == date(2040, 3, 17)
    assert c.dispute_open(date(2040, 3, 10), deadline)
    assert c.dispute_open(date(2040, 3, 17), deadline)  # the deadline day itself
    assert not c.dispute_open(date(2040, 3, 18), deadline)  # the day after
    assert not c.dispute_open(date(2040, 3, 10), None)  # never confirmed
    assert c.dispute_deadline(confirmed, 0) == confirmed
    assert c.dispute_deadline(confirmed, -3) == confirmed


def test_transitions():
    assert c.can_move(S.DRAFT, S.CONFIRMED)
    assert c.can_move(S.CONFIRMED, S.DISPUTED)
    assert c.can_move(S.DISPUTED, S.CONFIRMED)
    assert not c.can_move(S.DRAFT, S.DISPUTED)
    assert not c.can_move(S.CANCELLED, S.CONFIRMED)
    assert not c.can_move(S.SETTLED, S.CANCELLED)


def test_service_quantities():
    parts = c.service_quantities(3, 1.5, [(7, 2.0), (8, 0.0)])
    assert parts == [
        ("samples", 3.0, "samples"),
        ("staff_hours", 1.5, "staff_hours"),
        ("consumable", 2.0, "consumable:7"),
    ]
    assert c.service_quantities(0, 0.0, []) == []


def test_sums_to_the_fen_over_many_awkward_lines():
    """333.33 元/h × 0.25 h = 83.3325 → 83.33 per line; 1,000 lines total 83,330.00 exactly."""
    amounts = [line_amount(0.25, 333.33) for _ in range(1000)]
    assert {str(a) for a in amounts} == {"83.33"}
    assert str(total(amounts)) == "83330.00"
