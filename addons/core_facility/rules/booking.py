"""Booking rules of seed 000 附件2 as pure functions on plain values.

Every datetime here is *naive local time* in the facility's time zone (the ORM converts from UTC);
"overnight slots belong to the day they start". :func:`evaluate` returns every violated rule at
once as ``Violation(code, params)``; the ORM turns each into a translated sentence with the numbers.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from math import ceil

from .codes import Rule

DAY = timedelta(days=1)

HORIZON_NONE = "none"
HORIZON_WEEKS = "weeks"
HORIZON_DAYS = "days"
HORIZON_RULES = {HORIZON_WEEKS: Rule.HORIZON_WEEKS, HORIZON_DAYS: Rule.HORIZON_DAYS}


@dataclass(frozen=True)
class Slot:
    """A named part of the day; ``end <= start`` (in minutes) means it ends the next day."""

    code: str
    start: int
    end: int

    @property
    def overnight(self):
        return self.end <= self.start

    def bounds(self, day):
        start = datetime.combine(day, time()) + timedelta(minutes=self.start)
        stop = datetime.combine(day, time()) + timedelta(minutes=self.end)
        return start, stop + DAY if self.overnight else stop


@dataclass(frozen=True)
class Quota:
    scope: str  # "user" | "group"
    period: str  # "week" | "month"
    unit: str  # "hours" | "workdays"
    limit: float


@dataclass(frozen=True)
class Allocation:
    """Hours a research group may book on an instrument in one month.

    ``hours`` come from the expert committee, ``second_round`` from other groups' forfeited
    time; ``forfeited`` is what was recorded at the deadline, ``None`` while not recorded.
    """

    hours: float
    second_round: float = 0.0
    forfeited: float = None


@dataclass(frozen=True)
class Policy:
    horizon_unit: str = HORIZON_NONE
    horizon_internal: int = 0
    horizon_external: int = 0
    reopen_dates: tuple = ()  # ((month, day), ...)
    monthly_opening: bool = False
    monthly_open_days: int = 7
    slots: tuple = ()  # Slot, in order; empty = free times
    restricted_slot_codes: tuple = ()
    restricted_workdays_only: bool = False
    whole_day_rule: bool = False  # whole days (and other slots) need a level or long collection
    offhours_rule: bool = False
    whole_days_only: bool = False
    setup_minutes: int = 0
    min_minutes: int = 0
    max_minutes: int = 0
    weekend_rule: bool = False
    quotas: tuple = ()
    external_share: float = 0.0  # external groups' share of the annual hours at most (0.15)
    reserved_share: float = 0.0  # share of the annual hours reserved for a programme (0.30)
    allocation_rule: bool = False  # book only within hours allocated for the month
    allocation_deadline_day: int = 1  # allocated hours not booked by the end of this day lapse
    preparation_required: bool = False  # the booker confirms the sample preparation (Helios)


@dataclass
class Request:
    start: datetime
    stop: datetime
    now: datetime
    category: str = "internal"  # "internal" | "external"
    has_whole_day_level: bool = False
    long_collection: bool = False
    has_offhours_level: bool = False
    companion_certified: bool = False
    has_weekend_level: bool = False
    working: list = field(default_factory=list)  # [(start, stop)] working time around the request
    workdays: frozenset = None  # dates that are workdays; None: Monday to Friday
    blackouts: list = field(default_factory=list)  # [(start, stop, label)]
    user_bookings: list = field(default_factory=list)  # [(start, stop)] other active bookings
    group_bookings: list = field(default_factory=list)
    annual_hours: float = 0.0  # the instrument's annual hours (shares are taken of them)
    year_external_hours: float = 0.0  # hours of external groups already booked this year
    year_unreserved_hours: float = 0.0  # hours outside the reserved programme this year
    reserved_project: bool = False  # this booking belongs to the reserved programme
    allocation: Allocation = None  # the group's allocation for the month of the start, if any
    allocation_used_hours: float = 0.0  # the group's other bookings in that month
    # hours this booking already held (a request being confirmed): booked before the deadline,
    # they did not lapse
    allocation_own_hours: float = 0.0
    preparation_done: bool = False


@dataclass(frozen=True)
class Violation:
    code: Rule
    params: dict


# -- calendar helpers ---------------------------------------------------------------------------


def week_start(day):
    return day - timedelta(days=day.weekday())


def month_start(day):
    return day.replace(day=1)


def next_month_start(day):
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def horizon_last_day(today, unit, count):
    """Last day that may be booked: natural weeks count the current week as the 1st."""
    if unit == HORIZON_WEEKS:
        return week_start(today) + timedelta(days=7 * count - 1)
    if unit == HORIZON_DAYS:
        return today + timedelta(days=count)
    return None


def monthly_open_date(month_first_day, open_days):
    """Day from which the month starting on ``month_first_day`` can be booked."""
    return month_first_day - timedelta(days=open_days)


def allocation_deadline(month_first_day, deadline_day):
    """Last day on which a month's allocated hours can still be booked before they lapse."""
    last = (next_month_start(month_first_day) - DAY).day
    return month_first_day.replace(day=max(1, min(deadline_day, last)))


def forfeitable_hours(allocation, booked_hours):
    """Committee hours not booked: what lapses at the deadline. Second-round hours are granted
    after the deadline and do not lapse; bookings use the committee's hours first."""
    return max(0.0, allocation.hours - booked_hours)


def allocation_balance(allocation, used_hours, today, deadline, own_hours=0.0):
    """``(allocated, forfeited, remaining)`` hours of ``allocation`` given the hours already
    booked by other bookings (``own_hours``: those the booking checked already held). Past the
    deadline, unbooked hours have lapsed even if not yet recorded."""
    allocated = allocation.hours + allocation.second_round
    forfeited = allocation.forfeited
    if forfeited is None:
        forfeited = (
            forfeitable_hours(allocation, used_hours + own_hours) if today > deadline else 0.0
        )
    return allocated, forfeited, allocated - forfeited - used_hours


def booked_days(start, stop):
    """Days a booking counts on: from its start day, one per started 24 hours."""
    hours = (stop - start).total_seconds() / 3600
    return [start.date() + timedelta(days=i) for i in range(max(1, ceil(hours / 24 - 1e-9)))]


def is_workday(day, workdays=None):
    if workdays is not None:
        return day in workdays
    return day.weekday() < 5


def overlap_minutes(start, stop, intervals):
    total = 0.0
    for i_start, i_stop in intervals:
        lo, hi = max(start, i_start), min(stop, i_stop)
        if hi > lo:
            total += (hi - lo).total_seconds() / 60
    return total


def match_slots(start, stop, slots):
    """``("slot", code)`` or ``("whole_day", days)`` when the times fit the slots, else None."""
    if not slots:
        return None
    day = start.date()
    for slot in slots:
        if slot.bounds(day) == (start, stop):
            return ("slot", slot.code)
    first_start, _ = slots[0].bounds(day)
    if start != first_start:
        return None
    for count in range(1, 32):
        _, last_stop = slots[-1].bounds(day + timedelta(days=count - 1))
        if last_stop == stop:
            return ("whole_day", count)
        if last_stop > stop:
            break
    return None


def period_key(day, period):
    return week_start(day) if period == "week" else month_start(day)


def quota_usage(quota, request_bookings, workdays=None):
    """Usage of ``quota`` in the period of the first booking, counting every booking given."""
    first_start = request_bookings[0][0]
    key = period_key(first_start.date(), quota.period)
    inside = [(s, e) for s, e in request_bookings if period_key(s.date(), quota.period) == key]
    if quota.unit == "hours":
        return sum((e - s).total_seconds() / 3600 for s, e in inside)
    days = set()
    for s, e in inside:
        days.update(d for d in booked_days(s, e) if is_workday(d, workdays))
    return len(days)


# -- the rules ------------------------------------------------------------------------------------


def evaluate(policy, request):
    """Every rule of ``policy`` that ``request`` breaks, as a list of :class:`Violation`."""
    violations = []
    add = violations.append
    start, stop, now = request.start, request.stop, request.now
    if stop <= start:
        return [Violation(Rule.ORDER, {})]
    minutes = (stop - start).total_seconds() / 60
    day = start.date()
    today = now.date()

    if start < now:
        add(Violation(Rule.PAST, {"start": start}))

    # Horizon: natural weeks or days, by group category
    count = policy.horizon_external if request.category == "external" else policy.horizon_internal
    last_day = horizon_last_day(today, policy.horizon_unit, count)
    if last_day is not None and day > last_day:
        add(
            Violation(
                HORIZON_RULES[policy.horizon_unit],
                {"category": request.category, "count": count, "last_day": last_day, "day": day},
            )
        )

    # Re-opening after a billing cut-off (16 May, 16 Nov)
    for month, mday in policy.reopen_dates:
        for year in (today.year, today.year + 1):
            reopen = date(year, month, mday)
            if today < reopen <= day:
                add(Violation(Rule.REOPEN, {"reopen": reopen, "day": day}))
                break

    # Monthly opening: next month opens in the last week of the month
    if policy.monthly_opening and month_start(day) > month_start(today):
        target = month_start(day)
        opens = monthly_open_date(target, policy.monthly_open_days)
        if target > next_month_start(today) or today < opens:
            add(Violation(Rule.MONTHLY, {"month": target, "opens": opens, "day": day}))

    # Named slots and whole days
    if policy.slots:
        match = match_slots(start, stop, policy.slots)
        if match is None:
            add(Violation(Rule.SLOTS, {"slots": policy.slots}))
        elif policy.whole_day_rule and not (request.has_whole_day_level or request.long_collection):
            allowed = match[0] == "slot" and match[1] in policy.restricted_slot_codes
            weekend = policy.restricted_workdays_only and not is_workday(day, request.workdays)
            if not allowed or weekend:
                restricted = [s for s in policy.slots if s.code in policy.restricted_slot_codes]
                add(
                    Violation(
                        Rule.RESTRICTED_SLOT,
                        {"slots": restricted, "workdays": policy.restricted_workdays_only},
                    )
                )

    # Sample preparation confirmed (Helios: trimmed, checked by TEM, carbon-coated 1-3 days before)
    if policy.preparation_required and not request.preparation_done:
        add(Violation(Rule.PREPARATION, {}))

    # Whole days only (contiguous runs, a day being 0:00-23:59)
    if policy.whole_days_only and (start.time() != time() or stop.time() != time()):
        add(Violation(Rule.WHOLE_DAYS, {}))

    # Duration: set-up time included, minimum and maximum
    if policy.setup_minutes and minutes <= policy.setup_minutes:
        add(Violation(Rule.SETUP, {"setup": policy.setup_minutes, "minutes": minutes}))
    if policy.min_minutes and minutes < policy.min_minutes:
        add(Violation(Rule.MIN_DURATION, {"min": policy.min_minutes, "minutes": minutes}))
    if policy.max_minutes and minutes > policy.max_minutes:
        add(Violation(Rule.MAX_DURATION, {"max": policy.max_minutes, "minutes": minutes}))

    # Off-hours need the level, or a certified companion for the whole booking
    if policy.offhours_rule and not (request.has_offhours_level or request.companion_certified):
        outside = minutes - overlap_minutes(start, stop, request.working)
        if outside > 0.5:
            add(Violation(Rule.OFFHOURS, {"minutes": outside}))

    # Weekends (Helios): only certified users, adjacent to their booked workdays
    if policy.weekend_rule:
        days = booked_days(start, stop)
        weekend = [d for d in days if not is_workday(d, request.workdays)]
        if weekend:
            if not request.has_weekend_level:
                add(Violation(Rule.WEEKEND_LEVEL, {"days": weekend}))
            else:
                booked = set(days)
                for s, e in request.user_bookings:
                    booked.update(booked_days(s, e))
                if not _weekend_adjacent(weekend, booked, request.workdays):
                    add(Violation(Rule.WEEKEND_ADJACENT, {"days": weekend}))

    # Maintenance windows and reserved days
    for b_start, b_stop, label in request.blackouts:
        if b_start < stop and start < b_stop:
            add(Violation(Rule.BLACKOUT, {"start": b_start, "stop": b_stop, "label": label}))

    # Quotas per user and per group, over a week or a month, in hours or workdays
    for quota in policy.quotas:
        others = request.user_bookings if quota.scope == "user" else request.group_bookings
        bookings = [(start, stop), *others]
        used = quota_usage(quota, bookings, request.workdays)
        if used > quota.limit + 1e-9:
            add(
                Violation(
                    Rule.QUOTA,
                    {
                        "scope": quota.scope,
                        "period": quota.period,
                        "unit": quota.unit,
                        "limit": quota.limit,
                        "used": used,
                        "period_start": period_key(day, quota.period),
                    },
                )
            )
    # Annual shares (Titan): external groups at most 15 %, 30 % reserved for pilot projects
    hours = minutes / 60
    if policy.external_share and request.category == "external" and request.annual_hours:
        cap = policy.external_share * request.annual_hours
        if request.year_external_hours + hours > cap + 1e-9:
            add(
                Violation(
                    Rule.EXTERNAL_SHARE,
                    {
                        "share": policy.external_share,
                        "cap": cap,
                        "used": request.year_external_hours + hours,
                        "year": day.year,
                    },
                )
            )
    if policy.reserved_share and not request.reserved_project and request.annual_hours:
        cap = (1 - policy.reserved_share) * request.annual_hours
        if request.year_unreserved_hours + hours > cap + 1e-9:
            add(
                Violation(
                    Rule.RESERVED_SHARE,
                    {
                        "share": policy.reserved_share,
                        "cap": cap,
                        "used": request.year_unreserved_hours + hours,
                        "year": day.year,
                    },
                )
            )

    # Allocated hours (Talos, Titan, Helios): within the committee's allocation for the month;
    # hours not booked by the deadline lapse
    if policy.allocation_rule:
        month = month_start(day)
        deadline = allocation_deadline(month, policy.allocation_deadline_day)
        if request.allocation is None:
            add(Violation(Rule.ALLOCATION_MISSING, {"month": month}))
        else:
            allocated, forfeited, remaining = allocation_balance(
                request.allocation,
                request.allocation_used_hours,
                today,
                deadline,
                request.allocation_own_hours,
            )
            if hours > remaining + 1e-9:
                add(
                    Violation(
                        Rule.ALLOCATION,
                        {
                            "month": month,
                            "allocated": allocated,
                            "forfeited": forfeited,
                            "deadline": deadline,
                            "used": request.allocation_used_hours + hours,
                            "remaining": max(0.0, remaining),
                        },
                    )
                )
    return violations


def _weekend_adjacent(weekend_days, booked, workdays):
    """Every weekend day is linked, through booked non-workdays, to a booked workday."""
    for day in weekend_days:
        linked = False
        for step in (-1, 1):
            cursor = day + timedelta(days=step)
            while cursor in booked and not is_workday(cursor, workdays):
                cursor += timedelta(days=step)
            if cursor in booked and is_workday(cursor, workdays):
                linked = True
                break
        if not linked:
            return False
    return True


def candidate_times(policy, local_from, local_until, minutes, step_minutes=30):
    """Times worth judging for a booking of ``minutes`` starting from ``local_from`` and before
    ``local_until``, earliest first (naive local): the policy's slots and whole days, whole days
    only, or every ``step_minutes`` of each day."""
    wanted = timedelta(minutes=minutes)
    day = local_from.date()
    while day <= local_until.date():
        midnight = datetime.combine(day, time())
        if policy.slots:
            # bookings must match slots exactly: offer the slots and the whole day
            options = {slot.bounds(day) for slot in policy.slots}
            options.add((policy.slots[0].bounds(day)[0], policy.slots[-1].bounds(day)[1]))
            for start, stop in sorted(options):
                if local_from <= start < local_until and stop - start >= wanted:
                    yield start, stop
        elif policy.whole_days_only:
            if local_from <= midnight < local_until:
                yield midnight, midnight + DAY * max(1, ceil(minutes / 1440 - 1e-9))
        else:
            for step in range(0, 1440, step_minutes):
                start = midnight + timedelta(minutes=step)
                if local_from <= start < local_until:
                    yield start, start + wanted
        day += DAY


def late_cancellation(start, now, notice_minutes):
    """Whether cancelling (or changing) at ``now`` is later than the notice before ``start``."""
    return now > start - timedelta(minutes=notice_minutes)
