from odoo import fields, models

from ..rules.codes import DailyItem


class FacilityEvalCheck(models.Model):
    """One of the five daily-management items of an instrument's form (附件3 §2), with its
    evidence (the seed asks for written material)."""

    _name = "facility.eval.check"
    _description = "Daily Management Check"
    _order = "sheet_id, item"

    sheet_id = fields.Many2one("facility.eval.sheet", required=True, ondelete="cascade", index=True)
    item = fields.Selection(
        [
            (DailyItem.PERSON, "Person in Charge"),
            (DailyItem.LEDGER, "Usage Ledger"),
            (DailyItem.PROCEDURE, "Operating Procedure"),
            (DailyItem.SAFETY, "Safety Rules"),
            (DailyItem.ASSET_TAG, "Asset Tag"),
        ],
        required=True,
    )
    present = fields.Boolean()
    attachment_ids = fields.Many2many("ir.attachment", string="Evidence")
    note = fields.Char()

    _sql_constraints = [
        ("item_unique", "unique(sheet_id, item)", "Each item is checked once per form.")
    ]
