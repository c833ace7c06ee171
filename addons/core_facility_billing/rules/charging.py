"""Pure rules of charge lines (计费): what a booking is charged, who pays it, when a PI may
dispute it. No Odoo import: plain values in and out (tested with pytest in the repo's tests/).

The booking decides what is chargeable (``chargeable_hours``, ``used_hours``, ``is_underuse``,
``is_late_cancellation``): these rules only read its answers, they never recompute them.
"""

from datetime import timedelta

from .codes import ChargeState, PayerCategory

DONE, NO_SHOW, CANCELLED = "done", "no_show", "cancelled"
HOURS_DIGITS = 4

# where a line of each state may go, and who moves it (see facility.charge)
TRANSITIONS = {
    ChargeState.DRAFT: (ChargeState.CONFIRMED, ChargeState.CANCELLED),
    ChargeState.CONFIRMED: (ChargeState.DISPUTED, ChargeState.SETTLED, ChargeState.CANCELLED),
    ChargeState.DISPUTED: (ChargeState.CONFIRMED, ChargeState.CANCELLED),
    ChargeState.SETTLED: (ChargeState.CONFIRMED,),  # only a settlement's reversal
    ChargeState.CANCELLED: (),
}
# states in which staff still correct or cancel a line
CORRECTABLE_STATES = (ChargeState.DRAFT, ChargeState.CONFIRMED, ChargeState.DISPUTED)


def booking_hours(state, chargeable_hours, used_hours, is_underuse, has_actual_times):
    """Hours to charge for a booking whose charge is final, from the booking's own answers.

    - done: the used time when start and stop were recorded, else the booked time; an
      unreported under-use is charged the booked time (``chargeable_hours``);
    - no-show and late cancellation: the booked time (``chargeable_hours``, which the booking
      sets only when the cancellation was late);
    - anything else (rejected, cancelled in time, still open): nothing.

    Rounded to 4 decimals (0.0001 h < 1 s), never negative."""
    if state == DONE:
        if is_underuse or not has_actual_times:
            hours = chargeable_hours
        else:
            hours = used_hours
    elif state in (NO_SHOW, CANCELLED):
        hours = chargeable_hours
    else:
        hours = 0.0
    return max(round(hours or 0.0, HOURS_DIGITS), 0.0)


def payer_category(group_category, has_collaboration=False, is_teaching=False):
    """The fee standard's payer category of a use: teaching first (free by default), then a
    collaboration's time, else the research group's category (internal or external)."""
    if is_teaching:
        return PayerCategory.TEACHING
    if has_collaboration:
        return PayerCategory.COLLABORATION
    if group_category == PayerCategory.EXTERNAL:
        return PayerCategory.EXTERNAL
    return PayerCategory.INTERNAL


def dispute_deadline(confirmed_day, dispute_days):
    """The last day a PI may dispute a line confirmed on ``confirmed_day``."""
    return confirmed_day + timedelta(days=max(dispute_days, 0))


def dispute_open(today, deadline):
    """Whether a line may still be disputed ``today``: on the deadline day itself, yes; the day
    after, no. A line without a deadline (never confirmed) cannot be disputed."""
    return deadline is not None and today <= deadline


def can_move(state, new_state):
    """Whether a line in ``state`` may go to ``new_state``."""
    return ChargeState(new_state) in TRANSITIONS.get(ChargeState(state), ())


def service_quantities(sample_count, staff_hours, consumables):
    """What a service order charges, as ``[(part, quantity, key)]``: its samples, its staff
    hours and each consumable (``consumables``: ``[(id, quantity)]``); nothing of zero."""
    parts = []
    if sample_count and sample_count > 0:
        parts.append(("samples", float(sample_count), "samples"))
    if staff_hours and staff_hours > 0:
        parts.append(("staff_hours", round(staff_hours, HOURS_DIGITS), "staff_hours"))
    for consumable_id, quantity in consumables:
        if quantity and quantity > 0:
            parts.append(("consumable", float(quantity), f"consumable:{consumable_id}"))
    return parts
