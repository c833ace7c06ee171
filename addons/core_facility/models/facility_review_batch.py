from odoo import fields, models


class FacilityReviewBatch(models.Model):
    """A week's review batch: applications submitted up to the cut-off are reviewed by the
    committee at the Friday meeting and answered within a week (seed 000, 第二条 2)."""

    _name = "facility.review.batch"
    _description = "Review Batch"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "meeting_date desc"

    name = fields.Char(required=True)
    meeting_date = fields.Date(required=True, index=True)
    cutoff = fields.Datetime(string="Cut-off")
    deadline = fields.Date(string="Answer By", index=True)
    chair_id = fields.Many2one("res.users", string="Chair")
    reviewer_ids = fields.Many2many("res.users", string="Reviewers")
    application_ids = fields.One2many("facility.application", "batch_id", string="Applications")
    state = fields.Selection(
        [("open", "Open"), ("in_review", "In Review"), ("done", "Done")],
        default="open",
        required=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
