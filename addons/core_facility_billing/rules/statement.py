"""Statements (月结单): totals of a statement's lines per key, to the fen."""

from decimal import Decimal

from .money import round_fen, total


def totals_by(lines):
    """``[(key, total)]`` of ``(key, amount)`` pairs, summed per key to the fen, in the order
    the keys first appear; the totals sum to the grand total of the lines."""
    sums = {}
    for key, amount in lines:
        sums.setdefault(key, []).append(round_fen(amount))
    return [(key, total(amounts)) for key, amounts in sums.items()]


def grand_total(amounts):
    return total(amounts) if amounts else Decimal("0.00")
