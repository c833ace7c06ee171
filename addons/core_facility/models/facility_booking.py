from datetime import datetime, timedelta

import pytz
from babel.dates import format_date as babel_format_date
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date, html2plaintext
from odoo.tools.misc import babel_locale_parse

from ..rules import booking as rules
from .utils import format_month, num, selection_label, to_local, to_utc

# Bookings that hold their time: the exclusion constraint covers exactly these.
ACTIVE_STATES = ("confirmed", "in_use", "done")
# Bookings that count in quotas.
QUOTA_STATES = ("requested", "confirmed", "in_use", "done")
# Fields whose change is a change of the booking's time or rules.
RULE_FIELDS = {
    "instrument_id",
    "operator_id",
    "research_group_id",
    "date_start",
    "date_stop",
    "companion_id",
    "long_collection",
    "reserved_project",
    "preparation_done",
}


class FacilityBooking(models.Model):
    """Time booked on an instrument by a research group's member, under the instrument's policy.

    Every rule of the policy is checked in :mod:`..rules.booking` and all refusals are reported at
    once; a PostgreSQL exclusion constraint guarantees that two bookings holding time never
    overlap on one instrument, whatever the concurrency.
    """

    _name = "facility.booking"
    _description = "Instrument Booking"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    instrument_id = fields.Many2one(
        "facility.instrument", required=True, index=True, tracking=True, ondelete="restrict"
    )
    policy_id = fields.Many2one(related="instrument_id.booking_policy_id")
    operator_id = fields.Many2one(
        "res.users",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        help="The person who really uses the instrument; a member of the research group.",
    )
    research_group_id = fields.Many2one(
        "facility.research.group",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.user.facility_group_ids[:1],
        domain="[('member_ids', 'in', operator_id)]",
    )
    group_category = fields.Selection(related="research_group_id.category")
    booked_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        index=True,
        default=lambda self: self.env.user,
    )
    purpose = fields.Char(required=True, tracking=True)
    date_start = fields.Datetime(string="Start", required=True, index=True, tracking=True)
    date_stop = fields.Datetime(string="End", required=True, tracking=True)
    duration_hours = fields.Float(
        string="Duration (h)", compute="_compute_duration_hours", store=True
    )
    slot_id = fields.Many2one(
        "facility.booking.slot",
        string="Day Slot",
        domain="[('policy_id', '=', policy_id)]",
        help="Pick a named slot to fill the times.",
    )
    long_collection = fields.Boolean(
        string="Long Data Collection",
        tracking=True,
        help="Long data collection may take whole days without the whole-day level.",
    )
    reserved_project = fields.Boolean(
        string="Reserved Programme",
        help="The booking belongs to the programme the policy reserves a share of hours for "
        "(Titan: CAS pilot projects).",
    )
    cryo_holder = fields.Boolean(
        string="Cryo Holder Needed", help="The manager prepares the cryo holder."
    )
    companion_id = fields.Many2one(
        "res.users",
        string="Off-hours Companion",
        tracking=True,
        help="A certified user present for the whole booking, so that an uncertified operator "
        "may work off-hours.",
    )
    preparation = fields.Html(related="policy_id.preparation")
    preparation_done = fields.Boolean(
        tracking=True,
        help="The booker confirms that the sample is prepared as the instrument's policy asks.",
    )
    is_first_use = fields.Boolean(
        string="First Use",
        compute="_compute_is_first_use",
        help="The operator has never used this instrument: plan the experiment with the manager.",
    )
    note = fields.Text()
    state = fields.Selection(
        [
            ("requested", "Requested"),
            ("confirmed", "Confirmed"),
            ("rejected", "Rejected"),
            ("in_use", "In Use"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
            ("no_show", "No-show"),
        ],
        required=True,
        default="requested",
        tracking=True,
        copy=False,
        index=True,
    )
    reject_reason = fields.Text(readonly=True, copy=False)
    actual_start = fields.Datetime(readonly=True, copy=False)
    actual_stop = fields.Datetime(readonly=True, copy=False)
    used_hours = fields.Float(compute="_compute_used_hours", store=True)
    released_hours = fields.Float(
        readonly=True, copy=False, help="Time released early for others to use."
    )
    cancel_date = fields.Datetime(readonly=True, copy=False)
    is_late_cancellation = fields.Boolean(string="Late Cancellation", readonly=True, copy=False)
    is_underuse = fields.Boolean(string="Under-used", readonly=True, copy=False)
    chargeable_hours = fields.Float(
        compute="_compute_chargeable_hours",
        store=True,
        help="Hours to charge: used or booked time; wasted time (no-show, late cancellation, "
        "unreported under-use) is charged in full.",
    )
    color = fields.Integer(compute="_compute_color")
    is_manager = fields.Boolean(compute="_compute_is_manager")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )

    _sql_constraints = [
        ("dates_order", "CHECK(date_stop > date_start)", "A booking must end after it starts."),
    ]

    def init(self):
        """btree_gist and the exclusion constraint: no two bookings holding time overlap."""
        self.env.cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        self.env.cr.execute(
            "SELECT 1 FROM pg_constraint WHERE conname = 'facility_booking_no_overlap'"
        )
        if not self.env.cr.fetchone():
            self.env.cr.execute(
                SQL(
                    "ALTER TABLE facility_booking ADD CONSTRAINT facility_booking_no_overlap "
                    "EXCLUDE USING gist (instrument_id WITH =, "
                    "tsrange(date_start, date_stop, '[)') WITH &&) WHERE (state IN %s)",
                    ACTIVE_STATES,
                )
            )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS facility_booking_operator_start_idx "
            "ON facility_booking (operator_id, instrument_id, date_start)"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS facility_booking_group_start_idx "
            "ON facility_booking (research_group_id, instrument_id, date_start)"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS facility_booking_instrument_start_idx "
            "ON facility_booking (instrument_id, date_start, date_stop)"
        )

    # -- computes -------------------------------------------------------------------------------

    @api.depends("date_start", "date_stop")
    def _compute_duration_hours(self):
        for booking in self:
            if booking.date_start and booking.date_stop:
                booking.duration_hours = _hours(booking.date_stop - booking.date_start)
            else:
                booking.duration_hours = 0.0

    @api.depends("actual_start", "actual_stop")
    def _compute_used_hours(self):
        for booking in self:
            if booking.actual_start and booking.actual_stop:
                booking.used_hours = _hours(booking.actual_stop - booking.actual_start)
            else:
                booking.used_hours = 0.0

    @api.depends("state", "duration_hours", "is_late_cancellation")
    def _compute_chargeable_hours(self):
        for booking in self:
            if booking.state in ("confirmed", "in_use", "done", "no_show"):
                booking.chargeable_hours = booking.duration_hours
            elif booking.state == "cancelled" and booking.is_late_cancellation:
                booking.chargeable_hours = booking.duration_hours
            else:
                booking.chargeable_hours = 0.0

    @api.depends("operator_id", "instrument_id")
    def _compute_is_first_use(self):
        used = {}  # (operator, instrument) -> ids of bookings that were used
        bookings = self.filtered(lambda b: b.operator_id and b.instrument_id)
        if bookings:
            for operator, instrument, ids in (
                self.env["facility.booking"]
                .sudo()
                ._read_group(
                    [
                        ("operator_id", "in", bookings.operator_id.ids),
                        ("instrument_id", "in", bookings.instrument_id.ids),
                        ("state", "in", ("in_use", "done")),
                    ],
                    ["operator_id", "instrument_id"],
                    ["id:array_agg"],
                )
            ):
                used[operator.id, instrument.id] = set(ids)
        for booking in self:
            others = used.get((booking.operator_id.id, booking.instrument_id.id), set())
            booking.is_first_use = not (others - {booking._origin.id})

    @api.depends("state")
    def _compute_color(self):
        colors = {"requested": 3, "confirmed": 10, "in_use": 4, "done": 8, "no_show": 1}
        for booking in self:
            booking.color = colors.get(booking.state, 0)

    @api.depends_context("uid")
    @api.depends("instrument_id.manager_ids")
    def _compute_is_manager(self):
        is_director = self.env.user.has_group("core_facility.group_facility_manager")
        for booking in self:
            booking.is_manager = is_director or self.env.user in booking.instrument_id.manager_ids

    @api.depends("instrument_id.name", "operator_id.name")
    def _compute_display_name(self):
        for booking in self:
            booking.display_name = (
                f"{booking.instrument_id.name} · {booking.operator_id.name}"
                if booking.instrument_id
                else booking.name
            )

    # -- onchanges ------------------------------------------------------------------------------

    @api.onchange("slot_id", "date_start")
    def _onchange_slot_id(self):
        """Fill the times of the chosen slot on the start day, in the facility's time zone."""
        if not self.slot_id or not self.date_start or not self.instrument_id:
            return
        tz = self.instrument_id._booking_tz()
        day = to_local(self.date_start, tz).date()
        start, stop = self.slot_id._to_rule().bounds(day)
        self.date_start = to_utc(start, tz)
        self.date_stop = to_utc(stop, tz)

    @api.onchange("operator_id")
    def _onchange_operator_id(self):
        if self.operator_id and self.research_group_id not in self.operator_id.facility_group_ids:
            self.research_group_id = self.operator_id.facility_group_ids[:1]

    # -- CRUD -----------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        """Check every rule on the unsaved booking, then insert it once with its final state:
        confirmed at once when the policy allows it (the exclusion constraint is checked at
        that insert), requested otherwise."""
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].sudo().next_by_code("facility.booking") or "/"
                )
        if self._skip_rules():
            return super().create(vals_list)
        probes, problems = [], []
        for vals in vals_list:
            vals.pop("state", None)
            probe = self.new(self._add_missing_default_values(dict(vals)))
            messages = probe._rule_messages()
            if messages:
                problems.append(probe._problem_text(messages))
            probes.append(probe)
        if problems:
            raise ValidationError("\n\n".join(problems))
        for vals, probe in zip(vals_list, probes, strict=True):
            policy = probe.instrument_id.booking_policy_id
            if not policy or policy.auto_confirm:
                probe._check_priority()
                vals["state"] = "confirmed"
        try:
            with self.env.cr.savepoint(flush=False):
                bookings = super().create(vals_list)
                self.env.flush_all()
        except pg_errors.ExclusionViolation:
            raise self._overlap_error(probes) from None
        bookings.filtered(lambda b: b.state == "confirmed")._reject_priority_losers()
        return bookings

    def write(self, vals):
        check = RULE_FIELDS & set(vals) and not self._skip_rules()
        if check:
            now = fields.Datetime.now()
            for booking in self:
                if booking.state not in ("requested", "confirmed"):
                    raise UserError(
                        self.env._(
                            "%(booking)s is %(state)s: only requested or confirmed bookings can "
                            "change.",
                            booking=booking.name,
                            state=booking._state_label(),
                        )
                    )
                notice = booking.instrument_id.booking_policy_id.cancel_notice_minutes
                if booking.state == "confirmed" and rules.late_cancellation(
                    booking.date_start, now, notice
                ):
                    raise UserError(
                        self.env._(
                            "Change rule: %(booking)s starts within %(minutes)s minutes; it can "
                            "no longer be changed, only cancelled (and charged).",
                            booking=booking.name,
                            minutes=notice,
                        )
                    )
        res = super().write(vals)
        if check:
            self._check_booking_rules()
            self.filtered(lambda b: b.state in ACTIVE_STATES)._flush_checked()
        return res

    def unlink(self):
        if any(b.state not in ("requested", "rejected", "cancelled") for b in self):
            raise UserError(self.env._("Bookings that held time are records: cancel them instead."))
        return super().unlink()

    # -- actions --------------------------------------------------------------------------------

    def action_confirm(self):
        self._check_is_manager()
        if any(b.state != "requested" for b in self):
            raise UserError(self.env._("Only requested bookings can be confirmed."))
        self._confirm()

    def action_reject(self):
        self._check_is_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject Booking"),
            "res_model": "facility.booking.reject.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_booking_ids": self.ids},
        }

    def action_cancel(self):
        now = fields.Datetime.now()
        for booking in self:
            if booking.state not in ("requested", "confirmed"):
                raise UserError(
                    self.env._("Only requested or confirmed bookings can be cancelled.")
                )
            notice = booking.instrument_id.booking_policy_id.cancel_notice_minutes
            late = booking.state == "confirmed" and rules.late_cancellation(
                booking.date_start, now, notice
            )
            held = booking.state == "confirmed"
            booking.write({"state": "cancelled", "cancel_date": now, "is_late_cancellation": late})
            if late:
                booking.message_post(
                    body=self.env._(
                        "Cancelled less than %(minutes)s minutes before the start: the booked "
                        "time stays chargeable.",
                        minutes=notice,
                    )
                )
            if held and booking.date_stop > now:
                booking._offer_released_time(max(booking.date_start, now), booking.date_stop)

    def action_start(self):
        for booking in self:
            if booking.state != "confirmed":
                raise UserError(self.env._("Only confirmed bookings can start."))
        self.write({"state": "in_use", "actual_start": fields.Datetime.now()})

    def action_done(self):
        now = fields.Datetime.now()
        for booking in self:
            if booking.state not in ("confirmed", "in_use"):
                raise UserError(self.env._("Only confirmed or running bookings can finish."))
            values = {"state": "done", "actual_stop": booking.actual_stop or now}
            if not booking.actual_start:
                values["actual_start"] = booking.date_start
            booking.write(values)
            ratio = booking.instrument_id.booking_policy_id.underuse_ratio
            if booking.duration_hours and booking.used_hours < ratio * booking.duration_hours:
                booking.is_underuse = True
                booking.message_post(
                    body=self.env._(
                        "Under-used: %(used).1f h used of %(booked).1f h booked, not released; "
                        "the booked time is charged.",
                        used=booking.used_hours,
                        booked=booking.duration_hours,
                    )
                )

    def action_release(self):
        """Release the rest of the booking from now: the freed time goes to the waitlist."""
        now = fields.Datetime.now().replace(microsecond=0)
        for booking in self:
            if booking.state not in ("confirmed", "in_use"):
                raise UserError(self.env._("Only confirmed or running bookings can be released."))
            if now <= booking.date_start:
                booking.action_cancel()
                continue
            if now >= booking.date_stop:
                raise UserError(self.env._("This booking has already ended."))
            old_stop = booking.date_stop
            booking._release_until(now)
            booking.message_post(
                body=self.env._(
                    "%(hours).2f h released early for other users.",
                    hours=_hours(old_stop - now),
                )
            )
            booking._offer_released_time(now, old_stop)

    def action_no_show(self):
        self._check_is_manager()
        now = fields.Datetime.now()
        for booking in self:
            if booking.state != "confirmed" or booking.date_start > now:
                raise UserError(
                    self.env._("Only a confirmed booking whose start has passed can be a no-show.")
                )
        self.write({"state": "no_show"})

    # -- business methods -----------------------------------------------------------------------

    def _skip_rules(self):
        """Server code only (superuser mode, never reachable through RPC) may skip the rules:
        to shrink a released booking, or to load demo history."""
        return self.env.su and self.env.context.get("booking_skip_rules")

    def _release_until(self, moment):
        self.ensure_one()
        released = _hours(self.date_stop - moment)
        values = {
            "date_stop": moment,
            "released_hours": self.released_hours + released,
            "state": "done",
            "actual_stop": moment,
        }
        if not self.actual_start:
            values["actual_start"] = self.date_start
        self.sudo().with_context(booking_skip_rules=True).write(values)

    def _confirm(self):
        """Confirm, honouring internal priority; the exclusion constraint settles races."""
        for booking in self:
            booking._check_priority()
            booking.write({"state": "confirmed"})
            booking._flush_checked()
            booking._reject_priority_losers()

    def _check_priority(self):
        """An external request cannot take time an internal group's request asks for."""
        self.ensure_one()
        policy = self.instrument_id.booking_policy_id
        if not (policy.internal_priority and self.research_group_id.category == "external"):
            return
        rivals = (
            self.sudo()
            ._overlapping(("requested",))
            .filtered(lambda b: b.group_category == "internal")
        )
        if rivals:
            raise UserError(
                self.env._(
                    "Priority rule: an internal group's request (%(rival)s) asks for the same "
                    "time; internal groups have priority before confirmation.",
                    rival=rivals[0].name,
                )
            )

    def _reject_priority_losers(self):
        """Once an internal booking is confirmed, overlapping external requests are rejected."""
        for booking in self:
            policy = booking.instrument_id.booking_policy_id
            if not (policy.internal_priority and booking.group_category == "internal"):
                continue
            losers = (
                booking.sudo()
                ._overlapping(("requested",))
                .filtered(lambda b: b.group_category == "external")
            )
            for loser in losers:
                loser._reject(
                    self.env._(
                        "An internal group's booking (%(booking)s) was confirmed for the same "
                        "time; internal groups have priority.",
                        booking=booking.name,
                    )
                )

    def _reject(self, reason):
        for booking in self:
            booking.write({"state": "rejected", "reject_reason": reason})
            booking.message_post(
                body=self.env._("Rejected: %(reason)s", reason=reason),
                partner_ids=booking.operator_id.partner_id.ids,
            )

    def _flush_checked(self):
        """Flush, turning an exclusion-constraint conflict into a clear message."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.flush_all()
        except pg_errors.ExclusionViolation:
            raise self._overlap_error(self) from None

    def _overlap_error(self, bookings):
        """The clear message of a conflict the exclusion constraint caught."""
        self.env.invalidate_all()
        messages = [
            booking._overlap_message(booking.sudo()._overlapping(ACTIVE_STATES)[:1])
            for booking in bookings
        ]
        return ValidationError("\n".join(messages))

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

    def _overlap_message(self, conflict):
        if not conflict:
            return self.env._(
                "%(instrument)s was booked for this time by someone else a moment ago; choose "
                "another time.",
                instrument=self.instrument_id.name,
            )
        return self.env._(
            "No double booking: %(instrument)s is already booked from %(start)s to %(stop)s "
            "(%(booking)s); choose another time.",
            instrument=self.instrument_id.name,
            start=self._fmt_datetime(conflict.date_start),
            stop=self._fmt_datetime(conflict.date_stop),
            booking=conflict.name,
        )

    def _check_is_manager(self):
        for booking in self:
            if not booking.is_manager:
                raise UserError(
                    self.env._(
                        "Only the managers of %(instrument)s can do this.",
                        instrument=booking.instrument_id.name,
                    )
                )

    def _check_booking_rules(self):
        problems = [
            booking._problem_text(messages)
            for booking in self
            if (messages := booking._rule_messages())
        ]
        if problems:
            raise ValidationError("\n\n".join(problems))

    def _problem_text(self, messages):
        header = self.env._(
            "%(instrument)s cannot be booked from %(start)s to %(stop)s:",
            instrument=self.instrument_id.name,
            start=self._fmt_datetime(self.date_start),
            stop=self._fmt_datetime(self.date_stop),
        )
        return "\n".join([header, *(f"- {m}" for m in messages)])

    def _rule_messages(self):
        """Every rule this booking breaks, as translated sentences."""
        self.ensure_one()
        facts = self._rule_facts(self.date_start, self.date_stop)
        messages = self._static_messages(facts)
        messages += self._policy_messages(facts, self.date_start, self.date_stop)
        conflict = self.sudo()._overlapping(ACTIVE_STATES)[:1]
        if conflict:
            messages.append(self._overlap_message(conflict))
        return messages

    def _rule_facts(self, window_start, window_stop):
        """What the rules need to know about bookings of this record's instrument, operator and
        group between ``window_start`` and ``window_stop`` (UTC): gathered once, so that many
        candidate times (the availability finder) are judged without further queries."""
        self.ensure_one()
        booking = self.sudo()  # rules need other groups' bookings and qualifications
        instrument, policy = booking.instrument_id, booking.instrument_id.booking_policy_id
        tz = instrument._booking_tz()
        start, stop = to_local(window_start, tz), to_local(window_stop, tz)
        held = (
            self.env["facility.qualification"]
            ._held_levels(booking.operator_id, instrument, start.date())
            .get(instrument.id, set())
        )
        facts = {"tz": tz, "held": held, "policy": policy, "day": start.date()}
        if not policy:
            return facts
        companion_ok = False
        if booking.companion_id and policy.offhours_level_id:
            companion_ok = self.env["facility.qualification"].is_qualified(
                booking.companion_id, instrument, policy.offhours_level_id, start.date()
            )
        period_from = min(rules.week_start(start.date()), rules.month_start(start.date()))
        period_to = max(
            rules.week_start(stop.date()) + timedelta(days=7),
            rules.next_month_start(stop.date()),
        )
        period = (
            to_utc(datetime.combine(period_from, datetime.min.time()), tz),
            to_utc(datetime.combine(period_to, datetime.min.time()), tz),
        )
        calendar = policy._calendar(instrument)
        rule = policy._to_rules()
        scopes = {quota.scope for quota in rule.quotas}
        offhours_exempt = policy.offhours_level_id.id in held or companion_ok
        facts.update(
            rules=rule,
            companion_ok=companion_ok,
            working=booking._working_intervals(calendar, tz, start, stop)
            if rule.offhours_rule and not offhours_exempt
            else [],
            workdays=booking._workdays(calendar, tz, period_from, period_to)
            if (rule.quotas or rule.weekend_rule or rule.restricted_workdays_only)
            else None,
            blackouts=booking._blackouts(tz, window_start, window_stop),
            user_bookings=booking._quota_bookings("operator_id", booking.operator_id.id, period, tz)
            if "user" in scopes or rule.weekend_rule
            else [],
            group_bookings=booking._quota_bookings(
                "research_group_id", booking.research_group_id.id, period, tz
            )
            if "group" in scopes
            else [],
            shares=booking._year_shares(tz, start.year)
            if rule.external_share or rule.reserved_share
            else (0.0, 0.0),
            allocations=booking._allocations(start.date(), stop.date())
            if rule.allocation_rule
            else {},
        )
        return facts

    def _allocations(self, day_from, day_to):
        """The group's allocations on the instrument by month, with the hours its other
        bookings use: ``{month: (rules.Allocation, used_hours)}``."""
        months = []
        month = rules.month_start(day_from)
        while month <= day_to:
            months.append(month)
            month = rules.next_month_start(month)
        Allocation = self.env["facility.booking.allocation"]
        allocations = Allocation.search(
            [
                ("instrument_id", "=", self.instrument_id.id),
                ("research_group_id", "=", self.research_group_id.id),
                ("month", "in", months),
            ]
        )
        instrument_id, group_id = self.instrument_id.id, self.research_group_id.id
        usage = Allocation._usage(
            [(instrument_id, group_id, m) for m in months], exclude_booking_id=self._origin.id or 0
        )
        return {
            allocation.month: (
                allocation._to_rule(),
                usage[instrument_id, group_id, allocation.month],
            )
            for allocation in allocations
        }

    def _year_shares(self, tz, year):
        """Hours booked this calendar year by external groups, and outside the reserved
        programme, on this instrument (other bookings)."""
        bounds = [to_utc(datetime(y, 1, 1), tz) for y in (year, year + 1)]
        self.env.cr.execute(
            SQL(
                "SELECT COALESCE(SUM(b.duration_hours) FILTER (WHERE g.category = 'external'), 0), "
                "COALESCE(SUM(b.duration_hours) FILTER (WHERE NOT COALESCE(b.reserved_project, "
                "FALSE)), 0) FROM facility_booking b "
                "JOIN facility_research_group g ON g.id = b.research_group_id "
                "WHERE b.instrument_id = %s AND b.state IN %s AND b.id != %s "
                "AND b.date_start >= %s AND b.date_start < %s",
                self.instrument_id.id,
                QUOTA_STATES,
                self._origin.id or 0,
                bounds[0],
                bounds[1],
            )
        )
        return self.env.cr.fetchone()

    def _static_messages(self, facts):
        """Rules that do not depend on the booking's times (except its day)."""
        booking = self.sudo()
        instrument, operator, group = (
            booking.instrument_id,
            booking.operator_id,
            booking.research_group_id,
        )
        messages = []
        if instrument.booking_mode != "booking":
            messages.append(
                self.env._(
                    "%(instrument)s needs no booking: record its use in the usage log.",
                    instrument=instrument.name,
                )
            )
        if instrument.state != "in_service":
            messages.append(
                self.env._(
                    "%(instrument)s is %(state)s.",
                    instrument=instrument.name,
                    state=selection_label(instrument, "state"),
                )
            )
        if group not in operator.facility_group_ids:
            messages.append(
                self.env._(
                    "Operator rule: %(operator)s is not a member of %(group)s; the operator must "
                    "be the real user, from the booking's research group.",
                    operator=operator.name,
                    group=group.name,
                )
            )
        if group._is_restricted_on(facts["day"]):
            messages.append(
                self.env._(
                    "%(group)s is %(state)s%(until)s: %(reason)s",
                    group=group.name,
                    state=selection_label(group, "state"),
                    until=self.env._(" until %(day)s", day=self._fmt_day(group.state_date_to))
                    if group.state_date_to
                    else "",
                    reason=group.state_reason or "",
                )
            )
        required = instrument.required_level_id
        if required and required.id not in facts["held"]:
            messages.append(
                self.env._(
                    "Certification rule: %(operator)s must hold %(level)s on %(instrument)s to "
                    "book it; ask the instrument manager for training.",
                    operator=operator.name,
                    level=required.name,
                    instrument=instrument.name,
                )
            )
        return messages

    def _policy_messages(self, facts, date_start, date_stop):
        """The policy's rules for this booking at ``date_start``-``date_stop`` (UTC)."""
        policy = facts["policy"]
        if not policy:
            return []
        return [
            self._violation_message(violation, policy)
            for violation in rules.evaluate(
                facts["rules"], self._rule_request(facts, date_start, date_stop)
            )
        ]

    def _rule_request(self, facts, date_start, date_stop):
        policy, held, tz = facts["policy"], facts["held"], facts["tz"]
        return rules.Request(
            start=to_local(date_start, tz),
            stop=to_local(date_stop, tz),
            now=to_local(fields.Datetime.now(), tz),
            category=self.sudo().research_group_id.category,
            has_whole_day_level=policy.whole_day_level_id.id in held,
            long_collection=self.long_collection,
            has_offhours_level=policy.offhours_level_id.id in held,
            companion_certified=facts["companion_ok"],
            has_weekend_level=policy.weekend_level_id.id in held,
            working=facts["working"],
            workdays=facts["workdays"],
            blackouts=facts["blackouts"],
            user_bookings=facts["user_bookings"],
            group_bookings=facts["group_bookings"],
            annual_hours=self.sudo().instrument_id.rated_annual_hours,
            year_external_hours=facts["shares"][0],
            year_unreserved_hours=facts["shares"][1],
            reserved_project=self.reserved_project,
            preparation_done=self.preparation_done,
            **self._allocation_request(facts, date_start, tz),
        )

    def _allocation_request(self, facts, date_start, tz):
        """The allocation of the month the booking starts in, and the hours already used."""
        if not facts["policy"].allocation_required:
            return {}
        month = rules.month_start(to_local(date_start, tz).date())
        allocation, used = facts["allocations"].get(month, (None, 0.0))
        return {"allocation": allocation, "allocation_used_hours": used}

    def _working_intervals(self, calendar, tz, start, stop):
        if not calendar:
            return []
        intervals = calendar._work_intervals_batch(
            to_utc(start, tz).replace(tzinfo=pytz.utc),
            to_utc(stop, tz).replace(tzinfo=pytz.utc),
            tz=tz,
        )[False]
        return [
            (s.astimezone(tz).replace(tzinfo=None), e.astimezone(tz).replace(tzinfo=None))
            for s, e, _meta in intervals
        ]

    def _workdays(self, calendar, tz, day_from, day_to):
        """Dates between ``day_from`` and ``day_to`` with working time in ``calendar``."""
        if not calendar:
            return None
        start = tz.localize(datetime.combine(day_from - timedelta(days=7), datetime.min.time()))
        stop = tz.localize(datetime.combine(day_to + timedelta(days=7), datetime.min.time()))
        intervals = calendar._work_intervals_batch(start, stop, tz=tz)[False]
        return frozenset(s.astimezone(tz).date() for s, _e, _meta in intervals)

    def _blackouts(self, tz, window_start, window_stop):
        instrument = self.instrument_id
        out = []
        for blackout in self.env["facility.booking.blackout"].search(
            [
                ("instrument_id", "=", instrument.id),
                ("date_start", "<", window_stop),
                ("date_stop", ">", window_start),
            ]
        ):
            out.append(
                (to_local(blackout.date_start, tz), to_local(blackout.date_stop, tz), blackout.name)
            )
        if instrument.equipment_id:
            requests = self.env["maintenance.request"].search(
                [
                    ("equipment_id", "=", instrument.equipment_id.id),
                    ("schedule_date", "!=", False),
                    ("schedule_date", "<", window_stop),
                    ("archive", "=", False),
                    ("stage_id.done", "=", False),
                ]
            )
            for request in requests:
                end = request.schedule_date + timedelta(hours=request.duration or 1.0)
                if end > window_start:
                    out.append(
                        (to_local(request.schedule_date, tz), to_local(end, tz), request.name)
                    )
        return out

    def _quota_bookings(self, field_name, value, window, tz):
        self.env.cr.execute(
            SQL(
                "SELECT date_start, date_stop FROM facility_booking WHERE %s = %s "
                "AND instrument_id = %s AND state IN %s AND id != %s "
                "AND date_start >= %s AND date_start < %s",
                SQL.identifier(field_name),
                value,
                self.instrument_id.id,
                QUOTA_STATES,
                self._origin.id or 0,
                window[0],
                window[1],
            )
        )
        return [(to_local(s, tz), to_local(e, tz)) for s, e in self.env.cr.fetchall()]

    def _offer_released_time(self, start, stop):
        """Offer freed time to the instrument's waitlist, in order, and tell the managers."""
        self.ensure_one()
        entry = self.env["facility.booking.waitlist"].sudo()._offer(self.instrument_id, start, stop)
        managers = self.instrument_id.sudo().manager_ids
        body = self.env._(
            "Time released on %(instrument)s from %(start)s to %(stop)s.",
            instrument=self.instrument_id.name,
            start=self._fmt_datetime(start),
            stop=self._fmt_datetime(stop),
        )
        if entry:
            body += " " + self.env._("Offered to %(user)s (waitlist).", user=entry.user_id.name)
        self.sudo().message_post(body=body, partner_ids=managers.partner_id.ids)

    # -- messages -------------------------------------------------------------------------------

    def _violation_message(self, violation, policy):
        p = violation.params
        _ = self.env._
        code = violation.code
        if code == "order":
            return _("The booking must end after it starts.")
        if code == "past":
            return _(
                "Time rule: the booking starts in the past (%(start)s).",
                start=self._fmt_local(p["start"]),
            )
        if code in ("horizon_weeks", "horizon_days"):
            who = _("Internal groups") if p["category"] == "internal" else _("External groups")
            if code == "horizon_weeks":
                return _(
                    "Horizon rule: %(who)s may book up to natural week %(count)s, the current "
                    "week being the 1st (until %(last)s); this booking starts %(day)s.",
                    who=who,
                    count=p["count"],
                    last=self._fmt_day(p["last_day"]),
                    day=self._fmt_day(p["day"]),
                )
            return _(
                "Horizon rule: %(who)s may book at most %(count)s days ahead (until %(last)s); "
                "this booking starts %(day)s.",
                who=who,
                count=p["count"],
                last=self._fmt_day(p["last_day"]),
                day=self._fmt_day(p["day"]),
            )
        if code == "reopen":
            return _(
                "Billing cut-off rule: time from %(reopen)s on can be booked from %(reopen)s "
                "only; this booking starts %(day)s.",
                reopen=self._fmt_day(p["reopen"]),
                day=self._fmt_day(p["day"]),
            )
        if code == "monthly":
            return _(
                "Monthly opening rule: time in %(month)s opens on %(opens)s (the last week of "
                "the month before); this booking starts %(day)s.",
                month=self._fmt_month(p["month"]),
                opens=self._fmt_day(p["opens"]),
                day=self._fmt_day(p["day"]),
            )
        if code == "slots":
            return _(
                "Slot rule: book one of the day slots (%(slots)s), or whole days from the first "
                "slot's start to the last slot's end.",
                slots=", ".join(policy.slot_ids.sorted("sequence").mapped("display_name")),
            )
        if code == "restricted_slot":
            slots = policy.slot_ids.filtered("restricted").mapped("display_name")
            where = _(" on workdays") if p["workdays"] else ""
            return _(
                "Slot rule: without %(level)s on %(instrument)s you may book only %(slots)s"
                "%(where)s; whole days need %(level)s or a long data collection.",
                level=policy.whole_day_level_id.name,
                instrument=self.instrument_id.name,
                slots=", ".join(slots) or "-",
                where=where,
            )
        if code == "whole_days":
            return _(
                "Run rule: %(instrument)s is booked in whole days (0:00–23:59), one contiguous "
                "block per run.",
                instrument=self.instrument_id.name,
            )
        if code == "setup":
            return _(
                "Set-up rule: bookings of %(instrument)s include %(setup)s min of set-up "
                "(e.g. pre-cooling); this booking lasts %(minutes)s min.",
                instrument=self.instrument_id.name,
                setup=p["setup"],
                minutes=round(p["minutes"]),
            )
        if code == "min_duration":
            return _(
                "Duration rule: at least %(min)s min; this booking lasts %(minutes)s min.",
                min=p["min"],
                minutes=round(p["minutes"]),
            )
        if code == "max_duration":
            return _(
                "Duration rule: at most %(max)s min; this booking lasts %(minutes)s min.",
                max=p["max"],
                minutes=round(p["minutes"]),
            )
        if code == "offhours":
            return _(
                "Off-hours rule: %(minutes)s min of this booking fall outside working hours; "
                "that needs %(level)s on %(instrument)s, or a companion holding it for the whole "
                "booking.",
                minutes=round(p["minutes"]),
                level=policy.offhours_level_id.name,
                instrument=self.instrument_id.name,
            )
        if code == "weekend_level":
            return _(
                "Weekend rule: weekends (%(days)s) may be booked only by holders of %(level)s.",
                days=", ".join(self._fmt_day(d) for d in p["days"]),
                level=policy.weekend_level_id.name,
            )
        if code == "weekend_adjacent":
            return _(
                "Weekend rule: a weekend (%(days)s) may only extend workdays you booked next to "
                "it.",
                days=", ".join(self._fmt_day(d) for d in p["days"]),
            )
        if code == "blackout":
            return _(
                "Maintenance rule: %(instrument)s is reserved from %(start)s to %(stop)s "
                "(%(label)s).",
                instrument=self.instrument_id.name,
                start=self._fmt_local(p["start"]),
                stop=self._fmt_local(p["stop"]),
                label=p["label"],
            )
        if code == "quota":
            scope = _("per user") if p["scope"] == "user" else _("per research group")
            period = (
                _("the week of %(day)s", day=self._fmt_day(p["period_start"]))
                if p["period"] == "week"
                else self._fmt_month(p["period_start"])
            )
            unit = _("h") if p["unit"] == "hours" else _("workdays")
            return _(
                "Quota rule: at most %(limit)s %(unit)s %(scope)s in %(period)s; with this "
                "booking it would be %(used)s %(unit)s.",
                limit=num(p["limit"]),
                unit=unit,
                scope=scope,
                period=period,
                used=num(p["used"]),
            )
        if code == "external_share":
            return _(
                "Share rule: external groups may book at most %(share)s%% of the %(annual)s "
                "annual hours of %(instrument)s (%(cap)s h) in %(year)s; with this booking it "
                "would be %(used)s h.",
                share=num(p["share"] * 100),
                annual=num(self.sudo().instrument_id.rated_annual_hours),
                instrument=self.instrument_id.name,
                cap=num(round(p["cap"], 1)),
                year=p["year"],
                used=num(round(p["used"], 1)),
            )
        if code == "reserved_share":
            return _(
                "Share rule: %(share)s%% of the annual hours of %(instrument)s are reserved for "
                "%(label)s; other bookings may use %(cap)s h in %(year)s, with this booking it "
                "would be %(used)s h.",
                share=num(p["share"] * 100),
                instrument=self.instrument_id.name,
                label=policy.reserved_label or _("the reserved programme"),
                cap=num(round(p["cap"], 1)),
                year=p["year"],
                used=num(round(p["used"], 1)),
            )
        if code == "preparation":
            return _(
                "Preparation rule: confirm that the sample is prepared as %(instrument)s requires "
                "(%(preparation)s).",
                instrument=self.instrument_id.name,
                preparation=html2plaintext(policy.preparation or "").strip() or "-",
            )
        if code == "allocation_missing":
            return _(
                "Allocation rule: %(instrument)s is booked within the hours the expert committee "
                "allocates; %(group)s has no hours allocated for %(month)s. Apply for machine "
                "time first.",
                instrument=self.instrument_id.name,
                group=self.research_group_id.name,
                month=self._fmt_month(p["month"]),
            )
        if code == "allocation":
            lapsed = (
                _(
                    " (%(forfeited)s h not booked by %(deadline)s were forfeited)",
                    forfeited=num(round(p["forfeited"], 2)),
                    deadline=self._fmt_day(p["deadline"]),
                )
                if p["forfeited"]
                else ""
            )
            return _(
                "Allocation rule: %(group)s has %(allocated)s h allocated on %(instrument)s for "
                "%(month)s%(lapsed)s, %(remaining)s h of them left; with this booking it would "
                "use %(used)s h.",
                group=self.research_group_id.name,
                allocated=num(round(p["allocated"], 2)),
                instrument=self.instrument_id.name,
                month=self._fmt_month(p["month"]),
                lapsed=lapsed,
                remaining=num(round(p["remaining"], 2)),
                used=num(round(p["used"], 2)),
            )
        return code

    def _fmt_month(self, day):
        return format_month(self.env, day)

    def _locale(self):
        return babel_locale_parse(self.env.lang or "en_US")

    def _fmt_day(self, day):
        weekday = babel_format_date(day, "EEE", locale=self._locale())
        return f"{weekday} {format_date(self.env, day)}"

    def _fmt_local(self, moment):
        return f"{self._fmt_day(moment.date())} {moment.strftime('%H:%M')}"

    def _fmt_datetime(self, utc_moment):
        return self._fmt_local(to_local(utc_moment, self.instrument_id._booking_tz()))

    def _state_label(self):
        return selection_label(self, "state")


def _hours(delta):
    return delta.total_seconds() / 3600
