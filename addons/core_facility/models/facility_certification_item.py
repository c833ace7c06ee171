from odoo import fields, models


class FacilityCertificationItem(models.Model):
    """One item of a level's checklist, assessed pass/fail (e.g. "Eucentric height")."""

    _name = "facility.certification.item"
    _description = "Certification Checklist Item"
    _order = "level_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    level_id = fields.Many2one(
        "facility.certification.level", required=True, ondelete="cascade", index=True
    )
    per_instrument = fields.Boolean(
        default=True,
        help="Assessed separately on each instrument; otherwise once for all instruments of the "
        "assessment (e.g. safety rules).",
    )
    description = fields.Text(translate=True)
