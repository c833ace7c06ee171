from odoo import fields, models


class FacilityUsageLog(models.Model):
    """The manual usage ledger (使用记录): what the user or the staff wrote down of a use, by
    hand, beside the box's measurement; the monthly spot check compares the two."""

    _name = "facility.usage.log"
    _description = "Usage Log Entry"
    _inherit = ["mail.thread"]
    _order = "date_start desc, id desc"

    instrument_id = fields.Many2one("facility.instrument", required=True, index=True)
    user_id = fields.Many2one(
        "res.users", string="User", required=True, default=lambda self: self.env.user, index=True
    )
    research_group_id = fields.Many2one("facility.research.group", index=True)
    booking_id = fields.Many2one("facility.booking", index=True)
    date_start = fields.Datetime(string="Start", required=True)
    date_stop = fields.Datetime(string="End", required=True)
    hours = fields.Float(readonly=True)
    note = fields.Text()
