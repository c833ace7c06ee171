from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..rules.codes import Column

COLUMN_FIELDS = {"points_unit": Column.UNIT, "points_school": Column.SCHOOL}


class FacilityEvalSheetLine(models.Model):
    """One criterion of an instrument's form: the figure read and the three columns.

    The figure and the computed points are written by the scoring only; the unit's column by the
    head of the form's unit while the units self-assess, the school column by the school's
    assessors while the school assesses (see :meth:`facility.eval.sheet._column_refusal`).
    """

    _name = "facility.eval.sheet.line"
    _description = "Instrument Evaluation Line"
    _inherit = ["facility.guarded.mixin"]
    _order = "sheet_id, section_sequence, sequence, id"
    _guarded_fields = (
        "sheet_id",
        "sequence",
        "section_sequence",
        "criterion_id",
        "figure_value",
        "points_computed",
        "section_first",
        "section_subtotal",
        "section_weighted",
    )

    sheet_id = fields.Many2one("facility.eval.sheet", required=True, ondelete="cascade", index=True)
    criterion_id = fields.Many2one("facility.eval.criterion", required=True, ondelete="restrict")
    # the table's order, copied when the line is computed
    section_sequence = fields.Integer(readonly=True)
    sequence = fields.Integer(readonly=True)
    section_id = fields.Many2one(related="criterion_id.section_id", string="Section")
    section_weight = fields.Float(related="criterion_id.section_id.weight", string="Weight (%)")
    max_points = fields.Float(related="criterion_id.max_points", string="Full Marks")
    rule_text = fields.Text(related="criterion_id.rule_text")
    figure_value = fields.Float(readonly=True)
    points_computed = fields.Float(string="Computed", readonly=True)
    points_unit = fields.Float(string="Unit Assessment")
    points_school = fields.Float(string="School Assessment")
    note = fields.Char(string="Remarks")
    # the benefit table (seed 001) prints its section's subtotal on the section's first line
    section_first = fields.Boolean(readonly=True)
    section_subtotal = fields.Float(string="Subtotal", readonly=True)
    section_weighted = fields.Float(string="Weighted", readonly=True)

    @api.constrains("points_unit", "points_school")
    def _check_points(self):
        for line in self:
            for name in COLUMN_FIELDS:
                if not 0 <= line[name] <= line.criterion_id.max_points:
                    raise ValidationError(
                        self.env._(
                            "%(criterion)s of %(form)s: %(points)s points entered, the "
                            "criterion scores 0 to %(max)s.",
                            criterion=line.criterion_id.name,
                            form=line.sheet_id.display_name,
                            points=line[name],
                            max=line.criterion_id.max_points,
                        )
                    )

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
        columns = {COLUMN_FIELDS[name] for name in vals if name in COLUMN_FIELDS}
        checked = not self._guard_open()
        if checked:
            self._check_column_write(vals, columns)
        result = super().write(vals)
        if checked and columns:
            for column in columns:
                self.sheet_id._after_column_edit(column)
        return result

    def _check_column_write(self, vals, columns):
        """Refuse a column written by the wrong person or at the wrong step; the remarks go
        with whichever column the writer may fill."""
        unknown = set(vals) - set(COLUMN_FIELDS) - {"note"} - set(self._guarded_fields)
        if unknown:
            raise UserError(
                self.env._(
                    "%(fields)s of an evaluation line change only with its table.",
                    fields=", ".join(sorted(unknown)),
                )
            )
        for sheet in self.sheet_id:
            for column in columns:
                sheet._raise_refusal(column)
            if "note" in vals and not columns:
                refusals = [sheet._column_refusal(col) for col in (Column.UNIT, Column.SCHOOL)]
                if all(refusals):
                    raise UserError(refusals[0])
