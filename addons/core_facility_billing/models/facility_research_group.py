from odoo import fields, models

from ..rules.codes import BillingMode


class FacilityResearchGroup(models.Model):
    _inherit = "facility.research.group"

    billing_mode = fields.Selection(
        [
            (BillingMode.FUNDS, "Research Funds (Monthly)"),
            (BillingMode.INVOICE, "Invoice"),
            (BillingMode.PREPAID, "Prepaid Account"),
        ],
        compute="_compute_billing_mode",
        store=True,
        readonly=False,
        tracking=True,
        help="Internal groups are charged to their research funds each month; external groups "
        "are invoiced or pay from a prepaid account.",
    )
    fund_ids = fields.One2many(
        "account.analytic.account", "facility_research_group_id", string="Research Funds"
    )
    default_fund_id = fields.Many2one(
        "account.analytic.account",
        string="Default Fund",
        domain="[('facility_research_group_id', '=', id)]",
        tracking=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    credit_limit = fields.Monetary(
        string="Credit Limit", help="How far a prepaid group may go below zero."
    )
    available_balance = fields.Monetary(
        compute="_compute_available_balance",
        help="Deposits − invoiced charges − confirmed unsettled charges, from accounting.",
    )

    def _compute_billing_mode(self):
        for group in self:
            if not group.billing_mode:
                group.billing_mode = (
                    BillingMode.FUNDS if group.category == "internal" else BillingMode.INVOICE
                )

    def _compute_available_balance(self):
        for group in self:
            group.available_balance = 0.0

    def _facility_prepaid_problem(self, estimate):
        """Why a use estimated at ``estimate`` cannot be made by this group (a translated
        sentence with the figures), or ``False``: prepaid groups only."""
        return False

    def _facility_arrears_problem(self):
        """Why this group cannot book because of overdue invoices, or ``False``."""
        return False
