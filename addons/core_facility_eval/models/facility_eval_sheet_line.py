from odoo import fields, models


class FacilityEvalSheetLine(models.Model):
    """One criterion of an instrument's form: the figure read and the three columns."""

    _name = "facility.eval.sheet.line"
    _description = "Instrument Evaluation Line"
    _order = "sheet_id, sequence, id"

    sheet_id = fields.Many2one("facility.eval.sheet", required=True, ondelete="cascade", index=True)
    criterion_id = fields.Many2one("facility.eval.criterion", required=True, ondelete="restrict")
    sequence = fields.Integer(related="criterion_id.sequence", store=True)
    figure_value = fields.Float(readonly=True)
    points_computed = fields.Float(readonly=True)
    points_unit = fields.Float(string="Unit Assessment")
    points_school = fields.Float(string="School Assessment")
    note = fields.Char()
