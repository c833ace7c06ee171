from odoo import api, models


class FacilityBookingRuleMixin(models.AbstractModel):
    """Records the booking rules are made of (policies, slots, quotas): the rules are cached per
    policy, so any change to them clears the cache (in every worker)."""

    _name = "facility.booking.rule.mixin"
    _description = "Booking Rule Source"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        res = super().write(vals)
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res
