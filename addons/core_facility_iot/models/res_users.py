from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    facility_card = fields.Char(
        string="Access Card",
        copy=False,
        groups="core_facility.group_facility_instrument_manager",
        help="The number of the user's campus card as the instrument boxes read it (unique).",
    )
