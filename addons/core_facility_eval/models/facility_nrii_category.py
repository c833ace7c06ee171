from odoo import fields, models


class FacilityNriiCategory(models.Model):
    """The national platform's 6-digit instrument classification (instrCategory: AABBCC =
    class / subclass / item), shipped as data an administrator can extend."""

    _name = "facility.nrii.category"
    _description = "National Platform Instrument Classification"
    _parent_store = True
    _order = "code"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True, index=True)
    name = fields.Char(required=True, translate=True)
    parent_id = fields.Many2one("facility.nrii.category", index=True, ondelete="restrict")
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("facility.nrii.category", "parent_id")
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_unique", "unique(code)", "A classification code is unique.")]
