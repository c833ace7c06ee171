"""Amounts written in messages, in 元: ``5,000.00`` (two decimals, a thousands separator)."""

from .money import round_fen


def yuan(amount):
    """``amount`` written for a message in 元: 5,000.00."""
    return f"{round_fen(amount):,.2f}"
