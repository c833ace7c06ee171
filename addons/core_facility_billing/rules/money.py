"""Exact money: amounts are rounded per line to the fen (0.01 CNY), half up, as a cashier does.

Totals are sums of rounded lines, never a rounded product of totals, so that a statement, an
entry and its lines agree to the fen.
"""

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


def to_decimal(value):
    """A float, int, str or Decimal as a Decimal, through its shortest repr (333.33 stays
    333.33, not 333.3299999...)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def round_fen(value):
    """``value`` rounded half up to the fen, as a Decimal."""
    return to_decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def line_amount(quantity, unit_price):
    """The amount of one line: quantity × unit price, rounded half up to the fen."""
    return round_fen(to_decimal(quantity) * to_decimal(unit_price))


def total(amounts):
    """The sum of line amounts (each already rounded), to the fen."""
    return round_fen(sum((to_decimal(a) for a in amounts), Decimal(0)))
