from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..rules import review as rules
from ..rules.codes import ApplicationState, Vote
from .access import ensure_single, field_labels


class FacilityApplicationReview(models.Model):
    """One reviewer's opinion and vote on one application of a review batch. Reviews are created
    when the committee meets; a reviewer never reviews his or her own research group's
    application (conflict of interest)."""

    _name = "facility.application.review"
    _description = "Application Review"
    _inherit = ["facility.guarded.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "application_id, reviewer_id"
    _guarded_fields = ("application_id", "batch_id", "reviewer_id", "vote_date", "reminded_date")

    application_id = fields.Many2one(
        "facility.application", required=True, index=True, ondelete="cascade", readonly=True
    )
    batch_id = fields.Many2one(
        "facility.review.batch", string="Review Batch", index=True, readonly=True
    )
    reviewer_id = fields.Many2one(
        "res.users", required=True, index=True, ondelete="restrict", readonly=True
    )
    research_group_id = fields.Many2one(related="application_id.research_group_id")
    application_kind = fields.Selection(related="application_id.kind", string="Kind")
    application_state = fields.Selection(related="application_id.state", string="Stage")
    vote = fields.Selection(
        [
            (Vote.APPROVE, "Approve"),
            (Vote.APPROVE_CHANGES, "Approve With Changes"),
            (Vote.REJECT, "Reject"),
        ],
        tracking=True,
    )
    opinion = fields.Text(
        string="Expert Opinion",
        tracking=True,
        help="Required to reject or to ask for changes.",
    )
    vote_date = fields.Datetime(string="Voted On", readonly=True, copy=False)
    reminded_date = fields.Datetime(string="Reminded On", readonly=True, copy=False)
    company_id = fields.Many2one(related="application_id.company_id", store=True)

    _sql_constraints = [
        (
            "reviewer_unique",
            "UNIQUE(application_id, reviewer_id)",
            "A reviewer reviews an application once.",
        ),
    ]

    @api.depends("application_id.display_name", "reviewer_id.name")
    def _compute_display_name(self):
        for review in self:
            review.display_name = " · ".join(
                p for p in (review.application_id.display_name, review.reviewer_id.name) if p
            )

    @api.constrains("reviewer_id", "application_id")
    def _check_conflict_of_interest(self):
        for review in self:
            application = review.application_id
            if application._is_own_group(review.reviewer_id):
                raise ValidationError(application._conflict_message(review.reviewer_id))

    @api.constrains("vote", "opinion")
    def _check_opinion(self):
        for review in self:
            if rules.opinion_required(review.vote) and not (review.opinion or "").strip():
                raise ValidationError(
                    self.env._(
                        "Review rule: a vote to %(vote)s %(name)s gives the expert opinion "
                        "(what to change, or why).",
                        vote=dict(self._fields["vote"]._description_selection(self.env))[
                            review.vote
                        ],
                        name=review.application_id.display_name,
                    )
                )

    def write(self, vals):
        votes = set(vals) & {"vote", "opinion"}
        if votes and not self._guard_open():
            self._check_can_vote(votes)
        res = super().write(vals)
        if "vote" in vals:
            self._write_guarded({"vote_date": fields.Datetime.now() if vals["vote"] else False})
            if vals["vote"]:
                self._done_activities()
        return res

    def _check_can_vote(self, names):
        user = self.env.user
        for review in self:
            application = review.application_id.sudo()
            if application._is_own_group(user):
                raise UserError(application._conflict_message(user))
            if review.reviewer_id != user:
                raise UserError(
                    self.env._(
                        "%(fields)s of %(reviewer)s's review are written by %(reviewer)s only.",
                        fields=field_labels(self, names),
                        reviewer=review.reviewer_id.name,
                    )
                )
            batch = review.batch_id.sudo()
            if application.state != ApplicationState.IN_REVIEW or batch.state != "in_review":
                raise UserError(
                    self.env._(
                        "Reviews are recorded while the application is in review; "
                        "%(name)s is %(state)s.",
                        name=application.display_name,
                        state=dict(application._fields["state"]._description_selection(self.env))[
                            application.state
                        ],
                    )
                )

    def action_open_application(self):
        """Open the application under review (from the review, or the reviewer's activity)."""
        review = ensure_single(self)
        return {
            "type": "ir.actions.act_window",
            "name": review.application_id.display_name,
            "res_model": "facility.application",
            "res_id": review.application_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def _schedule_review_activity(self):
        """The reviewer's to-do, on the review (his systray), due on the batch's answer date."""
        review_type = self.env.ref("core_facility.mail_activity_type_application_review")
        for review in self.sudo():
            review.activity_schedule(
                activity_type_id=review_type.id,
                date_deadline=review.batch_id.deadline or review.application_id.deadline,
                user_id=review.reviewer_id.id,
                summary=self.env._("Review %(name)s", name=review.application_id.display_name),
            )

    def _done_activities(self, feedback=False):
        """Mark the review activities done, on the reviews only: the opinion stays on the review
        (where the applicant cannot read it) and is not copied into any message."""
        review_type = self.env.ref("core_facility.mail_activity_type_application_review")
        self.sudo().activity_ids.filtered(
            lambda a: a.activity_type_id == review_type
        ).action_feedback(feedback=feedback)

    def _remind(self):
        """Remind the reviewer, in his or her language, on the review itself."""
        for review in self.sudo():
            reviewer = review.reviewer_id
            review = review.with_context(lang=reviewer.lang or self.env.lang)
            application = review.application_id
            review.message_notify(
                partner_ids=reviewer.partner_id.ids,
                subject=review.env._("Review overdue: %(name)s", name=application.display_name),
                body=review.env._(
                    "The committee's answer on %(name)s was due on %(deadline)s and your vote is "
                    "still missing: please record your opinion and vote.",
                    name=application.display_name,
                    deadline=fields.Date.to_string(application.deadline),
                ),
            )
            review._write_guarded({"reminded_date": fields.Datetime.now()})
