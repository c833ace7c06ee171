"""Pure tests of the tool checkout and reagent stock rules (domain.md §1, high-value tools)."""

from datetime import datetime, timedelta

import pytest

from core_facility.rules import checkout as rules

OUT = datetime(2025, 3, 3, 9, 0)


def test_due_default_is_the_loan_period_after_checkout():
    assert rules.default_due(OUT, 24) == OUT + timedelta(hours=24)
    assert rules.default_due(OUT, 4.5) == OUT + timedelta(hours=4, minutes=30)


@pytest.mark.parametrize("hours", [0, None, -3])
def test_due_default_is_never_before_the_tool_left(hours):
    assert rules.default_due(OUT, hours) == OUT + timedelta(hours=1)


@pytest.mark.parametrize(
    ("now", "returned", "expected"),
    [
        (OUT, None, False),
        (OUT + timedelta(hours=24), None, False),  # due at that very minute: not yet overdue
        (OUT + timedelta(hours=24, minutes=1), None, True),
        (OUT + timedelta(days=3), OUT + timedelta(days=2), False),  # returned late: closed
    ],
)
def test_overdue(now, returned, expected):
    due = OUT + timedelta(hours=24)
    assert rules.is_overdue(due, returned, now) is expected


def test_overdue_needs_a_due_date():
    assert rules.is_overdue(None, None, OUT) is False


def test_stock_after_a_move():
    assert rules.stock_after(1.0, rules.KIND_DISPENSE, 0.2) == 0.8
    assert rules.stock_after(0.1, rules.KIND_RECEIPT, 0.2) == 0.3  # not 0.30000000000000004
    assert rules.stock_after(0.8, rules.KIND_DISPENSE, 0.8) == 0


@pytest.mark.parametrize(
    ("stock", "kind", "quantity", "missing"),
    [
        (0.8, rules.KIND_DISPENSE, 1.0, 0.2),
        (0.8, rules.KIND_DISPENSE, 0.8, 0),  # the last drop may be used
        (0.3, rules.KIND_DISPENSE, 0.1 + 0.2, 0),
        (0, rules.KIND_RECEIPT, 5, 0),
    ],
)
def test_shortfall(stock, kind, quantity, missing):
    assert rules.shortfall(stock, kind, quantity) == missing


def test_stock_on_hand_sums_the_moves():
    moves = [(rules.KIND_RECEIPT, 10), (rules.KIND_DISPENSE, 1.5), (rules.KIND_DISPENSE, 0.7)]
    assert rules.stock_on_hand(moves) == 7.8
    assert rules.stock_on_hand([]) == 0


def test_a_reverse_move_cancels_the_move():
    for kind in (rules.KIND_RECEIPT, rules.KIND_DISPENSE):
        after = rules.stock_after(5, kind, 2)
        assert rules.stock_after(after, rules.reverse_kind(kind), 2) == 5
