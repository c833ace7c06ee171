"""Allocation of a platform's income (拨款): split to the fen by shares in percent.

The platform's and the department's shares are rounded half up to the fen; the school takes the
remainder, so that the three parts always sum to the income exactly (when the school's share is
too small to absorb the rounding, the department, then the platform, gives the fen back: no part
is ever negative).
"""

from dataclasses import dataclass
from decimal import Decimal

from .money import round_fen, to_decimal

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Shares:
    """Percentages of the platform, its department and the school (they sum to 100)."""

    platform: Decimal
    department: Decimal
    school: Decimal

    @classmethod
    def of(cls, platform, department, school):
        return cls(to_decimal(platform), to_decimal(department), to_decimal(school))


@dataclass(frozen=True)
class Split:
    platform: Decimal
    department: Decimal
    school: Decimal

    @property
    def total(self):
        return self.platform + self.department + self.school


def shares_problem(shares):
    """Why ``shares`` cannot be used (a short English key), or ``None``: a negative share, or a
    sum other than 100 (to 1/100 of a percent)."""
    if min(shares.platform, shares.department, shares.school) < 0:
        return "negative"
    total = shares.platform + shares.department + shares.school
    if abs(total - HUNDRED) > Decimal("0.001"):
        return "sum"
    return None


def split(income, shares):
    """``income`` split by ``shares`` to the fen: platform and department rounded half up, the
    school the remainder (the three sum to the income exactly)."""
    income = round_fen(income)
    platform = round_fen(income * shares.platform / HUNDRED)
    department = round_fen(income * shares.department / HUNDRED)
    school = income - platform - department
    if school < 0:
        department, school = department + school, Decimal("0.00")
    if department < 0:
        platform, department = platform + department, Decimal("0.00")
    return Split(platform, department, school)


def quarter_bounds(year, quarter):
    """``(first month, last month)`` of ``quarter`` (1–4) of ``year`` as (year, month) pairs."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter {quarter!r} is not 1 to 4")
    first = 3 * (quarter - 1) + 1
    return (year, first), (year, first + 2)
