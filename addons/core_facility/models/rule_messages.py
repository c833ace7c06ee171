"""One table from rule code to sentence: every refusal of the booking and certification rules is
written here once, translated, with its numbers.

``RuleText(env, tz).sentence(violation, **names)`` renders a :class:`rules.booking.Violation`
(or any code with its parameters); ``names`` carries what the pure rules do not know (the
instrument's, group's and level's names...). Dates and times are shown in ``tz``, without seconds.
"""

from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton

from odoo.tools import format_date
from odoo.tools.misc import babel_locale_parse

from ..rules.codes import Rule
from .utils import num, to_local


class RuleText:
    """Formatting helpers in the user's language, and the sentence of each rule code."""

    def __init__(self, env, tz=None):
        self.env = env
        self._ = env._
        self.tz = tz
        self.locale = babel_locale_parse(env.lang or "en_US")

    # -- formats ---------------------------------------------------------------------------------

    def day(self, day):
        """``Mon 12/15/2025`` / ``周一 2025/12/15``."""
        weekday = babel_format_date(day, "EEE", locale=self.locale)
        return f"{weekday} {format_date(self.env, day)}"

    def local(self, moment):
        """A naive local datetime, to the minute."""
        return f"{self.day(moment.date())} {moment.strftime('%H:%M')}"

    def utc(self, moment):
        """A naive UTC datetime (as stored), shown in ``tz``."""
        return self.local(to_local(moment, self.tz))

    def month(self, day):
        """``January 2026`` / ``2026年1月``."""
        return format_skeleton("yMMMM", day, locale=self.locale)

    # -- sentences -------------------------------------------------------------------------------

    def sentence(self, violation, **names):
        """The translated sentence of ``violation`` (code and params), given the names."""
        render = SENTENCES.get(violation.code)
        if render is None:
            return self._("Rule %(code)s is not met.", code=str(violation.code))
        return render(self, {"code": violation.code, **names, **violation.params})


def _horizon(t, p):
    who = t._("Internal groups") if p["category"] == "internal" else t._("External groups")
    if p["code"] == Rule.HORIZON_WEEKS:
        return t._(
            "Horizon rule: %(who)s may book up to natural week %(count)s, the current "
            "week being the 1st (until %(last)s); this booking starts %(day)s.",
            who=who,
            count=p["count"],
            last=t.day(p["last_day"]),
            day=t.day(p["day"]),
        )
    return t._(
        "Horizon rule: %(who)s may book at most %(count)s days ahead (until %(last)s); "
        "this booking starts %(day)s.",
        who=who,
        count=p["count"],
        last=t.day(p["last_day"]),
        day=t.day(p["day"]),
    )


def _restricted_slot(t, p):
    where = t._(" on workdays") if p["workdays"] else ""
    return t._(
        "Slot rule: without %(level)s on %(instrument)s you may book only %(slots)s"
        "%(where)s; whole days need %(level)s or a long data collection.",
        level=p["whole_day_level"],
        instrument=p["instrument"],
        slots=", ".join(p["restricted_labels"]) or "-",
        where=where,
    )


def _quota(t, p):
    scope = t._("per user") if p["scope"] == "user" else t._("per research group")
    period = (
        t._("the week of %(day)s", day=t.day(p["period_start"]))
        if p["period"] == "week"
        else t.month(p["period_start"])
    )
    unit = t._("h") if p["unit"] == "hours" else t._("workdays")
    return t._(
        "Quota rule: at most %(limit)s %(unit)s %(scope)s in %(period)s; with this "
        "booking it would be %(used)s %(unit)s.",
        limit=num(p["limit"]),
        unit=unit,
        scope=scope,
        period=period,
        used=num(p["used"]),
    )


def _allocation(t, p):
    lapsed = (
        t._(
            " (%(forfeited)s h not booked by %(deadline)s were forfeited)",
            forfeited=num(round(p["forfeited"], 2)),
            deadline=t.day(p["deadline"]),
        )
        if p["forfeited"]
        else ""
    )
    return t._(
        "Allocation rule: %(group)s has %(allocated)s h allocated on %(instrument)s for "
        "%(month)s%(lapsed)s, %(remaining)s h of them left; with this booking it would "
        "use %(used)s h.",
        group=p["group"],
        allocated=num(round(p["allocated"], 2)),
        instrument=p["instrument"],
        month=t.month(p["month"]),
        lapsed=lapsed,
        remaining=num(round(p["remaining"], 2)),
        used=num(round(p["used"], 2)),
    )


def _group_restricted(t, p):
    return t._(
        "%(group)s is %(state)s%(until)s: %(reason)s",
        group=p["group"],
        state=p["state"],
        until=t._(" until %(day)s", day=t.day(p["until"])) if p["until"] else "",
        reason=p["reason"] or "",
    )


def _sanction(t, p):
    until = (
        t._("until %(moment)s", moment=t.utc(p["until"]))
        if p["until"]
        else t._("until staff lift it")
    )
    return t._(
        "Sanction rule: %(sanction)s — %(target)s may not book %(until)s (%(reason)s).",
        sanction=p["sanction"],
        target=p["target"],
        until=until,
        reason=p["reason"],
    )


def _sanction_allowance(t, p):
    return t._(
        "Sanction rule: %(sanction)s — %(target)s may book at most %(days)s days ahead (until "
        "%(last)s) while it lasts, %(until)s (%(reason)s); this booking starts %(day)s.",
        sanction=p["sanction"],
        target=p["target"],
        days=p["days"],
        last=t.day(p["last_day"]),
        until=t._("until %(moment)s", moment=t.utc(p["until"]))
        if p["until"]
        else t._("until staff lift it"),
        reason=p["reason"],
        day=t.day(p["day"]),
    )


def _overlap(t, p):
    return t._(
        "No double booking: %(instrument)s is already booked from %(start)s to %(stop)s "
        "(%(booking)s); choose another time.",
        instrument=p["instrument"],
        start=t.utc(p["start"]),
        stop=t.utc(p["stop"]),
        booking=p["booking"],
    )


SENTENCES = {
    # -- rules that do not depend on the time
    Rule.NO_BOOKING: lambda t, p: t._(
        "%(instrument)s needs no booking: record its use in the usage log.",
        instrument=p["instrument"],
    ),
    Rule.INSTRUMENT_STATE: lambda t, p: t._(
        "%(instrument)s is %(state)s.", instrument=p["instrument"], state=p["state"]
    ),
    Rule.INSTRUMENT_ARCHIVED: lambda t, p: t._(
        "%(instrument)s is archived and can no longer be booked.", instrument=p["instrument"]
    ),
    Rule.OPERATOR: lambda t, p: t._(
        "Operator rule: %(operator)s is not a member of %(group)s; the operator must "
        "be the real user, from the booking's research group.",
        operator=p["operator"],
        group=p["group"],
    ),
    Rule.OPERATOR_ARCHIVED: lambda t, p: t._(
        "Operator rule: %(operator)s is archived and cannot use the instrument.",
        operator=p["operator"],
    ),
    Rule.BOOKER: lambda t, p: t._(
        "Booker rule: %(booker)s may book only as the operator, for a member of a group they "
        "lead, or as a manager of %(instrument)s booking on behalf of a user.",
        booker=p["booker"],
        instrument=p["instrument"],
    ),
    Rule.GROUP_RESTRICTED: _group_restricted,
    Rule.SANCTION: _sanction,
    Rule.SANCTION_ALLOWANCE: _sanction_allowance,
    Rule.CERTIFICATION: lambda t, p: t._(
        "Certification rule: %(operator)s must hold %(level)s on %(instrument)s to "
        "book it; ask the instrument manager for training.",
        operator=p["operator"],
        level=p["level"],
        instrument=p["instrument"],
    ),
    # -- the policy's rules
    Rule.ORDER: lambda t, p: t._("The booking must end after it starts."),
    Rule.PAST: lambda t, p: t._(
        "Time rule: the booking starts in the past (%(start)s).", start=t.local(p["start"])
    ),
    Rule.HORIZON_WEEKS: _horizon,
    Rule.HORIZON_DAYS: _horizon,
    Rule.REOPEN: lambda t, p: t._(
        "Billing cut-off rule: time from %(reopen)s on can be booked from %(reopen)s "
        "only; this booking starts %(day)s.",
        reopen=t.day(p["reopen"]),
        day=t.day(p["day"]),
    ),
    Rule.MONTHLY: lambda t, p: t._(
        "Monthly opening rule: time in %(month)s opens on %(opens)s (the last week of "
        "the month before); this booking starts %(day)s.",
        month=t.month(p["month"]),
        opens=t.day(p["opens"]),
        day=t.day(p["day"]),
    ),
    Rule.SLOTS: lambda t, p: t._(
        "Slot rule: book one of the day slots (%(slots)s), or whole days from the first "
        "slot's start to the last slot's end.",
        slots=", ".join(p["slot_labels"]),
    ),
    Rule.RESTRICTED_SLOT: _restricted_slot,
    Rule.WHOLE_DAYS: lambda t, p: t._(
        "Run rule: %(instrument)s is booked in whole days (0:00–23:59), one contiguous "
        "block per run.",
        instrument=p["instrument"],
    ),
    Rule.SETUP: lambda t, p: t._(
        "Set-up rule: bookings of %(instrument)s include %(setup)s min of set-up "
        "(e.g. pre-cooling); this booking lasts %(minutes)s min.",
        instrument=p["instrument"],
        setup=p["setup"],
        minutes=round(p["minutes"]),
    ),
    Rule.MIN_DURATION: lambda t, p: t._(
        "Duration rule: at least %(min)s min; this booking lasts %(minutes)s min.",
        min=p["min"],
        minutes=round(p["minutes"]),
    ),
    Rule.MAX_DURATION: lambda t, p: t._(
        "Duration rule: at most %(max)s min; this booking lasts %(minutes)s min.",
        max=p["max"],
        minutes=round(p["minutes"]),
    ),
    Rule.OFFHOURS: lambda t, p: t._(
        "Off-hours rule: %(minutes)s min of this booking fall outside working hours; "
        "that needs %(level)s on %(instrument)s, or a companion holding it for the whole "
        "booking.",
        minutes=round(p["minutes"]),
        level=p["offhours_level"],
        instrument=p["instrument"],
    ),
    Rule.WEEKEND_LEVEL: lambda t, p: t._(
        "Weekend rule: weekends (%(days)s) may be booked only by holders of %(level)s.",
        days=", ".join(t.day(d) for d in p["days"]),
        level=p["weekend_level"],
    ),
    Rule.WEEKEND_ADJACENT: lambda t, p: t._(
        "Weekend rule: a weekend (%(days)s) may only extend workdays you booked next to it.",
        days=", ".join(t.day(d) for d in p["days"]),
    ),
    Rule.BLACKOUT: lambda t, p: t._(
        "Maintenance rule: %(instrument)s is reserved from %(start)s to %(stop)s (%(label)s).",
        instrument=p["instrument"],
        start=t.local(p["start"]),
        stop=t.local(p["stop"]),
        label=p["label"],
    ),
    Rule.QUOTA: _quota,
    Rule.EXTERNAL_SHARE: lambda t, p: t._(
        "Share rule: external groups may book at most %(share)s%% of the %(annual)s "
        "annual hours of %(instrument)s (%(cap)s h) in %(year)s; with this booking it "
        "would be %(used)s h.",
        share=num(p["share"] * 100),
        annual=num(p["annual_hours"]),
        instrument=p["instrument"],
        cap=num(round(p["cap"], 1)),
        year=p["year"],
        used=num(round(p["used"], 1)),
    ),
    Rule.RESERVED_SHARE: lambda t, p: t._(
        "Share rule: %(share)s%% of the annual hours of %(instrument)s are reserved for "
        "%(label)s; other bookings may use %(cap)s h in %(year)s, with this booking it "
        "would be %(used)s h.",
        share=num(p["share"] * 100),
        instrument=p["instrument"],
        label=p["reserved_label"] or t._("the reserved programme"),
        cap=num(round(p["cap"], 1)),
        year=p["year"],
        used=num(round(p["used"], 1)),
    ),
    Rule.PREPARATION: lambda t, p: t._(
        "Preparation rule: confirm that the sample is prepared as %(instrument)s requires "
        "(%(preparation)s).",
        instrument=p["instrument"],
        preparation=p["preparation"] or "-",
    ),
    Rule.ALLOCATION_MISSING: lambda t, p: t._(
        "Allocation rule: %(instrument)s is booked within the hours the expert committee "
        "allocates; %(group)s has no hours allocated for %(month)s. Apply for machine "
        "time first.",
        instrument=p["instrument"],
        group=p["group"],
        month=t.month(p["month"]),
    ),
    Rule.ALLOCATION: _allocation,
    # -- time held by another booking
    Rule.OVERLAP: _overlap,
    Rule.OVERLAP_RACE: lambda t, p: t._(
        "%(instrument)s was booked for this time by someone else a moment ago; choose "
        "another time.",
        instrument=p["instrument"],
    ),
    # -- certification
    Rule.TRAINER_MANAGER_ONLY: lambda t, p: t._(
        "Trainer rule: %(level)s training on %(instrument)s may only be given by the "
        "instrument's managers (%(managers)s); %(trainer)s is not one of them.",
        level=p["level"],
        instrument=p["instrument"],
        managers=p["managers"],
        trainer=p["trainer"],
    ),
    Rule.TRAINER_STAFF_ONLY: lambda t, p: t._(
        "Trainer rule: %(level)s training on %(instrument)s may only be given by the "
        "instrument's managers or technicians; %(trainer)s is neither.",
        level=p["level"],
        instrument=p["instrument"],
        trainer=p["trainer"],
    ),
    Rule.TRAINER_PEER_OTHER_GROUP: lambda t, p: t._(
        "Trainer rule: %(trainer)s is not staff of %(instrument)s and not in a research "
        "group of %(trainee)s; a colleague may only train members of their own group.",
        trainer=p["trainer"],
        instrument=p["instrument"],
        trainee=p["trainee"],
    ),
    Rule.TRAINER_PEER_NOT_CERTIFIED: lambda t, p: t._(
        "Trainer rule: to give %(level)s training on %(instrument)s to a group colleague, "
        "%(trainer)s must hold %(peer_level)s on that instrument.",
        level=p["level"],
        instrument=p["instrument"],
        trainer=p["trainer"],
        peer_level=p["peer_level"],
    ),
    Rule.PREREQUISITE_SCHEME: lambda t, p: t._(
        "Prerequisite rule: %(user)s must hold %(prerequisite)s on an instrument of the "
        "%(scheme)s scheme before %(level)s.",
        user=p["user"],
        prerequisite=p["prerequisite"],
        scheme=p["scheme"],
        level=p["level"],
    ),
    Rule.PREREQUISITE_INSTRUMENT: lambda t, p: t._(
        "Prerequisite rule: %(user)s must hold %(prerequisite)s on %(instrument)s before "
        "%(level)s.",
        user=p["user"],
        prerequisite=p["prerequisite"],
        instrument=p["instrument"],
        level=p["level"],
    ),
}
