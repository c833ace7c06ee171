from odoo import fields, models

from ..rules.codes import InvoiceGrouping, PeriodScheme


class ResCompany(models.Model):
    _inherit = "res.company"

    facility_billing_journal_id = fields.Many2one(
        "account.journal",
        string="Facility Journal",
        help="Miscellaneous journal of the internal settlements and allocations.",
    )
    facility_internal_charge_account_id = fields.Many2one(
        "account.account",
        string="Internal Charges Account",
        help="Debited with the fund's analytic distribution when internal charges are settled.",
    )
    facility_income_account_id = fields.Many2one(
        "account.account",
        string="Facility Income Account",
        help="Credited with the platform's analytic distribution (settlements and invoices).",
    )
    facility_allocation_department_account_id = fields.Many2one(
        "account.account", string="Department Share Account"
    )
    facility_allocation_school_account_id = fields.Many2one(
        "account.account", string="School Share Account"
    )
    facility_allocation_platform_account_id = fields.Many2one(
        "account.account", string="Platform Share Account"
    )
    facility_fund_plan_id = fields.Many2one("account.analytic.plan", string="Research Funds Plan")
    facility_platform_plan_id = fields.Many2one("account.analytic.plan", string="Platforms Plan")
    facility_period_scheme = fields.Selection(
        [(PeriodScheme.MONTHLY, "Monthly"), (PeriodScheme.CUTOFF, "Cut-off Days")],
        string="Settlement Periods",
        default=PeriodScheme.MONTHLY,
        required=True,
    )
    facility_period_cutoffs = fields.Char(
        string="Cut-off Days",
        default="05-16,11-16",
        help="Month-day of each period's last day, comma-separated (seed 000 附件2 §7: 16 May and "
        "16 November), used when periods end on cut-off days.",
    )
    facility_dispute_days = fields.Integer(
        string="Dispute Window (days)",
        default=7,
        help="Days after a line is confirmed during which its PI may dispute it.",
    )
    facility_invoice_grouping = fields.Selection(
        [
            (InvoiceGrouping.PER_ORIGIN, "One per Order"),
            (InvoiceGrouping.PER_MONTH, "One per Month"),
        ],
        string="External Invoices",
        default=InvoiceGrouping.PER_MONTH,
        required=True,
    )
    facility_credit_limit = fields.Monetary(
        string="Default Prepaid Credit Limit",
        currency_field="currency_id",
        help="How far below zero a prepaid group's balance may go by default.",
    )

    def _facility_billing_setup(self):
        """Create what billing needs and is missing: the two analytic plans and, once the
        company has a chart of accounts, the journal and the accounts (idempotent; called at
        install, by the settings and before a settlement)."""
        for company in self:
            company._facility_fund_plan()
            company._facility_platform_plan()
            if company.chart_template:
                company._facility_billing_accounts()
        return True

    def _facility_billing_accounts(self):
        """The journal and accounts of billing, created when missing (issue 11, settlement)."""
        self.ensure_one()
        return True

    def _facility_fund_plan(self):
        """The "Research Funds" analytic plan (created if missing)."""
        self.ensure_one()
        if not self.sudo().facility_fund_plan_id:
            plan = self.env["account.analytic.plan"].sudo().create({"name": "Research Funds"})
            self.sudo().facility_fund_plan_id = plan
        return self.sudo().facility_fund_plan_id

    def _facility_platform_plan(self):
        """The "Core Facility Platforms" analytic plan (created if missing)."""
        self.ensure_one()
        if not self.sudo().facility_platform_plan_id:
            plan = (
                self.env["account.analytic.plan"].sudo().create({"name": "Core Facility Platforms"})
            )
            self.sudo().facility_platform_plan_id = plan
        return self.sudo().facility_platform_plan_id
