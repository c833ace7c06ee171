from odoo import fields, models


class FacilityEvalPlatformStat(models.Model):
    """One platform's figures of a year (seed 001 §4.2): staff, assets, revenue, hours, users,
    projects supported, trainees, open hours for student competitions."""

    _name = "facility.eval.platform.stat"
    _description = "Platform Annual Statistics"
    _order = "campaign_id desc, unit_id"

    campaign_id = fields.Many2one(
        "facility.eval.campaign", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="campaign_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    unit_id = fields.Many2one("facility.unit", string="Platform", required=True, index=True)
