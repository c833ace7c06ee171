from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from odoo.addons.core_facility.rules.codes import BookingState
from odoo.addons.core_facility.rules.publication import (
    AwardLevel,
    Indexing,
    OutcomeKind,
    ProjectLevel,
    PublicationState,
)
from odoo.addons.core_facility_billing.rules.codes import ChargeState

from ..rules import figures as figure_rules
from ..rules.codes import SchemeLevel

# the charge lines get_instrument_fees counts (the list behind a fee figure shows the same)
CHARGED = (ChargeState.CONFIRMED, ChargeState.DISPUTED, ChargeState.SETTLED)
OUTCOME_KINDS = {
    "projects": OutcomeKind.PROJECT,
    "papers": OutcomeKind.PAPER,
    "patents": OutcomeKind.PATENT,
}
NATIONAL_AWARDS = (AwardLevel.INTERNATIONAL, AwardLevel.NATIONAL)
PROVINCIAL_AWARDS = (AwardLevel.PROVINCIAL,)
# sheet field → (source, extra domain of the records behind it)
BOOKING_FIGURES = {
    "hours_logged",
    "hours",
    "booking_count",
    "departments",
    "researchers",
    "full_months",
}
EXTERNAL_FIGURES = {"external_hours_logged", "external_hours"}
# fee figure → how its lines' group stands to the off-campus groups (校外 as for the hours: the
# research group's flag, not billing's payer category); None: every line
FEE_FIGURES = {
    "fees": None,
    "fees_internal": "not in",
    "fees_external": "in",
}
TRAINING_FIGURES = {"training_hours", "trainee_count", "training_count"}
PUBLICATION_FIGURES = {
    "projects": [("kind", "=", OutcomeKind.PROJECT)],
    "key_projects": [("kind", "=", OutcomeKind.PROJECT), ("project_level", "=", ProjectLevel.KEY)],
    "papers": [("kind", "=", OutcomeKind.PAPER)],
    "sci_papers": [("kind", "=", OutcomeKind.PAPER), ("indexing", "=", Indexing.SCI)],
    "core_papers": [("kind", "=", OutcomeKind.PAPER), ("indexing", "=", Indexing.CORE)],
    "awards": [
        ("kind", "=", OutcomeKind.AWARD),
        ("award_level", "in", (*NATIONAL_AWARDS, *PROVINCIAL_AWARDS)),
    ],
    "national_awards": [("kind", "=", OutcomeKind.AWARD), ("award_level", "in", NATIONAL_AWARDS)],
    "provincial_awards": [
        ("kind", "=", OutcomeKind.AWARD),
        ("award_level", "in", PROVINCIAL_AWARDS),
    ],
    "patents": [("kind", "=", OutcomeKind.PATENT)],
}
ZERO_FIGURES = {
    "full_months": 12,
    "hours_logged": 0.0,
    "hours": 0.0,
    "external_hours_logged": 0.0,
    "external_hours": 0.0,
    "booking_count": 0,
    "fees": 0.0,
    "fees_internal": 0.0,
    "fees_external": 0.0,
    "fee_standard": False,
    "training_hours": 0.0,
    "trainee_count": 0,
    "training_count": 0,
    "projects": 0,
    "key_projects": 0,
    "papers": 0,
    "sci_papers": 0,
    "core_papers": 0,
    "awards": 0,
    "national_awards": 0,
    "provincial_awards": 0,
    "patents": 0,
    "departments": 0,
    "researchers": 0,
}


class FacilityEvalCollector(models.AbstractModel):
    """Computes an evaluation's figures from what the system recorded (bookings and their
    measured time, billing charges, trainings, outcomes), applies the exclusions and the
    proration of 附件3, and opens the records behind a figure. The campaign calls it; the early
    warning and the benchmark call it too.

    Set-based: one read per figure family for all the instruments (bookings by instrument and
    research group, bookings' distinct operators, charges, fee standards, trainings,
    publications), read as superuser — figures, not records; the records behind a figure open
    with the reader's own rights (:meth:`figure_action`)."""

    _name = "facility.eval.collector"
    _description = "Evaluation Figures"

    @api.model
    def in_scope(self, campaign):
        """The instruments ``campaign`` evaluates: its company's, original value ≥ its scope,
        account opened by its last day (a later one is next year's) and no scrap application
        filed before its first day (scrapped in an earlier year)."""
        return self._scope(
            campaign.company_id, campaign.scope_min_value, campaign.date_from, campaign.date_to
        )

    @api.model
    def _scope(self, company, min_value, date_from, date_to):
        return (
            self.env["facility.instrument"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("original_value", ">=", min_value),
                    "|",
                    ("account_date", "=", False),
                    ("account_date", "<=", date_to),
                    "|",
                    ("scrap_applied_date", "=", False),
                    ("scrap_applied_date", ">=", date_from),
                ]
            )
            .with_env(self.env)
        )

    @api.model
    def eval_unit(self, unit):
        """The 二级单位 of ``unit``: itself or its nearest ancestor of type department."""
        node = unit
        while node:
            if node.unit_type == "department":
                return node
            node = node.parent_id
        return unit

    @api.model
    def collect(self, campaign, instruments):
        """``{instrument_id: {sheet field: value}}``: status, status_reason and every figure
        field of ``facility.eval.sheet``, for ``campaign``'s year (its dates, local to the
        facility)."""
        return self._collect(
            campaign.company_id,
            campaign.year,
            campaign.date_from,
            campaign.date_to,
            instruments,
            late_rule=campaign.scheme_id.level != SchemeLevel.BENEFIT,
        )

    @api.model
    def _collect(
        self, company, year, date_from, date_to, instruments, fee_day=None, late_rule=True
    ):
        """The figures of ``instruments`` from ``date_from`` to ``date_to`` (local dates of
        ``company``'s facility), assessed and prorated as in ``year`` (``late_rule``: the 30 Sep
        rule of 附件3 applies; the benefit evaluation of seed 001 reads the hours logged)."""
        instruments = instruments.sudo()
        result = {instrument.id: dict(ZERO_FIGURES) for instrument in instruments}
        if not instruments:
            return result
        start, stop = figure_rules.utc_bounds(date_from, date_to, company._facility_tz())
        self._collect_bookings(result, instruments, start, stop)
        self._collect_fees(result, company, instruments, date_from, date_to, fee_day)
        self._collect_trainings(result, instruments, start, stop)
        self._collect_outcomes(result, instruments, year)
        for instrument in instruments:
            figures = result[instrument.id]
            status, reason = figure_rules.status(
                year,
                instrument.account_date or None,
                instrument.scrap_applied_date or None,
                instrument.state == "scrapped",
                late_rule,
            )
            figures["status"] = status
            figures["status_reason"] = self._status_reason(instrument, reason)
            figures.update(
                figure_rules.figures(
                    figures["hours_logged"],
                    figures["external_hours_logged"],
                    instrument.account_date or None,
                    year,
                )
            )
        return result

    def _status_reason_of(self, instrument, year):
        """Why ``instrument`` is not assessed in ``year``, in words (False: it is)."""
        instrument = instrument.sudo()
        _status, reason = figure_rules.status(
            year,
            instrument.account_date or None,
            instrument.scrap_applied_date or None,
            instrument.state == "scrapped",
        )
        return self._status_reason(instrument, reason)

    def _status_reason(self, instrument, reason):
        if reason == figure_rules.OPENED_LATE:
            return self.env._(
                "Account opened on %(date)s, after 30 Sep",
                date=self._day(instrument.account_date),
            )
        if reason == figure_rules.SCRAP_APPLIED:
            return self.env._(
                "Scrap application filed on %(date)s",
                date=self._day(instrument.scrap_applied_date),
            )
        if reason == figure_rules.SCRAPPED_UNDATED:
            return self.env._("Scrapped; no scrap application date recorded")
        return False

    def _day(self, day):
        """``day`` as the reader writes it: "8 Oct 2041" in English, the language's own date
        format otherwise (2041/10/08 in Chinese)."""
        english = (self.env.lang or "en_US").startswith("en")
        return format_date(self.env, day, date_format="d MMM y" if english else False)

    # -- the figure families --------------------------------------------------------------------

    def _booking_domain(self, instruments, start, stop):
        return [
            ("instrument_id", "in", instruments.ids),
            ("state", "=", BookingState.DONE),
            ("date_start", ">=", start),
            ("date_start", "<", stop),
        ]

    def _collect_bookings(self, result, instruments, start, stop):
        """Used hours (IoT-measured where the boxes set the bookings' actual times), bookings,
        researchers (distinct operators) and departments (distinct 二级单位 of the groups) of the
        done bookings starting in the window; then the external-service hours (groups outside
        the university)."""
        Booking = self.env["facility.booking"].sudo()
        domain = self._booking_domain(instruments, start, stop)
        rows = Booking._read_group(
            domain,
            ["instrument_id"],
            [
                "used_hours:sum",
                "__count",
                "operator_id:count_distinct",
                "research_group_id:array_agg",
            ],
        )
        group_ids = {group_id for *_values, groups in rows for group_id in groups}
        department_of = self._departments_of_groups(group_ids)
        for instrument, hours, count, operators, groups in rows:
            units = {department_of.get(group_id) for group_id in set(groups)} - {None, False}
            result[instrument.id].update(
                hours_logged=hours,
                booking_count=count,
                researchers=operators,
                departments=len(units),
            )
        external = Booking._read_group(
            [*domain, ("research_group_id.is_off_campus", "=", True)],
            ["instrument_id"],
            ["used_hours:sum"],
        )
        for instrument, hours in external:
            result[instrument.id]["external_hours_logged"] = hours

    def _departments_of_groups(self, group_ids):
        """``{group_id: department id}``: the 二级单位 (院系) of each research group's unit, its
        nearest ancestor of type department (:meth:`eval_unit`), read in two queries."""
        groups = (
            self.env["facility.research.group"]
            .sudo()
            .with_context(active_test=False)
            .search_read([("id", "in", list(group_ids))], ["unit_id"], load=None)
        )
        unit_ids = {group["unit_id"] for group in groups if group["unit_id"]}
        Unit = self.env["facility.unit"].sudo().with_context(active_test=False)
        units = Unit.search_read([("id", "in", list(unit_ids))], ["parent_path"])
        ancestors = {
            unit["id"]: [int(part) for part in (unit["parent_path"] or "").split("/") if part]
            for unit in units
        }
        path_ids = {unit_id for path in ancestors.values() for unit_id in path}
        departments = set(
            Unit.search([("id", "in", list(path_ids)), ("unit_type", "=", "department")]).ids
        )
        department_of_unit = {}
        for unit_id, path in ancestors.items():
            nearest = [node for node in path if node in departments]
            department_of_unit[unit_id] = nearest[-1] if nearest else unit_id
        return {
            group["id"]: department_of_unit.get(group["unit_id"])
            for group in groups
            if group["unit_id"]
        }

    def _off_campus_groups(self):
        """The research groups outside the university (校外), archived ones included."""
        return (
            self.env["facility.research.group"]
            .sudo()
            .with_context(active_test=False)
            .search([("is_off_campus", "=", True)])
        )

    def _collect_fees(self, result, company, instruments, date_from, date_to, fee_day=None):
        """Billing's fees of the period (external: charged to research groups outside the
        university, 校外, as for the external-service hours; internal: all the others) and
        whether an approved fee standard is in force on the campaign's last day (or ``fee_day``,
        default: today if earlier)."""
        fees = (
            self.env["facility.charge"]
            .with_company(company)
            .get_instrument_fees(
                instruments, date_from, date_to, external_groups=self._off_campus_groups()
            )
        )
        for instrument_id, amounts in fees.items():
            result[instrument_id].update(
                fees=amounts["total"],
                fees_internal=amounts["internal"],
                fees_external=amounts["external"],
            )
        Standard = self.env["facility.fee.standard"].sudo().with_company(company)
        today = fields.Datetime.context_timestamp(
            self.with_context(tz=company._facility_tz()), fields.Datetime.now()
        ).date()
        day = fee_day or min(date_to, today)
        with_standard = Standard.get_instruments_with_standard(day, instruments)
        for instrument in instruments:
            result[instrument.id]["fee_standard"] = instrument in with_standard

    def _collect_trainings(self, result, instruments, start, stop):
        """Training sessions given (done) in the window: their hours, trainees, sessions."""
        rows = (
            self.env["facility.training"]
            .sudo()
            ._read_group(
                [
                    ("instrument_id", "in", instruments.ids),
                    ("state", "=", "done"),
                    ("date_start", ">=", start),
                    ("date_start", "<", stop),
                ],
                ["instrument_id"],
                ["hours:sum", "trainee_count:sum", "__count"],
            )
        )
        for instrument, hours, trainees, count in rows:
            result[instrument.id].update(
                training_hours=hours, trainee_count=trainees, training_count=count
            )

    def _collect_outcomes(self, result, instruments, year):
        """Outcomes of the year that used the instruments, accepted by the staff — what
        ``instrument.get_outcome_counts(year)`` counts, read here once for all instruments
        (that method answers one instrument at a time; a test checks both agree) with the
        benefit table's details: key projects, SCI and core-journal papers, awards by level
        (provincial or higher count as awards: 省部级以上)."""
        rows = (
            self.env["facility.publication"]
            .sudo()
            ._read_group(
                [
                    ("instrument_ids", "in", instruments.ids),
                    ("year", "=", year),
                    ("state", "=", PublicationState.ACCEPTED),
                ],
                ["instrument_ids", "kind", "project_level", "indexing", "award_level"],
                ["__count"],
            )
        )
        for instrument, kind, project_level, indexing, award_level, count in rows:
            figures = result.get(instrument.id)
            if figures is None:  # another instrument of the same outcome
                continue
            for name, outcome_kind in OUTCOME_KINDS.items():
                if kind == outcome_kind:
                    figures[name] += count
            if kind == OutcomeKind.PROJECT and project_level == ProjectLevel.KEY:
                figures["key_projects"] += count
            elif kind == OutcomeKind.PAPER and indexing == Indexing.SCI:
                figures["sci_papers"] += count
            elif kind == OutcomeKind.PAPER and indexing == Indexing.CORE:
                figures["core_papers"] += count
            elif kind == OutcomeKind.AWARD and award_level in NATIONAL_AWARDS:
                figures["national_awards"] += count
                figures["awards"] += count
            elif kind == OutcomeKind.AWARD and award_level in PROVINCIAL_AWARDS:
                figures["provincial_awards"] += count
                figures["awards"] += count

    # -- the records behind a figure ------------------------------------------------------------

    @api.model
    def figure_action(self, sheet, figure):
        """The window action listing the records behind ``figure`` (a sheet field name or a
        codes.Figure value) of ``sheet``, opened with the reader's rights."""
        sheet.ensure_one()
        campaign, instrument = sheet.campaign_id, sheet.instrument_id
        field = {"outcomes": "projects", "trainings": "training_count"}.get(figure, figure)
        start, stop = figure_rules.utc_bounds(
            campaign.date_from, campaign.date_to, campaign.company_id._facility_tz()
        )
        label = sheet._fields[field].get_description(self.env)["string"] if field in sheet else ""
        if field in BOOKING_FIGURES or field in EXTERNAL_FIGURES:
            domain = self._booking_domain(instrument, start, stop)
            if field in EXTERNAL_FIGURES:
                domain.append(("research_group_id", "in", self._off_campus_groups().ids))
            return self._action(
                "core_facility.action_facility_booking",
                self.env._(
                    "Bookings: %(figure)s of %(instrument)s",
                    figure=label,
                    instrument=instrument.name,
                ),
                domain,
            )
        if field in FEE_FIGURES:
            # the off-campus groups by id: the reader may not read the groups themselves
            operator = FEE_FIGURES[field]
            extra = [("research_group_id", operator, self._off_campus_groups().ids)]
            domain = [
                ("instrument_id", "=", instrument.id),
                ("date", ">=", campaign.date_from),
                ("date", "<=", campaign.date_to),
                ("state", "in", CHARGED),
                *(extra if operator else []),
            ]
            return self._action(
                "core_facility_billing.facility_charge_action",
                self.env._(
                    "Charges: %(figure)s of %(instrument)s",
                    figure=label,
                    instrument=instrument.name,
                ),
                domain,
            )
        if field == "fee_standard":
            return self._action(
                "core_facility_billing.facility_fee_standard_action",
                self.env._("Fee standards of %(instrument)s", instrument=instrument.name),
                [("instrument_id", "=", instrument.id)],
            )
        if field in TRAINING_FIGURES:
            return self._action(
                "core_facility.action_facility_training",
                self.env._(
                    "Trainings: %(figure)s of %(instrument)s",
                    figure=label,
                    instrument=instrument.name,
                ),
                [
                    ("instrument_id", "=", instrument.id),
                    ("state", "=", "done"),
                    ("date_start", ">=", start),
                    ("date_start", "<", stop),
                ],
            )
        if field in PUBLICATION_FIGURES:
            domain = [
                ("instrument_ids", "in", instrument.ids),
                ("year", "=", campaign.year),
                ("state", "=", PublicationState.ACCEPTED),
                *PUBLICATION_FIGURES[field],
            ]
            if figure == "outcomes":  # projects, papers, patents and provincial+ awards
                domain[3:] = [
                    "|",
                    ("kind", "in", tuple(OUTCOME_KINDS.values())),
                    "&",
                    *PUBLICATION_FIGURES["awards"],
                ]
            return self._action(
                "core_facility.facility_publication_action",
                self.env._(
                    "Outcomes: %(figure)s of %(instrument)s",
                    figure=label,
                    instrument=instrument.name,
                ),
                domain,
            )
        raise UserError(self.env._("No records are behind the figure %(figure)s.", figure=figure))

    def _action(self, xmlid, name, domain):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action.update(
            name=name,
            domain=domain,
            context={"create": False},
            view_mode="list,form",
            views=[(False, "list"), (False, "form")],
            target="current",
        )
        return action
