from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules import allocation


class FacilityIncomeShare(models.Model):
    """How a platform's income is allocated (拨款): shares of the platform, its department and
    the school, in percent (they sum to 100)."""

    _name = "facility.income.share"
    _description = "Income Allocation Shares"
    _order = "unit_id"

    unit_id = fields.Many2one("facility.unit", string="Platform", required=True, index=True)
    analytic_account_id = fields.Many2one(related="unit_id.analytic_account_id")
    platform_percent = fields.Float(string="Platform (%)", default=70.0)
    department_percent = fields.Float(string="Department (%)", default=20.0)
    school_percent = fields.Float(string="School (%)", default=10.0)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )

    _sql_constraints = [
        (
            "unit_company_uniq",
            "unique(unit_id, company_id)",
            "A platform has one set of allocation shares.",
        ),
    ]

    @api.constrains("platform_percent", "department_percent", "school_percent")
    def _check_percents(self):
        for share in self:
            problem = allocation.shares_problem(share._shares())
            if problem == "negative":
                raise ValidationError(
                    self.env._(
                        "Allocation rule: the shares of %(platform)s cannot be negative.",
                        platform=share.unit_id.name,
                    )
                )
            if problem:
                raise ValidationError(
                    self.env._(
                        "Allocation rule: the shares of %(platform)s sum to %(total)s percent, "
                        "not 100.",
                        platform=share.unit_id.name,
                        total=format(share._total_percent(), "g"),
                    )
                )

    def _total_percent(self):
        shares = self._shares()
        return shares.platform + shares.department + shares.school

    def _shares(self):
        self.ensure_one()
        return allocation.Shares.of(
            self.platform_percent, self.department_percent, self.school_percent
        )
