"""Settlement periods (结算周期): calendar months, or periods that end on cut-off days.

Seed 000 附件2 §7 bills light microscopes up to 16 May and 16 November: with the cut-offs
``"05-16,11-16"`` the periods run from 17 November to 16 May and from 17 May to 16 November.
A cut-off is the *last* day of its period. Plain values in and out, no Odoo import.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from .codes import PeriodScheme

_CUTOFF = re.compile(r"^\s*(\d{1,2})-(\d{1,2})\s*$")


class PeriodError(ValueError):
    """Bad cut-off days; ``value`` is the part that could not be read (for the message)."""

    def __init__(self, value):
        super().__init__(f"bad cut-off day: {value!r}")
        self.value = value


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date

    def __contains__(self, day):
        return self.date_from <= day <= self.date_to


def parse_cutoffs(text):
    """``"05-16,11-16"`` as ``((5, 16), (11, 16))``, sorted and without repeats.

    Each part is a month-day that exists in every year (29 February does not); an empty text
    or a bad part raises :class:`PeriodError` naming the part."""
    parts = [part for part in (text or "").split(",") if part.strip()]
    if not parts:
        raise PeriodError(text or "")
    cutoffs = set()
    for part in parts:
        match = _CUTOFF.match(part)
        if not match:
            raise PeriodError(part.strip())
        month, day = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2001, month)[1]:
            raise PeriodError(part.strip())  # 2001: not a leap year, so 02-29 is refused
        cutoffs.add((month, day))
    return tuple(sorted(cutoffs))


def month_period(day):
    """The calendar month of ``day``."""
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(day.replace(day=1), day.replace(day=last))


def cutoff_period(day, cutoffs):
    """The period of ``day`` when periods end on ``cutoffs`` (month, day pairs)."""
    ends = sorted(
        date(year, m, d) for year in (day.year - 1, day.year, day.year + 1) for m, d in cutoffs
    )
    index = next(i for i, end in enumerate(ends) if end >= day)
    return Period(ends[index - 1] + timedelta(days=1), ends[index])


def period_of(day, scheme=PeriodScheme.MONTHLY, cutoffs="05-16,11-16"):
    """The settlement period that contains ``day`` under ``scheme``; ``cutoffs`` is the text of
    the cut-off days (read only under the cut-off scheme)."""
    if scheme == PeriodScheme.CUTOFF:
        return cutoff_period(day, parse_cutoffs(cutoffs))
    return month_period(day)


def previous_period(day, scheme=PeriodScheme.MONTHLY, cutoffs="05-16,11-16"):
    """The last period that ended before the one containing ``day`` (what a run settles by
    default: the month just closed)."""
    current = period_of(day, scheme, cutoffs)
    return period_of(current.date_from - timedelta(days=1), scheme, cutoffs)
