from odoo import fields, models


class FacilityServiceOrder(models.Model):
    _inherit = "facility.service.order"

    fund_id = fields.Many2one(
        "account.analytic.account",
        string="Fund",
        domain="[('facility_research_group_id', '=', research_group_id)]",
    )
    charge_ids = fields.One2many("facility.charge", "service_order_id", string="Charges")
    currency_id = fields.Many2one(related="company_id.currency_id")
    estimated_amount = fields.Monetary(
        string="Estimated Charge", compute="_compute_estimated_amount"
    )

    def _compute_estimated_amount(self):
        raise NotImplementedError
