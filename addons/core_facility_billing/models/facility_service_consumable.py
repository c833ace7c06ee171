from odoo import fields, models


class FacilityServiceConsumable(models.Model):
    _inherit = "facility.service.consumable"

    currency_id = fields.Many2one(related="order_id.company_id.currency_id")
    unit_price = fields.Monetary(
        help="Price of one unit of the consumable; empty: the service type's item standard.",
    )
