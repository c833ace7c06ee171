from odoo import fields, models


class FacilityEvalAward(models.Model):
    """A candidate for the awards of seed 002 第五条 (先进单位, 优秀机组, 先进个人), or a unit
    facing reduced funding, listed from a campaign's results."""

    _name = "facility.eval.award"
    _description = "Evaluation Award Candidate"
    _order = "campaign_id desc, kind, score desc"

    campaign_id = fields.Many2one(
        "facility.eval.campaign", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="campaign_id.company_id", store=True, index=True)
    kind = fields.Selection(
        [
            ("unit", "Advanced Unit"),
            ("instrument", "Excellent Instrument Team"),
            ("person", "Advanced Individual"),
            ("reduced_funding", "Reduced Funding"),
        ],
        required=True,
    )
    unit_id = fields.Many2one("facility.unit", string="Unit (二级单位)", index=True)
    instrument_id = fields.Many2one("facility.instrument")
    user_id = fields.Many2one("res.users", string="Person")
    score = fields.Float()
