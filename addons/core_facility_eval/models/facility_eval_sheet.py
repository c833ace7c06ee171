from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..rules import scoring
from ..rules.codes import (
    EXPLAIN_HOURS_BELOW,
    CampaignState,
    Column,
    DailyItem,
    Figure,
    RulesLevel,
    SchemeLevel,
    SheetState,
    SheetStatus,
)
from .form_columns import school_column_refusal

# figures the collector computes (written only by the campaign's computation)
FIGURE_FIELDS = (
    "full_months",
    "hours_logged",
    "hours",
    "external_hours_logged",
    "external_hours",
    "booking_count",
    "fees",
    "fees_internal",
    "fees_external",
    "fee_standard",
    "training_hours",
    "trainee_count",
    "training_count",
    "projects",
    "papers",
    "awards",
    "patents",
    "key_projects",
    "departments",
    "researchers",
    "national_awards",
    "provincial_awards",
    "sci_papers",
    "core_papers",
)
# figures the unit's head enters while the units self-assess
ENTERED_FIELDS = ("rules_level", "platform_deduction", "ledger_deduction", "explanation")
ENTERED_FIGURES = {
    Figure.RULES_LEVEL,
    Figure.DAILY_MISSING,
    Figure.PLATFORM_DEDUCTION,
    Figure.LEDGER_DEDUCTION,
}
SCORE_FIELDS = ("total_computed", "total_unit", "total_school", "total", "failed", "fail_codes")
DEDUCTION_MAX = 10.0


class FacilityEvalSheet(models.Model):
    """The form of one instrument in one campaign (附件3, or a row of the benefit table): its
    figures computed from the records, its lines, the unit's and the school's columns.

    Who changes what, and when: the figures only through the campaign's computation; the head of
    the form's 二级单位 the entered figures (rules, platform and ledger deductions, the daily
    checks) and the unit's column while the units self-assess and until they sign; the school's
    assessors the school column while the school assesses and until they sign. The benefit table
    (seed 001) has one column, the computed one.
    """

    _name = "facility.eval.sheet"
    _description = "Instrument Evaluation Form"
    _inherit = ["mail.thread", "facility.guarded.mixin"]
    _order = "campaign_id desc, unit_id, instrument_id"
    _check_company_auto = True
    _guarded_fields = (
        "state",
        "status",
        "unit_signer_id",
        "unit_signed_date",
        "school_signer_id",
        "school_signed_date",
        "campaign_id",
        "year",
        "company_id",
        "currency_id",
        "instrument_id",
        "unit_id",
        "lab_id",
        *FIGURE_FIELDS,
        *SCORE_FIELDS,
    )

    campaign_id = fields.Many2one(
        "facility.eval.campaign", required=True, ondelete="cascade", index=True
    )
    campaign_state = fields.Selection(related="campaign_id.state", string="Campaign Step")
    scheme_level = fields.Selection(related="campaign_id.scheme_id.level")
    # the campaign's, copied when the form is created (a campaign's year and company never
    # change once it has forms; stored as plain fields, thousands of forms are created at once)
    year = fields.Integer(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    instrument_id = fields.Many2one(
        "facility.instrument", required=True, ondelete="restrict", index=True, check_company=True
    )
    instrument_code = fields.Char(related="instrument_id.code", string="Equipment No.")
    unit_id = fields.Many2one(
        "facility.unit", string="Unit (二级单位)", required=True, index=True, ondelete="restrict"
    )
    lab_id = fields.Many2one("facility.unit", string="Laboratory", ondelete="restrict")
    status = fields.Selection(
        [
            (SheetStatus.ASSESSED, "Assessed"),
            (SheetStatus.NOT_ASSESSED, "Not Assessed This Year"),
            (SheetStatus.EXCLUDED, "Excluded"),
        ],
        required=True,
        default=SheetStatus.ASSESSED,
        index=True,
    )
    status_reason = fields.Char(
        compute="_compute_status_reason", help="Why it is not assessed, as the reader reads it."
    )
    state = fields.Selection(
        [
            (SheetState.DRAFT, "Draft"),
            (SheetState.UNIT_SIGNED, "Unit Signed"),
            (SheetState.SCHOOL_SIGNED, "School Signed"),
        ],
        required=True,
        default=SheetState.DRAFT,
        tracking=True,
        index=True,
    )
    line_ids = fields.One2many("facility.eval.sheet.line", "sheet_id", string="Lines")
    check_ids = fields.One2many("facility.eval.check", "sheet_id", string="Daily Management")
    # figures computed by facility.eval.collector (written only by the campaign's computation)
    full_months = fields.Integer(readonly=True)
    hours_logged = fields.Float(readonly=True)
    hours = fields.Float(string="Annual Hours", readonly=True)
    external_hours_logged = fields.Float(readonly=True)
    external_hours = fields.Float(readonly=True)
    booking_count = fields.Integer(readonly=True)
    fees = fields.Monetary(readonly=True)
    fees_internal = fields.Monetary(readonly=True)
    fees_external = fields.Monetary(readonly=True)
    fee_standard = fields.Boolean(readonly=True)
    training_hours = fields.Float(readonly=True)
    trainee_count = fields.Integer(readonly=True)
    projects = fields.Integer(readonly=True)
    papers = fields.Integer(readonly=True)
    awards = fields.Integer(readonly=True)
    patents = fields.Integer(readonly=True)
    # the benefit evaluation's figures (seed 001 §3.4)
    key_projects = fields.Integer(readonly=True)
    departments = fields.Integer(readonly=True)
    researchers = fields.Integer(readonly=True)
    national_awards = fields.Integer(readonly=True)
    provincial_awards = fields.Integer(readonly=True)
    sci_papers = fields.Integer(readonly=True)
    core_papers = fields.Integer(readonly=True)
    training_count = fields.Integer(readonly=True)
    hours_display = fields.Char(string="Annual Hours Counted", compute="_compute_hours_display")
    external_hours_display = fields.Char(
        string="External Hours Counted", compute="_compute_hours_display"
    )
    needs_explanation = fields.Boolean(compute="_compute_hours_display")
    # entered by the assessors
    rules_level = fields.Selection(
        [
            (RulesLevel.APPLIED, "Rules Made and Applied"),
            (RulesLevel.MADE, "Rules Made, Not Applied"),
            (RulesLevel.NONE, "No Rules"),
        ],
        default=RulesLevel.APPLIED,
    )
    platform_deduction = fields.Float(
        help="附件3 §6: 0 when the platform's usage, training and maintenance records are "
        "complete, 2 to 5 when incomplete, 10 when none are kept."
    )
    ledger_deduction = fields.Float(help="附件3 §7.1: the points deducted for the usage ledger.")
    explanation = fields.Text(help="Why the effective hours are under 150 (seed 001 §3.4).")
    # totals and the fail rule
    total_computed = fields.Float(string="Computed Total", readonly=True)
    total_unit = fields.Float(string="Unit's Total", readonly=True)
    total_school = fields.Float(string="School's Total", readonly=True)
    total = fields.Float(
        string="Score",
        readonly=True,
        aggregator="avg",
        help="The total of the current column: the school's once signed by the school, else "
        "the unit's once signed by the unit, else the computed one.",
    )
    failed = fields.Boolean(readonly=True, index=True)
    fail_codes = fields.Char(readonly=True, help="Why it fails: points, hours (comma-separated).")
    fail_reason = fields.Char(
        compute="_compute_fail_reason", help="Why it fails, as the reader reads it."
    )
    unit_signer_id = fields.Many2one("res.users", string="Unit Signed By", readonly=True)
    unit_signed_date = fields.Date(readonly=True)
    school_signer_id = fields.Many2one("res.users", string="School Signed By", readonly=True)
    school_signed_date = fields.Date(readonly=True)
    is_unit_head = fields.Boolean(compute="_compute_is_unit_head")
    can_fill_unit = fields.Boolean(
        compute="_compute_can_fill", help="The current user may fill the unit's column now."
    )
    can_fill_school = fields.Boolean(
        compute="_compute_can_fill", help="The current user may fill the school column now."
    )

    _sql_constraints = [
        (
            "instrument_campaign_unique",
            "unique(campaign_id, instrument_id)",
            "An instrument has one form per campaign.",
        )
    ]

    @api.depends(
        "hours",
        "hours_logged",
        "external_hours",
        "external_hours_logged",
        "full_months",
        "status",
        "campaign_id.scheme_id.level",
    )
    def _compute_hours_display(self):
        for sheet in self:
            benefit = sheet.scheme_level == SchemeLevel.BENEFIT
            sheet.hours_display = sheet._prorated_text(sheet.hours_logged, sheet.hours)
            sheet.external_hours_display = sheet._prorated_text(
                sheet.external_hours_logged, sheet.external_hours
            )
            # seed 001 counts the effective hours logged: no proration in the benefit table
            sheet.needs_explanation = (
                benefit
                and sheet.status == SheetStatus.ASSESSED
                and sheet.hours_logged < EXPLAIN_HOURS_BELOW
            )

    @api.depends_context("uid")
    @api.depends("unit_id.manager_id")
    def _compute_is_unit_head(self):
        for sheet in self:
            sheet.is_unit_head = sheet.unit_id.manager_id == self.env.user

    @api.depends_context("uid")
    @api.depends("unit_id.manager_id", "state", "status", "campaign_id.state")
    def _compute_can_fill(self):
        """What the form view lets the user edit: the columns (and remarks) the server would
        accept from them now."""
        for sheet in self:
            sheet.can_fill_unit = bool(sheet.id) and not sheet._column_refusal(Column.UNIT)
            sheet.can_fill_school = bool(sheet.id) and not sheet._column_refusal(Column.SCHOOL)

    @api.constrains("platform_deduction", "ledger_deduction")
    def _check_deductions(self):
        for sheet in self:
            for name in ("platform_deduction", "ledger_deduction"):
                if not 0 <= sheet[name] <= DEDUCTION_MAX:
                    raise ValidationError(
                        self.env._(
                            "%(field)s of %(form)s must lie between 0 and %(max)s points; "
                            "%(value)s was entered.",
                            field=sheet._fields[name]._description_string(self.env),
                            form=sheet.display_name,
                            max=DEDUCTION_MAX,
                            value=sheet[name],
                        )
                    )

    @api.depends("status", "instrument_id.account_date", "instrument_id.scrap_applied_date")
    def _compute_status_reason(self):
        """Why a form is not assessed, worded when read (in the reader's language) from the
        instrument's dates, as the collector decided it."""
        collector = self.env["facility.eval.collector"]
        for sheet in self:
            sheet.status_reason = (
                sheet.status != SheetStatus.ASSESSED
                and collector._status_reason_of(sheet.instrument_id, sheet.year)
            )

    @api.depends(
        "fail_codes", "campaign_id.scheme_id.fail_below", "campaign_id.scheme_id.hours_fail_below"
    )
    def _compute_fail_reason(self):
        """The fail rule's words in the reader's language (the codes are what is stored)."""
        for sheet in self:
            codes = (sheet.fail_codes or "").split(",")
            scheme = sheet.campaign_id.scheme_id
            texts = []
            if "points" in codes:
                texts.append(
                    self.env._(
                        "below %(points)s points", points=self._format_points(scheme.fail_below)
                    )
                )
            if "hours" in codes:
                texts.append(
                    self.env._(
                        "under %(hours)s hours a year",
                        hours=self._format_points(scheme.hours_fail_below),
                    )
                )
            sheet.fail_reason = self.env._("; ").join(texts) or False

    @api.depends("instrument_id", "campaign_id")
    def _compute_display_name(self):
        for sheet in self:
            sheet.display_name = f"{sheet.instrument_id.name or ''} ({sheet.year or ''})"

    @api.ondelete(at_uninstall=False)
    def _unlink_if_unsigned(self):
        """A signed form is the year's record: it is never deleted."""
        signed = self.filtered(lambda f: f.state != SheetState.DRAFT)
        if signed and not self._guard_open():
            raise UserError(
                self.env._(
                    "%(form)s has been signed: a signed evaluation form is not deleted.",
                    form=signed[0].display_name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self._guard_open():
            raise UserError(self.env._("Instrument forms are created by computing their campaign."))
        campaigns = self.env["facility.eval.campaign"].browse(
            {vals["campaign_id"] for vals in vals_list if vals.get("campaign_id")}
        )
        for vals in vals_list:
            if vals.get("campaign_id") and not {"year", "company_id"} <= set(vals):
                campaign = campaigns.browse(vals["campaign_id"])
                vals.setdefault("year", campaign.year)
                vals.setdefault("company_id", campaign.company_id.id)
                vals.setdefault("currency_id", campaign.currency_id.id)
        return super().create(vals_list)

    def write(self, vals):
        entered = set(vals) & set(ENTERED_FIELDS)
        checked = entered and not self._guard_open()
        if checked:
            for sheet in self:
                sheet._raise_refusal(Column.UNIT, entered=True)
        result = super().write(vals)
        if checked and entered - {"explanation"}:
            self._after_entered_edit()
        return result

    # -- actions -------------------------------------------------------------------------------

    def action_unit_sign(self):
        """The unit's head signs the unit's column (files it with the equipment office)."""
        for sheet in self:
            sheet._raise_refusal(Column.UNIT, signing=True)
            if sheet.needs_explanation and not (sheet.explanation or "").strip():
                raise UserError(
                    self.env._(
                        "%(form)s: %(hours)s effective hours are under %(limit)s; write the "
                        "explanation the table asks for before signing.",
                        form=sheet.display_name,
                        hours=sheet.hours_logged,
                        limit=EXPLAIN_HOURS_BELOW,
                    )
                )
            sheet._write_guarded(
                {
                    "state": SheetState.UNIT_SIGNED,
                    "unit_signer_id": self.env.uid,
                    "unit_signed_date": fields.Date.context_today(self),
                }
            )
            sheet.message_post(
                body=self.env._(
                    "The unit's column was signed by %(user)s: %(total)s points.",
                    user=self.env.user.name,
                    total=sheet._format_points(sheet._signed_total(Column.UNIT)),
                )
            )
        self._refresh_after_signature()
        for campaign in self.campaign_id:
            campaign._head_reported()
        return True

    def action_school_sign(self):
        """A school assessor signs the school column."""
        for sheet in self:
            sheet._raise_refusal(Column.SCHOOL, signing=True)
            sheet._write_guarded(
                {
                    "state": SheetState.SCHOOL_SIGNED,
                    "school_signer_id": self.env.uid,
                    "school_signed_date": fields.Date.context_today(self),
                }
            )
            sheet.message_post(
                body=self.env._(
                    "The school column was signed by %(user)s: %(total)s points.",
                    user=self.env.user.name,
                    total=sheet._format_points(sheet._signed_total(Column.SCHOOL)),
                )
            )
        self._refresh_after_signature()
        return True

    def action_open_figure(self):
        """The records behind the figure named ``figure`` in the context (click-through)."""
        self.ensure_one()
        figure = self.env.context.get("figure")
        if figure not in self._fields:
            raise UserError(
                self.env._(
                    "%(figure)s is not a figure of an instrument's form.", figure=figure or "—"
                )
            )
        return self.env["facility.eval.collector"].figure_action(self, figure)

    # -- business logic ------------------------------------------------------------------------

    @api.model
    def _figure_fields(self):
        return FIGURE_FIELDS

    def _figures(self):
        """``{codes.Figure value: number}`` from this form's fields, as the scoring reads them."""
        self.ensure_one()
        values = {name: self[name] for name in (*FIGURE_FIELDS, *ENTERED_FIELDS)}
        missing = len(self.check_ids.filtered(lambda check: not check.present))
        benefit = self.scheme_level == SchemeLevel.BENEFIT
        return self._figures_of(values, self.instrument_id, missing, benefit=benefit)

    @api.model
    def _figures_of(self, values, instrument, missing, benefit=False):
        """The figures of a form from its field ``values`` (those missing read 0), its
        ``instrument`` and the number of daily-management items found ``missing`` (an item
        is presumed present until the unit's head unticks it). ``benefit``: the benefit table
        (seed 001) reads the effective hours logged, not 附件3's hours prorated for a new
        instrument."""

        def get(name):
            return values.get(name) or 0

        instrument = instrument.sudo()
        return {
            Figure.HOURS.value: get("hours_logged" if benefit else "hours"),
            Figure.EXTERNAL_HOURS.value: get("external_hours"),
            Figure.FEES.value: get("fees"),
            Figure.FEE_STANDARD.value: 1 if get("fee_standard") else 0,
            Figure.TRAINING_HOURS.value: get("training_hours"),
            Figure.OUTCOMES.value: get("projects") + get("papers") + get("awards") + get("patents"),
            Figure.RULES_LEVEL.value: int(values.get("rules_level", RulesLevel.APPLIED) or 0),
            Figure.DAILY_MISSING.value: missing,
            Figure.PLATFORM_DEDUCTION.value: get("platform_deduction"),
            Figure.LEDGER_DEDUCTION.value: get("ledger_deduction"),
            Figure.NORMAL_PROJECTS.value: max(get("projects") - get("key_projects"), 0),
            Figure.KEY_PROJECTS.value: get("key_projects"),
            Figure.DEPARTMENTS.value: get("departments"),
            Figure.RESEARCHERS.value: get("researchers"),
            Figure.EXTERNAL_FEES.value: get("fees_external"),
            Figure.NATIONAL_AWARDS.value: get("national_awards"),
            Figure.PROVINCIAL_AWARDS.value: get("provincial_awards"),
            Figure.SCI_PAPERS.value: get("sci_papers"),
            Figure.CORE_PAPERS.value: get("core_papers"),
            Figure.PATENTS.value: get("patents"),
            Figure.TRAININGS.value: get("training_count"),
            Figure.RATED_HOURS.value: instrument.rated_annual_hours,
            Figure.SPECIAL_PURPOSE.value: 1 if instrument.purpose == "special" else 0,
        }

    def _figures_batch(self):
        """``{sheet id: figures}`` of these forms, read at once (a unit's scoring reads all the
        forms of a campaign)."""
        names = [*FIGURE_FIELDS, *ENTERED_FIELDS, "instrument_id"]
        rows = self.read(names, load=None)
        missing = {
            sheet.id: count
            for sheet, count in self.env["facility.eval.check"]._read_group(
                [("sheet_id", "in", self.ids), ("present", "=", False)], ["sheet_id"], ["__count"]
            )
        }
        instruments = self.env["facility.instrument"].browse(row["instrument_id"] for row in rows)
        return {
            row["id"]: self._figures_of(
                row, instruments.browse(row["instrument_id"]), missing.get(row["id"], 0)
            )
            for row in rows
        }

    def _points_batch(self, columns):
        """``{sheet id: {column: {criterion code: points}}}`` of these forms, read at once."""
        points = {sheet_id: {column: {} for column in columns} for sheet_id in self.ids}
        if not columns or not self:
            return points
        # these forms were searched (access rules applied): their lines are read in one query
        Line = self.env["facility.eval.sheet.line"]
        Line.flush_model(["sheet_id", "criterion_id", *(f"points_{c}" for c in columns)])
        self.env.cr.execute(
            SQL(
                "SELECT sheet_id, criterion_id, %s FROM facility_eval_sheet_line "
                "WHERE sheet_id = ANY(%s)",
                SQL(", ").join(SQL.identifier(f"points_{column}") for column in columns),
                self.ids,
            )
        )
        lines = [
            {
                "sheet_id": row[0],
                "criterion_id": row[1],
                **{f"points_{column}": row[2 + i] or 0.0 for i, column in enumerate(columns)},
            }
            for row in self.env.cr.fetchall()
        ]
        codes = dict(
            self.env["facility.eval.criterion"]
            .browse({line["criterion_id"] for line in lines})
            .mapped(lambda c: (c.id, c.code))
        )
        for line in lines:
            code = codes[line["criterion_id"]]
            for column in columns:
                points[line["sheet_id"]][column][code] = line[f"points_{column}"]
        return points

    def _column_points(self, column):
        """``{criterion code: points}`` of ``column`` (a codes.Column)."""
        self.ensure_one()
        name = f"points_{column}"
        return {line.criterion_id.code: line[name] for line in self.line_ids}

    def _column_total(self, column):
        self.ensure_one()
        if column == Column.COMPUTED:
            return self.total_computed
        return sum(self.line_ids.mapped(f"points_{column}"))

    def _signed_total(self, column):
        """The total a signature stands for (the benefit table has the computed one only)."""
        self.ensure_one()
        if self.scheme_level == SchemeLevel.BENEFIT:
            return self.total_computed
        return self._column_total(column)

    def _current_column(self):
        self.ensure_one()
        if self.scheme_level == SchemeLevel.BENEFIT:
            return Column.COMPUTED
        return {
            SheetState.SCHOOL_SIGNED: Column.SCHOOL,
            SheetState.UNIT_SIGNED: Column.UNIT,
        }.get(self.state, Column.COMPUTED)

    def _score_columns(self, table):
        """Score the computed column of these assessed forms from their figures: the lines'
        figures and points, the computed total."""
        Line = self.env["facility.eval.sheet.line"]
        new_lines = []
        templates = {}
        for sheet in self:
            result = self._score_figures(table, sheet._figures())
            lines = {line.criterion_id.id: line for line in sheet.line_ids}
            template = templates.get(sheet.campaign_id.scheme_id)
            if template is None:
                template = templates[sheet.campaign_id.scheme_id] = self._line_template(
                    sheet.campaign_id.scheme_id
                )
            for criterion, values in self._line_values(template, result):
                line = lines.get(criterion.id)
                if not line:
                    new_lines.append(dict(values, sheet_id=sheet.id))
                    continue
                values = {
                    key: value
                    for key, value in values.items()
                    if key != "criterion_id" and line[key] != value
                }
                if values:
                    line._write_guarded(values)
            if sheet.total_computed != result.total:
                sheet._write_guarded({"total_computed": result.total})
        if new_lines:
            Line._guard_context().create(new_lines)

    @api.model
    def _score_figures(self, table, figures):
        """The one place the instrument scoring (part A's rules) is called."""
        return scoring.score_instrument(table, figures)

    @api.model
    def _line_template(self, scheme):
        """The lines of ``scheme``'s forms in the table's order: ``[(criterion, code, section
        code, values that do not depend on the figures)]``."""
        seen = set()
        template = []
        criteria = scheme.criterion_ids.sorted(lambda c: (c.section_id.sequence, c.sequence, c.id))
        for criterion in criteria:
            section = criterion.section_id
            template.append(
                (
                    criterion,
                    criterion.code,
                    section.code,
                    {
                        "criterion_id": criterion.id,
                        "sequence": criterion.sequence,
                        "section_sequence": section.sequence,
                        "section_first": section not in seen,
                    },
                )
            )
            seen.add(section)
        return template

    @api.model
    def _line_values(self, template, result):
        """``[(criterion, line values)]`` of ``result`` along ``template``: the figure read, the
        computed points, the section's subtotal on its first line (seed 001 prints it once)."""
        values = []
        for criterion, code, section_code, static in template:
            section = result.sections.get(section_code)
            first = static["section_first"]
            line = dict(static)
            line["figure_value"] = result.figures.get(code) or 0.0
            line["points_computed"] = result.points.get(code, 0.0)
            line["section_subtotal"] = section.subtotal if section and first else 0.0
            line["section_weighted"] = section.weighted if section and first else 0.0
            values.append((criterion, line))
        return values

    @api.model
    def _new_form_values(self, table, template, instrument, values, unit_column, is_benefit):
        """Complete ``values`` of a new assessed form with its totals, scored before it is
        created; return its lines' values (inserted once the forms exist) and its figures."""
        figures = self._figures_of(values, instrument, 0, benefit=is_benefit)
        result = self._score_figures(table, figures)
        lines = [line for _criterion, line in self._line_values(template, result)]
        total_unit = 0.0
        for line in lines:
            line["points_unit"] = 0.0
        if unit_column and not is_benefit:
            for line in lines:
                line["points_unit"] = line["points_computed"]
            total_unit = result.total
        reasons = scoring.fail_reasons(table, result.total, values.get("hours") or 0.0)
        values.update(
            total_computed=result.total,
            total_unit=total_unit,
            total=result.total,
            failed=bool(reasons),
            fail_codes=",".join(reasons) or False,
        )
        return lines, figures

    @api.model
    def _insert_forms(self, vals_list):
        """Create the new forms of a campaign's computation at once, as ``create`` would with
        the campaign's values (its defaults filled, Monetary amounts rounded to the currency)
        but in one INSERT: thousands of forms through the ORM cost about 0.7 ms each, most of
        the computation. Only for forms of one campaign, built by ``_compute_forms`` (no stored
        computed field depends on a form). Returns the forms in the order of ``vals_list``."""
        if not vals_list:
            return self.browse()
        stored = [
            name
            for name, field in self._fields.items()
            if field.store
            and field.column_type
            and name not in models.LOG_ACCESS_COLUMNS
            and name != "id"
        ]
        defaults = self.default_get(stored)
        rows = []
        for vals in vals_list:
            values = {**defaults, **vals}
            currency = self.env["res.currency"].browse(values.get("currency_id"))
            rows.append(
                {
                    name: (
                        currency.round(values[name] or 0.0)
                        if currency and self._fields[name].type == "monetary"
                        else values[name]
                    )
                    for name in values
                    if name in stored
                }
            )
        names = sorted(set().union(*rows))
        returned = self._insert_rows(
            self._name,
            [{name: row.get(name) for name in names} for row in rows],
            returning="instrument_id",
        )
        by_instrument = dict(returned)
        return self.browse([by_instrument[vals["instrument_id"]] for vals in vals_list])

    @api.model
    def _insert_rows(self, model_name, rows, returning=None):
        """INSERT ``rows`` (column values, the same columns in every row) of ``model_name``: a
        campaign's computation creates ten lines and five checks per instrument, thousands at
        once, which the ORM's ``create`` does at about 0.1 ms a row. For those two models only,
        which no stored field depends on; the model's cache is invalidated."""
        Model = self.env[model_name]
        Model.check_access("create")
        if not rows:
            return
        names = list(rows[0])
        uid, now = self.env.uid, self.env.cr.now()
        columns = SQL(", ").join(
            SQL.identifier(name)
            for name in (*names, "create_uid", "create_date", "write_uid", "write_date")
        )
        # one array per column (adapted in C), unnested into rows
        arrays = SQL(", ").join(
            SQL(
                "%s::%s[]",
                [
                    None
                    if row[name] is False and Model._fields[name].type != "boolean"
                    else row[name]
                    for row in rows
                ],
                SQL(Model._fields[name].column_type[1]),
            )
            for name in names
        )
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) SELECT rows.*, %s, %s, %s, %s FROM unnest(%s) AS rows%s",
                SQL.identifier(Model._table),
                columns,
                uid,
                now,
                uid,
                now,
                arrays,
                SQL(" RETURNING %s, id", SQL.identifier(returning)) if returning else SQL(),
            )
        )
        result = self.env.cr.fetchall() if returning else None
        Model.invalidate_model()
        self.invalidate_model(["line_ids", "check_ids"])
        self.env["facility.eval.campaign"].invalidate_model(["sheet_ids"])
        return result

    def _ensure_checks(self):
        """The five daily-management items of these assessed forms, for the unit's head to
        tick (created when the units' step begins; until then every item is presumed present)."""
        forms = self.filtered(
            lambda s: (
                s.status == SheetStatus.ASSESSED
                and s.scheme_level != SchemeLevel.BENEFIT
                and not s.check_ids
            )
        )
        self._insert_rows(
            "facility.eval.check",
            [
                {"sheet_id": sheet.id, "item": item.value, "present": True}
                for sheet in forms
                for item in DailyItem
            ],
        )

    def _copy_column(self, source, target):
        """Fill ``target`` with ``source`` (the step's starting point)."""
        if not self:
            return
        by_value = defaultdict(lambda: self.env["facility.eval.sheet.line"])
        for line in self.line_ids:
            by_value[line[f"points_{source}"]] |= line
        for value, lines in by_value.items():  # a few distinct points: a few writes
            lines._write_guarded({f"points_{target}": value})
        self._refresh_totals(self.campaign_id.scheme_id._scoring_table())

    def _refresh_totals(self, table):
        """The unit's and school's totals, the current total and the fail rule."""
        for sheet in self:
            values = {"total_unit": 0.0, "total_school": 0.0}
            reasons = []
            if sheet.status == SheetStatus.ASSESSED:
                if sheet.scheme_level != SchemeLevel.BENEFIT:
                    values["total_unit"] = sheet._column_total(Column.UNIT)
                    values["total_school"] = sheet._column_total(Column.SCHOOL)
                current = sheet._current_column()
                values["total"] = (
                    sheet.total_computed
                    if current == Column.COMPUTED
                    else values[f"total_{current}"]
                )
                reasons = scoring.fail_reasons(table, values["total"], sheet.hours)
            else:
                values.update(total=0.0, total_computed=0.0)
            values["failed"] = bool(reasons)
            values["fail_codes"] = ",".join(reasons) or False
            changed = {key: value for key, value in values.items() if sheet[key] != value}
            if changed:
                sheet._write_guarded(changed)

    def _after_entered_edit(self):
        """The unit's head changed an entered figure: rescore the computed column and carry
        the points of the criteria reading entered figures into the unit's column."""
        for campaign in self.campaign_id:
            sheets = self.filtered(
                lambda s, c=campaign: s.campaign_id == c and s.status == SheetStatus.ASSESSED
            )
            table = campaign.scheme_id._scoring_table()
            sheets._score_columns(table)
            if campaign.scheme_level != SchemeLevel.BENEFIT:
                for line in sheets.line_ids:
                    criterion = line.criterion_id
                    if criterion.figure in ENTERED_FIGURES or criterion.method == "manual":
                        line._write_guarded({"points_unit": line.points_computed})
            sheets._refresh_totals(table)
            sheets._refresh_unit_forms((Column.COMPUTED, Column.UNIT))

    def _after_column_edit(self, column):
        """A column's points changed: the totals and the unit's form follow."""
        for campaign in self.campaign_id:
            sheets = self.filtered(lambda s, c=campaign: s.campaign_id == c)
            sheets._refresh_totals(campaign.scheme_id._scoring_table())
            sheets._refresh_unit_forms((column,))

    def _refresh_after_signature(self):
        for campaign in self.campaign_id:
            sheets = self.filtered(lambda s, c=campaign: s.campaign_id == c)
            sheets._refresh_totals(campaign.scheme_id._scoring_table())
            sheets._refresh_unit_forms(())

    def _refresh_unit_forms(self, columns):
        """Rescore ``columns`` of the unit forms these forms count in (unsigned columns only)."""
        forms = self.env["facility.eval.unit"]
        for sheet in self:
            forms |= forms.search(
                [("campaign_id", "=", sheet.campaign_id.id), ("unit_id", "=", sheet.unit_id.id)]
            )
        forms._score_columns(columns)

    def _may_attach_evidence(self):
        """Instrument managers attach evidence to the daily checks until the unit signs."""
        self.ensure_one()
        return (
            self.env.user in self.instrument_id.manager_ids
            and self.state == SheetState.DRAFT
            and self.campaign_id.state != CampaignState.CLOSED
        )

    def _raise_refusal(self, column, entered=False, signing=False):
        refusal = self._column_refusal(column, entered=entered, signing=signing)
        if refusal:
            raise UserError(refusal)

    def _column_refusal(self, column, entered=False, signing=False):
        """Why the current user may not fill (or sign) ``column`` of this form now; ``None``
        when they may. ``entered``: the entered figures rather than the points."""
        self.ensure_one()
        if self.env.su:
            return None
        _ = self.env._
        campaign = self.campaign_id
        form = self.display_name
        if self.status != SheetStatus.ASSESSED:
            return _(
                "%(form)s is not assessed this year (%(reason)s): it has no column to fill or "
                "sign.",
                form=form,
                reason=self.status_reason or self._status_label(),
            )
        if column == Column.UNIT:
            head = self.unit_id.sudo().manager_id
            if head != self.env.user:
                return _(
                    "Only the head of %(unit)s (%(head)s) fills and signs the unit's column of "
                    "%(form)s.",
                    unit=self.unit_id.display_name,
                    head=head.name or _("no head recorded"),
                    form=form,
                )
            if campaign.state != CampaignState.SELF_ASSESSING:
                return _(
                    "The unit's column of %(form)s is filled while the units self-assess; "
                    "%(campaign)s is %(state)s.",
                    form=form,
                    campaign=campaign.display_name,
                    state=campaign._state_label(),
                )
            if self.state != SheetState.DRAFT:
                return _(
                    "The unit's column of %(form)s was signed by %(signer)s on %(date)s; it no "
                    "longer changes.",
                    form=form,
                    signer=self.unit_signer_id.name,
                    date=self.unit_signed_date,
                )
            if not (entered or signing) and self.scheme_level == SchemeLevel.BENEFIT:
                return _(
                    "The benefit evaluation of %(form)s has one column, computed from the records.",
                    form=form,
                )
            return None
        refusal = school_column_refusal(self)
        if refusal:
            return refusal
        if not signing and self.scheme_level == SchemeLevel.BENEFIT:
            return _(
                "The benefit evaluation of %(form)s has one column, computed from the records.",
                form=form,
            )
        return None

    def _status_label(self):
        return dict(self._fields["status"]._description_selection(self.env))[self.status]

    @api.model
    def _format_points(self, value):
        return f"{value or 0:g}"

    def _prorated_text(self, logged, counted):
        """``900 h × 12 ÷ 9 = 1,200 h`` for a new instrument, ``1,650 h`` otherwise."""
        logged_text = f"{logged:,.1f}".removesuffix(".0")
        counted_text = f"{counted:,.1f}".removesuffix(".0")
        if self.full_months and self.full_months < 12:
            return self.env._(
                "%(logged)s h × 12 ÷ %(months)s = %(counted)s h",
                logged=logged_text,
                months=self.full_months,
                counted=counted_text,
            )
        return counted_text + " h"
