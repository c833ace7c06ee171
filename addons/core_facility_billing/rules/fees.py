"""Fee standards (收费标准): the quantity a time of use is charged in, the cost-based rate the
calculator proposes, and the standard charging a given day. Plain values in and out.

A standard charges from its valid-from day (included) to its valid-until day (included; open
when empty), and only once the fee-standard committee approved it: approved standards charge
until the next approved one supersedes them, and superseded ones still price the days up to
their valid-until day.
"""

import math
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from .codes import UNIT_HOURS, FeeUnit, StandardState
from .money import round_fen, to_decimal

# states of a standard that charge, each on the days it was valid
CHARGING_STATES = (StandardState.APPROVED, StandardState.SUPERSEDED)
# the units a time of use may be charged in, the preferred first
TIME_UNITS = (FeeUnit.HOUR, FeeUnit.HALF_DAY, FeeUnit.DAY)
# hours of use are counted to the 0.36 second (4 decimals of an hour)
HOUR_PLACES = Decimal("0.0001")


def time_quantity(hours, fee_unit):
    """``hours`` of use as a quantity of ``fee_unit``, as a Decimal.

    - ``hour``: the hours themselves, exact to 4 decimals (rounded half up): 15 minutes are
      0.25 h, 20 minutes 0.3333 h;
    - ``half_day`` (4 h) and ``day`` (8 h): whole units, rounded UP (a started half day is a
      half day): 1 h of a half-day standard is 1 half day, 4 h 01 min are 2; 8 h of a day
      standard is 1 day, 8 h 01 min are 2 days. The hours are first taken to 4 decimals, so
      that a float such as 8.000000001 h stays 1 day.

    No use (0 or fewer hours) is 0 units. A unit that is not a time (sample, item) raises
    ``ValueError``: those are counted, not measured.
    """
    unit = FeeUnit(fee_unit)
    if unit not in UNIT_HOURS:
        raise ValueError(f"{unit} is not a unit of time")
    exact = to_decimal(hours).quantize(HOUR_PLACES, rounding=ROUND_HALF_UP)
    if exact <= 0:
        return Decimal(0)
    if unit == FeeUnit.HOUR:
        return exact
    return Decimal(math.ceil(exact / to_decimal(UNIT_HOURS[unit])))


def included_total(costs):
    """The annual costs the rate covers: the sum of the ``(annual_amount, included)`` pairs of
    ``costs`` that are included, to the fen."""
    amounts = (to_decimal(amount) for amount, included in costs if included)
    return round_fen(sum(amounts, Decimal(0)))


def proposed_price(costs, annual_units):
    """The cost-based rate (成本补偿、非盈利): included annual costs ÷ annual units, rounded half
    up to the fen, as a Decimal; ``None`` without annual units (nothing to spread the costs
    over). ``costs``: ``(annual_amount, included)`` pairs."""
    units = to_decimal(annual_units or 0)
    if units <= 0:
        return None
    return round_fen(included_total(costs) / units)


def is_valid_on(date_from, date_to, day):
    """Whether a standard valid from ``date_from`` to ``date_to`` (None or False: open) covers
    ``day``, both ends included. Without a valid-from day, it covers none."""
    return bool(date_from) and date_from <= day and (not date_to or day <= date_to)


def select_standard(candidates, day):
    """The id of the standard charging on ``day``, or None.

    ``candidates``: ``(id, state, date_from, date_to)`` tuples of one target, payer category and
    unit. Only approved or superseded standards charge, each on the days it was valid; should
    two cover the day (the database forbids it), the one valid from the later day wins.
    """
    valid = [
        (date_from, ident)
        for ident, state, date_from, date_to in candidates
        if state in CHARGING_STATES and is_valid_on(date_from, date_to, day)
    ]
    return max(valid)[1] if valid else None


def select_time_standard(candidates, day):
    """The id of the time standard charging on ``day``, preferring hour, then half day, then
    day, or None. ``candidates``: ``(id, fee_unit, state, date_from, date_to)`` tuples of one
    target and payer category."""
    for unit in TIME_UNITS:
        found = select_standard(
            [(i, state, start, stop) for i, u, state, start, stop in candidates if u == unit], day
        )
        if found is not None:
            return found
    return None


def supersede_until(new_date_from):
    """The last day the standard in force keeps charging when the next one is valid from
    ``new_date_from``: the day before."""
    return new_date_from - timedelta(days=1)


def supersede_error(current_date_from, new_date_from):
    """Why a standard valid from ``new_date_from`` cannot supersede the one in force since
    ``current_date_from`` (None: it can): the next standard starts after the current one."""
    if current_date_from and new_date_from <= current_date_from:
        return "not_after_current"
    return None


def exact_quantity(quantity):
    """A line's quantity as stored (4 decimals), rounded half up, as a Decimal: the amount is
    computed from this quantity, so that quantity × unit price of the stored line gives its
    amount (0.33335 h is 0.3334 h, not 0.3333 h)."""
    return to_decimal(quantity or 0).quantize(HOUR_PLACES, rounding=ROUND_HALF_UP)


def repricing_error(new_date_from, priced_days):
    """Why the next standard cannot be valid from ``new_date_from`` given the days of the
    charge lines already priced by the standard in force (None: it can): it would reprice
    them. Returns the last such day on or after ``new_date_from``."""
    late = [day for day in priced_days if day and day >= new_date_from]
    return max(late) if late else None
