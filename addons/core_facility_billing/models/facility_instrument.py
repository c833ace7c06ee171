from odoo import fields, models


class FacilityInstrument(models.Model):
    _inherit = "facility.instrument"

    fee_standard_ids = fields.One2many("facility.fee.standard", "instrument_id")
    has_fee_standard = fields.Boolean(
        string="Has Approved Fee Standard",
        compute="_compute_has_fee_standard",
        search="_search_has_fee_standard",
    )

    def _compute_has_fee_standard(self):
        raise NotImplementedError

    def _search_has_fee_standard(self, operator, value):
        raise NotImplementedError
