from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    facility_billing_journal_id = fields.Many2one(
        related="company_id.facility_billing_journal_id", readonly=False
    )
    facility_internal_charge_account_id = fields.Many2one(
        related="company_id.facility_internal_charge_account_id", readonly=False
    )
    facility_income_account_id = fields.Many2one(
        related="company_id.facility_income_account_id", readonly=False
    )
    facility_period_scheme = fields.Selection(
        related="company_id.facility_period_scheme", readonly=False
    )
    facility_period_cutoffs = fields.Char(
        related="company_id.facility_period_cutoffs", readonly=False
    )
    facility_dispute_days = fields.Integer(
        related="company_id.facility_dispute_days", readonly=False
    )
    facility_invoice_grouping = fields.Selection(
        related="company_id.facility_invoice_grouping", readonly=False
    )
    facility_credit_limit = fields.Monetary(
        related="company_id.facility_credit_limit", readonly=False
    )
