from odoo import fields, models

from ..rules.codes import CaseSection, Figure, Method


class FacilityEvalCriterion(models.Model):
    """A line of a scoring table (考核内容): the figure it reads and how it scores it."""

    _name = "facility.eval.criterion"
    _description = "Evaluation Criterion"
    _order = "scheme_id, sequence, id"

    section_id = fields.Many2one(
        "facility.eval.section", required=True, ondelete="cascade", index=True
    )
    scheme_id = fields.Many2one(related="section_id.scheme_id", store=True, index=True)
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
    figure = fields.Selection([(f.value, f.name.replace("_", " ").title()) for f in Figure])
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
