from odoo import fields, models


class FacilityIncomeShare(models.Model):
    """How a platform's income is allocated (拨款): shares of the platform, its department and
    the school, in percent (they sum to 100)."""

    _name = "facility.income.share"
    _description = "Income Allocation Shares"
    _order = "unit_id"

    unit_id = fields.Many2one("facility.unit", string="Platform", required=True, index=True)
    platform_percent = fields.Float(default=70.0)
    department_percent = fields.Float(default=20.0)
    school_percent = fields.Float(default=10.0)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
