from odoo import api, fields, models
from odoo.exceptions import ValidationError


class FacilityBookingBlackout(models.Model):
    """Time reserved on an instrument (maintenance days, tuning) that cannot be booked.

    Maintenance requests scheduled on the instrument's equipment block booking as well.
    """

    _name = "facility.booking.blackout"
    _description = "Reserved Time"
    _order = "date_start desc"

    name = fields.Char(string="Reason", required=True)
    instrument_id = fields.Many2one(
        "facility.instrument", required=True, index=True, ondelete="cascade"
    )
    date_start = fields.Datetime(string="From", required=True)
    date_stop = fields.Datetime(string="Until", required=True)

    @api.constrains("date_start", "date_stop")
    def _check_dates(self):
        for blackout in self:
            if blackout.date_stop <= blackout.date_start:
                raise ValidationError(self.env._("Reserved time must end after it starts."))
