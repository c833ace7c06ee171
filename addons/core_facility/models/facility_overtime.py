from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..rules.codes import BookingState
from .access import FACILITY_MANAGER, ensure_single
from .booking_facts import _working_intervals
from .rule_messages import RuleText
from .utils import to_local

REQUESTED, APPROVED, REFUSED, CANCELLED = "requested", "approved", "refused", "cancelled"
OPEN = (REQUESTED, APPROVED)
# The stage, the people who decided and the staff member's calendar entry change only through
# the actions.
GUARDED_FIELDS = (
    "state",
    "requester_id",
    "decision_user_id",
    "decision_date",
    "calendar_event_id",
)
# Bookings whose overtime help is cancelled with them.
ENDED_BOOKING_STATES = (BookingState.CANCELLED, BookingState.REJECTED, BookingState.NO_SHOW)


class FacilityOvertimeRequest(models.Model):
    """Staff overtime help (加班协助) on a booking: a manager or technician of the booking's
    instrument helps outside working hours. Requested in advance by the booking's operator, its
    group's PI or the instrument's staff, approved by the director (the facility manager); once
    approved it is on the staff member's calendar."""

    _name = "facility.overtime.request"
    _description = "Staff Overtime Request"
    _inherit = ["facility.guarded.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _guarded_fields = GUARDED_FIELDS

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    booking_id = fields.Many2one(
        "facility.booking", required=True, index=True, ondelete="cascade", tracking=True
    )
    instrument_id = fields.Many2one(
        related="booking_id.instrument_id", store=True, index=True, string="Instrument"
    )
    research_group_id = fields.Many2one(
        related="booking_id.research_group_id", store=True, index=True
    )
    operator_id = fields.Many2one(related="booking_id.operator_id", string="Operator")
    staff_id = fields.Many2one(
        "res.users",
        string="Staff Member",
        required=True,
        index=True,
        tracking=True,
        domain="[('id', 'in', staff_candidate_ids)]",
        help="A manager or technician of the booking's instrument.",
    )
    staff_candidate_ids = fields.Many2many(
        "res.users", compute="_compute_staff_candidate_ids", compute_sudo=True
    )
    date_start = fields.Datetime(string="From", required=True, tracking=True)
    date_stop = fields.Datetime(string="To", required=True, tracking=True)
    hours = fields.Float(string="Help (h)", compute="_compute_hours", store=True)
    offhours_hours = fields.Float(
        string="Outside Working Hours (h)",
        compute="_compute_offhours_hours",
        help="Of the help's hours, those outside the facility's working time.",
    )
    reason = fields.Text(required=True, tracking=True)
    requester_id = fields.Many2one(
        "res.users",
        string="Requested By",
        readonly=True,
        index=True,
        default=lambda self: self.env.user,
    )
    state = fields.Selection(
        [
            (REQUESTED, "Waiting for Approval"),
            (APPROVED, "Approved"),
            (REFUSED, "Refused"),
            (CANCELLED, "Cancelled"),
        ],
        string="Status",
        required=True,
        default=REQUESTED,
        tracking=True,
        copy=False,
        index=True,
    )
    decision_user_id = fields.Many2one("res.users", string="Decided By", readonly=True, copy=False)
    decision_date = fields.Datetime(string="Decided On", readonly=True, copy=False)
    decision_note = fields.Text(string="Director's Note", tracking=True)
    calendar_event_id = fields.Many2one(
        "calendar.event", string="Calendar Entry", readonly=True, copy=False
    )
    is_director = fields.Boolean(compute="_compute_is_director")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        ("dates_order", "CHECK(date_stop > date_start)", "The help must end after it starts."),
    ]

    # -- computes -------------------------------------------------------------------------------

    @api.depends("date_start", "date_stop")
    def _compute_hours(self):
        for request in self:
            if request.date_start and request.date_stop:
                request.hours = (request.date_stop - request.date_start).total_seconds() / 3600
            else:
                request.hours = 0.0

    @api.depends("booking_id.instrument_id")
    def _compute_staff_candidate_ids(self):
        for request in self:
            instrument = request.booking_id.instrument_id
            request.staff_candidate_ids = instrument.manager_ids | instrument.technician_ids

    @api.depends("date_start", "date_stop", "instrument_id")
    def _compute_offhours_hours(self):
        for request in self:
            instrument = request.instrument_id.sudo()
            if not (request.date_start and request.date_stop and instrument):
                request.offhours_hours = 0.0
                continue
            tz = instrument._booking_tz()
            start, stop = to_local(request.date_start, tz), to_local(request.date_stop, tz)
            calendar = instrument.booking_policy_id._calendar(instrument)
            working = _working_intervals(calendar, tz, start, stop) if calendar else ()
            worked = sum(
                (min(e, stop) - max(s, start)).total_seconds()
                for s, e in working
                if e > start and s < stop
            )
            request.offhours_hours = max(0.0, request.hours - worked / 3600)

    @api.depends_context("uid")
    def _compute_is_director(self):
        self.is_director = self.env.user.has_group(FACILITY_MANAGER)

    # -- constraints ----------------------------------------------------------------------------

    @api.constrains("staff_id", "booking_id")
    def _check_staff(self):
        for request in self:
            instrument = request.booking_id.instrument_id.sudo()
            if request.staff_id not in instrument.manager_ids | instrument.technician_ids:
                raise ValidationError(
                    self.env._(
                        "Overtime rule: %(user)s is not a manager or technician of %(instrument)s.",
                        user=request.staff_id.name,
                        instrument=instrument.name,
                    )
                )

    @api.constrains("date_start", "date_stop", "booking_id")
    def _check_within_booking(self):
        for request in self:
            booking = request.booking_id.sudo()
            if request.date_start < booking.date_start or request.date_stop > booking.date_stop:
                text = RuleText(self.env, booking._fmt_tz())
                raise ValidationError(
                    self.env._(
                        "Overtime rule: the help lies within its booking %(booking)s (%(start)s "
                        "to %(stop)s).",
                        booking=booking.name,
                        start=text.utc(booking.date_start),
                        stop=text.utc(booking.date_stop),
                    )
                )

    # -- onchanges ------------------------------------------------------------------------------

    @api.onchange("booking_id")
    def _onchange_booking_id(self):
        """The help defaults to the booking's time and its instrument's first staff member."""
        booking = self.booking_id
        if not booking:
            return
        self.date_start, self.date_stop = booking.date_start, booking.date_stop
        instrument = booking.instrument_id.sudo()
        if self.staff_id not in instrument.manager_ids | instrument.technician_ids:
            self.staff_id = (instrument.technician_ids | instrument.manager_ids)[:1]

    # -- CRUD -----------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        """Requested in advance, on an open booking, by someone it concerns."""
        now = fields.Datetime.now()
        for vals in vals_list:
            booking = self.env["facility.booking"].browse(vals.get("booking_id")).sudo().exists()
            if not booking:
                raise ValidationError(self.env._("Overtime help is requested on a booking."))
            vals.setdefault("date_start", booking.date_start)
            vals.setdefault("date_stop", booking.date_stop)
            self._check_request(booking, fields.Datetime.to_datetime(vals["date_start"]), now)
            if not vals.get("name") or vals["name"] == "/":
                vals["name"] = (
                    self.env["ir.sequence"].sudo().next_by_code("facility.overtime.request") or "/"
                )
        requests = super().create(vals_list)
        for request in requests:
            request.sudo().message_subscribe(request.staff_id.partner_id.ids)
            request._notify_director()
        return requests

    def write(self, vals):
        """While it waits, the request may be changed as it was made: by someone it concerns, on
        an open booking, in advance (the checks of create run again); a decided one is not."""
        changing = {"booking_id", "staff_id", "date_start", "date_stop"} & set(vals)
        if changing and not self._guard_open():
            for request in self:
                if request.state != REQUESTED:
                    raise UserError(
                        self.env._(
                            "%(request)s is decided: cancel it and request the help again.",
                            request=request.name,
                        )
                    )
        if changing:
            now = fields.Datetime.now()
            new_booking = self.env["facility.booking"].browse(vals.get("booking_id")).sudo()
            for request in self.filtered(lambda r: r.state == REQUESTED):
                booking = new_booking if "booking_id" in vals else request.booking_id.sudo()
                start = (
                    fields.Datetime.to_datetime(vals["date_start"])
                    if vals.get("date_start")
                    else request.date_start
                )
                request._check_request(
                    booking, start, now, booking_changed=booking != request.booking_id
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never_decided(self):
        if any(r.state != REQUESTED or r.decision_user_id for r in self):
            raise UserError(self.env._("Decided overtime requests are records: cancel them."))

    # -- actions (buttons) ----------------------------------------------------------------------

    def action_approve(self):
        """The director approves: the help goes on the staff member's calendar."""
        self._check_director()
        now = fields.Datetime.now()
        for request in self:
            request._check_open((REQUESTED,))
            if request.date_start <= now:
                raise UserError(
                    self.env._(
                        "Overtime rule: %(request)s starts at %(start)s; it is approved before "
                        "the help starts.",
                        request=request.name,
                        start=request._fmt(request.date_start),
                    )
                )
            request._write_guarded(
                {
                    "state": APPROVED,
                    "decision_user_id": self.env.user.id,
                    "decision_date": now,
                }
            )
            request._write_guarded({"calendar_event_id": request._create_event().id})
            request._post_decision()

    def action_refuse(self):
        self._check_director()
        now = fields.Datetime.now()
        for request in self:
            request._check_open((REQUESTED,))
            request._write_guarded(
                {"state": REFUSED, "decision_user_id": self.env.user.id, "decision_date": now}
            )
            request._post_decision()

    def action_cancel(self):
        """Cancelled by the people it concerns (or the director) before the help starts."""
        now = fields.Datetime.now()
        for request in self:
            request._check_open(OPEN)
            if not (request._may_cancel()):
                raise UserError(
                    self.env._(
                        "Only the requester, the staff member, the booking's operator, its "
                        "group's PI or the director cancel %(request)s.",
                        request=request.name,
                    )
                )
            if request.date_start <= now and not self.env.user.has_group(FACILITY_MANAGER):
                raise UserError(
                    self.env._(
                        "%(request)s has started: only the director cancels it now.",
                        request=request.name,
                    )
                )
        self.sudo()._cancel()

    def action_view_booking(self):
        ensure_single(self)
        return {
            "type": "ir.actions.act_window",
            "res_model": "facility.booking",
            "res_id": self.booking_id.id,
            "view_mode": "form",
        }

    # -- business methods -----------------------------------------------------------------------

    def _cancel(self, reason=None):
        """Cancel the open requests and remove their calendar entries (also when their booking
        is cancelled, rejected or missed)."""
        for request in self.filtered(lambda r: r.state in OPEN):
            event = request.calendar_event_id
            request._write_guarded({"state": CANCELLED, "calendar_event_id": False})
            event.sudo().with_context(no_mail_to_attendees=True).unlink()
            if reason:
                request.message_post(body=reason)

    @api.model
    def _cancel_for_bookings(self, bookings):
        """Called when ``bookings`` end without their time being used (cancelled, rejected,
        no-show): their overtime help is cancelled."""
        requests = self.sudo().search([("booking_id", "in", bookings.ids), ("state", "in", OPEN)])
        for request in requests:
            request._cancel(
                self.env._(
                    "Cancelled with its booking %(booking)s (%(state)s).",
                    booking=request.booking_id.name,
                    state=request.booking_id._state_label(),
                )
            )

    def _create_event(self):
        """The staff member's calendar entry, without an invitation e-mail."""
        self.ensure_one()
        staff_env = self.with_context(lang=self.staff_id.lang or self.env.lang).env
        return (
            self.env["calendar.event"]
            .sudo()
            .with_context(no_mail_to_attendees=True, mail_create_nolog=True, dont_notify=True)
            .create(
                {
                    # in the staff member's language: it is on their calendar
                    "name": staff_env._(
                        "Overtime help: %(instrument)s (%(booking)s)",
                        instrument=self.instrument_id.sudo().name,
                        booking=self.booking_id.sudo().name,
                    ),
                    "start": self.date_start,
                    "stop": self.date_stop,
                    "user_id": self.staff_id.id,
                    "partner_ids": [fields.Command.set(self.staff_id.partner_id.ids)],
                    "location": self.instrument_id.sudo().location_display or False,
                    "description": self.reason,
                    "privacy": "public",
                    "show_as": "busy",
                }
            )
        )

    def _check_request(self, booking, start, now, booking_changed=True):
        """The rules of a request (on create, and on a change of its booking, staff member or
        time while it waits): someone it concerns asks (:meth:`_check_may_request`), on a
        requested or confirmed booking (checked when the booking is new to the request), before
        the help starts (``start`` after ``now``). Superuser code (data, demo) is trusted with
        who and when."""
        if not booking.exists():
            raise ValidationError(self.env._("Overtime help is requested on a booking."))
        if not self.env.su:
            self._check_may_request(booking)
        if booking_changed and booking.state not in (
            BookingState.REQUESTED,
            BookingState.CONFIRMED,
        ):
            raise UserError(
                self.env._(
                    "Overtime rule: %(booking)s is %(state)s; help is requested for a "
                    "requested or confirmed booking.",
                    booking=booking.name,
                    state=booking._state_label(),
                )
            )
        if start and start <= now and not self.env.su:
            raise UserError(
                self.env._(
                    "Overtime rule: help is requested in advance; %(start)s has passed.",
                    start=RuleText(self.env, booking._fmt_tz()).utc(start),
                )
            )

    def _check_may_request(self, booking):
        """The booking's operator, whoever booked it, its group's PI, the instrument's staff or
        the director request help."""
        user = self.env.user
        instrument = booking.instrument_id
        allowed = (
            booking.operator_id
            | booking.booked_by_id
            | booking.research_group_id.pi_id
            | instrument.manager_ids
            | instrument.technician_ids
        )
        if user not in allowed and not user.has_group(FACILITY_MANAGER):
            raise UserError(
                self.env._(
                    "Overtime rule: help on %(booking)s is requested by its operator, its "
                    "group's PI or the staff of %(instrument)s.",
                    booking=booking.name,
                    instrument=instrument.name,
                )
            )

    def _may_cancel(self):
        self.ensure_one()
        user = self.env.user
        booking = self.booking_id.sudo()
        return user.has_group(FACILITY_MANAGER) or user in (
            self.requester_id
            | self.staff_id
            | booking.operator_id
            | booking.research_group_id.pi_id
        )

    def _check_director(self):
        if not self.env.user.has_group(FACILITY_MANAGER):
            raise UserError(self.env._("Overtime help is approved by the director."))

    def _check_open(self, states):
        self.ensure_one()
        if self.state not in states:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._("%(request)s is %(state)s.", request=self.name, state=labels[self.state])
            )

    def _notify_director(self):
        """An approval activity for the facility's director (set in the settings); without one,
        facility managers find the requests under *Staff Overtime*, waiting for approval."""
        director = self.company_id.sudo().facility_director_id
        if director:
            tz = self.instrument_id.sudo()._booking_tz()
            day_before = to_local(self.date_start, tz).date() - timedelta(days=1)
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=director.id,
                summary=self.with_context(lang=director.lang or self.env.lang).env._(
                    "Approve overtime help"
                ),
                date_deadline=max(day_before, fields.Date.context_today(self)),
            )

    def _post_decision(self):
        self.ensure_one()
        labels = dict(self._fields["state"]._description_selection(self.env))
        self.activity_ids.sudo().action_feedback(feedback=labels[self.state])
        self.sudo().message_post(
            body=self.env._(
                "%(state)s by %(user)s: %(staff)s helps on %(instrument)s from %(start)s to "
                "%(stop)s.",
                state=labels[self.state],
                user=self.env.user.name,
                staff=self.staff_id.name,
                instrument=self.instrument_id.sudo().name,
                start=self._fmt(self.date_start),
                stop=self._fmt(self.date_stop),
            ),
            partner_ids=(self.requester_id | self.staff_id).partner_id.ids,
        )

    def _fmt(self, moment):
        return RuleText(self.env, self.booking_id.sudo()._fmt_tz()).utc(moment)
