from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    facility_review_cutoff_weekday = fields.Selection(
        related="company_id.facility_review_cutoff_weekday", readonly=False
    )
    facility_review_meeting_weekday = fields.Selection(
        related="company_id.facility_review_meeting_weekday", readonly=False
    )
    facility_review_answer_days = fields.Integer(
        related="company_id.facility_review_answer_days", readonly=False
    )
    facility_review_chair_id = fields.Many2one(
        related="company_id.facility_review_chair_id", readonly=False
    )
    facility_review_committee_ids = fields.Many2many(
        related="company_id.facility_review_committee_ids", readonly=False
    )
    facility_director_id = fields.Many2one(
        related="company_id.facility_director_id", readonly=False
    )
    facility_chief_expert_id = fields.Many2one(
        related="company_id.facility_chief_expert_id", readonly=False
    )
    facility_integrity_points = fields.Integer(
        related="company_id.facility_integrity_points", readonly=False
    )
    facility_fee_overdue_days = fields.Integer(
        related="company_id.facility_fee_overdue_days", readonly=False
    )
