from datetime import date, datetime, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.base.models.res_partner import _tz_get

from ..rules import allocation_pool as pools
from ..rules import booking as rules
from ..rules import integrity_ladder as ladder
from ..rules.codes import ACTIVE_STATES, CHARGED_STATES, QUOTA_STATES, BookingState, LevelRole
from .access import ensure_single, field_labels
from .booking_facts import BookingFacts, BookingSubject
from .utils import num, to_local, to_utc

DEFAULT_TZ = "Asia/Shanghai"
# Candidate times judged at most per search of bookable times.
MAX_CANDIDATES = 5000
# The longest window the time API answers for at once (a year and a bit).
MAX_WINDOW_DAYS = 400

# Fields copied onto the linked maintenance equipment so that maintenance works unchanged.
EQUIPMENT_SYNC = {
    "name": "name",
    "model_name": "model",
    "serial_no": "serial_no",
    "location_display": "location",
    "company_id": "company_id",
}


class FacilityInstrument(models.Model):
    """A shared instrument of the facility, with its catalogue data, staff and asset data.

    Each instrument owns a ``maintenance.equipment`` that is created and kept in sync with it, so
    maintenance requests and preventive maintenance work as in the Maintenance app.
    """

    _name = "facility.instrument"
    _description = "Facility Instrument"
    _inherit = ["mail.thread", "mail.activity.mixin", "image.mixin"]
    _order = "sequence, name"

    # Catalogue (public: read by every internal and portal user)
    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        string="Asset Number", tracking=True, help="Number of the instrument in the asset register."
    )
    sequence = fields.Integer(default=10)
    model_name = fields.Char(string="Model", tracking=True)
    manufacturer = fields.Char()
    category_id = fields.Many2one("facility.instrument.category", index=True, tracking=True)
    unit_id = fields.Many2one(
        "facility.unit",
        string="Responsible Unit",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
    )
    building = fields.Char()
    room = fields.Char()
    location_display = fields.Char(
        string="Location", compute="_compute_location_display", store=True
    )
    latitude = fields.Float(digits=(10, 7))
    longitude = fields.Float(digits=(10, 7))
    state = fields.Selection(
        [("in_service", "In Service"), ("repair", "Under Repair"), ("scrapped", "Scrapped")],
        string="Status",
        required=True,
        default="in_service",
        tracking=True,
        index=True,
    )
    manager_ids = fields.Many2many(
        "res.users",
        "facility_instrument_manager_rel",
        "instrument_id",
        "user_id",
        string="Managers",
        tracking=True,
        help="Instrument managers (仪器管理员): edit the instrument, train, assess and confirm "
        "bookings.",
    )
    technician_ids = fields.Many2many(
        "res.users",
        "facility_instrument_technician_rel",
        "instrument_id",
        "user_id",
        string="Technicians",
        help="Staff who assist users and may give the trainings open to staff.",
    )
    manager_contact = fields.Char(
        compute="_compute_manager_contact",
        compute_sudo=True,
        help="Names, phones and e-mails of the managers, as shown in the catalogue.",
    )
    required_level_id = fields.Many2one(
        "facility.certification.level",
        string="Required Certification",
        tracking=True,
        help="Certification level a user needs to use the instrument on their own.",
    )
    booking_mode = fields.Selection(
        [("booking", "Booking required"), ("log", "Usage log only")],
        required=True,
        default="booking",
        help="Some devices (trimming, knife making) need no booking but every use is logged.",
    )
    is_published = fields.Boolean(
        string="In Public Catalogue",
        default=True,
        help="Published instruments are listed to every user, including portal users.",
    )
    description = fields.Html(translate=True)
    color = fields.Integer()
    active = fields.Boolean(default=True)
    tz = fields.Selection(
        _tz_get,
        string="Time Zone",
        help="Time zone in which this instrument's booking rules reason (days, weeks, working "
        "hours); empty: its unit's, else the company's, else Asia/Shanghai.",
    )

    # Asset and reporting data (internal users only)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self._default_currency_id(),
        groups="base.group_user",
    )
    original_value = fields.Monetary(
        currency_field="currency_id",
        tracking=True,
        groups="base.group_user",
        help="Original value (原值) in the asset register.",
    )
    account_date = fields.Date(
        string="Account Opened",
        tracking=True,
        groups="base.group_user",
        help="Date the instrument was put on the books (建账日期).",
    )
    rated_annual_hours = fields.Float(
        default=1600.0,
        groups="base.group_user",
        help="Rated machine hours per year (额定机时), the reference of the annual evaluation.",
    )
    purpose = fields.Selection(
        [("general", "General Purpose"), ("special", "Special Purpose")],
        default="general",
        required=True,
        groups="base.group_user",
    )
    is_fund_supported = fields.Boolean(string="Fund Supported", groups="base.group_user")
    is_customs_supervised = fields.Boolean(
        string="Customs Supervised",
        groups="base.group_user",
        help="Imported duty-free under customs supervision (海关监管).",
    )
    is_national_platform = fields.Boolean(
        string="On National Platform",
        groups="base.group_user",
        help="Registered on the national network platform for shared instruments.",
    )
    national_code = fields.Char(string="National Platform Code", groups="base.group_user")
    serial_no = fields.Char(string="Serial Number", groups="base.group_user")

    equipment_id = fields.Many2one(
        "maintenance.equipment",
        string="Maintenance Equipment",
        required=True,
        ondelete="restrict",
        copy=False,
        index=True,
        groups="base.group_user",
    )
    maintenance_open_count = fields.Integer(
        related="equipment_id.maintenance_open_count", groups="base.group_user"
    )
    qualification_ids = fields.One2many(
        "facility.qualification", "instrument_id", groups="base.group_user"
    )
    qualification_count = fields.Integer(
        compute="_compute_qualification_count", groups="base.group_user"
    )
    training_count = fields.Integer(compute="_compute_training_count", groups="base.group_user")
    allocation_required = fields.Boolean(related="booking_policy_id.allocation_required")
    booking_policy_id = fields.Many2one(
        "facility.booking.policy",
        tracking=True,
        help="The booking rules of this instrument (horizon, slots, quotas...).",
    )
    booking_ids = fields.One2many("facility.booking", "instrument_id", groups="base.group_user")
    is_manager = fields.Boolean(
        compute="_compute_is_manager",
        help="Whether the current user manages this instrument.",
    )
    allocation_pool_summary = fields.Html(
        string="Annual Pools",
        compute="_compute_allocation_pool_summary",
        sanitize=False,
        groups="base.group_user",
        help="This year's committee hours per pool (external share, general pool, reserved "
        "share) of the rated annual hours: granted and remaining.",
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "An asset number must be unique within a company.",
        ),
        (
            "rated_hours_positive",
            "CHECK(rated_annual_hours IS NULL OR rated_annual_hours >= 0)",
            "Rated annual hours cannot be negative.",
        ),
        (
            "original_value_positive",
            "CHECK(original_value IS NULL OR original_value >= 0)",
            "The original value cannot be negative.",
        ),
    ]

    def _default_currency_id(self):
        return self.env.ref("base.CNY", raise_if_not_found=False) or self.env.company.currency_id

    @api.depends("building", "room")
    def _compute_location_display(self):
        for instrument in self:
            parts = [part for part in (instrument.building, instrument.room) if part]
            instrument.location_display = ", ".join(parts)

    @api.depends("manager_ids.name", "manager_ids.email", "manager_ids.phone")
    def _compute_manager_contact(self):
        for instrument in self:
            contacts = []
            for manager in instrument.manager_ids:
                details = [d for d in (manager.phone, manager.email) if d]
                contacts.append(
                    f"{manager.name} ({', '.join(details)})" if details else manager.name
                )
            instrument.manager_contact = "; ".join(contacts)

    def _compute_qualification_count(self):
        counts = dict(
            self.env["facility.qualification"]._read_group(
                [("instrument_id", "in", self.ids)], ["instrument_id"], ["__count"]
            )
        )
        for instrument in self:
            instrument.qualification_count = counts.get(instrument, 0)

    def _compute_training_count(self):
        counts = dict(
            self.env["facility.training"]._read_group(
                [("instrument_id", "in", self.ids)], ["instrument_id"], ["__count"]
            )
        )
        for instrument in self:
            instrument.training_count = counts.get(instrument, 0)

    @api.depends_context("uid")
    @api.depends("manager_ids")
    def _compute_is_manager(self):
        for instrument in self:
            instrument.is_manager = self.env.user in instrument.manager_ids

    @api.depends_context("lang")
    def _compute_allocation_pool_summary(self):
        for instrument in self:
            year = instrument._local_today().year if instrument.id else False
            status = instrument._allocation_pool_status(year) if year else []
            if not status:
                instrument.allocation_pool_summary = False
                continue
            _ = self.env._
            instrument.allocation_pool_summary = self.env["ir.qweb"]._render(
                "core_facility.instrument_allocation_pools",
                {
                    "caption": _(
                        "%(year)s: committee hours of the %(rated)s h rated annual hours",
                        year=year,
                        rated=_hours(instrument.sudo().rated_annual_hours),
                    ),
                    "rows": [
                        {
                            "label": instrument._pool_label(figures.pool),
                            "share": f"{num(round(figures.share * 100, 2))} %",
                            "cap": _("%(hours)s h", hours=_hours(figures.cap)),
                            "granted": _("%(hours)s h", hours=_hours(figures.granted)),
                            "remaining": _("%(hours)s h", hours=_hours(figures.remaining)),
                            "short": figures.remaining <= 0,
                        }
                        for figures in status
                    ],
                },
            )

    @api.constrains("latitude", "longitude")
    def _check_coordinates(self):
        for instrument in self:
            if not -90 <= instrument.latitude <= 90 or not -180 <= instrument.longitude <= 180:
                raise ValidationError(
                    self.env._(
                        "%(instrument)s: latitude must lie between -90 and 90 and longitude "
                        "between -180 and 180.",
                        instrument=instrument.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        equipment_model = self.env["maintenance.equipment"].sudo()
        for vals in vals_list:
            if not vals.get("equipment_id"):
                equipment = equipment_model.create(self._equipment_values(vals))
                vals["equipment_id"] = equipment.id
        instruments = super().create(vals_list)
        instruments._sync_equipment()
        return instruments

    def write(self, vals):
        staff = {"manager_ids", "technician_ids"} & set(vals)
        if staff and not (
            self.env.su or self.env.user.has_group("core_facility.group_facility_manager")
        ):
            raise AccessError(
                self.env._(
                    "Staff rule: only a facility manager appoints an instrument's managers and "
                    "technicians (%(fields)s).",
                    fields=field_labels(self, staff),
                )
            )
        res = super().write(vals)
        if set(vals) & (
            set(EQUIPMENT_SYNC) | {"building", "room", "manager_ids", "technician_ids", "state"}
        ):
            self._sync_equipment()
        return res

    def action_view_maintenance_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "maintenance.hr_equipment_request_action"
        )
        action["domain"] = [("equipment_id", "=", self.equipment_id.id)]
        action["context"] = {"default_equipment_id": self.equipment_id.id}
        return action

    def action_view_qualifications(self):
        return self._instrument_action("core_facility.action_facility_qualification")

    def action_view_trainings(self):
        return self._instrument_action("core_facility.action_facility_training")

    def action_view_bookings(self):
        return self._instrument_action("core_facility.action_facility_booking")

    def action_view_allocations(self):
        return self._instrument_action("core_facility.action_facility_booking_allocation")

    def _instrument_action(self, xmlid):
        """The action ``xmlid`` restricted to this instrument's records."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("instrument_id", "=", self.id)]
        action["context"] = {"default_instrument_id": self.id}
        return action

    # -- time API: what other addons ask of an instrument's time (see README, developer section) --

    def get_timezone(self):
        """Name of the time zone the instrument's rules reason in: the instrument's own, else its
        unit's (or the nearest parent unit's), else the company's, else Asia/Shanghai."""
        self.ensure_one()
        # one query: every booking check asks it, in a transaction of its own
        self.env["facility.instrument"].flush_model(["tz", "unit_id", "company_id"])
        self.env["facility.unit"].flush_model(["tz", "parent_path"])
        self.env["res.partner"].flush_model(["tz"])
        self.env.cr.execute(
            SQL(
                "SELECT COALESCE(i.tz, (SELECT up.tz FROM facility_unit up WHERE up.tz IS NOT "
                "NULL AND starts_with(u.parent_path, up.parent_path) "
                "ORDER BY length(up.parent_path) DESC LIMIT 1), p.tz) "
                "FROM facility_instrument i JOIN facility_unit u ON u.id = i.unit_id "
                "JOIN res_company c ON c.id = i.company_id "
                "JOIN res_partner p ON p.id = c.partner_id WHERE i.id = %s",
                self.id,
            )
        )
        row = self.env.cr.fetchone()
        return (row and row[0]) or DEFAULT_TZ

    def _booking_tz(self):
        """The instrument's time zone as a ``pytz`` zone (see :meth:`get_timezone`)."""
        return pytz.timezone(self.get_timezone())

    def get_busy_intervals(self, date_from, date_to):
        """Time the instrument is not free between ``date_from`` and ``date_to`` (UTC): bookings
        holding time, reserved time and scheduled maintenance, as a list of dicts ``{start,
        stop, kind, label}`` (naive UTC datetimes; kind ``booking``, ``reserved`` or
        ``maintenance``), sorted by start. The window is at most 400 days."""
        self.ensure_one()
        date_from, date_to = self._check_window(date_from, date_to)
        instrument = self.sudo()  # occupancy is public in the facility; records may not be
        busy = [
            {"start": b.date_start, "stop": b.date_stop, "kind": "booking", "label": b.name}
            for b in self.env["facility.booking"]
            .sudo()
            .search(
                [
                    ("instrument_id", "=", self.id),
                    ("state", "in", ACTIVE_STATES),
                    ("date_start", "<", date_to),
                    ("date_stop", ">", date_from),
                ],
                order="date_start",
            )
        ]
        busy += instrument._reserved_intervals(date_from, date_to)
        return sorted(busy, key=lambda interval: interval["start"])

    def get_booking_at(self, moment=None):
        """The booking holding the instrument at ``moment`` (UTC, default now), confirmed or in
        use, or an empty recordset: who may be at the door. Bookings never overlap."""
        self.ensure_one()
        moment = _to_datetime(self.env, moment) if moment else fields.Datetime.now()
        return (
            self.env["facility.booking"]
            .sudo()
            .search(
                [
                    ("instrument_id", "=", self.id),
                    ("state", "in", (BookingState.CONFIRMED, BookingState.IN_USE)),
                    ("date_start", "<=", moment),
                    ("date_stop", ">", moment),
                ],
                limit=1,
            )
        )

    def get_access_facts(self, user, moment=None, grace_minutes=0):
        """What the booking rules know of ``user`` using this instrument at ``moment`` (UTC,
        default now), for a device at the instrument that asks whether to let them in; plain
        values, so the caller decides without copying a rule::

            {"available": bool,        # in service and active
             "log_only": bool,         # booking mode "usage log only"
             "qualified": bool,        # the required certification (is_user_qualified)
             "research_group_id": int | False,
             "group_state": "active" | "suspended" | "blacklisted" | False (no group),
             "sanctioned": bool,       # a sanction refusing use in force (as booking enforces)
             "booking": (id, start, stop) | None}  # the user's booking holding the time now

        With ``grace_minutes``, the booking is the user's one whose time plus that grace holds
        ``moment`` (``start <= moment < stop + grace``; one already finished holds its grace too,
        not its own time), the latest to start when two do. The group is the booking's when
        there is one, else the user's first active group (by name), else their first group.
        ``user`` is a record or an id; the answer is read as superuser (a device has no user),
        so callers must be trusted server code.
        """
        self.ensure_one()
        user = _record(self.env, "res.users", user)
        moment = _to_datetime(self.env, moment) if moment else fields.Datetime.now()
        instrument = self.sudo()
        grace = timedelta(minutes=grace_minutes or 0)
        booking = (
            self.env["facility.booking"]
            .sudo()
            .search(
                [
                    ("instrument_id", "=", self.id),
                    ("operator_id", "=", user.id),
                    ("date_start", "<=", moment),
                    ("date_stop", ">", moment - grace),
                    "|",
                    ("state", "in", (BookingState.CONFIRMED, BookingState.IN_USE)),
                    "&",
                    ("state", "=", BookingState.DONE),
                    ("date_stop", "<=", moment),
                ],
                order="date_start desc, id desc",
                limit=1,
            )
        )
        group = booking.research_group_id
        if not group:
            groups = user.sudo().facility_group_ids.sorted(lambda g: (g.state != "active", g.name))
            group = groups[:1]
        # without a research group (any more) the user's own sanctions still refuse use
        sanctioned = bool(
            self.env["facility.sanction"]._active_for(group, user, moment, ladder.BOOKING_KINDS)
        )
        return {
            "available": bool(instrument.active and instrument.state == "in_service"),
            "log_only": instrument.booking_mode == "log",
            "qualified": instrument.is_user_qualified(
                user, on_date=to_local(moment, instrument._booking_tz()).date()
            ),
            "research_group_id": group.id or False,
            "group_state": group.state or False,
            "sanctioned": sanctioned,
            "booking": (booking.id, booking.date_start, booking.date_stop) if booking else None,
        }

    def get_group_hours(self, date_from, date_to):
        """Hours per research group of the bookings on these instruments starting between
        ``date_from`` and ``date_to`` (UTC): ``{group_id: {"booked": h, "used": h, "chargeable":
        h}}`` — booked counts requested to done bookings, used the measured time of finished
        ones, chargeable what billing charges (wasted time included). For billing and the
        evaluation; asked by facility staff, finance and reviewers."""
        if not (
            self.env.su
            or self.env.user.has_group("core_facility.group_facility_manager")
            or self.env.user.has_group("core_facility.group_facility_finance")
            or self.env.user.has_group("core_facility.group_facility_reviewer")
            or all(instrument.is_manager for instrument in self)
        ):
            raise AccessError(
                self.env._("Only facility staff, finance and reviewers read groups' hours.")
            )
        date_from, date_to = self._check_window(date_from, date_to)
        self.env["facility.booking"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT research_group_id, "
                "COALESCE(SUM(duration_hours) FILTER (WHERE state IN %s), 0), "
                "COALESCE(SUM(used_hours) FILTER (WHERE state = %s), 0), "
                "COALESCE(SUM(chargeable_hours), 0) "
                "FROM facility_booking WHERE instrument_id IN %s "
                "AND date_start >= %s AND date_start < %s "
                "AND (state IN %s OR is_late_cancellation) GROUP BY research_group_id",
                QUOTA_STATES,
                BookingState.DONE,
                tuple(self.ids) or (0,),
                date_from,
                date_to,
                (*QUOTA_STATES, *CHARGED_STATES),
            )
        )
        return {
            group_id: {"booked": booked, "used": used, "chargeable": chargeable}
            for group_id, booked, used, chargeable in self.env.cr.fetchall()
        }

    def get_bookable_times(
        self, user, group, date_from, date_to, duration_hours, limit=None, step_minutes=30
    ):
        """Times ``user`` may book for ``group`` between ``date_from`` and ``date_to`` (UTC):
        ``[(start, stop)]`` in naive UTC, earliest first, free and passing every rule of the
        instrument (the booking's own checks, judged in memory). Candidates are the policy's
        slots and whole days, or every ``step_minutes``; at most ``limit`` results (and a
        bounded number of candidates, so that no request can hold a server worker)."""
        self.ensure_one()
        date_from, date_to = self._check_window(date_from, date_to)
        user, group = (
            _record(self.env, "res.users", user),
            _record(self.env, "facility.research.group", group),
        )
        try:
            minutes = round(float(duration_hours) * 60)
        except (TypeError, ValueError):
            minutes = 0
        if not 0 < minutes <= MAX_WINDOW_DAYS * 1440 or step_minutes not in (15, 30, 60):
            raise UserError(self.env._("Give a positive duration and a step of 15, 30 or 60 min."))
        date_from = max(date_from, fields.Datetime.now().replace(second=0, microsecond=0))
        if date_from >= date_to:
            return []
        busy = [(b["start"], b["stop"]) for b in self.get_busy_intervals(date_from, date_to)]
        subject = BookingSubject(
            instrument=self,
            operator=user,
            group=group,
            booker=self.env.user,
            # the booker confirms it when booking: it does not depend on the time
            preparation_done=True,
        )
        # facts are gathered once for the whole window; each candidate is judged in memory
        facts = BookingFacts.gather(self.env, subject, date_from, date_to + timedelta(days=2))
        if facts.static_violations():
            return []
        policy = facts.rule or rules.Policy()
        tz = facts.tz
        results = []
        candidates = rules.candidate_times(
            policy, to_local(date_from, tz), to_local(date_to, tz), minutes, step_minutes
        )
        for count, (local_start, local_stop) in enumerate(candidates):
            if count >= MAX_CANDIDATES or (limit and len(results) >= limit):
                break
            start, stop = to_utc(local_start, tz), to_utc(local_stop, tz)
            if any(s < stop and start < e for s, e in busy):
                continue
            if limit and any(s < stop and start < e for s, e in results):
                continue
            if not facts.violations(start, stop):
                results.append((start, stop))
        return results

    def _reserved_intervals(self, date_from, date_to):
        """Reserved time and scheduled maintenance requests overlapping the window (UTC): one
        query each, of the columns needed (what the searches by the same domains return, in
        their order)."""
        self.ensure_one()
        cr = self.env.cr
        self.env["facility.booking.blackout"].flush_model(
            ["instrument_id", "date_start", "date_stop", "name"]
        )
        cr.execute(
            SQL(
                "SELECT date_start, date_stop, name FROM facility_booking_blackout "
                "WHERE instrument_id = %s AND date_start < %s AND date_stop > %s "
                "ORDER BY date_start DESC",
                self.id,
                date_to,
                date_from,
            )
        )
        out = [
            {"start": start, "stop": stop, "kind": "reserved", "label": name}
            for start, stop, name in cr.fetchall()
        ]
        equipment = self.sudo().equipment_id
        if equipment:
            self.env["maintenance.request"].flush_model(
                ["equipment_id", "schedule_date", "archive", "stage_id", "duration", "name"]
            )
            self.env["maintenance.stage"].flush_model(["done"])
            cr.execute(
                SQL(
                    "SELECT r.schedule_date, r.duration, r.name FROM maintenance_request r "
                    "JOIN maintenance_stage s ON s.id = r.stage_id "
                    "WHERE r.equipment_id = %s AND r.schedule_date IS NOT NULL "
                    "AND r.schedule_date < %s AND (r.archive IS NULL OR r.archive = FALSE) "
                    "AND (s.done IS NULL OR s.done = FALSE) ORDER BY r.id DESC",
                    equipment.id,
                    date_to,
                )
            )
            for schedule_date, duration, name in cr.fetchall():
                end = schedule_date + timedelta(hours=duration or 1.0)
                if end > date_from:
                    out.append(
                        {"start": schedule_date, "stop": end, "kind": "maintenance", "label": name}
                    )
        return out

    def _check_window(self, date_from, date_to):
        date_from, date_to = _to_datetime(self.env, date_from), _to_datetime(self.env, date_to)
        if date_to <= date_from:
            raise UserError(self.env._("The end of the period must come after its start."))
        if date_to - date_from > timedelta(days=MAX_WINDOW_DAYS):
            raise UserError(
                self.env._(
                    "Ask for at most %(days)s days of an instrument's time at once.",
                    days=MAX_WINDOW_DAYS,
                )
            )
        return date_from, date_to

    # -- certification ---------------------------------------------------------------------------

    def is_user_qualified(self, user, level=None, on_date=None):
        """Whether ``user`` may use this instrument at ``level`` (default: the required level).

        An instrument without a required level needs no certification.
        """
        ensure_single(self)
        level = level or self.required_level_id
        if not level:
            return True
        return self.env["facility.qualification"].is_qualified(user, self, level, on_date)

    def _level_for_role(self, role):
        """The certification level a policy means by ``role`` on this instrument: its required
        level (``certified``; else the first level of its scheme), or the first level of its
        scheme that allows independent use (``independent``; else the required level)."""
        self.ensure_one()
        instrument = self.sudo()
        if not role or role == LevelRole.NONE:
            return self.env["facility.certification.level"]
        levels = (
            self._schemes()
            .level_ids.filtered(lambda lv: not lv.instrument_ids or instrument in lv.instrument_ids)
            .sorted(lambda lv: (lv.scheme_id.id, lv.sequence, lv.id))
        )
        if role == LevelRole.INDEPENDENT:
            independent = levels.filtered("allows_independent_use")[:1]
            if independent:
                return independent
        return instrument.required_level_id or levels[:1]

    def _schemes(self):
        """``scheme.search([("instrument_ids", "in", self.ids)])`` (as superuser), in one plain
        query: every booking check asks it, and most instruments have no scheme."""
        Scheme = self.env["facility.certification.scheme"].sudo()
        if not self.ids or not all(isinstance(id_, int) for id_ in self.ids):
            return Scheme.search([("instrument_ids", "in", self.ids)])
        Scheme.flush_model(["instrument_ids", "active"])
        active_test = Scheme.env.context.get("active_test", True)
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT s.id FROM facility_certification_scheme s "
                "JOIN facility_certification_scheme_instrument_rel r ON r.scheme_id = s.id "
                "WHERE r.instrument_id IN %s AND (s.active OR %s)",
                tuple(self.ids),
                not active_test,
            )
        )
        return Scheme.browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _equipment_values(self, vals):
        building, room = vals.get("building"), vals.get("room")
        return {
            "name": vals.get("name"),
            "model": vals.get("model_name"),
            "serial_no": vals.get("serial_no"),
            "location": ", ".join(part for part in (building, room) if part),
            "company_id": vals.get("company_id") or self.env.company.id,
        }

    def _sync_equipment(self):
        for instrument in self.sudo():
            equipment = instrument.equipment_id
            values = {
                target: instrument[source].id if source == "company_id" else instrument[source]
                for source, target in EQUIPMENT_SYNC.items()
            }
            values["technician_user_id"] = (
                instrument.technician_ids[:1] or instrument.manager_ids[:1]
            ).id
            if instrument.state == "scrapped" and not equipment.scrap_date:
                values["scrap_date"] = fields.Date.context_today(instrument)
            changed = {
                key: value
                for key, value in values.items()
                if (equipment[key].id if hasattr(equipment[key], "id") else equipment[key]) != value
            }
            if changed:
                equipment.write(changed)

    # -- annual pools of committee hours (seed 000 附件2 §4; rules in rules/allocation_pool.py) ---

    def _check_allocation_pools(self, research_group, month, hours, pilot=False):
        """Refuse (ValidationError) ``hours`` granted to ``research_group`` for ``month`` beyond
        one of the instrument's annual pools of that month's calendar year (external share,
        general pool, reserved share for pilot projects), naming each pool with its figures.

        Grants of the same instrument and year are serialised: each bumps the same counter row,
        so two decisions at once cannot both pass on the same remaining hours (the later one
        fails to serialise and is retried, then sees the first). No rated annual hours: no pools.
        """
        self.ensure_one()
        instrument = self.sudo()
        year = fields.Date.to_date(month).year
        policy = instrument._pool_policy()
        if not policy.rated_hours or hours <= 0:
            return True
        self.env.cr.execute(
            SQL(
                "INSERT INTO facility_booking_counter (instrument_id, key) VALUES (%s, %s) "
                "ON CONFLICT (instrument_id, key) DO UPDATE "
                "SET bumps = facility_booking_counter.bumps + 1",
                instrument.id,
                f"allocation_pool:{year}",
            )
        )
        grant = pools.Grant(
            hours=hours, external=research_group.sudo().category == "external", pilot=pilot
        )
        violations = pools.check_grant(policy, instrument._allocation_pool_usage(year), grant)
        if violations:
            raise ValidationError(
                "\n".join(instrument._pool_message(figures, year) for figures in violations)
            )
        return True

    def _allocation_pool_status(self, year):
        """The figures of each of the instrument's pools in ``year`` (``PoolFigures``)."""
        self.ensure_one()
        return pools.pool_status(self.sudo()._pool_policy(), self._allocation_pool_usage(year))

    def _pool_policy(self):
        policy = self.booking_policy_id
        return pools.PoolPolicy(
            rated_hours=self.rated_annual_hours or 0.0,
            external_share=(policy.external_share or 0.0) / 100,
            reserved_share=(policy.reserved_share or 0.0) / 100,
        )

    def _allocation_pool_usage(self, year):
        """Hours granted on the instrument for the months of ``year``: to external groups
        (committee and second-round hours), committee hours not for pilot projects and those for
        pilot projects."""
        self.ensure_one()
        self.env["facility.booking.allocation"].flush_model(
            [
                "instrument_id",
                "research_group_id",
                "month",
                "hours",
                "second_round_hours",
                "pilot_hours",
            ]
        )
        self.env["facility.research.group"].flush_model(["category"])
        self.env.cr.execute(
            SQL(
                "SELECT COALESCE(SUM(COALESCE(a.hours, 0) + COALESCE(a.second_round_hours, 0)) "
                "FILTER (WHERE g.category = 'external'), 0), "
                "COALESCE(SUM(COALESCE(a.hours, 0) - COALESCE(a.pilot_hours, 0)), 0), "
                "COALESCE(SUM(a.pilot_hours), 0) "
                "FROM facility_booking_allocation a "
                "JOIN facility_research_group g ON g.id = a.research_group_id "
                "WHERE a.instrument_id = %s AND a.month >= %s AND a.month < %s",
                self.id,
                date(year, 1, 1),
                date(year + 1, 1, 1),
            )
        )
        external, general, pilot = self.env.cr.fetchone()
        return pools.PoolUsage(external=external, general=general, pilot=pilot)

    def _pool_label(self, pool):
        label = self.sudo().booking_policy_id.reserved_label or self.env._("pilot projects")
        return {
            pools.EXTERNAL: self.env._("External groups"),
            pools.GENERAL: self.env._("General pool"),
            pools.RESERVED: self.env._("Reserved: %(label)s", label=label),
        }[pool]

    def _pool_message(self, figures, year):
        """The refusal of a grant beyond the pool ``figures``, with the figures."""
        instrument = self.sudo()
        values = {
            "instrument": instrument.name,
            "share": num(round(figures.share * 100, 2)),
            "year": year,
            "rated": _hours(instrument.rated_annual_hours),
            "cap": _hours(figures.cap),
            "granted": _hours(figures.granted),
            "remaining": _hours(figures.remaining),
            "asked": _hours(figures.asked),
            "label": instrument.booking_policy_id.reserved_label or self.env._("pilot projects"),
        }
        if figures.pool == pools.EXTERNAL:
            return self.env._(
                "%(instrument)s: external groups may be granted at most %(share)s %% of the "
                "%(year)s rated hours (%(rated)s h): %(cap)s h; %(granted)s h are granted "
                "already, %(remaining)s h remain; %(asked)s h asked.",
                **values,
            )
        if figures.pool == pools.RESERVED:
            return self.env._(
                "%(instrument)s: %(label)s may be granted the reserved %(share)s %% of the "
                "%(year)s rated hours (%(rated)s h), %(cap)s h, and what the general pool has "
                "left; %(granted)s h are granted to them already, %(remaining)s h remain; "
                "%(asked)s h asked.",
                **values,
            )
        if instrument.booking_policy_id.reserved_share:
            return self.env._(
                "%(instrument)s: grants other than to %(label)s may take at most %(share)s %% "
                "of the %(year)s rated hours (%(rated)s h): %(cap)s h; %(granted)s h are "
                "granted already, %(remaining)s h remain; %(asked)s h asked.",
                **values,
            )
        return self.env._(
            "%(instrument)s: at most the %(year)s rated hours (%(rated)s h) may be granted; "
            "%(granted)s h are granted already, %(remaining)s h remain; %(asked)s h asked.",
            **values,
        )

    def _local_today(self):
        return to_local(fields.Datetime.now(), self.sudo()._booking_tz()).date()

    def get_outcome_counts(self, year):
        """The outcomes of ``year`` that used this instrument, accepted by the staff, per kind:
        ``{"paper": n, "patent": n, "award": n, "project": n, "thesis": n}`` (the annual
        evaluation counts them; figures, not the outcomes themselves, so any reader may ask)."""
        self.ensure_one()
        groups = (
            self.env["facility.publication"]
            .sudo()
            ._read_group(
                [
                    ("instrument_ids", "in", self.ids),
                    ("year", "=", year),
                    ("state", "=", "accepted"),
                ],
                ["kind"],
                ["__count"],
            )
        )
        counts = dict.fromkeys(("paper", "patent", "award", "project", "thesis"), 0)
        counts.update(dict(groups))
        return counts


def _hours(value):
    """Hours as people write them, with thousands separated: 4,000, 1,456.5."""
    return f"{round(value or 0.0, 1):,g}"


def _record(env, model, value):
    """A single existing record of ``model`` from a record or an id, or a clear error."""
    if isinstance(value, models.BaseModel) and value._name == model and len(value) == 1:
        return value
    if isinstance(value, int) and 0 < value < 2**31:
        record = env[model].browse(value).exists()
        if record:
            return record
    raise UserError(
        env._("%(value)s is not a record of %(model)s.", value=str(value)[:40], model=model)
    )


def _to_datetime(env, value):
    """A naive UTC datetime from a datetime or an ISO string, or a clear error."""
    try:
        moment = fields.Datetime.to_datetime(value)
    except (TypeError, ValueError):
        moment = None
    if not isinstance(moment, datetime):
        raise UserError(env._("%(value)s is not a date and time.", value=str(value)[:40]))
    return (
        moment.replace(tzinfo=None)
        if moment.tzinfo is None
        else moment.astimezone(pytz.utc).replace(tzinfo=None)
    )
