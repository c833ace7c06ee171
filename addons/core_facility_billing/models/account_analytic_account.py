from odoo import api, fields, models
from odoo.exceptions import ValidationError

FUND_FIELDS = ("facility_fund_code", "facility_research_group_id")


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
    facility_spent = fields.Monetary(
        string="Spent",
        compute="_compute_facility_spent",
        help="What the fund's analytic lines have consumed: the settled facility charges and "
        "any other expense posted on the fund.",
    )
    facility_remaining = fields.Monetary(
        string="Remaining Budget",
        compute="_compute_facility_spent",
        help="Budget − spent (when the fund has a budget).",
    )

    _sql_constraints = [
        (
            "facility_fund_code_uniq",
            "unique(facility_fund_code, company_id)",
            "A fund code is used once per company.",
        )
    ]

    def _compute_facility_is_fund(self):
        plan = self.env.company._facility_fund_plan()
        for account in self:
            account.facility_is_fund = account.plan_id == plan

    def _search_facility_is_fund(self, operator, value):
        plan = self.env.company._facility_fund_plan()
        positive = (operator == "=") == bool(value)
        return [("plan_id", "=" if positive else "!=", plan.id)]

    @api.depends("balance", "facility_budget")
    def _compute_facility_spent(self):
        for account in self:
            # analytic amounts of expenses are negative: what is spent is their opposite. The
            # balance reads analytic lines, which a PI may not: the fund is readable (record
            # rules), its balance is read as superuser
            account.facility_spent = -account.sudo().balance
            account.facility_remaining = (
                account.facility_budget - account.facility_spent if account.facility_budget else 0.0
            )

    def _compute_display_name(self):
        res = super()._compute_display_name()
        for account in self:
            if account.facility_fund_code and not account.code:
                account.display_name = f"[{account.facility_fund_code}] {account.name}"
        return res

    @api.constrains("facility_research_group_id", "plan_id")
    def _check_facility_fund_plan(self):
        for account in self.filtered("facility_research_group_id"):
            plan = (account.company_id or self.env.company)._facility_fund_plan()
            if account.plan_id != plan:
                raise ValidationError(
                    self.env._(
                        "%(account)s belongs to a research group, so it must be in the "
                        '"%(plan)s" analytic plan.',
                        account=account.display_name,
                        plan=plan.name,
                    )
                )

    @api.constrains("facility_date_from", "facility_date_to")
    def _check_facility_dates(self):
        for account in self:
            if (
                account.facility_date_from
                and account.facility_date_to
                and account.facility_date_to < account.facility_date_from
            ):
                raise ValidationError(
                    self.env._(
                        "Fund %(fund)s ends before it starts.", fund=account._facility_fund_label()
                    )
                )

    @api.onchange("facility_research_group_id")
    def _onchange_facility_research_group_id(self):
        if self.facility_research_group_id and not self.facility_pi_id:
            self.facility_pi_id = self.facility_research_group_id.pi_id

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            is_fund = self.env.context.get("facility_fund") or any(vals.get(f) for f in FUND_FIELDS)
            if is_fund and not vals.get("plan_id"):
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["plan_id"] = company._facility_fund_plan().id
            group_id = vals.get("facility_research_group_id")
            if group_id and not vals.get("facility_pi_id"):
                group = self.env["facility.research.group"].browse(group_id)
                vals["facility_pi_id"] = group.sudo().pi_id.id
        return super().create(vals_list)

    # -- public API ------------------------------------------------------------------------------

    def _facility_fund_problem(self, day):
        """Why this fund cannot be charged on ``day`` (a translated sentence), or ``False``:
        expired, not yet valid, archived. Booking and service checks call it."""
        self.ensure_one()
        fund = self.sudo()
        label = fund._facility_fund_label()
        if not fund.active:
            return self.env._("Fund %(fund)s is archived: it can no longer be charged.", fund=label)
        if fund.facility_date_to and day > fund.facility_date_to:
            return self.env._(
                "Fund %(fund)s expired on %(date)s: choose another fund of the group.",
                fund=label,
                date=fund.facility_date_to.isoformat(),
            )
        if fund.facility_date_from and day < fund.facility_date_from:
            return self.env._(
                "Fund %(fund)s is valid only from %(date)s.",
                fund=label,
                date=fund.facility_date_from.isoformat(),
            )
        return False

    def _facility_fund_label(self):
        self.ensure_one()
        return self.facility_fund_code or self.name
