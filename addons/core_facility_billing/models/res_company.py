from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules import periods
from ..rules.codes import InvoiceGrouping, PeriodScheme

# the accounts billing creates when the company has none set: field, code, name, type
BILLING_ACCOUNTS = (
    ("facility_internal_charge_account_id", "FAC600", "Internal facility charges", "expense"),
    ("facility_income_account_id", "FAC400", "Facility service income", "income"),
    (
        "facility_allocation_platform_account_id",
        "FAC701",
        "Facility income allocated: platform share",
        "expense",
    ),
    (
        "facility_allocation_department_account_id",
        "FAC702",
        "Facility income allocated: department share",
        "expense",
    ),
    (
        "facility_allocation_school_account_id",
        "FAC703",
        "Facility income allocated: school share",
        "expense",
    ),
)


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

    @api.constrains("facility_period_scheme", "facility_period_cutoffs")
    def _check_facility_period_cutoffs(self):
        for company in self.filtered(lambda c: c.facility_period_scheme == PeriodScheme.CUTOFF):
            company._facility_cutoffs()

    def _facility_cutoffs(self):
        """The company's cut-off days as (month, day) pairs; a clear error when unreadable."""
        self.ensure_one()
        try:
            return periods.parse_cutoffs(self.facility_period_cutoffs)
        except periods.PeriodError as error:
            raise ValidationError(
                self.env._(
                    "Cut-off days are month-day pairs separated by commas, each the last day of "
                    'a period, e.g. "05-16,11-16"; "%(value)s" is not one.',
                    value=error.value,
                )
            ) from error

    def _facility_period(self, day):
        """The settlement period containing ``day`` under the company's scheme."""
        self.ensure_one()
        if self.facility_period_scheme == PeriodScheme.CUTOFF:
            self._facility_cutoffs()
        return periods.period_of(day, self.facility_period_scheme, self.facility_period_cutoffs)

    def _facility_previous_period(self, day):
        """The period that ended before the one containing ``day`` (a run's default)."""
        self.ensure_one()
        current = self._facility_period(day)
        return self._facility_period(current.date_from - timedelta(days=1))

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
        """The journal and accounts of billing, created when missing (issue 11, settlement):
        the general journal "Core Facility" (FAC), the internal charges (expense) and facility
        income accounts, and the three allocation accounts. An account of the same code that
        already exists is used, not duplicated. Returns the company (sudo)."""
        self.ensure_one()
        company = self.sudo()
        Account = self.env["account.account"].sudo().with_company(company)
        vals = {}
        for field, code, name, account_type in BILLING_ACCOUNTS:
            if company[field]:
                continue
            account = Account.search(
                [("code", "=", code), ("company_ids", "parent_of", company.id)], limit=1
            )
            if not account:
                account = Account.create(
                    {
                        "code": code,
                        "name": name,
                        "account_type": account_type,
                        "company_ids": [(6, 0, company.ids)],
                    }
                )
            vals[field] = account.id
        if not company.facility_billing_journal_id:
            Journal = self.env["account.journal"].sudo()
            journal = Journal.search(
                [("code", "=", "FAC"), ("company_id", "=", company.id)], limit=1
            ) or Journal.create(
                {
                    "name": "Core Facility",
                    "code": "FAC",
                    "type": "general",
                    "company_id": company.id,
                }
            )
            vals["facility_billing_journal_id"] = journal.id
        if vals:
            company.write(vals)
        return company

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
