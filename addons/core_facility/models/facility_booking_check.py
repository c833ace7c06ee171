from datetime import datetime

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..rules import booking as rules
from ..rules.codes import ACTIVE_STATES, Rule
from ..rules.codes import BookingState as S
from .booking_facts import BookingFacts, BookingSubject
from .rule_messages import RuleText
from .utils import to_local

PURPOSE_MAX = 200
# Times a booking may have at all (anything else is a typing or a client's mistake).
DATE_MIN, DATE_MAX = datetime(2000, 1, 1), datetime(2100, 1, 1)
REQUIRED_ON_CREATE = ("instrument_id", "research_group_id", "date_start", "date_stop", "purpose")


class FacilityBookingCheck(models.AbstractModel):
    """How a booking is checked: values a client may get wrong, every rule of the instrument's
    policy (through :class:`BookingFacts`), time held by other bookings (the exclusion
    constraint and its clear message) and the counters that serialise counted bookings. The
    booking record and its lifecycle (``facility_booking.py``) call these."""

    _name = "facility.booking.check"
    _description = "Booking Checks"

    @api.model
    def _check_values(self, vals, creating=False):
        """Refuse, with a clear message, values no booking can have: missing, mistyped or out
        of range (what a client, not a user, gets wrong)."""
        _ = self.env._
        if creating:
            missing = [
                self._fields[name]._description_string(self.env)
                for name in REQUIRED_ON_CREATE
                if not vals.get(name)
            ]
            if missing:
                raise ValidationError(_("A booking needs: %(fields)s.", fields=", ".join(missing)))
        for name in ("instrument_id", "operator_id", "research_group_id", "companion_id"):
            value = vals.get(name)
            if value and not (isinstance(value, int) and 0 < value < 2**31):
                raise ValidationError(
                    _(
                        "%(field)s: %(value)s is not a record number.",
                        field=self._fields[name]._description_string(self.env),
                        value=str(value)[:40],
                    )
                )
        for name in ("date_start", "date_stop"):
            if not vals.get(name):
                continue
            label = self._fields[name]._description_string(self.env)
            try:
                moment = fields.Datetime.to_datetime(vals[name])
            except (TypeError, ValueError, OverflowError):
                moment = None
            if not isinstance(moment, datetime):
                raise ValidationError(
                    _(
                        "%(field)s: %(value)s is not a date and time.",
                        field=label,
                        value=str(vals[name])[:40],
                    )
                )
            if not DATE_MIN <= moment < DATE_MAX:
                raise ValidationError(
                    _(
                        "%(field)s: %(value)s is out of range; bookings lie between %(first)s "
                        "and %(last)s.",
                        field=label,
                        value=vals[name],
                        first=DATE_MIN.year,
                        last=DATE_MAX.year - 1,
                    )
                )
        check_purpose(self.env, vals.get("purpose"))

    def _lock_counts(self):
        """Serialise the bookings that count against the same quota, allocation or annual
        share: each bumps the counter rows of what it counts against, so a concurrent
        transaction counting the same thing fails to serialise and is retried (seeing this
        booking) instead of both passing. Bookings of policies without counting rules take no
        lock."""
        keys = set()
        for booking in self:
            instrument = booking.instrument_id.sudo()
            policy = instrument.booking_policy_id
            if not policy or not booking.date_start:
                continue
            rule = policy._to_rules()
            external = booking.research_group_id.sudo().category == "external"
            counts_year = rule.reserved_share or (rule.external_share and external)
            if not (rule.quotas or rule.allocation_rule or counts_year):
                continue  # nothing counted: the time zone query is not needed
            day = to_local(booking.date_start, instrument._booking_tz()).date()
            for quota in rule.quotas:
                who = booking.operator_id if quota.scope == "user" else booking.research_group_id
                period = rules.period_key(day, quota.period)
                keys.add((instrument.id, f"{quota.scope}:{who.id}:{period}"))
            if rule.allocation_rule:
                month = rules.month_start(day)
                keys.add((instrument.id, f"allocation:{booking.research_group_id.id}:{month}"))
            if counts_year:
                keys.add((instrument.id, f"year:{day.year}"))
        if keys:
            self.env.cr.execute(
                SQL(
                    "INSERT INTO facility_booking_counter (instrument_id, key) VALUES %s "
                    "ON CONFLICT (instrument_id, key) DO UPDATE "
                    "SET bumps = facility_booking_counter.bumps + 1",
                    SQL(", ").join(SQL("(%s, %s)", i, k) for i, k in sorted(keys)),
                )
            )

    def _flush_checked(self):
        """Flush, turning an exclusion-constraint conflict into a clear message."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.flush_all()
        except pg_errors.ExclusionViolation:
            raise self._overlap_error(self) from None

    def _overlap_error(self, bookings):
        """The clear message of a conflict the exclusion constraint caught: the conflicting
        booking, or, when it was committed by another transaction after this one began, that
        someone booked the time a moment ago."""
        wanted = [
            (b.instrument_id.sudo(), b.date_start, b.date_stop, b._origin.id or 0, b._fmt_tz())
            for b in bookings
        ]
        self.env.invalidate_all()
        messages = []
        for instrument, start, stop, own_id, tz in wanted:
            conflict = self.sudo().search(
                [
                    ("id", "!=", own_id),
                    ("instrument_id", "=", instrument.id),
                    ("state", "in", ACTIVE_STATES),
                    ("date_start", "<", stop),
                    ("date_stop", ">", start),
                ],
                limit=1,
            )
            names = {"instrument": instrument.name}
            messages.append(RuleText(self.env, tz).sentence(_overlap_violation(conflict), **names))
        return ValidationError("\n".join(messages))

    def _overlaps(self):
        """The bookings overlapping this one (as superuser, by start), in one query: those
        holding time, and the requests. The same as ``_overlapping`` of each."""
        self.ensure_one()
        Booking = self.env["facility.booking"].sudo()
        Booking.flush_model(["instrument_id", "state", "date_start", "date_stop"])
        self.env.cr.execute(
            SQL(
                "SELECT id, state FROM facility_booking WHERE id != %s AND instrument_id = %s "
                "AND state IN %s AND date_start < %s AND date_stop > %s "
                "ORDER BY date_start, id",
                self._origin.id or 0,
                self.instrument_id.id,
                (*ACTIVE_STATES, S.REQUESTED),
                self.date_stop,
                self.date_start,
            )
        )
        rows = self.env.cr.fetchall()
        return (
            Booking.browse([id_ for id_, state in rows if state in ACTIVE_STATES]),
            Booking.browse([id_ for id_, state in rows if state == S.REQUESTED]),
        )

    def _overlapping(self, states):
        self.ensure_one()
        return self.search(
            [
                ("id", "!=", self._origin.id or 0),
                ("instrument_id", "=", self.instrument_id.id),
                ("state", "in", list(states)),
                ("date_start", "<", self.date_stop),
                ("date_stop", ">", self.date_start),
            ],
            order="date_start, id",
        )

    def _check_booking_rules(self, at=None):
        problems = [
            booking._problem_text(messages)
            for booking in self
            if (messages := booking._rule_messages(at))
        ]
        if problems:
            raise ValidationError("\n\n".join(problems))

    def _problem_text(self, messages):
        header = self.env._(
            "%(instrument)s cannot be booked from %(start)s to %(stop)s:",
            instrument=self.instrument_id.sudo().name,
            start=self._fmt_datetime(self.date_start),
            stop=self._fmt_datetime(self.date_stop),
        )
        return "\n".join([header, *(f"- {m}" for m in messages)])

    def _rule_messages(self, at=None, holding=None):
        """Every rule this booking breaks (judged at ``at``, default now), as translated
        sentences (``holding``: the overlapping bookings holding time, when already known)."""
        self.ensure_one()
        facts = BookingFacts.gather(
            self.env, BookingSubject.of(self), self.date_start, self.date_stop, now=at
        )
        violations = facts.static_violations() + facts.violations(self.date_start, self.date_stop)
        violations += self._sanction_violations(facts.tz, at)
        if holding is None:
            holding = self.sudo()._overlapping(ACTIVE_STATES)
        conflict = holding[:1]
        if conflict:
            violations.append(_overlap_violation(conflict))
        collaboration = self._collaboration_messages()
        if not violations:
            return collaboration
        text = RuleText(self.env, facts.tz)
        names = facts.names()
        return [text.sentence(violation, **names) for violation in violations] + collaboration

    def _sanction_violations(self, tz, at=None):
        """The sanctions (附件4) this booking breaks: a restriction of its group (or unit), a
        suspension of its operator, a refusal or blacklisting, a smaller allowance
        (``facility.sanction._booking_violations``)."""
        if not (self.research_group_id and self.date_start and self.date_stop):
            return []
        return self.env["facility.sanction"]._booking_violations(
            self.research_group_id, self.operator_id, self.date_start, self.date_stop, tz, now=at
        )

    def _collaboration_messages(self):
        """A booking for a collaboration: the collaboration is its research group's, and its
        required agreements are signed (``facility.collaboration._check_agreements_signed``)."""
        collaboration = self.collaboration_id.sudo()
        if not collaboration:
            return []
        if collaboration.research_group_id != self.research_group_id:
            return [
                self.env._(
                    "Collaboration rule: %(collaboration)s is a collaboration of %(group)s, "
                    "not of the booking's research group.",
                    collaboration=collaboration.name,
                    group=collaboration.research_group_id.name,
                )
            ]
        problems = collaboration._agreement_problems(for_use=True)
        if not problems:
            return []
        return [
            self.env._(
                "Collaboration rule: %(collaboration)s: %(problems)s",
                collaboration=collaboration.name,
                problems="; ".join(problems),
            )
        ]


def check_purpose(env, purpose):
    """Refuse a purpose longer than a booking's (bookings, waitlist entries)."""
    if len(purpose or "") > PURPOSE_MAX:
        raise ValidationError(
            env._(
                "Describe the purpose in at most %(max)s characters (%(length)s given).",
                max=PURPOSE_MAX,
                length=len(purpose),
            )
        )


def _overlap_violation(conflict):
    if not conflict:
        return rules.Violation(Rule.OVERLAP_RACE, {})
    return rules.Violation(
        Rule.OVERLAP,
        {"start": conflict.date_start, "stop": conflict.date_stop, "booking": conflict.name},
    )
