from datetime import date, timedelta

from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.core_facility.models.utils import format_month, to_local

from ..rules import spotcheck, usage
from ..rules.codes import SpotCheck

FACILITY_MANAGER = "core_facility.group_facility_manager"
LINE_UNBOOKED = "unbooked_session"
LINE_UNMEASURED = "unmeasured_booking"
LINE_UNDERUSED = "underused_booking"


class FacilitySpotCheck(models.Model):
    """The monthly spot check (抽查) of one instrument: booked, box-measured and manually logged
    hours of a month, and the discrepancies ``rules.spotcheck.compare`` finds."""

    _name = "facility.spot.check"
    _description = "Machine Time Spot Check"
    _inherit = ["mail.thread", "facility.guarded.mixin"]
    _order = "month desc, instrument_id"
    _guarded_fields = (
        "booked_hours",
        "measured_hours",
        "manual_hours",
        "has_measurement",
        "has_manual_log",
        "findings",
        "has_discrepancy",
        "checked_at",
    )

    instrument_id = fields.Many2one(
        "facility.instrument", required=True, index=True, ondelete="restrict"
    )
    month = fields.Date(required=True, help="The first day of the month checked.")
    month_label = fields.Char(string="Month Checked", compute="_compute_month_label")
    booked_hours = fields.Float(
        readonly=True,
        aggregator="sum",
        help="Confirmed, running and finished bookings, clipped to the month (instrument's zone).",
    )
    measured_hours = fields.Float(
        readonly=True,
        aggregator="sum",
        help="The sessions the box measured (the kind that drives bookings), clipped to the month.",
    )
    manual_hours = fields.Float(
        readonly=True, aggregator="sum", help="The usage log entries, clipped to the month."
    )
    has_measurement = fields.Boolean(
        readonly=True, help="The instrument has a box that reported something during the month."
    )
    has_manual_log = fields.Boolean(
        readonly=True, help="Someone logged a use of the instrument during the month."
    )
    findings = fields.Char(readonly=True, help="The discrepancy codes, comma-separated.")
    findings_text = fields.Char(string="Discrepancies", compute="_compute_findings_text")
    has_discrepancy = fields.Boolean(string="Discrepancy", readonly=True, index=True)
    checked_at = fields.Datetime(readonly=True)
    line_ids = fields.One2many("facility.spot.check.line", "check_id", string="Details")
    note = fields.Text()
    company_id = fields.Many2one(related="instrument_id.company_id", store=True, index=True)

    _sql_constraints = [
        (
            "instrument_month_unique",
            "UNIQUE(instrument_id, month)",
            "This instrument's month was already checked.",
        ),
    ]

    @api.depends("findings")
    def _compute_findings_text(self):
        labels = self._finding_labels()
        for check in self:
            codes = [c for c in (check.findings or "").split(",") if c]
            check.findings_text = "; ".join(labels.get(c, c) for c in codes)

    @api.depends("month")
    @api.depends_context("lang")
    def _compute_month_label(self):
        for check in self:
            check.month_label = check._month_label()

    @api.depends("instrument_id.name", "month")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for check in self:
            check.display_name = f"{check.instrument_id.name or ''} {check._month_label()}".strip()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("month"):
                vals["month"] = self._month(vals["month"])
        checks = super().create(vals_list)
        checks._compute_figures()
        return checks

    def write(self, vals):
        if {"instrument_id", "month"} & set(vals):
            raise UserError(
                self.env._("A spot check stays on its instrument and month; run a new one.")
            )
        return super().write(vals)

    # -- actions ----------------------------------------------------------------------------------

    def action_refresh(self):
        """Compute the figures again (new events, bookings or log entries since)."""
        for check in self:
            check.check_access("write")
        self._compute_figures()

    # -- generation -------------------------------------------------------------------------------

    @api.model
    def generate(self, month, instruments=None):
        """The spot checks of ``month`` (a date in it, or its ISO text): one per instrument with
        a box or with bookings that month (``instruments``: only these), computed again when it
        exists (idempotent per instrument-month, under concurrency too). Facility managers check
        every instrument, instrument managers theirs."""
        month = self._month(month)
        Instrument = self.env["facility.instrument"].sudo()
        explicit = instruments is not None
        if explicit:
            instruments = Instrument.browse(getattr(instruments, "ids", instruments)).exists()
        else:
            instruments = self._instruments_to_check(month)
        if not (self.env.su or self.env.user.has_group(FACILITY_MANAGER)):
            managed = instruments.filtered(lambda i: self.env.user in i.manager_ids)
            if explicit and managed != instruments:
                raise AccessError(
                    self.env._("Only the instruments' managers run their spot checks.")
                )
            instruments = managed
        checks = self.browse()
        Check = self.sudo()
        for instrument in instruments:
            check = Check.search(
                [("instrument_id", "=", instrument.id), ("month", "=", month)], limit=1
            )
            if check:
                check._compute_figures()
            else:
                try:
                    with self.env.cr.savepoint():
                        check = Check.create({"instrument_id": instrument.id, "month": month})
                except IntegrityError:
                    # checked at the same moment by another session: its figures are the same
                    continue
            checks |= check
        return checks.with_env(self.env)

    @api.model
    def _instruments_to_check(self, month):
        """Instruments with a box (archived ones too) or with bookings holding time around the
        month (a day either side: zones)."""
        start = fields.Datetime.to_datetime(month) - timedelta(days=1)
        stop = fields.Datetime.to_datetime(_next_month(month)) + timedelta(days=1)
        self.env["facility.box"].flush_model(["instrument_id"])
        self.env["facility.booking"].flush_model(["instrument_id", "state", "date_start"])
        self.env.cr.execute(
            SQL(
                "SELECT instrument_id FROM facility_box UNION "
                "SELECT instrument_id FROM facility_booking WHERE state IN %s "
                "AND date_start < %s AND date_stop > %s",
                ("confirmed", "in_use", "done"),
                stop,
                start,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        return self.env["facility.instrument"].sudo().browse(ids).exists().sorted("name")

    @api.model
    def _cron_generate(self):
        """Monthly: the spot checks of last month."""
        first = fields.Date.context_today(self).replace(day=1)
        return self.sudo().generate(first - timedelta(days=1))

    def _compute_figures(self):
        """Booked, measured and manual hours of the month, the findings and the detail lines."""
        now = fields.Datetime.now()
        for check in self.sudo():
            instrument = check.instrument_id
            start, stop = usage.month_bounds(check.month, instrument.get_timezone())
            booked = [
                (b["start"], b["stop"])
                for b in instrument.get_busy_intervals(start, stop)
                if b["kind"] == "booking"
            ]
            booked_h = usage.clipped_hours(booked, start, stop)
            sessions = check.env["facility.usage.session"].search(
                [
                    ("instrument_id", "=", instrument.id),
                    ("drives_bookings", "=", True),
                    ("date_start", "<", stop),
                    "|",
                    ("date_stop", "=", False),
                    ("date_stop", ">", start),
                ]
            )
            measured = check._measured(sessions, start, stop, now)
            measured_spans = [(s.date_start, s.date_stop or min(now, stop)) for s in sessions]
            gross = {}
            if measured is not None:
                # booked time not measured (up to now: later bookings are not unused yet), and
                # measured time not booked: what cancels out in the totals is two findings
                gross = {
                    "under_h": spotcheck.uncovered_hours(
                        booked, measured_spans, start, max(start, min(stop, now))
                    ),
                    "over_h": spotcheck.uncovered_hours(measured_spans, booked, start, stop),
                }
            logs = check.env["facility.usage.log"].search(
                [
                    ("instrument_id", "=", instrument.id),
                    ("date_start", "<", stop),
                    ("date_stop", ">", start),
                ]
            )
            manual = (
                usage.clipped_hours([(x.date_start, x.date_stop) for x in logs], start, stop)
                if logs
                else None
            )
            codes = spotcheck.compare(booked_h, measured, manual, **gross)
            lines = check._line_values(sessions, start, stop, measured is not None, now)
            check._write_guarded(
                {
                    "booked_hours": round(booked_h, 2),
                    "measured_hours": round(measured or 0.0, 2),
                    "manual_hours": round(manual or 0.0, 2),
                    "has_measurement": measured is not None,
                    "has_manual_log": manual is not None,
                    "findings": ",".join(codes) or False,
                    "has_discrepancy": bool(codes or lines),
                    "checked_at": now,
                }
            )
            check.line_ids.unlink()
            check.env["facility.spot.check.line"].create(
                [dict(vals, check_id=check.id) for vals in lines]
            )

    def _measured(self, sessions, start, stop, now):
        """Measured hours, or None when no box of the instrument reported anything that month."""
        boxes = self.instrument_id.with_context(active_test=False).box_ids
        if not boxes:
            return None
        self.env.cr.execute(
            "SELECT 1 FROM facility_box_event WHERE box_id IN %s AND ts >= %s AND ts < %s LIMIT 1",
            [tuple(boxes.ids), start, stop],
        )
        if not self.env.cr.fetchone() and not sessions:
            return None
        return usage.clipped_hours(
            [(s.date_start, s.date_stop or min(now, stop)) for s in sessions], start, stop
        )

    def _line_values(self, sessions, start, stop, measured, now):
        """The detail: unbooked sessions, and (with a box) bookings without a measured session
        (running, finished, or confirmed and already over: never started) or recorded as
        under-used."""
        self.ensure_one()
        lines = [
            {
                "kind": LINE_UNBOOKED,
                "session_id": s.id,
                "user_id": s.user_id.id,
                "research_group_id": s.research_group_id.id,
                "date_start": s.date_start,
                "date_stop": s.date_stop,
                "hours": round(s.hours, 2),
            }
            for s in sessions.filtered("is_unbooked")
        ]
        if measured:
            bookings = self.env["facility.booking"].search(
                [
                    ("instrument_id", "=", self.instrument_id.id),
                    ("date_start", "<", stop),
                    ("date_stop", ">", start),
                    "|",
                    ("state", "in", ("in_use", "done")),
                    "&",
                    ("state", "=", "confirmed"),
                    ("date_stop", "<=", now),
                ],
                order="date_start",
            )
            measured_ids = set(sessions.booking_id.ids)
            for booking in bookings:
                kind = None
                if booking.id not in measured_ids:
                    kind = LINE_UNMEASURED
                elif booking.is_underuse:
                    kind = LINE_UNDERUSED
                if kind:
                    lines.append(
                        {
                            "kind": kind,
                            "booking_id": booking.id,
                            "user_id": booking.operator_id.id,
                            "research_group_id": booking.research_group_id.id,
                            "date_start": booking.date_start,
                            "date_stop": booking.date_stop,
                            "hours": round(booking.duration_hours, 2),
                        }
                    )
        return lines

    @api.model
    def _month(self, value):
        """The first day of the month of ``value``, or a clear error."""
        month = _first_day(value)
        if month is None:
            raise UserError(self.env._("%(value)s is not a month (a date).", value=str(value)[:40]))
        return month

    def _month_label(self):
        """``2026年1月`` / ``January 2026`` in the reader's language."""
        self.ensure_one()
        return format_month(self.env, self.month) if self.month else ""

    def _finding_labels(self):
        _ = self.env._
        return {
            SpotCheck.UNDER_USE: _("Measured much less than booked"),
            SpotCheck.UNBOOKED: _("Measured much more than booked (use without booking)"),
            SpotCheck.MANUAL_MISMATCH: _("The usage log differs from the measured time"),
            SpotCheck.NO_MEASUREMENT: _("No measurement from the box"),
            SpotCheck.NO_MANUAL_LOG: _("Used, but nothing in the usage log"),
        }

    def _local(self, moment):
        """A stored datetime in the instrument's zone, to the minute (for the report)."""
        if not moment:
            return ""
        return to_local(moment, self.instrument_id._booking_tz()).strftime("%Y/%m/%d %H:%M")


def _first_day(value):
    """The first day of the month of ``value`` (a date, datetime or ISO text), or None."""
    try:
        day = fields.Date.to_date(value)
    except (TypeError, ValueError):
        return None
    return day.replace(day=1) if isinstance(day, date) else None


def _next_month(day):
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
