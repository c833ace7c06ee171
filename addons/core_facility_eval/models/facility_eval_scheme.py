from odoo import fields, models

from ..rules.codes import SchemeLevel


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
    fail_below = fields.Float(string="Fails Below (points)")
    hours_fail_below = fields.Float(string="Fails Below (hours)")
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

    _sql_constraints = [("code_unique", "unique(code)", "A scoring table's code is unique.")]
