from odoo import fields, models

from ..rules.codes import SCOPE_MIN_VALUE, CampaignState


class FacilityEvalCampaign(models.Model):
    """One year's evaluation under one scheme: its scope, dates, steps, forms."""

    _name = "facility.eval.campaign"
    _description = "Evaluation Campaign"
    _inherit = ["mail.thread", "mail.activity.mixin", "facility.guarded.mixin"]
    _order = "year desc, id desc"
    _guarded_fields = ("state",)

    name = fields.Char(required=True, tracking=True)
    year = fields.Integer(required=True, tracking=True)
    scheme_id = fields.Many2one(
        "facility.eval.scheme",
        string="Scoring Table",
        required=True,
        domain=[("level", "in", ("instrument", "benefit"))],
        tracking=True,
    )
    unit_scheme_id = fields.Many2one(related="scheme_id.unit_scheme_id")
    scope_min_value = fields.Monetary(
        string="Scope: Original Value From",
        currency_field="currency_id",
        default=SCOPE_MIN_VALUE,
        tracking=True,
    )
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    self_deadline = fields.Date(string="Units File By")
    school_deadline = fields.Date(string="School Assesses By")
    state = fields.Selection(
        [
            (CampaignState.PREPARING, "Preparing"),
            (CampaignState.SELF_ASSESSING, "Units Self-Assessing"),
            (CampaignState.SCHOOL_ASSESSING, "School Assessing"),
            (CampaignState.CLOSED, "Closed"),
        ],
        required=True,
        default=CampaignState.PREPARING,
        tracking=True,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    sheet_ids = fields.One2many("facility.eval.sheet", "campaign_id", string="Instrument Forms")
    unit_eval_ids = fields.One2many("facility.eval.unit", "campaign_id", string="Unit Forms")
    computed_at = fields.Datetime(string="Figures Computed", readonly=True, copy=False)
