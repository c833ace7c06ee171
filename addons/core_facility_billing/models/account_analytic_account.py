from odoo import fields, models


class AccountAnalyticAccount(models.Model):
    """A research fund (科研项目经费) is an analytic account of the "Research Funds" plan: its
    fund code (经费号), PI, research group, validity and optional budget. Internal charges are
    deducted from it by the settlement's entries, so Odoo's analytic reports show them."""

    _inherit = "account.analytic.account"

    facility_fund_code = fields.Char(string="Fund Code", index=True)
    facility_research_group_id = fields.Many2one(
        "facility.research.group", string="Research Group", index=True
    )
    facility_pi_id = fields.Many2one("res.users", string="Fund PI")
    facility_date_from = fields.Date(string="Fund Valid From")
    facility_date_to = fields.Date(string="Fund Valid Until")
    facility_budget = fields.Monetary(string="Fund Budget")
    facility_is_fund = fields.Boolean(
        compute="_compute_facility_is_fund", search="_search_facility_is_fund", string="Is Fund"
    )

    def _compute_facility_is_fund(self):
        plan = self.env.company._facility_fund_plan()
        for account in self:
            account.facility_is_fund = account.plan_id == plan

    def _search_facility_is_fund(self, operator, value):
        plan = self.env.company._facility_fund_plan()
        positive = (operator == "=") == bool(value)
        return [("plan_id", "=" if positive else "!=", plan.id)]

    def _facility_fund_problem(self, day):
        """Why this fund cannot be charged on ``day`` (a translated sentence), or ``False``:
        expired, not yet valid, archived. Booking and service checks call it."""
        return False
