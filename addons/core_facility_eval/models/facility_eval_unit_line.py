from odoo import fields, models


class FacilityEvalUnitLine(models.Model):
    """One criterion of a unit's form: the figure (an average or a total) and the columns."""

    _name = "facility.eval.unit.line"
    _description = "Unit Evaluation Line"
    _order = "unit_eval_id, sequence, id"

    unit_eval_id = fields.Many2one(
        "facility.eval.unit", required=True, ondelete="cascade", index=True
    )
    criterion_id = fields.Many2one("facility.eval.criterion", required=True, ondelete="restrict")
    sequence = fields.Integer(related="criterion_id.sequence", store=True)
    figure_value = fields.Float(readonly=True)
    points_computed = fields.Float(readonly=True)
    points_unit = fields.Float(string="Unit Self-Assessment")
    points_school = fields.Float(string="School Assessment")
    note = fields.Char()
