import logging
from collections import defaultdict
from datetime import date, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.core_facility.rules.codes import BookingState

from ..rules import figures as figure_rules
from ..rules import forecast as forecast_rules
from ..rules import proration, scoring
from ..rules.codes import (
    HOURS_FAIL_BELOW,
    INSTRUMENT_FAIL_BELOW,
    SCOPE_MIN_VALUE,
    Figure,
    Method,
    RulesLevel,
    SheetStatus,
)

_logger = logging.getLogger(__name__)

ACTIVITY_TYPE = "core_facility_eval.mail_activity_type_eval_warning"
INSTRUMENT_TABLE = "core_facility_eval.eval_scheme_instrument"


class FacilityEvalForecast(models.Model):
    """The early warning: an instrument's projected annual hours and score from the year to
    date plus its confirmed bookings (``rules/forecast.py``), refreshed every day by a cron, and
    an activity for the instrument's managers and its unit's head when the projection heads
    below the fail rules (800 h, 60 points) — once per alert, marked done when it clears."""

    _name = "facility.eval.forecast"
    _description = "Evaluation Early Warning"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "year desc, alert desc, projected_hours"
    _rec_name = "instrument_id"

    instrument_id = fields.Many2one(
        "facility.instrument", required=True, ondelete="cascade", index=True
    )
    unit_id = fields.Many2one("facility.unit", string="Unit (二级单位)", index=True)
    year = fields.Integer(required=True, index=True, aggregator=False)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    status = fields.Selection(
        [
            (SheetStatus.ASSESSED, "Assessed"),
            (SheetStatus.NOT_ASSESSED, "Not Assessed This Year"),
            (SheetStatus.EXCLUDED, "Excluded"),
        ],
        readonly=True,
        default=SheetStatus.ASSESSED,
    )
    full_months = fields.Integer(readonly=True, aggregator=False)
    hours_to_date = fields.Float(string="Hours to Date", readonly=True)
    hours_booked = fields.Float(readonly=True, help="Confirmed bookings still to come this year.")
    external_hours_to_date = fields.Float(string="External Hours to Date", readonly=True)
    fees_to_date = fields.Monetary(string="Fees to Date", readonly=True)
    projected_hours = fields.Float(
        readonly=True,
        help="Hours to date + hours booked + the last 90 days' pace over the days no booking "
        "covers yet, prorated as the evaluation prorates a new instrument.",
    )
    projected_external_hours = fields.Float(readonly=True)
    projected_fees = fields.Monetary(readonly=True)
    projected_points = fields.Float(
        readonly=True,
        aggregator="avg",
        help="The per-instrument table scored on the projected figures; the criteria the "
        "assessors enter (rules, daily management, platform, ledger) count in full.",
    )
    alert = fields.Boolean(readonly=True, index=True)
    alert_reason = fields.Char(
        compute="_compute_alert_reason", help="Why it alerts, as the reader reads it."
    )
    alert_since = fields.Date(readonly=True)
    computed_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        (
            "instrument_year_unique",
            "unique(instrument_id, year)",
            "An instrument has one forecast per year.",
        )
    ]

    @api.depends("status", "alert", "projected_hours", "projected_points")
    def _compute_alert_reason(self):
        """The alert (or why the instrument is not assessed) worded when read, in the reader's
        language, against the per-instrument table's fail rules."""
        hours_below, points_below = _floors(self._instrument_table()) if self else (None, None)
        collector = self.env["facility.eval.collector"]
        for forecast in self:
            if forecast.status and forecast.status != SheetStatus.ASSESSED:
                forecast.alert_reason = collector._status_reason_of(
                    forecast.instrument_id, forecast.year
                )
                continue
            points = forecast.projected_points if forecast.alert else None
            reasons = (
                forecast_rules.alert_reasons(
                    forecast.projected_hours, points, hours_below, points_below
                )
                if forecast.alert
                else []
            )
            forecast.alert_reason = forecast._alert_text(
                reasons, forecast.projected_hours, points, hours_below, points_below
            )

    # -- actions --------------------------------------------------------------------------------

    def action_refresh(self):
        """Refresh now (facility managers): the whole current year of the company."""
        if not self.env.user.has_group("core_facility.group_facility_manager"):
            raise AccessError(self.env._("Only facility managers refresh the early warning."))
        self.sudo()._refresh_company(self.env.company)
        return True

    # -- business logic -------------------------------------------------------------------------

    @api.model
    def _cron_refresh(self):
        """Daily: the current year of every company, for its instruments in scope. A company
        whose table cannot score (a gap in its bands) is logged and skipped."""
        for company in self.env["res.company"].sudo().search([]):
            try:
                self.sudo()._refresh_company(company)
            except UserError as error:
                _logger.warning(
                    "Early warning of %s not refreshed: %s", company.name, error.args[0]
                )

    @api.model
    def _refresh_company(self, company, now=None):
        """The forecasts of ``company``'s instruments in scope (the shipped per-instrument
        table's scope value, 400,000 CNY by default), for the current year."""
        self._check_table()
        now = now or fields.Datetime.now()
        today = self._local_today(company, now)
        year_start, year_end = date(today.year, 1, 1), date(today.year, 12, 31)
        scheme = self.env.ref(INSTRUMENT_TABLE, raise_if_not_found=False)
        min_value = (scheme and scheme.scope_min_value) or SCOPE_MIN_VALUE
        instruments = self.env["facility.eval.collector"]._scope(
            company, min_value, year_start, year_end
        )
        return self._refresh(instruments, company, now)

    def _check_table(self):
        """Refuse, listing them, when the per-instrument table has gaps or overlaps: nothing
        could be projected from it (before anything is written)."""
        scheme = self.env.ref(INSTRUMENT_TABLE, raise_if_not_found=False)
        problems = scheme.sudo()._problems() if scheme else []
        if problems:
            raise UserError(
                self.env._(
                    "The early warning cannot be computed: the table %(table)s has problems. "
                    "Correct them (the table's Validate button lists them too):\n%(problems)s",
                    table=scheme.display_name,
                    problems="\n".join(problems),
                )
            )

    def _local_today(self, company, now):
        return fields.Datetime.context_timestamp(
            self.with_context(tz=company._facility_tz()), now
        ).date()

    @api.model
    def _refresh(self, instruments, company, now):
        """Project ``instruments``' year as of ``now`` (UTC), write their forecasts, start and
        close their alerts. Returns the forecasts."""
        instruments = instruments.sudo()
        today = self._local_today(company, now)
        year = today.year
        year_end = date(year, 12, 31)
        tz = company._facility_tz()
        collector = self.env["facility.eval.collector"]
        to_date = collector._collect(
            company, year, date(year, 1, 1), today, instruments, fee_day=today
        )
        _start, year_stop = figure_rules.utc_bounds(date(year, 1, 1), year_end, tz)
        booked = self._booked(instruments, now, year_stop, tz)
        recent = self._recent(instruments, now, company, today)
        table = self._instrument_table()
        forecasts = self.sudo().search(
            [("instrument_id", "in", instruments.ids), ("year", "=", year)]
        )
        by_instrument = {forecast.instrument_id.id: forecast for forecast in forecasts}
        for instrument in instruments:
            values = self._project(
                instrument,
                to_date[instrument.id],
                booked[instrument.id],
                recent[instrument.id],
                today,
                table,
            )
            values.update(
                unit_id=collector.eval_unit(instrument.unit_id).id,
                company_id=company.id,
                computed_at=now,
            )
            forecast = by_instrument.get(instrument.id)
            if not forecast:
                forecast = self.sudo().create(
                    {"instrument_id": instrument.id, "year": year, **values}
                )
                by_instrument[instrument.id] = forecast
                was_alert = False
            else:
                was_alert = forecast.alert
                forecast.write(values)
            if values["alert"] and not was_alert:
                forecast.write({"alert_since": today})
                forecast._start_alert()
            elif was_alert and not values["alert"]:
                forecast.write({"alert_since": False})
                forecast._close_alert()
        return self.browse([f.id for f in by_instrument.values()])

    def _booked(self, instruments, now, year_stop, tz):
        """Confirmed bookings still to come this year: ``{instrument_id: {"hours",
        "external_hours", "horizon"}}`` (horizon: the local day the last one ends)."""
        result = defaultdict(lambda: {"hours": 0.0, "external_hours": 0.0, "horizon": None})
        rows = (
            self.env["facility.booking"]
            .sudo()
            ._read_group(
                [
                    ("instrument_id", "in", instruments.ids),
                    ("state", "=", BookingState.CONFIRMED),
                    ("date_start", ">=", now),
                    ("date_start", "<", year_stop),
                ],
                ["instrument_id", "research_group_id"],
                ["duration_hours:sum", "date_stop:max"],
            )
        )
        local = self.with_context(tz=tz)
        for instrument, group, hours, last_stop in rows:
            booked = result[instrument.id]
            booked["hours"] += hours
            if group.is_off_campus:
                booked["external_hours"] += hours
            day = fields.Datetime.context_timestamp(local, last_stop).date()
            booked["horizon"] = max(booked["horizon"] or day, day)
        return result

    def _recent(self, instruments, now, company, today):
        """The last 90 days: done bookings' used hours (and external ones) and fees."""
        result = defaultdict(lambda: {"hours": 0.0, "external_hours": 0.0, "fees": 0.0})
        window = timedelta(days=forecast_rules.PACE_DAYS)
        rows = (
            self.env["facility.booking"]
            .sudo()
            ._read_group(
                [
                    ("instrument_id", "in", instruments.ids),
                    ("state", "=", BookingState.DONE),
                    ("date_start", ">=", now - window),
                    ("date_start", "<", now),
                ],
                ["instrument_id", "research_group_id"],
                ["used_hours:sum"],
            )
        )
        for instrument, group, hours in rows:
            result[instrument.id]["hours"] += hours
            if group.is_off_campus:
                result[instrument.id]["external_hours"] += hours
        fees = (
            self.env["facility.charge"]
            .with_company(company)
            .get_instrument_fees(instruments, today - window + timedelta(days=1), today)
        )
        for instrument_id, amounts in fees.items():
            result[instrument_id]["fees"] = amounts["total"]
        return result

    def _instrument_table(self):
        """The shipped per-instrument table (附件3) as a ``scoring.Table``, or None."""
        return self._scheme_table(self.env.ref(INSTRUMENT_TABLE, raise_if_not_found=False))

    @api.model
    def _scheme_table(self, scheme):
        """``scheme`` as a ``scoring.Table`` (None without a scheme or a builder). The builder
        is the contract's ``_table()``; a model attribute of that name is the model's SQL table
        in Odoo, so the builder may be named ``_scoring_table()`` instead: both are asked."""
        if not scheme:
            return None
        for name in ("_scoring_table", "_table"):
            builder = getattr(type(scheme), name, None)
            if callable(builder):
                return builder(scheme.sudo())
        return None

    def _project(self, instrument, figures, booked, recent, today, table):
        """The forecast's values for one instrument (see ``rules/forecast.py``)."""
        year = today.year
        account_date = instrument.account_date or None
        observed = forecast_rules.observed_days(today, account_date)
        unbooked = forecast_rules.unbooked_days(today, date(year, 12, 31), booked["horizon"])
        remaining = forecast_rules.unbooked_days(today, date(year, 12, 31))
        hours = forecast_rules.project(
            figures["hours_logged"], booked["hours"], recent["hours"], observed, unbooked
        )
        external = forecast_rules.project(
            figures["external_hours_logged"],
            booked["external_hours"],
            recent["external_hours"],
            observed,
            unbooked,
        )
        # fees: no estimate of the booked time's fees, so the pace runs over every day left
        fees = forecast_rules.project(figures["fees"], 0.0, recent["fees"], observed, remaining)
        assessed = figures["status"] == SheetStatus.ASSESSED
        if assessed:
            hours = proration.prorated(hours, account_date, year)
            external = proration.prorated(external, account_date, year)
        values = {
            "status": figures["status"],
            "full_months": figures["full_months"],
            "hours_to_date": figures["hours_logged"],
            "hours_booked": booked["hours"],
            "external_hours_to_date": figures["external_hours_logged"],
            "fees_to_date": figures["fees"],
            "projected_hours": hours,
            "projected_external_hours": external,
            "projected_fees": fees,
            "projected_points": 0.0,
            "alert": False,
        }
        if not assessed:
            return values
        points = None
        hours_below, points_below = _floors(table)
        if table is not None:
            projected = dict(figures, hours=hours, external_hours=external, fees=fees)
            points = scoring.score_instrument(table, self._score_figures(table, projected)).total
            values["projected_points"] = points
        reasons = forecast_rules.alert_reasons(hours, points, hours_below, points_below)
        values["alert"] = bool(reasons)
        return values

    @api.model
    def _score_figures(self, table, figures):
        """``{codes.Figure: number}`` of projected sheet figures; what the assessors enter
        counts in full (rules made and applied, no daily item missing, no deduction, MANUAL
        criteria at their maximum)."""
        values = {
            Figure.HOURS: figures["hours"],
            Figure.EXTERNAL_HOURS: figures["external_hours"],
            Figure.FEES: figures["fees"],
            Figure.FEE_STANDARD: 1 if figures["fee_standard"] else 0,
            Figure.TRAINING_HOURS: figures["training_hours"],
            Figure.OUTCOMES: figures["projects"]
            + figures["papers"]
            + figures["awards"]
            + figures["patents"],
            Figure.RULES_LEVEL: int(RulesLevel.APPLIED),
            Figure.DAILY_MISSING: 0,
            Figure.PLATFORM_DEDUCTION: 0,
            Figure.LEDGER_DEDUCTION: 0,
        }
        for criterion in table.criteria:
            if criterion.method == Method.MANUAL:
                values[criterion.code] = criterion.max_points
        return values

    def _alert_text(self, reasons, hours, points, hours_below, points_below, lang=None):
        """The alert in words (in ``lang``, default the current one)."""
        env = self.with_context(lang=lang).env if lang else self.env
        texts = []
        if forecast_rules.HOURS in reasons:
            texts.append(
                env._(
                    "Projected annual hours %(hours)s h, below %(floor)s h",
                    hours=_number(hours),
                    floor=_number(hours_below),
                )
            )
        if forecast_rules.POINTS in reasons:
            texts.append(
                env._(
                    "Projected score %(points)s points, below %(floor)s points",
                    points=_number(points),
                    floor=_number(points_below),
                )
            )
        return "; ".join(texts) if texts else False

    def _alert_users(self):
        """Who is warned: the instrument's managers and the head of its unit (二级单位)."""
        self.ensure_one()
        users = self.instrument_id.sudo().manager_ids | self.unit_id.sudo().manager_id
        return users.filtered("active")

    def _start_alert(self):
        """One activity per person warned, its text in their language."""
        for forecast in self:
            table = forecast._instrument_table()
            hours_below, points_below = _floors(table)
            points = forecast.projected_points if table is not None else None
            reasons = forecast_rules.alert_reasons(
                forecast.projected_hours, points, hours_below, points_below
            )
            for user in forecast._alert_users():
                text = forecast._alert_text(
                    reasons,
                    forecast.projected_hours,
                    points,
                    hours_below,
                    points_below,
                    lang=user.lang,
                )
                forecast.sudo().activity_schedule(
                    ACTIVITY_TYPE,
                    date_deadline=fields.Date.context_today(forecast),
                    summary=text,
                    note=text,
                    user_id=user.id,
                )

    def _close_alert(self):
        """The alert cleared: its open activities are marked done."""
        activity_type = self.env.ref(ACTIVITY_TYPE)
        for forecast in self:
            activities = forecast.sudo().activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type
            )
            if activities:
                activities.action_feedback(
                    feedback=forecast.env._("The projection is above the fail rules again.")
                )


def _floors(table):
    """``(hours, points)`` below which the table fails (800 h and 60 points by default)."""
    if table is None:
        return HOURS_FAIL_BELOW, INSTRUMENT_FAIL_BELOW
    return (
        table.hours_fail_below or HOURS_FAIL_BELOW,
        table.fail_below or INSTRUMENT_FAIL_BELOW,
    )


def _number(value):
    """A figure as people write it: 640, 1,200, 57.5."""
    return f"{round(value or 0.0, 1):,g}"
