from odoo import fields, models


class FacilityBooking(models.Model):
    _inherit = "facility.booking"

    fund_id = fields.Many2one(
        "account.analytic.account",
        string="Fund",
        domain="[('facility_research_group_id', '=', research_group_id)]",
        help="Research fund charged for the booking (default: the group's).",
    )
    charge_ids = fields.One2many("facility.charge", "booking_id", string="Charges")
    currency_id = fields.Many2one(related="company_id.currency_id")
    estimated_amount = fields.Monetary(
        string="Estimated Charge", compute="_compute_estimated_amount"
    )

    def _compute_estimated_amount(self):
        raise NotImplementedError
