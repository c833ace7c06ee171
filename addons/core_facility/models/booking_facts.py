"""What the booking rules need to know, gathered once per check.

A :class:`BookingSubject` says who books what (instrument, operator, group, options); the
:class:`BookingFacts` built for it over a window of time hold everything the rules read — the
levels the operator holds, working time, reserved time, the other bookings that count in quotas,
shares and allocations — in the instrument's time zone, converted from UTC once. Many candidate
times (the availability finder) are then judged in memory, without further queries.

The facts read other groups' bookings and qualifications: they are gathered as superuser and
never leave the server; only the sentences built from them do.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytz

from odoo import fields
from odoo.tools import SQL, html2plaintext

from ..rules import booking as rules
from ..rules.codes import ALLOCATION_STATES, QUOTA_STATES, LevelRole, Rule
from .utils import selection_label, to_local, to_utc

# The columns a check reads (fetched alone, not the whole row with its translations; what a
# refusal's sentence names besides is read when needed).
INSTRUMENT_FACTS = (
    "active",
    "booking_mode",
    "state",
    "required_level_id",
    "booking_policy_id",
    "equipment_id",
    "company_id",
    "rated_annual_hours",
)
GROUP_FACTS = ("state", "state_date_from", "state_date_to", "category", "pi_id")
POLICY_FACTS = (
    "offhours_role",
    "whole_day_role",
    "weekend_role",
    "calendar_id",
    "auto_confirm",
    "internal_priority",
)


@dataclass(frozen=True)
class BookingSubject:
    """Who books what: the part of a booking the rules need besides its times (records)."""

    instrument: object
    operator: object
    group: object
    booker: object = None
    companion: object = None
    long_collection: bool = False
    reserved_project: bool = False
    preparation_done: bool = False
    exclude_id: int = 0  # the booking being checked, not counted among the others

    @classmethod
    def of(cls, booking):
        """The subject of a (possibly unsaved) booking record."""
        return cls(
            instrument=booking.instrument_id,
            operator=booking.operator_id,
            group=booking.research_group_id,
            booker=booking.booked_by_id,
            companion=booking.companion_id,
            long_collection=booking.long_collection,
            reserved_project=booking.reserved_project,
            preparation_done=booking.preparation_done,
            exclude_id=booking._origin.id or 0,
        )


@dataclass(frozen=True)
class BookingFacts:
    subject: BookingSubject
    tz: pytz.BaseTzInfo
    now: datetime  # local
    day: date  # local day the window starts
    held: frozenset  # ids of the levels the operator holds on the instrument
    policy: object = None  # facility.booking.policy record (sudo) or None
    rule: rules.Policy = None  # the policy as plain rules
    levels: dict = field(default_factory=dict)  # LevelRole -> level record
    companion_ok: bool = False
    working: tuple = ()
    workdays: frozenset = None
    blackouts: tuple = ()
    user_bookings: tuple = ()
    group_bookings: tuple = ()
    shares: tuple = (0.0, 0.0)
    # month -> (rules.Allocation, hours used by other bookings, hours this booking held)
    allocations: dict = field(default_factory=dict)

    # -- gathering -------------------------------------------------------------------------------

    @classmethod
    def gather(cls, env, subject, window_start, window_stop, now=None):
        """The facts for ``subject`` over ``window_start``-``window_stop`` (naive UTC), judged
        at ``now`` (naive UTC, default now)."""
        env = env(su=True)
        s = subject
        instrument = s.instrument.sudo()
        _fetch(instrument, INSTRUMENT_FACTS)
        policy = instrument.booking_policy_id
        _fetch(policy, POLICY_FACTS)
        tz = instrument._booking_tz()
        start, stop = to_local(window_start, tz), to_local(window_stop, tz)
        held = frozenset(
            env["facility.qualification"]
            ._held_levels(s.operator, instrument, start.date())
            .get(instrument.id, set())
        )
        base = {
            "subject": s,
            "tz": tz,
            "now": to_local(now or fields.Datetime.now(), tz),
            "day": start.date(),
            "held": held,
        }
        if not policy:
            return cls(**base)
        rule = policy._to_rules()
        levels = {
            role: instrument._level_for_role(role)
            for role in {policy.offhours_role, policy.whole_day_role, policy.weekend_role}
            if role != LevelRole.NONE
        }
        offhours_level = levels.get(policy.offhours_role)
        companion_ok = bool(
            s.companion
            and offhours_level
            and env["facility.qualification"].is_qualified(
                s.companion, instrument, offhours_level, start.date()
            )
        )
        period_from = min(rules.week_start(start.date()), rules.month_start(start.date()))
        period_to = max(
            rules.week_start(stop.date()) + timedelta(days=7),
            rules.next_month_start(stop.date()),
        )
        period = (_utc_day(period_from, tz), _utc_day(period_to, tz))
        calendar = policy._calendar(instrument)
        scopes = {quota.scope for quota in rule.quotas}
        offhours_exempt = (offhours_level and offhours_level.id in held) or companion_ok
        return cls(
            **base,
            policy=policy,
            rule=rule,
            levels=levels,
            companion_ok=companion_ok,
            working=_working_intervals(calendar, tz, start, stop)
            if rule.offhours_rule and not offhours_exempt
            else (),
            workdays=_workdays(calendar, tz, period_from, period_to)
            if (rule.quotas or rule.weekend_rule or rule.restricted_workdays_only)
            else None,
            blackouts=tuple(
                (to_local(b["start"], tz), to_local(b["stop"], tz), b["label"])
                for b in instrument._reserved_intervals(window_start, window_stop)
            ),
            user_bookings=_counted(env, s, "operator_id", s.operator.id, period, tz)
            if "user" in scopes or rule.weekend_rule
            else (),
            group_bookings=_counted(env, s, "research_group_id", s.group.id, period, tz)
            if "group" in scopes
            else (),
            shares=_year_shares(env, s, tz, start.year)
            if rule.external_share or rule.reserved_share
            else (0.0, 0.0),
            allocations=_allocations(env, s, start.date(), stop.date())
            if rule.allocation_rule
            else {},
        )

    # -- judging ---------------------------------------------------------------------------------

    def static_violations(self):
        """Rules that do not depend on the booking's times (except its day)."""
        s = self.subject
        instrument, operator, group = s.instrument.sudo(), s.operator.sudo(), s.group.sudo()
        _fetch(group, GROUP_FACTS)
        out = []
        add = out.append
        if not instrument.active:
            add(rules.Violation(Rule.INSTRUMENT_ARCHIVED, {}))
        if instrument.booking_mode != "booking":
            add(rules.Violation(Rule.NO_BOOKING, {}))
        if instrument.state != "in_service":
            add(
                rules.Violation(
                    Rule.INSTRUMENT_STATE, {"state": selection_label(instrument, "state")}
                )
            )
        if not operator.active:
            add(rules.Violation(Rule.OPERATOR_ARCHIVED, {}))
        if not _is_member(operator, group):
            add(rules.Violation(Rule.OPERATOR, {}))
        if s.booker and not _may_book_for(s.booker, operator, group, instrument):
            add(rules.Violation(Rule.BOOKER, {"booker": s.booker.name}))
        if group._is_restricted_on(self.day):
            add(
                rules.Violation(
                    Rule.GROUP_RESTRICTED,
                    {
                        "state": selection_label(group, "state"),
                        "until": group.state_date_to,
                        "reason": group.state_reason,
                    },
                )
            )
        required = instrument.required_level_id
        if required and required.id not in self.held:
            add(rules.Violation(Rule.CERTIFICATION, {"level": required.name}))
        return out

    def violations(self, date_start, date_stop):
        """The policy's rules broken by a booking at ``date_start``-``date_stop`` (UTC)."""
        if not self.policy:
            return []
        return rules.evaluate(self.rule, self.request(date_start, date_stop))

    def request(self, date_start, date_stop):
        """The plain :class:`rules.Request` for a booking at these times (UTC)."""
        s, tz = self.subject, self.tz
        start = to_local(date_start, tz)
        extra = {}
        if self.rule.allocation_rule:
            month = rules.month_start(start.date())
            allocation, used, own = self.allocations.get(month, (None, 0.0, 0.0))
            extra = {
                "allocation": allocation,
                "allocation_used_hours": used,
                "allocation_own_hours": own,
            }
        return rules.Request(
            start=start,
            stop=to_local(date_stop, tz),
            now=self.now,
            category=s.group.sudo().category,
            has_whole_day_level=self._holds(self.policy.whole_day_role),
            long_collection=s.long_collection,
            has_offhours_level=self._holds(self.policy.offhours_role),
            companion_certified=self.companion_ok,
            has_weekend_level=self._holds(self.policy.weekend_role),
            working=list(self.working),
            workdays=self.workdays,
            blackouts=list(self.blackouts),
            user_bookings=list(self.user_bookings),
            group_bookings=list(self.group_bookings),
            annual_hours=s.instrument.sudo().rated_annual_hours,
            year_external_hours=self.shares[0],
            year_unreserved_hours=self.shares[1],
            reserved_project=s.reserved_project,
            preparation_done=s.preparation_done,
            **extra,
        )

    def _holds(self, role):
        level = self.levels.get(role)
        return bool(level) and level.id in self.held

    def names(self):
        """What the sentences name besides the rules' numbers."""
        s, policy = self.subject, self.policy
        instrument = s.instrument.sudo()
        names = {
            "instrument": instrument.name,
            "operator": s.operator.sudo().name,
            "group": s.group.sudo().name,
            "annual_hours": instrument.rated_annual_hours,
        }
        if policy:
            slots = policy.slot_ids.sorted("sequence")
            names.update(
                slot_labels=slots.mapped("display_name"),
                restricted_labels=slots.filtered("restricted").mapped("display_name"),
                whole_day_level=self._level_name(policy.whole_day_role),
                offhours_level=self._level_name(policy.offhours_role),
                weekend_level=self._level_name(policy.weekend_role),
                reserved_label=policy.reserved_label,
                preparation=html2plaintext(policy.preparation or "").strip(),
            )
        return names

    def _level_name(self, role):
        level = self.levels.get(role)
        return level.name if level else "-"


def _may_book_for(booker, operator, group, instrument):
    """The booker is the operator, the group's PI, or a manager of the instrument (or the
    facility manager) booking on a user's behalf."""
    return (
        booker._is_superuser()  # server code
        or booker == operator
        or booker == group.pi_id
        or booker in instrument.manager_ids
        or booker.has_group("core_facility.group_facility_manager")
    )


def _fetch(records, field_names):
    """Read only ``field_names`` of saved ``records`` (those not in cache yet)."""
    if records and all(isinstance(id_, int) for id_ in records.ids):
        records.fetch(field_names)


def _is_member(user, group):
    """``user in group.member_ids``, in one query of the relation, without reading the members
    (ordered by name) nor their records to filter out the archived ones: only ``user``'s own
    ``active`` (already read) matters."""
    if not (isinstance(group.id, int) and isinstance(user.id, int)):
        return user in group.member_ids  # records not saved yet
    if group.env.context.get("active_test", True) and not user.active:
        return False
    env = group.env
    env["facility.research.group"].flush_model(["member_ids"])
    env.cr.execute(
        SQL(
            "SELECT 1 FROM facility_research_group_member_rel WHERE group_id = %s AND user_id = %s",
            group.id or None,
            user.id or None,
        )
    )
    return bool(env.cr.fetchone())


def _utc_day(day, tz):
    return to_utc(datetime.combine(day, datetime.min.time()), tz)


def _working_intervals(calendar, tz, start, stop):
    if not calendar:
        return ()
    intervals = calendar._work_intervals_batch(
        to_utc(start, tz).replace(tzinfo=pytz.utc),
        to_utc(stop, tz).replace(tzinfo=pytz.utc),
        tz=tz,
    )[False]
    return tuple(
        (s.astimezone(tz).replace(tzinfo=None), e.astimezone(tz).replace(tzinfo=None))
        for s, e, _meta in intervals
    )


def _workdays(calendar, tz, day_from, day_to):
    """Dates between ``day_from`` and ``day_to`` with working time in ``calendar``."""
    if not calendar:
        return None
    start = tz.localize(datetime.combine(day_from - timedelta(days=7), datetime.min.time()))
    stop = tz.localize(datetime.combine(day_to + timedelta(days=7), datetime.min.time()))
    intervals = calendar._work_intervals_batch(start, stop, tz=tz)[False]
    return frozenset(s.astimezone(tz).date() for s, _e, _meta in intervals)


def _counted(env, subject, field_name, value, period, tz):
    """Other bookings of the operator or group on the instrument that count in quotas."""
    env["facility.booking"].flush_model()
    env.cr.execute(
        SQL(
            "SELECT date_start, date_stop FROM facility_booking WHERE %s = %s "
            "AND instrument_id = %s AND state IN %s AND id != %s "
            "AND date_start >= %s AND date_start < %s",
            SQL.identifier(field_name),
            value,
            subject.instrument.id,
            QUOTA_STATES,
            subject.exclude_id,
            period[0],
            period[1],
        )
    )
    return tuple((to_local(s, tz), to_local(e, tz)) for s, e in env.cr.fetchall())


def _year_shares(env, subject, tz, year):
    """Hours booked this calendar year on the instrument by external groups, and outside the
    reserved programme (other bookings)."""
    bounds = [to_utc(datetime(y, 1, 1), tz) for y in (year, year + 1)]
    env["facility.booking"].flush_model()
    env.cr.execute(
        SQL(
            "SELECT COALESCE(SUM(b.duration_hours) FILTER (WHERE g.category = 'external'), 0), "
            "COALESCE(SUM(b.duration_hours) FILTER (WHERE NOT COALESCE(b.reserved_project, "
            "FALSE)), 0) FROM facility_booking b "
            "JOIN facility_research_group g ON g.id = b.research_group_id "
            "WHERE b.instrument_id = %s AND b.state IN %s AND b.id != %s "
            "AND b.date_start >= %s AND b.date_start < %s",
            subject.instrument.id,
            QUOTA_STATES,
            subject.exclude_id,
            bounds[0],
            bounds[1],
        )
    )
    return env.cr.fetchone()


def _allocations(env, subject, day_from, day_to):
    """The group's allocations on the instrument by month, with the hours its other bookings
    use: ``{month: (rules.Allocation, used_hours)}``."""
    months = []
    month = rules.month_start(day_from)
    while month <= day_to:
        months.append(month)
        month = rules.next_month_start(month)
    Allocation = env["facility.booking.allocation"]
    allocations = Allocation.search(
        [
            ("instrument_id", "=", subject.instrument.id),
            ("research_group_id", "=", subject.group.id),
            ("month", "in", months),
        ]
    )
    instrument_id, group_id = subject.instrument.id, subject.group.id
    usage = Allocation._usage(
        [(instrument_id, group_id, m) for m in months], exclude_booking_id=subject.exclude_id
    )
    own_month, own_hours = None, 0.0
    if subject.exclude_id:
        env.cr.execute(
            SQL(
                "SELECT date_start, duration_hours FROM facility_booking WHERE id = %s "
                "AND state IN %s",
                subject.exclude_id,
                ALLOCATION_STATES,
            )
        )
        row = env.cr.fetchone()
        if row:
            tz = subject.instrument.sudo()._booking_tz()
            own_month, own_hours = rules.month_start(to_local(row[0], tz).date()), row[1]
    return {
        allocation.month: (
            allocation._to_rule(),
            usage[instrument_id, group_id, allocation.month],
            own_hours if allocation.month == own_month else 0.0,
        )
        for allocation in allocations
    }
