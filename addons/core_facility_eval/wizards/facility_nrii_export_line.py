from odoo import fields, models


class FacilityNriiExportLine(models.TransientModel):
    """An instrument of a national-platform export and the required fields it still lacks."""

    _name = "facility.nrii.export.line"
    _description = "National Platform Export: Missing Data"
    _order = "missing_count desc, id"

    export_id = fields.Many2one("facility.nrii.export", required=True, ondelete="cascade")
    instrument_id = fields.Many2one("facility.instrument", required=True, ondelete="cascade")
    missing = fields.Char(
        string="Missing Fields", help="The platform's required fields left empty."
    )
    missing_count = fields.Integer(string="Missing")

    def action_open_instrument(self):
        """Open the instrument's form (its National Platform page) to complete it."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "facility.instrument",
            "res_id": self.instrument_id.id,
            "view_mode": "form",
            "target": "current",
        }
