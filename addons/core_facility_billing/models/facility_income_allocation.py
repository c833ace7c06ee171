from odoo import fields, models


class FacilityIncomeAllocation(models.Model):
    """A quarter's allocation of each platform's income to the platform, its department and
    the school (拨款), posted as journal entries with analytic distributions."""

    _name = "facility.income.allocation"
    _description = "Income Allocation"
    _inherit = ["mail.thread", "facility.guarded.mixin"]
    _order = "date_to desc, id desc"
    _guarded_fields = ("state", "move_ids")

    name = fields.Char(readonly=True, copy=False, default="/")
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    state = fields.Selection(
        [("draft", "Draft"), ("posted", "Posted")], required=True, default="draft", copy=False
    )
    move_ids = fields.Many2many("account.move", string="Entries", readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
