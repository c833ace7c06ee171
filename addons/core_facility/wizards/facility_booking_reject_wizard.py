from odoo import fields, models


class FacilityBookingRejectWizard(models.TransientModel):
    _name = "facility.booking.reject.wizard"
    _description = "Reject Bookings"

    booking_ids = fields.Many2many("facility.booking", required=True)
    reason = fields.Text(required=True)

    def action_reject(self):
        self.booking_ids._check_is_manager()
        self.booking_ids._reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
