from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..rules import booking as rules
from ..rules import integrity_ladder as ladder
from ..rules.codes import ACTIVE_STATES, CHARGED_STATES, OPEN_STATES, ViolationSource
from ..rules.codes import BookingState as S
from .rule_messages import RuleText
from .utils import selection_label, to_local, to_utc

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
    "collaboration_id",
}
# Fields that change only through the transitions (state, measured time, charges).
GUARDED_FIELDS = (
    "state",
    "actual_start",
    "actual_stop",
    "used_hours",
    "released_hours",
    "cancel_date",
    "is_late_cancellation",
    "is_underuse",
    "chargeable_hours",
    "reject_reason",
    "booked_by_id",
)
# A booking may be started this long before its time (the user is at the door early).
EARLY_START = timedelta(minutes=15)


class FacilityBooking(models.Model):
    """Time booked on an instrument by a research group's member, under the instrument's policy.

    Every rule of the policy is checked in :mod:`..rules.booking` and all refusals are reported at
    once; a PostgreSQL exclusion constraint guarantees that two bookings holding time never
    overlap on one instrument, whatever the concurrency, and counters serialise the bookings that
    count against the same quota, allocation or share. State, measured times and charges change
    only through the transitions below (``action_*`` for users, ``_start``/``_finish``... with a
    moment for server code such as the IoT boxes).
    """

    _name = "facility.booking"
    _description = "Instrument Booking"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "facility.guarded.mixin",
        "facility.booking.check",
    ]
    _order = "date_start desc, id desc"

    _guarded_fields = GUARDED_FIELDS

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New Booking"),
    )
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
    collaboration_id = fields.Many2one(
        "facility.collaboration",
        index="btree_not_null",
        tracking=True,
        domain="[('research_group_id', '=', research_group_id), "
        "('state', 'in', ('agreement', 'active'))]",
        help="The collaboration the time is for: refused while a required agreement of it is "
        "not signed.",
    )
    overtime_ids = fields.One2many(
        "facility.overtime.request", "booking_id", string="Staff Overtime", groups="base.group_user"
    )
    overtime_count = fields.Integer(compute="_compute_overtime_count", groups="base.group_user")
    state = fields.Selection(
        [
            (S.REQUESTED, "Requested"),
            (S.CONFIRMED, "Confirmed"),
            (S.REJECTED, "Rejected"),
            (S.IN_USE, "In Use"),
            (S.DONE, "Done"),
            (S.CANCELLED, "Cancelled"),
            (S.NO_SHOW, "No-show"),
        ],
        required=True,
        default=S.REQUESTED,
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
        """btree_gist, the exclusion constraint (no two bookings holding time overlap), the
        counters that serialise counted bookings, and the indexes the rules search by."""
        cr = self.env.cr
        cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        cr.execute("SELECT 1 FROM pg_constraint WHERE conname = 'facility_booking_no_overlap'")
        if not cr.fetchone():
            cr.execute(
                SQL(
                    "ALTER TABLE facility_booking ADD CONSTRAINT facility_booking_no_overlap "
                    "EXCLUDE USING gist (instrument_id WITH =, "
                    "tsrange(date_start, date_stop, '[)') WITH &&) WHERE (state IN %s)",
                    tuple(ACTIVE_STATES),
                )
            )
        # One row per counted thing (a group's allocation of a month, a user's quota of a
        # week...): every booking that counts against it updates the row, so that two
        # transactions counting the same thing at once cannot both pass (the later one fails to
        # serialise and is retried, then sees the first).
        cr.execute(
            "CREATE TABLE IF NOT EXISTS facility_booking_counter ("
            "instrument_id integer NOT NULL,"
            " key varchar NOT NULL, bumps integer NOT NULL DEFAULT 1,"
            " PRIMARY KEY (instrument_id, key))"
        )
        for name, columns in (
            ("facility_booking_operator_start_idx", "operator_id, instrument_id, date_start"),
            ("facility_booking_group_start_idx", "research_group_id, instrument_id, date_start"),
            ("facility_booking_instrument_start_idx", "instrument_id, date_start, date_stop"),
        ):
            cr.execute(
                SQL(
                    "CREATE INDEX IF NOT EXISTS %s ON facility_booking (%s)",
                    SQL.identifier(name),
                    SQL(columns),
                )
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
            if booking.state in CHARGED_STATES or (
                booking.state == S.CANCELLED and booking.is_late_cancellation
            ):
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
                        ("state", "in", (S.IN_USE, S.DONE)),
                    ],
                    ["operator_id", "instrument_id"],
                    ["id:array_agg"],
                )
            ):
                used[operator.id, instrument.id] = set(ids)
        for booking in self:
            others = used.get((booking.operator_id.id, booking.instrument_id.id), set())
            booking.is_first_use = not (others - {booking._origin.id})

    def _compute_overtime_count(self):
        counts = dict(
            self.env["facility.overtime.request"]._read_group(
                [("booking_id", "in", self.ids)], ["booking_id"], ["__count"]
            )
        )
        for booking in self:
            booking.overtime_count = counts.get(booking, 0)

    @api.depends("state")
    def _compute_color(self):
        colors = {S.REQUESTED: 3, S.CONFIRMED: 10, S.IN_USE: 4, S.DONE: 8, S.NO_SHOW: 1}
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
            if not booking._origin.id:
                booking.display_name = self.env._("New Booking")
            elif booking.instrument_id:
                booking.display_name = f"{booking.instrument_id.name} · {booking.operator_id.name}"
            else:
                booking.display_name = booking.name

    # -- onchanges ------------------------------------------------------------------------------

    @api.onchange("slot_id", "date_start")
    def _onchange_slot_id(self):
        """Fill the times of the chosen slot on the start day, in the instrument's time zone."""
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
        trusted = self._guard_open()
        completed = []
        for vals in vals_list:
            if not trusted:
                for name in GUARDED_FIELDS:
                    vals.pop(name, None)
            completed.append(self._add_missing_default_values(dict(vals)))
            self._check_values(completed[-1], creating=True)
        if not self._skip_rules():
            probes, problems, requests = [], [], []
            for vals in completed:
                probe = self.new(vals)
                # one query for the overlapping bookings: those holding time for the rule
                # check, the requests for the priority rule and, once confirmed, to reject them
                holding, requested = probe._overlaps()
                messages = probe._rule_messages(holding=holding)
                if messages:
                    problems.append(probe._problem_text(messages))
                probes.append(probe)
                requests.append(requested)
            if problems:
                raise ValidationError("\n\n".join(problems))
        if self._skip_rules():
            self._number(vals_list)
            return super().create(vals_list)
        probes_env = self.env["facility.booking"].concat(*probes)
        probes_env._lock_counts()
        for vals, probe, requested in zip(vals_list, probes, requests, strict=True):
            vals["booked_by_id"] = probe.booked_by_id.id
            policy = probe.instrument_id.sudo().booking_policy_id
            vals["state"] = S.REQUESTED
            if not policy or policy.auto_confirm:
                probe._check_priority(requested)
                vals["state"] = S.CONFIRMED
            _add_stored_computes(vals, probe)
        # numbered once the rules passed: refused requests leave no gap in the references
        self._number(vals_list)
        # The creation message's reply-to reads the user's current company (its catchall), a
        # company the user may always read (it is one of the allowed companies): reading it
        # here spares computing the user's record rules on companies for that read alone.
        self.env.company.sudo().alias_domain_id  # noqa: B018
        # The creation message names the model and its author: fetch only those columns, not
        # the whole rows (the model's docstring, the partner's every field).
        self.env["ir.model"]._get(self._name).fetch(["name"])
        self.env.user.partner_id.fetch(["name", "email"])
        try:
            with self.env.cr.savepoint(flush=False):
                bookings = super(FacilityBooking, self._guard_context()).create(vals_list)
                self.env.flush_all()
        except pg_errors.ExclusionViolation:
            raise self._overlap_error(probes) from None
        bookings = bookings.with_env(self.env)
        # The requests found before the insert are those found now: the snapshot is the same,
        # and the bookings of one instrument created together are all confirmed or all requested.
        for booking, requested in zip(bookings, requests, strict=True):
            if booking.state == S.CONFIRMED:
                booking._resolve_competitors(requested)
        return bookings

    def write(self, vals):
        self._check_values(vals)
        check = RULE_FIELDS & set(vals) and not self._skip_rules()
        if check:
            now = fields.Datetime.now()
            for booking in self:
                if booking.state not in OPEN_STATES:
                    raise UserError(
                        self.env._(
                            "%(booking)s is %(state)s: only requested or confirmed bookings can "
                            "change.",
                            booking=booking.name,
                            state=booking._state_label(),
                        )
                    )
                notice = booking.instrument_id.sudo().booking_policy_id.cancel_notice_minutes
                if booking.state == S.CONFIRMED and rules.late_cancellation(
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
            self._lock_counts()
            self._check_booking_rules()
            self.filtered(lambda b: b.state in ACTIVE_STATES)._flush_checked()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_only_without_history(self):
        if any(b.state not in (S.REQUESTED, S.REJECTED, S.CANCELLED) for b in self):
            raise UserError(self.env._("Bookings that held time are records: cancel them instead."))
        if any(b.is_late_cancellation for b in self):
            raise UserError(self.env._("A late cancellation is charged: it stays on record."))

    # -- actions (buttons): who may; the transitions below check when ---------------------------

    def action_confirm(self):
        self._check_is_manager()
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
        self._cancel()

    def action_start(self):
        self._start()

    def action_done(self):
        self._finish()

    def action_release(self):
        """Release the rest of the booking from now: the freed time goes to the waitlist."""
        self._release()

    def action_no_show(self):
        self._check_is_manager()
        self._mark_no_show()

    def action_view_overtime(self):
        """The booking's staff overtime requests; a new one defaults to the booking's time."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility.action_facility_overtime_request"
        )
        action["domain"] = [("booking_id", "=", self.id)]
        action["context"] = {"default_booking_id": self.id}
        if not self.overtime_count:
            action.update(view_mode="form", views=[(False, "form")], target="current")
        return action

    # -- transitions: the one place each state changes ------------------------------------------
    # Each takes the moment it happened (``at``, naive UTC, default now), so that a time reported
    # later (by an instrument's box) is recorded as it was. Access rules apply as the caller.

    def _confirm(self, at=None):
        """Confirm requests (rules re-checked, internal priority honoured); every other request
        overlapping a confirmed booking is rejected and its requester put on the waitlist."""
        for booking in self:
            booking._check_state(
                (S.REQUESTED,), self.env._("Only requested bookings can be confirmed.")
            )
        self._lock_counts()
        self._check_booking_rules(at)
        for booking in self:
            booking._check_priority()
            booking._write_guarded({"state": S.CONFIRMED})
            booking._flush_checked()
        self._resolve_competitors()

    def _reject(self, reason):
        for booking in self:
            booking._check_state(
                (S.REQUESTED,), self.env._("Only requested bookings can be rejected.")
            )
            booking._write_guarded({"state": S.REJECTED, "reject_reason": reason})
            booking.message_post(
                body=self.env._("Rejected: %(reason)s", reason=reason),
                partner_ids=booking.operator_id.partner_id.ids,
            )
        self._finalize_charge()
        self.env["facility.overtime.request"]._cancel_for_bookings(self)

    def _cancel(self, at=None):
        at = at or _now()
        for booking in self:
            booking._check_state(
                OPEN_STATES, self.env._("Only requested or confirmed bookings can be cancelled.")
            )
            notice = booking.instrument_id.sudo().booking_policy_id.cancel_notice_minutes
            held = booking.state == S.CONFIRMED
            late = held and rules.late_cancellation(booking.date_start, at, notice)
            booking._write_guarded(
                {"state": S.CANCELLED, "cancel_date": at, "is_late_cancellation": late}
            )
            if late:
                booking.message_post(
                    body=self.env._(
                        "Cancelled less than %(minutes)s minutes before the start: the booked "
                        "time stays chargeable.",
                        minutes=notice,
                    )
                )
            if held and booking.date_stop > at:
                booking._offer_released_time(max(booking.date_start, at), booking.date_stop)
            booking._finalize_charge()
        self.env["facility.overtime.request"]._cancel_for_bookings(self)

    def _start(self, at=None):
        at = at or _now()
        for booking in self:
            booking._check_state((S.CONFIRMED,), self.env._("Only confirmed bookings can start."))
            if at < booking.date_start - EARLY_START:
                raise UserError(
                    self.env._(
                        "%(booking)s starts at %(start)s: it can be started from %(minutes)s "
                        "minutes before.",
                        booking=booking.name,
                        start=booking._fmt_datetime(booking.date_start),
                        minutes=int(EARLY_START.total_seconds() // 60),
                    )
                )
            if at >= booking.date_stop:
                raise UserError(
                    self.env._(
                        "%(booking)s ended at %(stop)s: it can no longer start.",
                        booking=booking.name,
                        stop=booking._fmt_datetime(booking.date_stop),
                    )
                )
            booking._write_guarded({"state": S.IN_USE, "actual_start": at})

    def _finish(self, at=None):
        at = at or _now()
        for booking in self:
            booking._check_state(
                (S.CONFIRMED, S.IN_USE),
                self.env._("Only confirmed or running bookings can finish."),
            )
            started = booking.actual_start or booking.date_start
            if at <= started:
                raise UserError(
                    self.env._(
                        "%(booking)s has not started yet (%(start)s): it cannot finish before.",
                        booking=booking.name,
                        start=booking._fmt_datetime(started),
                    )
                )
            booking._write_guarded({"state": S.DONE, "actual_start": started, "actual_stop": at})
            ratio = booking.instrument_id.sudo().booking_policy_id.underuse_ratio
            if booking.duration_hours and booking.used_hours < ratio * booking.duration_hours:
                booking._write_guarded({"is_underuse": True})
                booking.message_post(
                    body=self.env._(
                        "Under-used: %(used).1f h used of %(booked).1f h booked, not released; "
                        "the booked time is charged.",
                        used=booking.used_hours,
                        booked=booking.duration_hours,
                    )
                )
            booking._finalize_charge()

    def _release(self, at=None):
        """End the booking at ``at`` and give the rest of its time back (to the waitlist)."""
        at = (at or _now()).replace(microsecond=0)
        for booking in self:
            booking._check_state(
                (S.CONFIRMED, S.IN_USE),
                self.env._("Only confirmed or running bookings can be released."),
            )
            if at <= booking.date_start:
                booking._cancel(at)
                continue
            if at >= booking.date_stop:
                raise UserError(self.env._("This booking has already ended."))
            old_stop = booking.date_stop
            booking.sudo().with_context(booking_skip_rules=True)._write_guarded(
                {
                    "date_stop": at,
                    "released_hours": booking.released_hours + _hours(old_stop - at),
                    "state": S.DONE,
                    "actual_start": booking.actual_start or booking.date_start,
                    "actual_stop": at,
                }
            )
            booking.message_post(
                body=self.env._(
                    "%(hours).2f h released early for other users.", hours=_hours(old_stop - at)
                )
            )
            booking._offer_released_time(at, old_stop)
            booking._finalize_charge()

    def _mark_no_show(self, at=None):
        at = at or _now()
        for booking in self:
            if booking.state != S.CONFIRMED or booking.date_start > at:
                raise UserError(
                    self.env._("Only a confirmed booking whose start has passed can be a no-show.")
                )
            booking._write_guarded({"state": S.NO_SHOW})
            booking._finalize_charge()
        self.env["facility.overtime.request"]._cancel_for_bookings(self)

    def _finalize_charge(self):
        """Called once when a booking's charge becomes final (finished, released, no-show,
        cancelled or rejected): ``chargeable_hours`` no longer changes. Billing extends it to
        charge the booking; other addons may extend it to react to wasted time."""
        self._record_violations()
        return True

    def _record_violations(self):
        """Wasted time is a violation (seed 000 附件2 §1): a no-show, a late cancellation, an
        unreported under-use, each recorded once per booking (keyed ``booking:<id>:<kind>``),
        however often this runs."""
        Violation = self.env["facility.violation"].sudo()
        for booking in self.sudo():
            for kind, when in booking._wasted_time():
                Violation.record_violation(
                    booking.research_group_id,
                    booking.operator_id,
                    kind,
                    when=when,
                    source_key=f"booking:{booking.id}:{kind}",
                    booking=booking,
                    description=booking.name,
                )

    def _wasted_time(self):
        """``[(violation type code, moment)]`` of this booking's wasted time, if any."""
        self.ensure_one()
        if self.state == S.NO_SHOW:
            return [(ViolationSource.NO_SHOW, self.date_start)]
        if self.state == S.CANCELLED and self.is_late_cancellation:
            return [(ViolationSource.LATE_CANCEL, self.cancel_date or self.date_start)]
        if self.state == S.DONE and self.is_underuse:
            return [(ViolationSource.UNDER_USE, self.actual_stop or self.date_stop)]
        return []

    # -- business methods -----------------------------------------------------------------------

    def _skip_rules(self):
        """Server code only (superuser mode, never reachable through RPC) may skip the rules:
        to shrink a released booking, or to load demo history."""
        return self.env.su and self.env.context.get("booking_skip_rules")

    @api.model
    def _number(self, vals_list):
        for vals in vals_list:
            if not vals.get("name") or vals["name"] in ("/", self.env._("New Booking")):
                vals["name"] = self._next_reference() or "/"

    @api.model
    def _next_reference(self):
        """``next_by_code("facility.booking")``: when one sequence has the code for the current
        company (or all companies), it is drawn from without the search that orders candidates
        by company; otherwise ``next_by_code`` chooses."""
        code = "facility.booking"
        Sequence = self.env["ir.sequence"].sudo()
        if Sequence.env.context.get("active_test", True):
            Sequence.flush_model(["code", "company_id", "active"])
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM ir_sequence WHERE code = %s AND active "
                    "AND (company_id = %s OR company_id IS NULL)",
                    code,
                    Sequence.env.company.id,
                )
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            if len(ids) == 1:
                return Sequence.browse(ids)._next()
        return Sequence.next_by_code(code)

    def _check_state(self, states, message):
        self.ensure_one()
        if self.state not in states:
            raise UserError(message)

    def _check_priority(self, requested=None):
        """A request cannot take time a request of a group with priority asks for: an internal
        group's over an external one's, then a group of better integrity (a smaller
        ``facility.sanction._priority_penalty``) — ``requested``: the overlapping requests, when
        already known."""
        self.ensure_one()
        policy = self.instrument_id.sudo().booking_policy_id
        if not policy.internal_priority:
            return
        if requested is None:
            requested = self.sudo()._overlapping((S.REQUESTED,))
        requested = requested.sudo()
        if not requested:
            return
        group = self.sudo().research_group_id
        if group.category == "external":
            rivals = requested.filtered(lambda b: b.group_category == "internal")
            if rivals:
                raise UserError(
                    self.env._(
                        "Priority rule: an internal group's request (%(rival)s) asks for the "
                        "same time; internal groups have priority before confirmation.",
                        rival=rivals[0].name,
                    )
                )
        penalty = self._priority_penalties(group)[group]
        same = requested.filtered(lambda b: b.group_category == group.category)
        penalties = self._priority_penalties(same.research_group_id)
        rivals = same.filtered(lambda b: penalties[b.research_group_id] < penalty)
        if rivals:
            raise UserError(
                self.env._(
                    "Priority rule: %(group)s has a lower booking priority (integrity penalty "
                    "%(penalty)s) than %(rival_group)s (%(rival_penalty)s), whose request "
                    "(%(rival)s) asks for the same time.",
                    group=group.name,
                    penalty=penalty,
                    rival_group=rivals[0].research_group_id.name,
                    rival_penalty=penalties[rivals[0].research_group_id],
                    rival=rivals[0].name,
                )
            )

    def _priority_penalties(self, groups):
        """``{group: penalty}``: how much each group's integrity lowers its priority."""
        Sanction = self.env["facility.sanction"]
        return {group: Sanction._priority_penalty(group) for group in groups}

    def _resolve_competitors(self, requested=None):
        """Every request overlapping a confirmed booking is rejected, with the reason, and its
        requester is put on the instrument's waitlist for the time asked (``requested``: the
        overlapping requests of this one booking, when already known)."""
        Waitlist = self.env["facility.booking.waitlist"].sudo()
        if requested is not None:
            self.ensure_one()
        for booking in self.sudo():
            priority = booking.instrument_id.booking_policy_id.internal_priority
            losers = booking._overlapping((S.REQUESTED,)) if requested is None else requested
            penalty = booking._priority_penalties(booking.research_group_id)
            for loser in losers:
                outranked = priority and ladder.outranks(
                    booking.group_category,
                    penalty[booking.research_group_id],
                    loser.group_category,
                    booking._priority_penalties(loser.research_group_id)[loser.research_group_id],
                )
                if outranked and booking.group_category != loser.group_category:
                    reason = self.env._(
                        "An internal group's booking (%(booking)s) was confirmed for the same "
                        "time; internal groups have priority.",
                        booking=booking.name,
                    )
                elif outranked:
                    reason = self.env._(
                        "%(group)s's booking (%(booking)s) was confirmed for the same time; it "
                        "has priority (a better integrity record).",
                        group=booking.research_group_id.name,
                        booking=booking.name,
                    )
                else:
                    reason = self.env._(
                        "The time was given to %(booking)s (%(group)s), confirmed for the same "
                        "time.",
                        booking=booking.name,
                        group=booking.research_group_id.name,
                    )
                loser._reject(
                    reason + " " + self.env._("You are on the waitlist should it become free.")
                )
                Waitlist._add_for(loser)

    def _check_is_manager(self):
        for booking in self:
            if not booking.is_manager:
                raise UserError(
                    self.env._(
                        "Only the managers of %(instrument)s can do this.",
                        instrument=booking.instrument_id.name,
                    )
                )

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

    # -- formats --------------------------------------------------------------------------------

    def _fmt_tz(self):
        return self.instrument_id._booking_tz() if self.instrument_id else None

    def _fmt_datetime(self, utc_moment):
        return RuleText(self.env, self._fmt_tz()).utc(utc_moment)

    def _state_label(self):
        return selection_label(self, "state")


def _now():
    return fields.Datetime.now()


def _add_stored_computes(vals, probe):
    """Give the insert the hours the computes would set just after it (saving an UPDATE): the
    same formulas, for a new booking that has not run (no actual times, not cancelled)."""
    if any(name in vals for name in ("actual_start", "actual_stop", "is_late_cancellation")):
        return
    if any(name in vals for name in ("duration_hours", "used_hours", "chargeable_hours")):
        return
    duration = _hours(probe.date_stop - probe.date_start)
    vals["duration_hours"] = duration
    vals["used_hours"] = 0.0
    vals["chargeable_hours"] = duration if vals["state"] in CHARGED_STATES else 0.0


def _hours(delta):
    return delta.total_seconds() / 3600
