from markupsafe import Markup, escape

from odoo import api, fields, models

from ..rules import bands as band_rules
from ..rules import scoring
from ..rules.codes import Figure, SchemeLevel

# the unit a figure is counted in, for the validation's messages
HOUR_FIGURES = {Figure.HOURS, Figure.EXTERNAL_HOURS, Figure.TRAINING_HOURS, Figure.RATED_HOURS}
MONEY_FIGURES = {Figure.FEES, Figure.EXTERNAL_FEES}


class FacilityEvalScheme(models.Model):
    """A scoring table (seed 002 附件3, 附件2; seed 001 §3.4): sections, criteria, bands, fail
    rules. Data an administrator edits; the shipped defaults reproduce the seeds."""

    _name = "facility.eval.scheme"
    _description = "Evaluation Scoring Table"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    level = fields.Selection(
        [
            (SchemeLevel.INSTRUMENT, "Per Instrument"),
            (SchemeLevel.UNIT, "Per Unit"),
            (SchemeLevel.BENEFIT, "Benefit Evaluation"),
        ],
        required=True,
    )
    section_ids = fields.One2many("facility.eval.section", "scheme_id", string="Sections")
    criterion_ids = fields.One2many("facility.eval.criterion", "scheme_id", string="Criteria")
    fail_below = fields.Float(
        string="Fails Below (points)",
        help="A total below this fails (0: no points rule). Exactly this passes unless "
        "'Fails at the Threshold' is set.",
    )
    fail_at_threshold = fields.Boolean(
        string="Fails at the Threshold",
        help="Seed 002 writes '60分以下' / '70分以下'. Unset (default, as domain.md reads it: "
        "'< 60'): exactly 60 (70) points passes. Set: exactly 60 (70) fails too, the Chinese "
        "legal reading of '以下', which includes the number itself (Civil Code art. 1259).",
    )
    hours_fail_below = fields.Float(
        string="Fails Below (hours)",
        help="Annual hours below this fail (0: no hours rule). Exactly this passes: 800 h "
        "passes, 799 h fails.",
    )
    scope_min_value = fields.Monetary(
        string="Scope: Original Value From", currency_field="currency_id"
    )
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.ref("base.CNY", raise_if_not_found=False)
    )
    unit_scheme_id = fields.Many2one(
        "facility.eval.scheme",
        string="Unit Table",
        domain=[("level", "=", SchemeLevel.UNIT)],
        help="The per-unit table scored from this per-instrument table's forms.",
    )
    active = fields.Boolean(default=True)
    note = fields.Html()
    problem_count = fields.Integer(
        string="Problems",
        compute="_compute_validation",
        help="Values of a figure that no band, or more than one band, scores.",
    )
    validation_report = fields.Html(compute="_compute_validation", sanitize=False)

    _sql_constraints = [("code_unique", "unique(code)", "A scoring table's code is unique.")]

    # -- computes ----------------------------------------------------------------------------------

    @api.depends(
        "criterion_ids.method",
        "criterion_ids.name",
        "criterion_ids.figure",
        "criterion_ids.band_ids.low",
        "criterion_ids.band_ids.high",
        "criterion_ids.band_ids.no_low",
        "criterion_ids.band_ids.no_high",
        "criterion_ids.band_ids.low_closed",
        "criterion_ids.band_ids.high_closed",
        "criterion_ids.band_ids.points",
    )
    def _compute_validation(self):
        for scheme in self:
            messages = scheme._problems()
            scheme.problem_count = len(messages)
            if messages:
                items = Markup("").join(Markup("<li>%s</li>") % message for message in messages)
                scheme.validation_report = Markup('<ul class="text-danger">%s</ul>') % items
            else:
                scheme.validation_report = Markup('<p class="text-success">%s</p>') % escape(
                    self.env._("Every value of every figure is scored by exactly one band.")
                )

    # -- actions -----------------------------------------------------------------------------------

    def action_validate(self):
        """Show every gap and overlap of the table's bands, per criterion (a notification)."""
        self.ensure_one()
        messages = self._problems()
        if messages:
            message = self.env._(
                "%(count)s problems: %(problems)s",
                count=len(messages),
                problems="; ".join(messages),
            )
        else:
            message = self.env._("Every value of every figure is scored by exactly one band.")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Validation of %(table)s", table=self.name),
                "message": message,
                "type": "warning" if messages else "success",
                "sticky": bool(messages),
            },
        }

    # -- business logic ----------------------------------------------------------------------------

    def _scoring_table(self, as_written=False):
        """This scheme's records as a :class:`scoring.Table` (the contract of part A, which named
        it ``_table()``: that name is Odoo's attribute for the model's SQL table, so the method
        is ``_scoring_table()``).
        ``as_written``: the bands as the seed writes them (edges resolved by default open
        again, assumed bands left out) — to list what the seed leaves unassigned."""
        self.ensure_one()
        criteria = self.criterion_ids.sorted(lambda c: (c.section_id.sequence, c.sequence, c.id))
        return scoring.Table(
            level=self.level,
            criteria=tuple(criterion._to_criterion(as_written) for criterion in criteria),
            sections=tuple(section._to_section() for section in self.section_ids),
            fail_below=self.fail_below or None,
            hours_fail_below=self.hours_fail_below or None,
            fail_at_threshold=self.fail_at_threshold,
        )

    def _problems(self, as_written=False):
        """Every gap and overlap of the table's bands as a sentence in the user's language,
        e.g. "7.2 Annual machine hours (h): exactly 1,400 h is in no band"."""
        self.ensure_one()
        table = self._scoring_table(as_written)
        criteria = {criterion.code: criterion for criterion in self.criterion_ids}
        messages = []
        unbanded = {
            code
            for code, criterion in criteria.items()
            if criterion.method in scoring.BAND_METHODS and not criterion.band_ids
        }
        problems = scoring.table_problems(table)
        for line in table.criteria:
            if line.code in unbanded:
                name = criteria[line.code].name
                messages.append(self.env._("%(criterion)s: no band.", criterion=name))
                continue
            messages += [
                self._problem_message(criteria[code], problem)
                for code, problem in problems
                if code == line.code
            ]
        return messages

    def _problem_message(self, criterion, problem):
        def show(value):
            return self._format_figure(criterion.figure, value)

        gap = problem.kind == band_rules.GAP
        name = criterion.name
        if problem.low is not None and problem.low == problem.high:
            if gap:
                return self.env._(
                    "%(criterion)s: exactly %(value)s is in no band",
                    criterion=name,
                    value=show(problem.low),
                )
            return self.env._(
                "%(criterion)s: exactly %(value)s is in more than one band",
                criterion=name,
                value=show(problem.low),
            )
        if problem.high is None:
            if gap:
                return self.env._(
                    "%(criterion)s: %(low)s and above is in no band",
                    criterion=name,
                    low=show(problem.low or 0),
                )
            return self.env._(
                "%(criterion)s: %(low)s and above is in more than one band",
                criterion=name,
                low=show(problem.low or 0),
            )
        if problem.low is None:
            return self.env._(
                "%(criterion)s: up to %(high)s is in more than one band",
                criterion=name,
                high=show(problem.high),
            )
        if gap:
            return self.env._(
                "%(criterion)s: from %(low)s to %(high)s is in no band",
                criterion=name,
                low=show(problem.low),
                high=show(problem.high),
            )
        return self.env._(
            "%(criterion)s: from %(low)s to %(high)s is in more than one band",
            criterion=name,
            low=show(problem.low),
            high=show(problem.high),
        )

    def _format_figure(self, figure, value):
        """``value`` with thousands separators and its unit: "1,400 h", "100,000 CNY"."""
        number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")
        if figure in HOUR_FIGURES:
            return self.env._("%(number)s h", number=number)
        if figure in MONEY_FIGURES:
            return self.env._("%(number)s CNY", number=number)
        return number
