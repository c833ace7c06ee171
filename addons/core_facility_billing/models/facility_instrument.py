from odoo import fields, models


class FacilityInstrument(models.Model):
    _inherit = "facility.instrument"

    fee_standard_ids = fields.One2many(
        "facility.fee.standard", "instrument_id", string="Fee Standards"
    )
    has_fee_standard = fields.Boolean(
        string="Has Approved Fee Standard",
        compute="_compute_has_fee_standard",
        search="_search_has_fee_standard",
        help="An approved fee standard is valid today (the annual evaluation scores it).",
    )

    def _compute_has_fee_standard(self):
        Standard = self.env["facility.fee.standard"]
        with_standard = Standard._instruments_with_standard(Standard._today(), self._origin)
        for instrument in self:
            instrument.has_fee_standard = instrument._origin in with_standard

    def _search_has_fee_standard(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        Standard = self.env["facility.fee.standard"]
        ids = Standard._instruments_with_standard(Standard._today()).ids
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", ids)]

    def action_view_fee_standards(self):
        """The instrument's fee standards, a new one for it by default."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility_billing.facility_fee_standard_action"
        )
        action["domain"] = [("instrument_id", "=", self.id)]
        action["context"] = {"default_instrument_id": self.id}
        return action
