"""Prepaid accounts (预付结算) and arrears (欠款): the pure decisions.

A prepaid group may use the facility while the estimate of the new use fits in what is left:
its available balance (deposits − invoiced − unsettled charges) plus its credit limit, less
the estimated cost of its other open bookings and orders not yet charged (without that, ten
300 元 bookings would each pass on a 300 元 balance). Exactly equal is allowed.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from .money import round_fen


@dataclass(frozen=True)
class Headroom:
    available: Decimal  # deposits − invoiced charges − unsettled charges
    credit_limit: Decimal
    pending: Decimal  # estimated cost of the other open bookings and orders not yet charged

    @property
    def left(self):
        return round_fen(self.available + self.credit_limit - self.pending)


def available_balance(receivable_balance, unsettled):
    """Deposits − invoiced − unsettled, from the partner's receivable balance (debit − credit of
    posted receivable lines: invoices debit it, deposits credit it) and the unsettled lines."""
    return round_fen(-round_fen(receivable_balance) - round_fen(unsettled))


def exceeds(estimate, headroom):
    """Whether a use estimated at ``estimate`` goes beyond ``headroom`` (equal is allowed)."""
    return round_fen(estimate) > headroom.left


def arrears_blocking(due_date, today, overdue_days):
    """Whether an invoice due on ``due_date`` blocks booking on ``today``: more than
    ``overdue_days`` days past its due date (on the day itself, not yet)."""
    return today > due_date + timedelta(days=overdue_days)


def days_overdue(due_date, today):
    """Days since ``due_date`` (0 when not yet due)."""
    return max((today - due_date).days, 0)
