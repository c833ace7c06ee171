from odoo import fields, models


class FacilityNriiExport(models.TransientModel):
    """Exports instruments, service records and the unit's annual report for the national
    platform (XLSX and JSON), after listing what is missing per instrument."""

    _name = "facility.nrii.export"
    _description = "National Platform Export"

    year = fields.Integer(required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
