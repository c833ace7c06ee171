"""Checkout of high-value tools and keys, and the stock of special reagents, as pure functions.

Seed 000 and domain.md §1 "High-value tools": Vitrobot kits, cryo-holders and keys are checked out
and back in with a record (who, when, due back, returned complete); special reagents (osmium
tetroxide, uranyl acetate) are received and dispensed in a quantity under a named supervisor, and
the stock on hand is the sum of those moves. Nothing here imports Odoo.
"""

from datetime import timedelta

KIND_RECEIPT = "receipt"
KIND_DISPENSE = "dispense"

# quantities are compared at this precision: 0.1 + 0.2 mL is 0.3 mL
PRECISION = 6


def default_due(date_out, loan_hours):
    """When a tool checked out at ``date_out`` is due back: ``loan_hours`` later (at least one
    hour, so that a tool is never due before it left)."""
    return date_out + timedelta(hours=max(loan_hours or 0, 1))


def is_overdue(date_due, date_returned, now):
    """Whether a checkout is overdue at ``now``: not returned and past its due time."""
    return bool(date_due) and not date_returned and now > date_due


def signed_quantity(kind, quantity):
    """The change a move makes to the stock on hand: a receipt adds, a dispense takes."""
    return quantity if kind == KIND_RECEIPT else -quantity


def stock_after(stock, kind, quantity):
    """The stock on hand after a move of ``quantity`` (positive) of ``kind``."""
    return round(stock + signed_quantity(kind, quantity), PRECISION)


def shortfall(stock, kind, quantity):
    """How much is missing for the move: 0 when the stock covers it (receipts always do)."""
    after = stock_after(stock, kind, quantity)
    return round(-after, PRECISION) if after < 0 else 0


def stock_on_hand(moves):
    """The stock from ``(kind, quantity)`` pairs."""
    return round(sum(signed_quantity(kind, quantity) for kind, quantity in moves), PRECISION)


def reverse_kind(kind):
    """The kind of the move that cancels a move of ``kind``."""
    return KIND_DISPENSE if kind == KIND_RECEIPT else KIND_RECEIPT
