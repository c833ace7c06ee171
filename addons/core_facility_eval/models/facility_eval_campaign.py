from collections import defaultdict
from datetime import date, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..rules import stats
from ..rules.codes import (
    SCOPE_MIN_VALUE,
    CampaignState,
    Column,
    SchemeLevel,
    SheetState,
    SheetStatus,
)

FACILITY_MANAGER = "core_facility.group_facility_manager"
# the campaign's computation writes thousands of records: no tracking, no creation messages
QUIET = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


class FacilityEvalCampaign(models.Model):
    """One year's evaluation under one scheme: its scope, dates, steps, forms.

    The steps (seed 002 第三条): preparing (the facility manager computes the forms from the
    records), units self-assessing (each 二级单位 head fills and signs the unit's column of its
    instruments' forms and of its own form), school assessing (the equipment office fills and signs
    the school column), closed. Only the facility manager moves a campaign from one step to the
    next.
    """

    _name = "facility.eval.campaign"
    _description = "Evaluation Campaign"
    _inherit = ["mail.thread", "mail.activity.mixin", "facility.guarded.mixin"]
    _order = "year desc, id desc"
    _guarded_fields = ("state", "computed_at")

    name = fields.Char(required=True, tracking=True, default=lambda self: self._default_name())
    year = fields.Integer(
        required=True, tracking=True, default=lambda self: fields.Date.context_today(self).year
    )
    scheme_id = fields.Many2one(
        "facility.eval.scheme",
        string="Scoring Table",
        required=True,
        domain=[("level", "in", ("instrument", "benefit"))],
        tracking=True,
    )
    scheme_level = fields.Selection(related="scheme_id.level")
    unit_scheme_id = fields.Many2one(related="scheme_id.unit_scheme_id")
    scope_min_value = fields.Monetary(
        string="Scope: Original Value From",
        currency_field="currency_id",
        default=SCOPE_MIN_VALUE,
        tracking=True,
    )
    date_from = fields.Date(
        required=True,
        default=lambda self: date(fields.Date.context_today(self).year, 1, 1),
    )
    date_to = fields.Date(
        required=True,
        default=lambda self: date(fields.Date.context_today(self).year, 12, 31),
    )
    self_deadline = fields.Date(string="Units File By")
    school_deadline = fields.Date(string="School Assesses By")
    state = fields.Selection(
        [
            (CampaignState.PREPARING, "Preparing"),
            (CampaignState.SELF_ASSESSING, "Units Self-Assessing"),
            (CampaignState.SCHOOL_ASSESSING, "School Assessing"),
            (CampaignState.CLOSED, "Closed"),
        ],
        required=True,
        default=CampaignState.PREPARING,
        tracking=True,
        index=True,
        group_expand="_expand_states",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    sheet_ids = fields.One2many("facility.eval.sheet", "campaign_id", string="Instrument Forms")
    unit_eval_ids = fields.One2many(
        "facility.eval.unit",
        "campaign_id",
        string="Unit Forms",
        groups="core_facility.group_facility_reviewer,core_facility_eval.group_eval_unit_head,"
        "core_facility_eval.group_eval_school_assessor",
    )
    computed_at = fields.Datetime(string="Figures Computed", readonly=True, copy=False)
    # statistics (seed 001 §4.2–4.3), over the assessed instruments' forms
    sheet_count = fields.Integer(string="Number of Instrument Forms", compute="_compute_statistics")
    assessed_count = fields.Integer(string="Assessed", compute="_compute_statistics")
    not_assessed_count = fields.Integer(string="Not Assessed", compute="_compute_statistics")
    excluded_count = fields.Integer(string="Excluded", compute="_compute_statistics")
    sheet_draft_count = fields.Integer(string="Forms Not Signed", compute="_compute_statistics")
    sheet_unit_signed_count = fields.Integer(
        string="Forms Signed by the Units", compute="_compute_statistics"
    )
    sheet_school_signed_count = fields.Integer(
        string="Forms Signed by the School", compute="_compute_statistics"
    )
    sheet_failed_count = fields.Integer(string="Instruments Failing", compute="_compute_statistics")
    unit_eval_count = fields.Integer(string="Number of Unit Forms", compute="_compute_statistics")
    unit_draft_count = fields.Integer(string="Unit Forms Not Signed", compute="_compute_statistics")
    unit_unit_signed_count = fields.Integer(
        string="Unit Forms Signed by the Units", compute="_compute_statistics"
    )
    unit_school_signed_count = fields.Integer(
        string="Unit Forms Signed by the School", compute="_compute_statistics"
    )
    unit_failed_count = fields.Integer(string="Units Failing", compute="_compute_statistics")
    hours_mean = fields.Float(string="Mean Annual Hours", compute="_compute_statistics")
    hours_std = fields.Float(string="Standard Deviation of Hours", compute="_compute_statistics")
    score_mean = fields.Float(string="Mean Score", compute="_compute_statistics")
    score_std = fields.Float(string="Standard Deviation of Scores", compute="_compute_statistics")
    unreported_unit_ids = fields.Many2many(
        "facility.unit",
        string="Units That Have Not Reported",
        compute="_compute_statistics",
        help="Units whose form (or one of whose assessed instruments' forms) the unit's head has "
        "not signed yet.",
    )
    unreported_count = fields.Integer(string="Units Not Reported", compute="_compute_statistics")

    _sql_constraints = [
        (
            "company_year_scheme_unique",
            "unique(company_id, year, scheme_id)",
            "A company runs one campaign per year and scoring table.",
        )
    ]

    def _expand_states(self, states, domain):
        """Every step is a column of the kanban, even an empty one."""
        return [key for key, _label in self._fields["state"].selection]

    def _default_name(self):
        return self.env._("Evaluation %(year)s", year=fields.Date.context_today(self).year)

    @api.depends(
        "sheet_ids.status",
        "sheet_ids.state",
        "sheet_ids.failed",
        "sheet_ids.hours",
        "sheet_ids.total",
        "unit_eval_ids.state",
        "unit_eval_ids.failed",
    )
    def _compute_statistics(self):
        for campaign in self:
            # aggregates over every form, whoever reads them (instrument managers see theirs)
            sheets = campaign.sudo()._forms()
            assessed = sheets.filtered(lambda s: s.status == SheetStatus.ASSESSED)
            units = campaign.sudo()._unit_forms()
            campaign.sheet_count = len(sheets)
            campaign.assessed_count = len(assessed)
            campaign.not_assessed_count = len(
                sheets.filtered(lambda s: s.status == SheetStatus.NOT_ASSESSED)
            )
            campaign.excluded_count = len(
                sheets.filtered(lambda s: s.status == SheetStatus.EXCLUDED)
            )
            for state, name in (
                (SheetState.DRAFT, "draft"),
                (SheetState.UNIT_SIGNED, "unit_signed"),
                (SheetState.SCHOOL_SIGNED, "school_signed"),
            ):
                campaign[f"sheet_{name}_count"] = len(
                    assessed.filtered(lambda s, st=state: s.state == st)
                )
                campaign[f"unit_{name}_count"] = len(
                    units.filtered(lambda u, st=state: u.state == st)
                )
            campaign.sheet_failed_count = len(assessed.filtered("failed"))
            campaign.unit_eval_count = len(units)
            campaign.unit_failed_count = len(units.filtered("failed"))
            if assessed:
                campaign.hours_mean, campaign.hours_std = stats.mean_std(assessed.mapped("hours"))
                campaign.score_mean, campaign.score_std = stats.mean_std(assessed.mapped("total"))
            else:
                campaign.hours_mean = campaign.hours_std = 0.0
                campaign.score_mean = campaign.score_std = 0.0
            unreported = campaign.sudo()._unreported_units().with_env(self.env)
            campaign.unreported_unit_ids = unreported
            campaign.unreported_count = len(unreported)

    @api.constrains("scheme_id")
    def _check_scheme_level(self):
        """A campaign scores instruments: on an instrument table (附件3, whose unit table scores
        the units) or a benefit table, never on a unit table itself."""
        for campaign in self:
            if campaign.scheme_id.level not in (SchemeLevel.INSTRUMENT, SchemeLevel.BENEFIT):
                raise ValidationError(
                    self.env._(
                        "%(campaign)s: %(table)s scores units; a campaign is run on an "
                        "instrument table (whose unit table scores the units) or a benefit "
                        "table.",
                        campaign=campaign.display_name,
                        table=campaign.scheme_id.display_name,
                    )
                )

    @api.onchange("year")
    def _onchange_year(self):
        if self.year:
            self.date_from = date(self.year, 1, 1)
            self.date_to = date(self.year, 12, 31)

    @api.onchange("scheme_id")
    def _onchange_scheme_id(self):
        if self.scheme_id.scope_min_value:
            self.scope_min_value = self.scheme_id.scope_min_value

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            year = vals.get("year")
            if year:
                vals.setdefault("date_from", date(year, 1, 1))
                vals.setdefault("date_to", date(year, 12, 31))
                vals.setdefault("name", self.env._("Evaluation %(year)s", year=year))
            if "scope_min_value" not in vals and vals.get("scheme_id"):
                scheme = self.env["facility.eval.scheme"].browse(vals["scheme_id"])
                if scheme.scope_min_value:
                    vals["scope_min_value"] = scheme.scope_min_value
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_preparing(self):
        """A campaign that has started holds the year's forms and signatures: it stays."""
        started = self.filtered(lambda c: c.state != CampaignState.PREPARING)
        if started:
            raise UserError(
                self.env._(
                    "%(campaign)s is %(state)s: a campaign is deleted only while it is being "
                    "prepared (its forms and signatures are the year's record).",
                    campaign=started[0].display_name,
                    state=started[0]._state_label(),
                )
            )

    def write(self, vals):
        frozen = {
            "year",
            "scheme_id",
            "scope_min_value",
            "company_id",
            "date_from",
            "date_to",
        } & set(vals)
        if frozen and not self._guard_open():
            started = self.filtered(lambda c: c.state != CampaignState.PREPARING)
            if started:
                raise UserError(
                    self.env._(
                        "%(campaign)s has left the preparation: its year, period, scoring "
                        "table and scope no longer change.",
                        campaign=started[0].display_name,
                    )
                )
        result = super().write(vals)
        if {"year", "scheme_id", "company_id"} & set(vals):
            # forms of another year or table mean nothing: computed again from scratch
            for campaign in self.filtered("computed_at"):
                campaign._forms().unlink()
                campaign._unit_forms().unlink()
                campaign._write_guarded({"computed_at": False})
        return result

    # -- actions -------------------------------------------------------------------------------

    def action_compute(self):
        """(Re)compute the forms from the records: allowed while preparing and while the units
        self-assess; a signed column is never overwritten."""
        self._check_manager()
        for campaign in self:
            if campaign.state not in (CampaignState.PREPARING, CampaignState.SELF_ASSESSING):
                raise UserError(
                    self.env._(
                        "%(campaign)s is %(state)s: its figures are computed while preparing or "
                        "while the units self-assess, not after.",
                        campaign=campaign.display_name,
                        state=campaign._state_label(),
                    )
                )
            campaign._check_tables()
            campaign._compute_forms()
        return True

    def action_start_self_assessment(self):
        """Preparing → units self-assessing: computes the forms if never computed, fills the
        unit column with the computed one and asks each unit head to fill and sign."""
        self._check_manager()
        for campaign in self:
            campaign._check_state(CampaignState.PREPARING)
            campaign._check_tables()
            if not campaign.computed_at:
                campaign._compute_forms()
            campaign._check_heads()
            campaign._write_guarded({"state": CampaignState.SELF_ASSESSING})
            campaign._forms()._ensure_checks()
            if campaign.scheme_level != SchemeLevel.BENEFIT:
                sheets = campaign._forms().filtered(
                    lambda s: s.status == SheetStatus.ASSESSED and s.state == SheetState.DRAFT
                )
                sheets.with_context(**QUIET)._copy_column(Column.COMPUTED, Column.UNIT)
                campaign._unit_forms().filtered(
                    lambda u: u.state == SheetState.DRAFT
                )._score_columns((Column.UNIT,))
            campaign._notify_unit_heads()
        return True

    def action_start_school_assessment(self):
        """Units self-assessing → school assessing, once every unit has signed its instruments'
        forms and its own form; fills the school column with the unit column."""
        self._check_manager()
        for campaign in self:
            campaign._check_state(CampaignState.SELF_ASSESSING)
            missing = campaign._unsigned(SheetState.DRAFT)
            if missing:
                raise UserError(
                    self.env._(
                        "Units that have not reported (their head has not signed these forms "
                        "yet):\n%(missing)s",
                        missing=missing,
                    )
                )
            campaign._write_guarded({"state": CampaignState.SCHOOL_ASSESSING})
            if campaign.scheme_level != SchemeLevel.BENEFIT:
                sheets = campaign._forms().filtered(lambda s: s.status == SheetStatus.ASSESSED)
                sheets.with_context(**QUIET)._copy_column(Column.UNIT, Column.SCHOOL)
                campaign._unit_forms()._score_columns((Column.SCHOOL,))
        return True

    def action_close(self):
        """School assessing → closed, once the school has signed every form."""
        self._check_manager()
        for campaign in self:
            campaign._check_state(CampaignState.SCHOOL_ASSESSING)
            missing = campaign._unsigned(SheetState.DRAFT, SheetState.UNIT_SIGNED)
            if missing:
                raise UserError(
                    self.env._(
                        "The school has not signed these forms yet:\n%(missing)s",
                        missing=missing,
                    )
                )
            campaign._write_guarded({"state": CampaignState.CLOSED})
        return True

    def action_open_sheets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility_eval.facility_eval_sheet_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.id, "search_default_group_unit": 1}
        return action

    def action_open_unit_evals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility_eval.facility_eval_unit_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.id}
        return action

    def action_open_unreported(self):
        self.ensure_one()
        action = self.action_open_sheets()
        action["domain"] = [
            ("campaign_id", "=", self.id),
            ("status", "=", SheetStatus.ASSESSED),
            ("state", "=", SheetState.DRAFT),
        ]
        return action

    # -- business logic ------------------------------------------------------------------------

    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group(FACILITY_MANAGER):
            raise UserError(
                self.env._(
                    "Only the facility manager computes a campaign and moves it from one step "
                    "to the next."
                )
            )

    def _check_state(self, state):
        for campaign in self:
            if campaign.state != state:
                labels = dict(self._fields["state"]._description_selection(self.env))
                raise UserError(
                    self.env._(
                        "%(campaign)s is %(state)s; this step starts from %(expected)s.",
                        campaign=campaign.display_name,
                        state=campaign._state_label(),
                        expected=labels[state],
                    )
                )

    def _check_tables(self):
        """Refuse to score on a table (or its unit table) whose bands leave a gap or overlap:
        the validation's sentences, not a traceback."""
        self.ensure_one()
        schemes = self.scheme_id | self.unit_scheme_id
        problems = [
            f"- {scheme.display_name}: {problem}"
            for scheme in schemes
            for problem in scheme._problems()
        ]
        if problems:
            raise UserError(
                self.env._(
                    "%(campaign)s cannot be computed: its scoring tables have problems. "
                    "Correct them (the table's Validate button lists them) and compute "
                    "again.\n%(problems)s",
                    campaign=self.display_name,
                    problems="\n".join(problems),
                )
            )

    def _check_heads(self):
        """Every unit with forms to fill has a head to fill and sign them."""
        self.ensure_one()
        units = self._forms().filtered(lambda s: s.status == SheetStatus.ASSESSED).unit_id
        units |= self._unit_forms().unit_id
        headless = units.filtered(lambda u: not u.sudo().manager_id)
        if headless:
            raise UserError(
                self.env._(
                    "These units have forms to fill but no head to fill and sign them; record "
                    "their head (the unit's manager) before the units self-assess:\n%(units)s",
                    units="\n".join(
                        f"- {name}" for name in sorted(headless.mapped("display_name"))
                    ),
                )
            )

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _forms(self):
        """The instrument forms of this campaign, searched: a campaign's one2many read by a unit
        head or an instrument manager holds only what they may see, and the cache is shared."""
        self.ensure_one()
        return self.env["facility.eval.sheet"].search([("campaign_id", "=", self.id)])

    def _unit_forms(self):
        self.ensure_one()
        return self.env["facility.eval.unit"].search([("campaign_id", "=", self.id)])

    def _unreported_units(self):
        """Units whose form, or one of whose assessed instruments' forms, is not unit-signed."""
        self.ensure_one()
        draft_sheets = self._forms().filtered(
            lambda s: s.status == SheetStatus.ASSESSED and s.state == SheetState.DRAFT
        )
        draft_units = self._unit_forms().filtered(lambda u: u.state == SheetState.DRAFT)
        return draft_sheets.unit_id | draft_units.unit_id

    def _unsigned(self, *states):
        """One line per unit listing its assessed forms still in ``states`` ("" if none)."""
        self.ensure_one()
        by_unit = {}
        for sheet in self._forms():
            if sheet.status == SheetStatus.ASSESSED and sheet.state in states:
                by_unit.setdefault(sheet.unit_id, []).append(sheet.instrument_id.display_name)
        for form in self._unit_forms():
            if form.state in states:
                by_unit.setdefault(form.unit_id, []).append(self.env._("the unit's form"))
        return "\n".join(
            f"- {unit.display_name}: {', '.join(names)}"
            for unit, names in sorted(by_unit.items(), key=lambda item: item[0].display_name)
        )

    def _notify_unit_heads(self):
        """An activity for each unit head whose unit has forms to fill in this campaign."""
        self.ensure_one()
        units = self._forms().filtered(lambda s: s.status == SheetStatus.ASSESSED).unit_id
        heads = (units | self._unit_forms().unit_id).manager_id
        deadline = self.self_deadline or fields.Date.context_today(self) + timedelta(days=14)
        for head in heads:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=deadline,
                summary=self.env._("Fill and sign your unit's evaluation forms"),
                note=self.env._(
                    "%(campaign)s: the units assess their instruments. Check the figures, fill "
                    "the unit's column of each instrument's form and of the unit's form, then "
                    "sign them.",
                    campaign=self.display_name,
                ),
                user_id=head.id,
            )

    def _head_reported(self):
        """The current user, a unit head, has signed all their unit's forms: their to-do on
        the campaign is done."""
        self.ensure_one()
        user = self.env.user
        pending = self.env["facility.eval.sheet"].search_count(
            [
                ("campaign_id", "=", self.id),
                ("unit_id.manager_id", "=", user.id),
                ("status", "=", SheetStatus.ASSESSED),
                ("state", "=", SheetState.DRAFT),
            ]
        ) + self.env["facility.eval.unit"].search_count(
            [
                ("campaign_id", "=", self.id),
                ("unit_id.manager_id", "=", user.id),
                ("state", "=", SheetState.DRAFT),
            ]
        )
        if not pending:
            activities = self.env["mail.activity"].search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("user_id", "=", user.id),
                ]
            )
            activities.action_feedback(feedback=self.env._("Every form of the unit is signed."))

    def _compute_forms(self):
        """Create or update one form per instrument in scope (and one per unit), write the
        collector's figures and score every column not signed yet."""
        self.ensure_one()
        Collector = self.env["facility.eval.collector"]
        instruments = Collector.in_scope(self)
        figures = Collector.collect(self, instruments)
        Sheet = self.env["facility.eval.sheet"].with_context(**QUIET)
        existing = {sheet.instrument_id.id: sheet for sheet in self._forms()}
        self._forms().filtered(
            lambda s: s.instrument_id not in instruments and s.state == SheetState.DRAFT
        ).unlink()
        is_benefit = self.scheme_level == SchemeLevel.BENEFIT
        table = self.scheme_id._scoring_table()
        unit_column = self.state == CampaignState.SELF_ASSESSING
        names = set(Sheet._figure_fields()) | {"status"}
        template = Sheet._line_template(self.scheme_id)
        new_vals, new_lines, updated, known = [], [], Sheet, {}
        for instrument in instruments:
            values = {
                key: value
                for key, value in (figures.get(instrument.id) or {}).items()
                if key in names
            }
            values.setdefault("status", SheetStatus.ASSESSED)
            values["unit_id"] = Collector.eval_unit(instrument.unit_id).id
            values["lab_id"] = instrument.unit_id.id
            sheet = existing.get(instrument.id)
            if not sheet:
                values.update(
                    campaign_id=self.id,
                    year=self.year,
                    company_id=self.company_id.id,
                    currency_id=self.currency_id.id,
                    instrument_id=instrument.id,
                )
                lines, form_figures = [], None
                if values["status"] == SheetStatus.ASSESSED:
                    lines, form_figures = Sheet._new_form_values(
                        table, template, instrument, values, unit_column, is_benefit
                    )
                new_vals.append(values)
                new_lines.append((lines, form_figures))
            elif sheet.state == SheetState.DRAFT:
                changed = {
                    key: value
                    for key, value in values.items()
                    if (sheet[key].id if key in ("unit_id", "lab_id") else sheet[key]) != value
                }
                if changed:
                    sheet._write_guarded(changed)
                updated |= sheet
        if new_vals:
            new = Sheet._insert_forms(new_vals)
            Sheet._insert_rows(
                "facility.eval.sheet.line",
                [
                    dict(line, sheet_id=sheet.id)
                    for sheet, (lines, _figures) in zip(new, new_lines, strict=True)
                    for line in lines
                ],
            )
            # what the unit forms read of the new forms, known already
            codes = {criterion.id: code for criterion, code, _section, _static in template}
            for sheet, (lines, form_figures) in zip(new, new_lines, strict=True):
                if form_figures is not None:
                    known[sheet.id] = (
                        form_figures,
                        {
                            column: {
                                codes[line["criterion_id"]]: line[f"points_{column}"]
                                for line in lines
                            }
                            for column in (Column.COMPUTED, Column.UNIT)
                        },
                    )
        # forms no longer assessed lose their lines: they are scored nowhere
        updated.filtered(
            lambda s: s.status != SheetStatus.ASSESSED
        ).line_ids._guard_context().unlink()
        assessed = updated.filtered(lambda s: s.status == SheetStatus.ASSESSED)
        unscored = assessed.filtered(lambda s: not s.line_ids)  # newly assessed
        # during the self-assessment, the unit's column follows the new figures wherever the
        # head left the computed points as they were
        untouched = {}
        if unit_column and not is_benefit:
            untouched = {
                line.id: line.points_computed
                for line in (assessed - unscored).line_ids
                if line.points_unit == line.points_computed
            }
        assessed._score_columns(table)
        if unit_column and not is_benefit:
            unscored._copy_column(Column.COMPUTED, Column.UNIT)
            self._carry_computed(untouched)
        updated._refresh_totals(table)
        if unit_column:
            self._forms()._ensure_checks()
        if not is_benefit and self.unit_scheme_id:
            self._compute_unit_forms(known)
        self._write_guarded({"computed_at": fields.Datetime.now()})

    def _carry_computed(self, previous):
        """Copy the new computed points into the unit's column of the lines in ``previous``
        (``{line id: computed points before the computation}``) whose points changed."""
        lines = self.env["facility.eval.sheet.line"].browse(list(previous))
        by_value = defaultdict(lambda: self.env["facility.eval.sheet.line"])
        for line in lines:
            if line.points_computed != previous[line.id]:
                by_value[line.points_computed] |= line
        for value, changed in by_value.items():  # a few distinct points: a few writes
            changed.with_context(**QUIET)._write_guarded({"points_unit": value})

    def _compute_unit_forms(self, known=None):
        """One form per 二级单位 with assessed instruments, scored from their forms."""
        self.ensure_one()
        Unit = self.env["facility.eval.unit"].with_context(**QUIET)
        units = self._forms().filtered(lambda s: s.status == SheetStatus.ASSESSED).unit_id
        self._unit_forms().filtered(
            lambda u: u.unit_id not in units and u.state == SheetState.DRAFT
        ).unlink()
        have = self._unit_forms().unit_id
        if units - have:
            Unit._guard_context().create(
                [{"campaign_id": self.id, "unit_id": unit.id} for unit in units - have]
            )
        forms = self._unit_forms().filtered(lambda u: u.state == SheetState.DRAFT)
        columns = [Column.COMPUTED]
        if self.state == CampaignState.SELF_ASSESSING:
            columns.append(Column.UNIT)
        forms.with_context(**QUIET)._score_columns(tuple(columns), known)
