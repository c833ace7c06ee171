from odoo import fields, models


class FacilityUnit(models.Model):
    _inherit = "facility.unit"

    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Platform Analytic Account",
        help="The platform's account in the 'Core Facility Platforms' analytic plan: its income "
        "and allocations are reported on it.",
    )
