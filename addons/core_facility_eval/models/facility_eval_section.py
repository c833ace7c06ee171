from odoo import fields, models

from ..rules import scoring


class FacilityEvalSection(models.Model):
    """A 考核大项 of a scoring table: its label, weight and the cap of its subtotal."""

    _name = "facility.eval.section"
    _description = "Evaluation Table Section"
    _order = "scheme_id, sequence, id"

    scheme_id = fields.Many2one(
        "facility.eval.scheme", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    code = fields.Char(required=True)
    name = fields.Char(required=True, translate=True)
    weight = fields.Float(default=100.0, help="Weight in % of the weighted total (benefit table).")
    cap = fields.Float(help="The subtotal is capped here (0: no cap).")
    criterion_ids = fields.One2many("facility.eval.criterion", "section_id", string="Criteria")

    _sql_constraints = [
        (
            "code_scheme_unique",
            "unique(scheme_id, code)",
            "A section's code is unique within its scoring table.",
        )
    ]

    def _to_section(self):
        self.ensure_one()
        return scoring.Section(code=self.code, weight=self.weight, cap=self.cap or None)
