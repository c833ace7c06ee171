from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rules.service import FINISHED_STEPS


class FacilityServiceConsumable(models.Model):
    """A consumable used for a service order (grids, resin, knives...): what billing charges."""

    _name = "facility.service.consumable"
    _description = "Service Consumable"
    _order = "order_id, id"

    order_id = fields.Many2one(
        "facility.service.order", required=True, index=True, ondelete="cascade"
    )
    name = fields.Char(string="Consumable", required=True)
    quantity = fields.Float(default=1.0, digits=(16, 2))
    unit = fields.Char()
    company_id = fields.Many2one(related="order_id.company_id", store=True)

    _sql_constraints = [
        ("quantity_positive", "CHECK(quantity > 0)", "A consumable's quantity must be positive.")
    ]

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_order_open()
        return lines

    def write(self, vals):
        self._check_order_open()
        res = super().write(vals)
        self._check_order_open()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_only_open(self):
        self._check_order_open()

    def _check_order_open(self):
        if self.env.su:
            return
        for line in self:
            order = line.order_id
            if not order._is_staff() or order.state in FINISHED_STEPS:
                raise UserError(
                    self.env._(
                        "Consumables of %(order)s are recorded by the service's staff while the "
                        "order is open.",
                        order=order.name,
                    )
                )
