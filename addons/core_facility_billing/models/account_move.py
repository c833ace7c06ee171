from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    facility_fapiao_number = fields.Char(
        string="Fapiao Number",
        copy=False,
        tracking=True,
        help="Number of the fapiao (发票) issued for the invoice.",
    )
    facility_settlement_id = fields.Many2one(
        "facility.settlement", string="Facility Settlement", readonly=True, copy=False, index=True
    )
