from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rules.codes import Column


class FacilityEvalUnitLine(models.Model):
    """One criterion of a unit's form: the figure (an average or a total) and the columns.

    The points follow the unit's instrument forms and cases (see ``facility.eval.unit``): only
    the remarks are written by hand, by whoever may fill a column of the form at the time.
    """

    _name = "facility.eval.unit.line"
    _description = "Unit Evaluation Line"
    _inherit = ["facility.guarded.mixin"]
    _order = "unit_eval_id, section_sequence, sequence, id"
    _guarded_fields = (
        "unit_eval_id",
        "criterion_id",
        "figure_value",
        "points_computed",
        "points_unit",
        "points_school",
    )

    unit_eval_id = fields.Many2one(
        "facility.eval.unit", required=True, ondelete="cascade", index=True
    )
    criterion_id = fields.Many2one("facility.eval.criterion", required=True, ondelete="restrict")
    section_sequence = fields.Integer(
        related="criterion_id.section_id.sequence", string="Section Sequence", store=True
    )
    sequence = fields.Integer(related="criterion_id.sequence", store=True)
    section_id = fields.Many2one(related="criterion_id.section_id", string="Section")
    max_points = fields.Float(related="criterion_id.max_points", string="Full Marks")
    rule_text = fields.Text(related="criterion_id.rule_text")
    figure_value = fields.Float(readonly=True)
    points_computed = fields.Float(string="Computed", readonly=True)
    points_unit = fields.Float(string="Unit Self-Assessment", readonly=True)
    points_school = fields.Float(string="School Assessment", readonly=True)
    note = fields.Char(string="Remarks")

    @api.ondelete(at_uninstall=False)
    def _unlink_by_computation(self):
        if not self._guard_open():
            raise UserError(
                self.env._("The lines of a form are removed only by computing its campaign.")
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self._guard_open():
            raise UserError(
                self.env._("The lines of a form are created by computing its campaign.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if "note" in vals and not self._guard_open():
            for form in self.unit_eval_id:
                refusals = [form._column_refusal(column) for column in (Column.UNIT, Column.SCHOOL)]
                if all(refusals):
                    raise UserError(refusals[0])
        return super().write(vals)
