from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules import scoring
from ..rules.codes import CaseSection, Figure, Method


class FacilityEvalCriterion(models.Model):
    """A line of a scoring table (考核内容): the figure it reads and how it scores it."""

    _name = "facility.eval.criterion"
    _description = "Evaluation Criterion"
    _order = "scheme_id, sequence, id"

    section_id = fields.Many2one(
        "facility.eval.section", required=True, ondelete="cascade", index=True
    )
    scheme_id = fields.Many2one(
        related="section_id.scheme_id", store=True, index=True, readonly=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    code = fields.Char(required=True)
    name = fields.Char(required=True, translate=True)
    rule_text = fields.Text(string="Scoring Rule", translate=True)
    note = fields.Text(string="Remarks", translate=True)
    max_points = fields.Float(required=True)
    method = fields.Selection(
        [
            (Method.BAND, "Bands"),
            (Method.PER_ITEM, "Points per Item"),
            (Method.DEDUCTION, "Deductions"),
            (Method.MANUAL, "Entered by Assessors"),
            (Method.AVERAGE, "Average of Instruments"),
            (Method.AVERAGE_BAND, "Band on the Average"),
            (Method.TOTAL_BAND, "Band on the Total"),
            (Method.CASES, "Showcase Cases"),
            (Method.HOURS_RATIO, "Machine-Hours Formula"),
        ],
        required=True,
    )
    figure = fields.Selection(
        [
            (Figure.HOURS, "Annual Hours"),
            (Figure.EXTERNAL_HOURS, "External Service Hours"),
            (Figure.FEES, "Shared Fees"),
            (Figure.FEE_STANDARD, "Fee Standard (1/0)"),
            (Figure.TRAINING_HOURS, "Training Hours"),
            (Figure.OUTCOMES, "Outcomes"),
            (Figure.RULES_LEVEL, "Rules Level (2/1/0)"),
            (Figure.DAILY_MISSING, "Daily Items Missing"),
            (Figure.PLATFORM_DEDUCTION, "Platform Deduction"),
            (Figure.LEDGER_DEDUCTION, "Ledger Deduction"),
            (Figure.NORMAL_PROJECTS, "Normal Projects"),
            (Figure.KEY_PROJECTS, "Key Projects"),
            (Figure.DEPARTMENTS, "Departments"),
            (Figure.RESEARCHERS, "Researchers"),
            (Figure.EXTERNAL_FEES, "External Fees"),
            (Figure.NATIONAL_AWARDS, "National Awards"),
            (Figure.PROVINCIAL_AWARDS, "Provincial Awards"),
            (Figure.SCI_PAPERS, "SCI Papers"),
            (Figure.CORE_PAPERS, "Core Journal Papers"),
            (Figure.PATENTS, "Patents"),
            (Figure.TRAININGS, "Trainings"),
            (Figure.RATED_HOURS, "Rated Annual Hours"),
            (Figure.SPECIAL_PURPOSE, "Special Purpose (1/0)"),
        ]
    )
    band_ids = fields.One2many("facility.eval.band", "criterion_id", string="Bands")
    points_per_item = fields.Float(default=1.0)
    per_quantity = fields.Float(default=1.0)
    divisor = fields.Float(default=1.0)
    source_code = fields.Char(
        string="Averaged Criterion", help="Unit table: the instrument criterion averaged."
    )
    ratio_points = fields.Float(default=86.0, help="Machine-hours formula (seed 001).")
    surplus_general = fields.Float(default=150.0, help="Surplus hours per point, general purpose.")
    surplus_special = fields.Float(default=130.0, help="Surplus hours per point, special purpose.")
    case_section = fields.Selection(
        [(CaseSection.USAGE, "Use of the Instruments"), (CaseSection.SHARING, "Sharing")]
    )
    band_count = fields.Integer(string="Number of Bands", compute="_compute_band_count")

    _sql_constraints = [
        (
            "code_scheme_unique",
            "unique(scheme_id, code)",
            "A criterion's code is unique within its scoring table.",
        )
    ]

    # -- computes ----------------------------------------------------------------------------------

    @api.depends("band_ids")
    def _compute_band_count(self):
        for criterion in self:
            criterion.band_count = len(criterion.band_ids)

    # -- constraints -------------------------------------------------------------------------------

    @api.constrains("method", "figure", "source_code", "case_section", "divisor", "per_quantity")
    def _check_method(self):
        for criterion in self:
            method = criterion.method
            if method in scoring.BAND_METHODS and not criterion.figure:
                raise ValidationError(
                    self.env._(
                        "%(criterion)s is scored by bands: say which figure the bands read.",
                        criterion=criterion.name,
                    )
                )
            if method == Method.AVERAGE and not criterion.source_code:
                raise ValidationError(
                    self.env._(
                        "%(criterion)s averages the instruments' points: say on which "
                        "criterion of the instrument table.",
                        criterion=criterion.name,
                    )
                )
            if method == Method.CASES and not criterion.case_section:
                raise ValidationError(
                    self.env._(
                        "%(criterion)s counts showcase cases: say of which section.",
                        criterion=criterion.name,
                    )
                )
            if criterion.divisor <= 0 or criterion.per_quantity <= 0:
                raise ValidationError(
                    self.env._(
                        "%(criterion)s: the divisor and the quantity per item must be above 0.",
                        criterion=criterion.name,
                    )
                )

    # -- business logic ----------------------------------------------------------------------------

    def _to_criterion(self, as_written=False):
        """This line as a :class:`scoring.Criterion` (``as_written``: see
        ``scheme._scoring_table``)."""
        self.ensure_one()
        bands = self.band_ids.filtered(lambda band: not (as_written and band.assumed))
        return scoring.Criterion(
            code=self.code,
            section=self.section_id.code,
            method=self.method,
            max_points=self.max_points,
            figure=self.figure or None,
            bands=tuple(band._to_band(as_written) for band in bands),
            points_per_item=self.points_per_item,
            per_quantity=self.per_quantity,
            divisor=self.divisor,
            source=self.source_code or None,
            case_section=self.case_section or None,
            ratio_points=self.ratio_points,
            surplus_general=self.surplus_general,
            surplus_special=self.surplus_special,
        )
