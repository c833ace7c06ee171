from odoo import fields, models

from ..rules.codes import CaseSection


class FacilityEvalCase(models.Model):
    """A showcase case of a unit (附件2 7.4, 8.5): up to five per section, one point each."""

    _name = "facility.eval.case"
    _description = "Evaluation Showcase Case"
    _order = "unit_eval_id, section, sequence, id"

    unit_eval_id = fields.Many2one(
        "facility.eval.unit", required=True, ondelete="cascade", index=True
    )
    section = fields.Selection(
        [(CaseSection.USAGE, "Use of the Instruments"), (CaseSection.SHARING, "Sharing")],
        required=True,
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)
    description = fields.Text()
    attachment_ids = fields.Many2many("ir.attachment", string="Evidence")
