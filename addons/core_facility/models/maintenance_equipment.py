from odoo import fields, models


class MaintenanceEquipment(models.Model):
    _inherit = "maintenance.equipment"

    facility_instrument_ids = fields.One2many(
        "facility.instrument", "equipment_id", string="Facility Instruments"
    )
