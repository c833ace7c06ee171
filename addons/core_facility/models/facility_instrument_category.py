from odoo import api, fields, models
from odoo.exceptions import ValidationError


class FacilityInstrumentCategory(models.Model):
    """A kind of instrument (electron microscope, TEM, confocal...), in a tree."""

    _name = "facility.instrument.category"
    _description = "Instrument Category"
    _parent_store = True
    _order = "complete_name"
    _rec_names_search = ["complete_name", "name"]

    name = fields.Char(required=True, translate=True)
    parent_id = fields.Many2one(
        "facility.instrument.category", string="Parent Category", index=True, ondelete="restrict"
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("facility.instrument.category", "parent_id")
    complete_name = fields.Char(compute="_compute_complete_name", store=True, recursive=True)
    instrument_ids = fields.One2many("facility.instrument", "category_id")
    active = fields.Boolean(default=True)

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            if category.parent_id:
                category.complete_name = f"{category.parent_id.complete_name} / {category.name}"
            else:
                category.complete_name = category.name

    @api.depends("name", "parent_id")
    @api.depends_context("lang")
    def _compute_display_name(self):
        """Translated path (complete_name is stored in the source language, for search)."""
        for category in self:
            names, node = [], category
            while node:
                names.insert(0, node.name or "")
                node = node.parent_id
            category.display_name = " / ".join(names)

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(self.env._("A category cannot be its own ancestor."))
