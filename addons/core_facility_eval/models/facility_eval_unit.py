from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rules import scoring
from ..rules.codes import CampaignState, Column, SheetState, SheetStatus
from .form_columns import school_column_refusal


class FacilityEvalUnit(models.Model):
    """The form of one 二级单位 in one campaign (附件2): averages of its assessed instruments,
    showcase cases, the unit's self-assessment and the school's column, who signed them.

    Its columns follow its instruments' forms: the computed column from their computed column,
    the unit's self-assessment from their unit column, the school's from their school column,
    each with the unit's showcase cases. The unit's head enters the cases while the units
    self-assess; the head signs once every instrument form of the unit is signed, the school
    likewise. Instruments excluded or not assessed count in no average or total.
    """

    _name = "facility.eval.unit"
    _description = "Unit Evaluation Form"
    _inherit = ["mail.thread", "facility.guarded.mixin"]
    _order = "campaign_id desc, unit_id"
    _guarded_fields = (
        "state",
        "unit_signer_id",
        "unit_signed_date",
        "school_signer_id",
        "school_signed_date",
        "campaign_id",
        "unit_id",
        "sheet_count",
        "hours_avg",
        "external_hours_avg",
        "fees_total",
        "total_computed",
        "total_unit",
        "total_school",
        "total",
        "failed",
    )

    campaign_id = fields.Many2one(
        "facility.eval.campaign", required=True, ondelete="cascade", index=True
    )
    campaign_state = fields.Selection(related="campaign_id.state", string="Campaign Step")
    year = fields.Integer(related="campaign_id.year", store=True)
    company_id = fields.Many2one(related="campaign_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    unit_id = fields.Many2one("facility.unit", required=True, index=True, ondelete="restrict")
    head_id = fields.Many2one(related="unit_id.manager_id", string="Head of the Unit")
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
    line_ids = fields.One2many("facility.eval.unit.line", "unit_eval_id", string="Lines")
    case_ids = fields.One2many("facility.eval.case", "unit_eval_id", string="Showcase Cases")
    sheet_ids = fields.Many2many(
        "facility.eval.sheet", compute="_compute_sheet_ids", string="Instrument Forms"
    )
    sheet_count = fields.Integer(string="Instruments Assessed", readonly=True)
    hours_avg = fields.Float(string="Average Annual Hours", readonly=True)
    external_hours_avg = fields.Float(string="Average External Hours", readonly=True)
    fees_total = fields.Monetary(string="Total Shared Fees", readonly=True)
    total_computed = fields.Float(string="Computed Total", readonly=True)
    total_unit = fields.Float(string="Self-Assessment Total", readonly=True)
    total_school = fields.Float(string="School's Total", readonly=True)
    total = fields.Float(
        string="Score",
        readonly=True,
        aggregator="avg",
        help="The total of the current column: the school's once signed by the school, else "
        "the unit's once signed by the unit, else the computed one.",
    )
    failed = fields.Boolean(readonly=True, index=True)
    fail_reason = fields.Char(
        compute="_compute_fail_reason", help="Why it fails, as the reader reads it."
    )
    unit_signer_id = fields.Many2one("res.users", string="Unit Signed By", readonly=True)
    unit_signed_date = fields.Date(readonly=True)
    school_signer_id = fields.Many2one("res.users", string="School Signed By", readonly=True)
    school_signed_date = fields.Date(readonly=True)

    is_unit_head = fields.Boolean(compute="_compute_is_unit_head")
    can_fill_school = fields.Boolean(
        compute="_compute_can_fill_school",
        help="The current user may fill the school column now (accept or reject the cases).",
    )

    _sql_constraints = [
        (
            "unit_campaign_unique",
            "unique(campaign_id, unit_id)",
            "A unit has one form per campaign.",
        )
    ]

    @api.depends("failed", "campaign_id.unit_scheme_id.fail_below")
    def _compute_fail_reason(self):
        """The fail rule's words in the reader's language."""
        for form in self:
            floor = f"{form.campaign_id.unit_scheme_id.fail_below or 0:g}"
            form.fail_reason = form.failed and self.env._("below %(points)s points", points=floor)

    @api.depends("campaign_id", "unit_id")
    def _compute_sheet_ids(self):
        for form in self:
            form.sheet_ids = form._sheets()

    @api.depends_context("uid")
    @api.depends("unit_id.manager_id")
    def _compute_is_unit_head(self):
        for form in self:
            form.is_unit_head = form.unit_id.manager_id == self.env.user

    @api.depends_context("uid")
    @api.depends("state", "campaign_id.state")
    def _compute_can_fill_school(self):
        for form in self:
            form.can_fill_school = bool(form.id) and not form._column_refusal(Column.SCHOOL)

    @api.depends("unit_id", "campaign_id")
    def _compute_display_name(self):
        for form in self:
            form.display_name = f"{form.unit_id.name or ''} ({form.year or ''})"

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
            raise UserError(self.env._("Unit forms are created by computing their campaign."))
        return super().create(vals_list)

    # -- actions -------------------------------------------------------------------------------

    def action_unit_sign(self):
        """The unit's head signs the unit's self-assessment (its instruments' forms first)."""
        for form in self:
            form._raise_refusal(Column.UNIT, signing=True)
            unsigned = form._sheets().filtered(lambda s: s.state == SheetState.DRAFT)
            if unsigned:
                raise UserError(
                    self.env._(
                        "Sign the instrument forms of %(unit)s first: %(forms)s.",
                        unit=form.unit_id.display_name,
                        forms=", ".join(unsigned.mapped("display_name")),
                    )
                )
            form._sign(Column.UNIT)
            form.campaign_id._head_reported()
        return True

    def action_school_sign(self):
        """A school assessor signs the school column (the unit's instrument forms first)."""
        for form in self:
            form._raise_refusal(Column.SCHOOL, signing=True)
            unsigned = form._sheets().filtered(lambda s: s.state != SheetState.SCHOOL_SIGNED)
            if unsigned:
                raise UserError(
                    self.env._(
                        "Sign the school column of the instrument forms of %(unit)s first: "
                        "%(forms)s.",
                        unit=form.unit_id.display_name,
                        forms=", ".join(unsigned.mapped("display_name")),
                    )
                )
            form._sign(Column.SCHOOL)
        return True

    def action_open_sheets(self):
        self.ensure_one()
        action = self.campaign_id.action_open_sheets()
        action["domain"] = [
            ("campaign_id", "=", self.campaign_id.id),
            ("unit_id", "=", self.unit_id.id),
        ]
        return action

    # -- business logic ------------------------------------------------------------------------

    def _sheets(self):
        """The assessed instrument forms this form averages."""
        self.ensure_one()
        return self.env["facility.eval.sheet"].search(
            [
                ("campaign_id", "=", self.campaign_id.id),
                ("unit_id", "=", self.unit_id.id),
                ("status", "=", SheetStatus.ASSESSED),
            ]
        )

    def _sign(self, column):
        state = SheetState.UNIT_SIGNED if column == Column.UNIT else SheetState.SCHOOL_SIGNED
        self._write_guarded(
            {
                "state": state,
                f"{column}_signer_id": self.env.uid,
                f"{column}_signed_date": fields.Date.context_today(self),
            }
        )
        self._refresh_fail()
        values = {"user": self.env.user.name, "total": f"{self[f'total_{column}']:g}"}
        if column == Column.UNIT:
            body = self.env._(
                "The unit's self-assessment was signed by %(user)s: %(total)s points.", **values
            )
        else:
            body = self.env._(
                "The school column was signed by %(user)s: %(total)s points.", **values
            )
        self.message_post(body=body)

    def _score_columns(self, columns, known=None):
        """Score ``columns`` (codes.Column) of these forms from their assessed instruments'
        forms in the same column and their cases (the one place the unit scoring is called).
        A signed column is never rescored. The instruments' figures and points are read once
        for all the forms of a campaign; ``known``: ``{sheet id: (figures, {column: points})}``
        of forms whose figures and points the caller has just computed."""
        Line = self.env["facility.eval.unit.line"]
        Sheet = self.env["facility.eval.sheet"]
        known = known or {}
        for campaign in self.campaign_id:
            scheme = campaign.unit_scheme_id
            if not scheme:
                continue
            forms = self.filtered(lambda f, c=campaign: f.campaign_id == c)
            table = scheme._scoring_table()
            all_sheets = Sheet.search(
                [
                    ("campaign_id", "=", campaign.id),
                    ("unit_id", "in", forms.unit_id.ids),
                    ("status", "=", SheetStatus.ASSESSED),
                ]
            )
            unknown = all_sheets.filtered(
                lambda s, k=known: s.id not in k or not set(columns) <= set(k[s.id][1])
            )
            figures = unknown._figures_batch()
            points = unknown._points_batch(columns)
            for sheet_id, (sheet_figures, sheet_points) in known.items():
                if sheet_id not in figures:
                    figures[sheet_id] = sheet_figures
                    points[sheet_id] = sheet_points
            # the school column counts the cases the school accepted, the others all of them
            cases = defaultdict(lambda: defaultdict(int))
            school_cases = defaultdict(lambda: defaultdict(int))
            for form, section, accepted, count in self.env["facility.eval.case"]._read_group(
                [("unit_eval_id", "in", forms.ids)],
                ["unit_eval_id", "section", "school_accepted"],
                ["__count"],
            ):
                cases[form.id][section] += count
                if accepted:
                    school_cases[form.id][section] += count
            by_unit = defaultdict(lambda: Sheet)
            for sheet in all_sheets:
                by_unit[sheet.unit_id.id] |= sheet
            for form in forms:
                sheets = by_unit[form.unit_id.id]
                lines = {line.criterion_id.id: line for line in form.line_ids}
                new_lines = {}
                values = {}
                for column in columns:
                    if not form._column_open(column):
                        continue
                    instruments = [(figures[s.id], points[s.id][column]) for s in sheets]
                    counted = school_cases if column == Column.SCHOOL else cases
                    result = scoring.score_unit(table, instruments, dict(counted[form.id]))
                    for criterion in scheme.criterion_ids:
                        line_values = {f"points_{column}": result.points.get(criterion.code, 0.0)}
                        if column == Column.COMPUTED:
                            line_values["figure_value"] = result.figures.get(criterion.code) or 0.0
                        line = lines.get(criterion.id)
                        if line:
                            line._write_guarded(line_values)
                        else:
                            new_lines.setdefault(
                                criterion.id,
                                {"unit_eval_id": form.id, "criterion_id": criterion.id},
                            ).update(line_values)
                    values[f"total_{column}"] = result.total
                if new_lines:
                    Line._guard_context().create(list(new_lines.values()))
                hours = sheets.mapped("hours")
                external = sheets.mapped("external_hours")
                values.update(
                    sheet_count=len(sheets),
                    hours_avg=sum(hours) / len(hours) if hours else 0.0,
                    external_hours_avg=sum(external) / len(external) if external else 0.0,
                    fees_total=sum(sheets.mapped("fees")),
                )
                form._write_guarded(values)
        self._refresh_fail()

    def _column_open(self, column):
        """Whether ``column`` may still be scored (not signed)."""
        if column == Column.COMPUTED:
            return self.state == SheetState.DRAFT
        if column == Column.UNIT:
            return self.state == SheetState.DRAFT
        return self.state != SheetState.SCHOOL_SIGNED

    def _refresh_fail(self):
        for form in self:
            scheme = form.campaign_id.unit_scheme_id
            if not scheme:
                continue
            table = scheme._scoring_table()
            column = {
                SheetState.SCHOOL_SIGNED: Column.SCHOOL,
                SheetState.UNIT_SIGNED: Column.UNIT,
            }.get(form.state, Column.COMPUTED)
            total = form[f"total_{column}"]
            reasons = scoring.fail_reasons(table, total) if form.sheet_count else []
            form._write_guarded({"total": total, "failed": bool(reasons)})

    def _raise_refusal(self, column, signing=False):
        refusal = self._column_refusal(column, signing=signing)
        if refusal:
            raise UserError(refusal)

    def _column_refusal(self, column, signing=False):
        """Why the current user may not fill (or sign) ``column`` of this form now; ``None``
        when they may."""
        self.ensure_one()
        if self.env.su:
            return None
        _ = self.env._
        campaign = self.campaign_id
        form = self.display_name
        if column == Column.UNIT:
            head = self.unit_id.sudo().manager_id
            if head != self.env.user:
                return _(
                    "Only the head of %(unit)s (%(head)s) fills and signs its self-assessment.",
                    unit=self.unit_id.display_name,
                    head=head.name or _("no head recorded"),
                )
            if campaign.state != CampaignState.SELF_ASSESSING:
                return _(
                    "The self-assessment of %(form)s is filled while the units self-assess; "
                    "%(campaign)s is %(state)s.",
                    form=form,
                    campaign=campaign.display_name,
                    state=campaign._state_label(),
                )
            if self.state != SheetState.DRAFT:
                return _(
                    "The self-assessment of %(form)s was signed by %(signer)s on %(date)s; it "
                    "no longer changes.",
                    form=form,
                    signer=self.unit_signer_id.name,
                    date=self.unit_signed_date,
                )
            return None
        return school_column_refusal(self)

    def _check_cases_editable(self):
        for form in self:
            form._raise_refusal(Column.UNIT)

    def _after_cases_edit(self):
        """The cases count in the computed column and the unit's self-assessment."""
        self._score_columns((Column.COMPUTED, Column.UNIT))
