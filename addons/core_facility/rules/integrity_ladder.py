"""The sanction ladders of seed 000 附件4 (and 附件2 §1 for wasted time) as pure functions.

A ladder is a list of :class:`Step` records (data an administrator edits): each step watches one
track (no consequence, consequence not serious, serious, or wasted booked time), counts the
counted violations of a group (or of a user) in a calendar year and *fires once* when the count
reaches its threshold. What a step does (interview, notice, retraining, restriction...) is the
ORM's business; here we only decide *which* steps fire, for *which* violations, with *which*
period, and how much an active sanction lowers a group's booking priority.

Nothing here imports Odoo.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .codes import SanctionKind, ViolationSource

# A fourth basis besides the three tracks of 附件4: repeat wasters of booked time (附件2 §1
# "屡次浪费机时者减少其机时的预约时间"), counted in a rolling window.
WASTE = "waste"
WASTE_SOURCES = (ViolationSource.NO_SHOW, ViolationSource.LATE_CANCEL, ViolationSource.UNDER_USE)
GROUP, USER = "group", "user"

# Sanctions the booking rules enforce (the allowance is applied to the horizon, not refused).
BOOKING_KINDS = (
    SanctionKind.GROUP_RESTRICTION,
    SanctionKind.USER_SUSPENSION,
    SanctionKind.USE_REFUSAL,
    SanctionKind.BLACKLIST,
)
# Sanctions that refuse technical-service applications.
SERVICE_KINDS = (SanctionKind.SERVICE_REFUSAL, SanctionKind.BLACKLIST)
# Sanctions with a period (from, until); the others are one-off measures.
PERIOD_KINDS = (
    SanctionKind.GROUP_RESTRICTION,
    SanctionKind.USER_SUSPENSION,
    SanctionKind.ALLOWANCE,
    SanctionKind.USE_REFUSAL,
    SanctionKind.SERVICE_REFUSAL,
    SanctionKind.BLACKLIST,
)
# How much a sanction in force on a group lowers its booking priority (附件4: poor integrity and
# unpaid fees "降低优先级"); a group's penalty is the sum, 0 for a clean group.
PRIORITY_WEIGHTS = {
    SanctionKind.ALLOWANCE: 1,
    SanctionKind.GROUP_RESTRICTION: 1,
    SanctionKind.SERVICE_REFUSAL: 1,
    SanctionKind.USE_REFUSAL: 2,
    SanctionKind.BLACKLIST: 3,
}
# Counted unpaid-fee violations in the last year lower the priority by this much.
UNPAID_FEES_WEIGHT = 1
# A poor integrity grade this year (附件4: 诚信度差), a unit of poor integrity, lower it by one
# each; an accepted high-quality outcome (附件3 四) raises it by one.
POOR_GRADE_WEIGHT = 1
POOR_UNIT_WEIGHT = 1
OUTCOME_BONUS = 1


@dataclass(frozen=True)
class Step:
    """One rung of a ladder: ``track`` (a :class:`ViolationTrack` or :data:`WASTE`) counted per
    ``scope`` (:data:`GROUP` or :data:`USER`) and year; fires at ``threshold``. For :data:`WASTE`,
    ``window_days`` > 0 counts only violations within that many days of each other."""

    id: int
    track: str
    scope: str
    threshold: int
    window_days: int = 0


@dataclass(frozen=True)
class Counted:
    """A counted violation, as the ladders see it."""

    id: int
    track: str
    source: str
    moment: datetime


def matches(step, violation):
    """Whether ``violation`` climbs ``step``'s ladder."""
    if step.track == WASTE:
        return violation.source in WASTE_SOURCES
    return violation.track == step.track


def step_count(step, violations):
    """The count ``step`` compares with its threshold: the violations of its track, or, for
    wasted time with a window, the most of them within any ``window_days`` days."""
    own = sorted((v for v in violations if matches(step, v)), key=lambda v: (v.moment, v.id))
    if step.track != WASTE or not step.window_days:
        return len(own)
    window = timedelta(days=step.window_days)
    best, first = 0, 0
    for last, violation in enumerate(own):
        while violation.moment - own[first].moment > window:
            first += 1
        best = max(best, last - first + 1)
    return best


def due_steps(steps, violations, fired):
    """The steps that fire now for one subject (group or user) and year: those whose count
    over ``violations`` (the subject's counted violations of the year) reaches the threshold
    and whose id is not in ``fired`` (each step fires once per subject and year)."""
    return [
        step
        for step in sorted(steps, key=lambda s: (s.threshold, s.id))
        if step.id not in fired
        and step.threshold > 0
        and step_count(step, violations) >= step.threshold
    ]


def reasons_for(step, violations):
    """The violations that made ``step`` fire: the first ``threshold`` of its track (by time)."""
    own = sorted((v for v in violations if matches(step, v)), key=lambda v: (v.moment, v.id))
    return own[: step.threshold] if step.track != WASTE else own[-step.threshold :]


def undone_steps(steps, violations, fired):
    """Fired steps whose count fell below their threshold (a violation was withdrawn): their
    restrictions and suspensions not over yet are lifted."""
    return [s for s in steps if s.id in fired and step_count(s, violations) < s.threshold]


def period(start, default_days, min_days=0, max_days=0, days=None):
    """``(date_from, date_to)`` of a sanction starting at ``start`` for ``days`` (default
    ``default_days``); ``date_to`` is None when the sanction has no term (0 days)."""
    days = default_days if days is None else days
    problem = period_problem(days, min_days, max_days)
    if problem:
        raise ValueError(problem)
    return start, (start + timedelta(days=days) if days else None)


def period_problem(days, min_days=0, max_days=0):
    """``None`` when ``days`` lies within the bounds (0 = no bound), else ``(min, max)``."""
    if days is None:
        return None
    if (min_days and days < min_days) or (max_days and days > max_days):
        return (min_days, max_days)
    return None


def allowance_last_day(today, allowance_days):
    """The last day a group under a smaller booking allowance may book: ``allowance_days``
    after today (whatever the policy's horizon, when that is longer)."""
    return today + timedelta(days=allowance_days)


def breaks_allowance(today, booking_day, allowance_days):
    """Whether a booking on ``booking_day`` lies beyond the allowance's horizon."""
    return isinstance(booking_day, date) and booking_day > allowance_last_day(today, allowance_days)


def priority_penalty(kinds, unpaid_fees=0, poor_grade=False, poor_unit=False, bonus=False):
    """A group's booking-priority penalty from the kinds of its sanctions in force, its counted
    unpaid-fee violations, a poor integrity grade, a unit of poor integrity and a high-quality
    outcome's bonus: 0 for a clean group, higher is worse, a bonus may make it negative."""
    penalty = sum(PRIORITY_WEIGHTS.get(kind, 0) for kind in kinds)
    penalty += UNPAID_FEES_WEIGHT if unpaid_fees else 0
    penalty += POOR_GRADE_WEIGHT if poor_grade else 0
    penalty += POOR_UNIT_WEIGHT if poor_unit else 0
    return penalty - (OUTCOME_BONUS if bonus else 0)


def outranks(category_a, penalty_a, category_b, penalty_b, internal_priority=True):
    """Whether a request of a group (``category_a``, ``penalty_a``) has priority over one of
    (``category_b``, ``penalty_b``): internal before external (when the policy says so), then
    the smaller integrity penalty."""
    if internal_priority and category_a != category_b:
        return category_a == "internal"
    return penalty_a < penalty_b
