from odoo import api, fields, models
from odoo.exceptions import ValidationError


class FacilityNriiCategory(models.Model):
    """The national platform's 6-digit instrument classification (instrCategory: AABBCC =
    class / subclass / item), shipped as data an administrator can extend."""

    _name = "facility.nrii.category"
    _description = "National Platform Instrument Classification"
    _parent_store = True
    _order = "code"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True, index=True)
    name = fields.Char(required=True)  # the classification's official Chinese name
    parent_id = fields.Many2one("facility.nrii.category", index=True, ondelete="restrict")
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("facility.nrii.category", "parent_id")
    active = fields.Boolean(default=True)
    instrument_count = fields.Integer(compute="_compute_instrument_count")

    _sql_constraints = [("code_unique", "unique(code)", "A classification code is unique.")]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for category in self:
            category.display_name = f"{category.code} {category.name}"

    def _compute_instrument_count(self):
        counts = dict(
            self.env["facility.instrument"]._read_group(
                [("nrii_category_id", "in", self.ids)], ["nrii_category_id"], ["__count"]
            )
        )
        for category in self:
            category.instrument_count = counts.get(category, 0)

    @api.constrains("code", "parent_id")
    def _check_code(self):
        for category in self:
            code = category.code or ""
            if len(code) != 6 or not code.isdigit():
                raise ValidationError(
                    self.env._(
                        "The classification code %(code)s has 6 digits (class, subclass, item).",
                        code=code,
                    )
                )
