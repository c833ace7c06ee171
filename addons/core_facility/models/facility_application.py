import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rules import review as rules
from ..rules.codes import (
    APPLICATION_FOLDED,
    APPLICATION_PENDING,
    ApplicationKind,
    ApplicationState,
    SpecialRequest,
    Vote,
)
from .access import FACILITY_MANAGER, INSTRUMENT_MANAGER, ensure_single, field_labels
from .utils import num, selection_label, to_local

K, S = ApplicationKind, ApplicationState
DEFAULT_TZ = "Asia/Shanghai"

# The stage and the committee's figures change only through the application's actions.
GUARDED_FIELDS = (
    "name",
    "state",
    "batch_id",
    "submit_date",
    "decision_date",
    "decision_user_id",
    "decision_note",
    "special_cleared_user_id",
    "special_cleared_date",
    "answer_user_id",
    "answer_date",
    # stored related fields: recomputed by the ORM (not through write), never written directly
    "pi_id",
    "meeting_date",
    "deadline",
)
# What the applicant wrote: changed in draft only, by the applicant, the PI or a facility manager.
CONTENT_FIELDS = frozenset(
    {
        "kind",
        "title",
        "applicant_id",
        "research_group_id",
        "company_id",
        "research_background",
        "scientific_question",
        "sample_description",
        "sample_source",
        "techniques",
        "expected_outcome",
        "time_frame",
        "line_ids",
        "is_pilot_project",
        "service_type_id",
        "collaboration_mode",
        "progress_stage",
        "special_request",
        "question",
        "instrument_id",
    }
)
# The risk of a special request may still be written while the committee waits for it.
RISK_FIELDS = frozenset({"experimental_risk", "expected_result"})
# Required at submission, per kind (the seed's forms: 附件2 §3–5, 附件5, 第三章).
REQUIRED_FIELDS = {
    K.INSTRUMENT_TIME: (
        "research_background",
        "scientific_question",
        "sample_description",
        "expected_outcome",
    ),
    K.SERVICE: (
        "service_type_id",
        "sample_description",
        "sample_source",
        "techniques",
        "expected_outcome",
        "time_frame",
    ),
    K.COLLABORATION: (
        "collaboration_mode",
        "progress_stage",
        "research_background",
        "scientific_question",
        "expected_outcome",
    ),
    K.CONSULTATION: ("question",),
}
OPEN_STATES = (S.DRAFT, *APPLICATION_PENDING)


class FacilityApplication(models.Model):
    """An application (申请书) reviewed by the expert committee: instrument time on a high-end
    instrument, an entrusted technical service, a collaboration, or a lighter technical
    consultation answered by staff (seed 000, 第三章; 附件2 §3–5; 附件5)."""

    _name = "facility.application"
    _description = "Application"
    _inherit = ["facility.guarded.mixin", "portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "submit_date desc, id desc"
    _guarded_fields = GUARDED_FIELDS

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    kind = fields.Selection(
        [
            (ApplicationKind.INSTRUMENT_TIME, "Instrument Time"),
            (ApplicationKind.SERVICE, "Entrusted Service"),
            (ApplicationKind.COLLABORATION, "Collaboration"),
            (ApplicationKind.CONSULTATION, "Technical Consultation"),
        ],
        required=True,
        default=ApplicationKind.INSTRUMENT_TIME,
        tracking=True,
    )
    state = fields.Selection(
        [
            (ApplicationState.DRAFT, "Draft"),
            (ApplicationState.SUBMITTED, "Submitted"),
            (ApplicationState.IN_REVIEW, "In Review"),
            (ApplicationState.APPROVED, "Approved"),
            (ApplicationState.REJECTED, "Rejected"),
            (ApplicationState.WITHDRAWN, "Withdrawn"),
            (ApplicationState.CLOSED, "Closed"),
        ],
        string="Stage",
        required=True,
        default=ApplicationState.DRAFT,
        tracking=True,
        copy=False,
        index=True,
        group_expand="_read_group_expand_state",
    )
    title = fields.Char(required=True, tracking=True)
    applicant_id = fields.Many2one(
        "res.users",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        ondelete="restrict",
    )
    research_group_id = fields.Many2one(
        "facility.research.group",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        default=lambda self: self.env.user.facility_group_ids[:1],
    )
    pi_id = fields.Many2one(related="research_group_id.pi_id", store=True, index=True)
    group_category = fields.Selection(
        related="research_group_id.category", string="Internal / External"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    # -- the seed's form fields (申请书) -----------------------------------------------------
    research_background = fields.Html()
    scientific_question = fields.Text()
    sample_description = fields.Text()
    sample_source = fields.Char()
    techniques = fields.Text(string="Techniques Wanted")
    expected_outcome = fields.Text()
    time_frame = fields.Char(string="Expected Time Frame")
    # instrument time: hours asked per month per instrument
    line_ids = fields.One2many(
        "facility.application.line", "application_id", string="Instrument Hours"
    )
    hours_requested = fields.Float(string="Hours Asked", compute="_compute_hours")
    hours_granted = fields.Float(compute="_compute_hours")
    is_pilot_project = fields.Boolean(
        string="Pilot Project",
        tracking=True,
        help="A CAS pilot project (院先导项目): its hours come from the reserved pool.",
    )
    # entrusted service
    service_type_id = fields.Many2one("facility.service.type", tracking=True)
    # collaboration (附件5)
    collaboration_mode = fields.Selection(
        [
            ("methodology", "On a Facility Methodology Project"),
            ("innovative", "Innovative Collaboration"),
        ]
    )
    progress_stage = fields.Selection(
        [
            ("planned", "Planned"),
            ("started", "Started"),
            ("preliminary", "Preliminary Results"),
            ("advanced", "Advanced"),
        ],
        help="How far the research project has come (进展阶段).",
    )
    # -- special requests (第二条 7) -----------------------------------------------------------
    special_request = fields.Selection(
        [
            (SpecialRequest.RUSH, "Rush"),
            (SpecialRequest.REFUSED_SAMPLE, "Sample Already Refused"),
            (SpecialRequest.LOW_ODDS, "Low Odds of Success"),
        ],
        tracking=True,
        help="Needs the director's approval or the experts' discussion before the decision, with "
        "the experimental risk and the expected result written on the application.",
    )
    experimental_risk = fields.Text(tracking=True)
    expected_result = fields.Text(tracking=True)
    special_discussion = fields.Text(
        string="Experts' Discussion",
        tracking=True,
        help="What the experts concluded about the special request (recorded by the chair).",
    )
    special_cleared_user_id = fields.Many2one(
        "res.users", string="Special Request Cleared By", readonly=True, copy=False
    )
    special_cleared_date = fields.Datetime(
        string="Special Request Cleared On", readonly=True, copy=False
    )
    is_special_pending = fields.Boolean(
        string="Special Request Pending", compute="_compute_is_special_pending"
    )
    # -- review and decision -------------------------------------------------------------------
    batch_id = fields.Many2one(
        "facility.review.batch", string="Review Batch", readonly=True, copy=False, index=True
    )
    meeting_date = fields.Date(related="batch_id.meeting_date", store=True, string="Meeting")
    deadline = fields.Date(related="batch_id.deadline", store=True, string="Answer By")
    reviewer_ids = fields.Many2many(
        "res.users",
        string="Reviewers",
        compute="_compute_reviewer_ids",
        compute_sudo=True,
        groups="core_facility.group_facility_reviewer,core_facility.group_facility_instrument_manager",
        help="The batch's reviewers, except those of the applicant's research group.",
    )
    review_ids = fields.One2many(
        "facility.application.review",
        "application_id",
        string="Reviews",
        groups="core_facility.group_facility_reviewer",
    )
    vote_approve_count = fields.Integer(
        string="Approve",
        compute="_compute_votes",
        compute_sudo=True,
        groups="core_facility.group_facility_reviewer",
    )
    vote_changes_count = fields.Integer(
        string="Approve With Changes",
        compute="_compute_votes",
        compute_sudo=True,
        groups="core_facility.group_facility_reviewer",
    )
    vote_reject_count = fields.Integer(
        string="Reject",
        compute="_compute_votes",
        compute_sudo=True,
        groups="core_facility.group_facility_reviewer",
    )
    vote_missing_count = fields.Integer(
        string="Not Voted",
        compute="_compute_votes",
        compute_sudo=True,
        groups="core_facility.group_facility_reviewer",
    )
    votes_visible = fields.Boolean(
        compute="_compute_votes",
        compute_sudo=True,
        groups="core_facility.group_facility_reviewer",
        help="The tally is hidden from the PI and members of the applicant's research group.",
    )
    my_vote = fields.Selection(
        [
            (Vote.APPROVE, "Approve"),
            (Vote.APPROVE_CHANGES, "Approve With Changes"),
            (Vote.REJECT, "Reject"),
        ],
        compute="_compute_my_review",
        help="Your vote on this application.",
    )
    is_my_review = fields.Boolean(
        string="To Review by Me", compute="_compute_my_review", search="_search_is_my_review"
    )
    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="Still waiting for the committee after the batch's answer date.",
    )
    is_this_week = fields.Boolean(
        string="This Week's Meeting",
        compute="_compute_is_this_week",
        search="_search_is_this_week",
    )
    deadline_color = fields.Integer(compute="_compute_deadline_color")
    can_decide = fields.Boolean(compute="_compute_can_decide")
    is_author = fields.Boolean(
        compute="_compute_is_author", help="You may submit, edit and withdraw this application."
    )
    submit_date = fields.Datetime(string="Submitted On", readonly=True, copy=False)
    decision_date = fields.Datetime(string="Decided On", readonly=True, copy=False)
    decision_user_id = fields.Many2one("res.users", string="Decided By", readonly=True, copy=False)
    decision_note = fields.Html(string="Committee Decision", copy=False)
    # -- technical consultation ----------------------------------------------------------------
    instrument_id = fields.Many2one(
        "facility.instrument",
        string="Instrument Concerned",
        help="Its managers answer the consultation (else the facility's staff).",
    )
    question = fields.Text()
    answer = fields.Html(copy=False)
    answer_user_id = fields.Many2one("res.users", string="Answered By", readonly=True, copy=False)
    answer_date = fields.Datetime(string="Answered On", readonly=True, copy=False)
    color = fields.Integer()

    # -- computes -------------------------------------------------------------------------------

    @api.depends("name", "title")
    def _compute_display_name(self):
        for application in self:
            name = application.name if application.name != "/" else False
            application.display_name = " · ".join(p for p in (name, application.title) if p)

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for application in self:
            application.access_url = f"/my/applications/{application.id}"
        return res

    @api.depends("line_ids.hours_requested", "line_ids.hours_granted")
    def _compute_hours(self):
        for application in self:
            application.hours_requested = sum(application.line_ids.mapped("hours_requested"))
            application.hours_granted = sum(application.line_ids.mapped("hours_granted"))

    @api.depends("special_request", "special_cleared_user_id")
    def _compute_is_special_pending(self):
        for application in self:
            application.is_special_pending = bool(
                application.special_request and not application.special_cleared_user_id
            )

    @api.depends("batch_id.reviewer_ids", "research_group_id")
    def _compute_reviewer_ids(self):
        for application in self:
            application.reviewer_ids = application.batch_id.reviewer_ids.filtered(
                lambda u, a=application: not a._is_own_group(u)
            )

    @api.depends_context("uid")
    @api.depends("review_ids.vote", "research_group_id")
    def _compute_votes(self):
        """The tally, except for the applicant's own group (conflict of interest): zero there,
        unless the user is a facility manager."""
        user = self.env.user
        manager = user.has_group(FACILITY_MANAGER)
        for application in self:
            visible = manager or not application._is_own_group(user)
            application.votes_visible = visible
            votes = application.review_ids.mapped("vote") if visible else []
            counts = rules.vote_counts(votes)
            application.vote_approve_count = counts[Vote.APPROVE]
            application.vote_changes_count = counts[Vote.APPROVE_CHANGES]
            application.vote_reject_count = counts[Vote.REJECT]
            application.vote_missing_count = counts[None]

    @api.depends_context("uid")
    def _compute_my_review(self):
        reviews = (
            self.env["facility.application.review"]
            .sudo()
            .search([("application_id", "in", self.ids), ("reviewer_id", "=", self.env.uid)])
        )
        mine = {review.application_id.id: review for review in reviews}
        for application in self:
            review = mine.get(application._origin.id)
            application.my_vote = review.vote if review else False
            application.is_my_review = bool(review) and application.state == S.IN_REVIEW

    def _search_is_my_review(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on %(field)s.", field="is_my_review"))
        reviews = (
            self.env["facility.application.review"]
            .sudo()
            .search([("reviewer_id", "=", self.env.uid)])
        )
        domain = [("id", "in", reviews.application_id.ids), ("state", "=", S.IN_REVIEW)]
        positive = (operator == "=") == value
        return domain if positive else ["!", *_and(domain)]

    @api.depends("state", "deadline")
    def _compute_is_overdue(self):
        for application in self:
            application.is_overdue = rules.is_overdue(
                application.state, application.deadline, application._local_today()
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on %(field)s.", field="is_overdue"))
        domain = [
            ("state", "in", list(APPLICATION_PENDING)),
            ("deadline", "<", fields.Date.to_string(self._local_today())),
        ]
        positive = (operator == "=") == value
        return domain if positive else ["!", *_and(domain)]

    @api.depends("meeting_date")
    def _compute_is_this_week(self):
        for application in self:
            application.is_this_week = application.meeting_date == application._week_meeting()

    def _search_is_this_week(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on %(field)s.", field="is_this_week"))
        domain = [("meeting_date", "=", fields.Date.to_string(self._week_meeting()))]
        positive = (operator == "=") == value
        return domain if positive else ["!", *domain]

    @api.depends("state", "deadline")
    def _compute_deadline_color(self):
        for application in self:
            application.deadline_color = rules.deadline_color(
                application.state, application.deadline, application._local_today()
            )

    @api.depends_context("uid")
    @api.depends("state", "batch_id.chair_id")
    def _compute_can_decide(self):
        for application in self:
            application.can_decide = (
                application.state == S.IN_REVIEW
                and application.kind != K.CONSULTATION
                and application._is_decider(self.env.user)
            )

    @api.depends_context("uid")
    @api.depends("applicant_id", "pi_id")
    def _compute_is_author(self):
        user = self.env.user
        manager = user.has_group(FACILITY_MANAGER)
        for application in self:
            application.is_author = manager or user in (
                application.applicant_id | application.pi_id
            )

    # -- CRUD -----------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self._guard_open():
            self._drop_reserved_fields(vals_list)
        applications = super().create(vals_list)
        if not self.env.su and not self.env.user.has_group(FACILITY_MANAGER):
            applications._check_membership()
        return applications

    def write(self, vals):
        if not self._guard_open():
            self._check_write_policy(vals)
        res = super().write(vals)
        if {"applicant_id", "research_group_id"} & set(vals) and not self.env.su:
            if not self.env.user.has_group(FACILITY_MANAGER):
                self._check_membership()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        for application in self:
            if application.state != S.DRAFT:
                raise UserError(
                    self.env._(
                        "%(name)s has been submitted: withdraw it instead of deleting it.",
                        name=application.display_name,
                    )
                )

    def _drop_reserved_fields(self, vals_list):
        """The experts' discussion and a consultation's answer are not the applicant's to
        pre-fill: dropped at creation unless the caller may write them (a facility manager,
        the committee's chair, the facility's staff for the answer)."""
        user = self.env.user
        manager = user.has_group(FACILITY_MANAGER)
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            chair = user == company.sudo().facility_review_chair_id
            if not (manager or chair):
                vals.pop("special_discussion", None)
            if not (manager or user.has_group(INSTRUMENT_MANAGER)):
                vals.pop("answer", None)

    def _check_write_policy(self, vals):
        """Who may change what, and when (the guarded fields are refused by the mixin)."""
        if self.env.su:
            return
        user = self.env.user
        manager = user.has_group(FACILITY_MANAGER)
        content = set(vals) & CONTENT_FIELDS
        risk = set(vals) & RISK_FIELDS
        for application in self:
            author = manager or user in (application.applicant_id | application.pi_id)
            if content and (application.state != S.DRAFT or not author):
                raise UserError(
                    self.env._(
                        "%(fields)s of %(name)s are written by the applicant or the PI while the "
                        "application is a draft; it is %(state)s.",
                        fields=field_labels(self, content),
                        name=application.display_name,
                        state=selection_label(application, "state"),
                    )
                )
            if risk and (application.state not in OPEN_STATES or not author):
                raise UserError(
                    self.env._(
                        "The experimental risk and the expected result of %(name)s are written "
                        "by the applicant or the PI until the decision.",
                        name=application.display_name,
                    )
                )
            if "special_discussion" in vals and not (
                application.state in APPLICATION_PENDING
                and (manager or user == application._chair())
            ):
                raise UserError(
                    self.env._(
                        "The experts' discussion of %(name)s is recorded by the committee's "
                        "chair or the director before the decision.",
                        name=application.display_name,
                    )
                )
            if "answer" in vals and not (
                application.kind == K.CONSULTATION
                and application.state == S.SUBMITTED
                and user.has_group(INSTRUMENT_MANAGER)
            ):
                raise UserError(
                    self.env._(
                        "The answer to %(name)s is written by the facility's staff while the "
                        "consultation is open.",
                        name=application.display_name,
                    )
                )

    # -- actions --------------------------------------------------------------------------------

    def action_submit(self):
        """Submit drafts: the applicant or the PI; the kind's fields must be filled. Committee
        applications go into the week's review batch; a consultation goes to the staff."""
        now = fields.Datetime.now()
        for application in self:
            application._check_author()
            if application.state != S.DRAFT:
                raise UserError(
                    self.env._(
                        "%(name)s is %(state)s: only drafts are submitted.",
                        name=application.display_name,
                        state=selection_label(application, "state"),
                    )
                )
            application._check_complete()
            if application.kind == K.SERVICE:
                # 附件4: a service refusal or blacklisting of the group (or its unit)
                self.env["facility.sanction"]._check_service_allowed(
                    application.research_group_id, application.applicant_id
                )
            vals = {"state": S.SUBMITTED, "submit_date": now}
            if application.name == "/":
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code("facility.application")
            if application.kind != K.CONSULTATION:
                batch = self.env["facility.review.batch"]._for_submission(
                    now, application.company_id
                )
                vals["batch_id"] = batch.id
            application._write_guarded(vals)
            if application.kind == K.CONSULTATION:
                application._schedule_consultation()
            application.message_subscribe(
                (application.applicant_id | application.pi_id).partner_id.ids
            )
        return True

    def action_withdraw(self):
        """The applicant or the PI withdraws an application before the decision."""
        for application in self:
            application._check_author()
            if application.state not in OPEN_STATES:
                raise UserError(
                    self.env._(
                        "%(name)s is %(state)s: an application is withdrawn before the decision.",
                        name=application.display_name,
                        state=selection_label(application, "state"),
                    )
                )
            application._write_guarded({"state": S.WITHDRAWN})
            application.sudo().activity_ids.unlink()
            application.sudo().review_ids.activity_ids.unlink()
        return True

    def action_open_review(self):
        """Open the current reviewer's review of this application."""
        application = ensure_single(self)
        user = self.env.user
        if application._is_own_group(user):
            raise UserError(application._conflict_message(user))
        review = (
            self.env["facility.application.review"]
            .sudo()
            .search([("application_id", "=", application.id), ("reviewer_id", "=", user.id)])
        )
        if not review:
            raise UserError(
                self.env._(
                    "You are not a reviewer of %(name)s: its batch assigns its reviewers when "
                    "the committee meets.",
                    name=application.display_name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("My Review"),
            "res_model": "facility.application.review",
            "res_id": review.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_clear_special(self):
        """Clear a special request: the director (a facility manager), or the chair once the
        experts' discussion is recorded; the risk and expected result must be written."""
        user = self.env.user
        now = fields.Datetime.now()
        for application in self:
            if not application.is_special_pending or application.state not in APPLICATION_PENDING:
                raise UserError(
                    self.env._(
                        "%(name)s has no special request waiting to be cleared.",
                        name=application.display_name,
                    )
                )
            director = user.has_group(FACILITY_MANAGER)
            chair = user == application._chair() and not application._is_own_group(user)
            if not (director or chair):
                raise UserError(
                    self.env._(
                        "Special requests are cleared by the director or, after the experts' "
                        "discussion, by the committee's chair."
                    )
                )
            missing = rules.missing_fields(
                {
                    "experimental_risk": application.experimental_risk,
                    "expected_result": application.expected_result,
                    "special_discussion": application.special_discussion or director,
                },
                ("experimental_risk", "expected_result", "special_discussion"),
            )
            if missing:
                raise UserError(
                    self.env._(
                        "Special request rule: write %(fields)s on %(name)s before it is cleared.",
                        fields=field_labels(application, missing),
                        name=application.display_name,
                    )
                )
            application.sudo()._write_guarded(
                {"special_cleared_user_id": user.id, "special_cleared_date": now}
            )
            application.sudo().message_post(
                body=self.env._(
                    "Special request (%(request)s) cleared by %(user)s.",
                    request=selection_label(application, "special_request"),
                    user=user.name,
                )
            )
        return True

    def action_decide(self):
        """Open the decision wizard (the chair or a facility manager)."""
        application = ensure_single(self)
        application._check_can_decide()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Committee Decision"),
            "res_model": "facility.application.decision.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_application_id": application.id},
        }

    def action_answer(self):
        """Staff answer a technical consultation; it is then closed."""
        user = self.env.user
        for application in self:
            if application.kind != K.CONSULTATION or application.state != S.SUBMITTED:
                raise UserError(
                    self.env._(
                        "%(name)s is not an open technical consultation.",
                        name=application.display_name,
                    )
                )
            if not user.has_group(INSTRUMENT_MANAGER):
                raise UserError(
                    self.env._("Technical consultations are answered by the facility's staff.")
                )
            if rules.missing_fields({"answer": application.answer}, ["answer"]):
                raise UserError(
                    self.env._("Write the answer to %(name)s first.", name=application.display_name)
                )
            application.sudo()._write_guarded(
                {
                    "state": S.CLOSED,
                    "answer_user_id": user.id,
                    "answer_date": fields.Datetime.now(),
                }
            )
            application.sudo().activity_ids.action_feedback(
                feedback=self.env._("Answered by %(user)s.", user=user.name)
            )
            application._notify_applicant()
        return True

    def action_close(self):
        """Close an approved application once its hours, service or collaboration are done."""
        user = self.env.user
        for application in self:
            if application.state != S.APPROVED:
                raise UserError(
                    self.env._(
                        "%(name)s is %(state)s: approved applications are closed.",
                        name=application.display_name,
                        state=selection_label(application, "state"),
                    )
                )
            allowed = (
                user.has_group(FACILITY_MANAGER)
                or user in (application.applicant_id | application.pi_id)
                or application._is_decider(user)
            )
            if not allowed:
                raise UserError(
                    self.env._(
                        "%(name)s is closed by its applicant, its PI, the chair or the director.",
                        name=application.display_name,
                    )
                )
            application.sudo()._write_guarded({"state": S.CLOSED})
        return True

    # -- business methods -----------------------------------------------------------------------

    def _check_author(self):
        user = self.env.user
        if user not in (self.applicant_id | self.pi_id) and not user.has_group(FACILITY_MANAGER):
            raise UserError(
                self.env._(
                    "%(name)s is submitted or withdrawn by its applicant %(applicant)s or the "
                    "group's PI %(pi)s.",
                    name=self.display_name,
                    applicant=self.applicant_id.name,
                    pi=self.pi_id.name,
                )
            )

    def _check_complete(self):
        """The kind's form fields, the hours asked, the risk of a special request."""
        self.ensure_one()
        required = list(REQUIRED_FIELDS[self.kind])
        if self.special_request:
            required += ["experimental_risk", "expected_result"]
        missing = rules.missing_fields({name: self[name] for name in required}, required)
        if missing:
            raise UserError(
                self.env._(
                    "%(kind)s application rule: fill in %(fields)s before submitting %(name)s.",
                    kind=selection_label(self, "kind"),
                    fields=field_labels(self, missing),
                    name=self.display_name,
                )
            )
        self._check_membership()
        if self.kind != K.INSTRUMENT_TIME:
            return
        if not self.line_ids or any(line.hours_requested <= 0 for line in self.line_ids):
            raise UserError(
                self.env._(
                    "Instrument time rule: ask for a number of hours per instrument and month "
                    "on %(name)s.",
                    name=self.display_name,
                )
            )
        free = self.line_ids.instrument_id.sudo().filtered(
            lambda i: not i.booking_policy_id.allocation_required
        )
        if free:
            raise UserError(
                self.env._(
                    "Instrument time rule: %(instruments)s need no committee allocation; "
                    "book them directly.",
                    instruments=", ".join(free.mapped("name")),
                )
            )

    def _check_membership(self):
        for application in self:
            group = application.research_group_id.sudo()
            if application.applicant_id not in group._all_members():
                raise UserError(
                    self.env._(
                        "%(applicant)s applies for a research group he or she belongs to; "
                        "%(applicant)s is not a member of %(group)s.",
                        applicant=application.applicant_id.name,
                        group=group.name,
                    )
                )

    def _check_can_decide(self):
        """The chair or a facility manager decides an application in review, once its special
        request is cleared and at least one reviewer has voted."""
        self.ensure_one()
        user = self.env.user
        if self.state != S.IN_REVIEW or self.kind == K.CONSULTATION:
            raise UserError(
                self.env._(
                    "%(name)s is %(state)s: the committee decides applications in review.",
                    name=self.display_name,
                    state=selection_label(self, "state"),
                )
            )
        if not self._is_decider(user):
            if user == self._chair() and self._is_own_group(user):
                raise UserError(self._conflict_message(user))
            raise UserError(
                self.env._(
                    "The decision on %(name)s is recorded by the committee's chair %(chair)s or "
                    "the director.",
                    name=self.display_name,
                    chair=self._chair().name or "-",
                )
            )
        reviews = self.sudo().review_ids
        voted = reviews.filtered("vote")
        if not voted:
            raise UserError(
                self.env._(
                    "No reviewer has voted on %(name)s yet: %(voted)s of %(count)s reviews "
                    "recorded.",
                    name=self.display_name,
                    voted=len(voted),
                    count=len(reviews),
                )
            )
        if self.is_special_pending:
            raise UserError(
                self.env._(
                    "Special request rule: %(name)s asks for a special request (%(request)s); "
                    "the director or the experts' discussion must clear it before the decision.",
                    name=self.display_name,
                    request=selection_label(self, "special_request"),
                )
            )

    def _decide(self, approve, note, grants=()):
        """Record the committee's decision: on approval, the hours granted become allocations
        (pools checked; a refusal propagates), a service becomes a service order, a collaboration
        a collaboration. The applicant is told in his or her language.

        ``grants``: ``[(application line, hours granted)]`` for instrument time.
        """
        self.ensure_one()
        self.env.cr.execute(
            "SELECT id FROM facility_application WHERE id = %s FOR UPDATE", [self.id]
        )
        self.invalidate_recordset()
        self._check_can_decide()
        app = self.sudo()
        if approve and app.kind == K.INSTRUMENT_TIME:
            app._grant(grants)
        elif approve and app.kind == K.SERVICE:
            self.env["facility.service.order"]._create_from_application(app)
        app._write_guarded(
            {
                "state": S.APPROVED if approve else S.REJECTED,
                "decision_date": fields.Datetime.now(),
                "decision_user_id": self.env.uid,
                "decision_note": note,
            }
        )
        if approve and app.kind == K.COLLABORATION:
            self.env["facility.collaboration"]._create_from_application(app)
        app.review_ids._done_activities(feedback=self.env._("The committee decided."))
        app._notify_applicant()
        app.batch_id._close_if_decided()
        return True

    def _grant(self, grants):
        Allocation = self.env["facility.booking.allocation"]
        hours_by_line = dict(grants)
        negative = [hours for hours in hours_by_line.values() if hours < 0]
        if negative or not any(hours > 0 for hours in hours_by_line.values()):
            raise UserError(
                self.env._(
                    "Approving %(name)s grants hours: enter the hours granted per instrument and "
                    "month (none negative).",
                    name=self.display_name,
                )
            )
        for line in self.line_ids:
            hours = hours_by_line.get(line, 0.0)
            vals = {"hours_granted": hours}
            if hours > 0:
                allocation = Allocation._grant_hours(
                    line.instrument_id,
                    self.research_group_id,
                    line.month,
                    hours,
                    origin=self.name,
                    pilot=self.is_pilot_project,
                )
                vals["allocation_id"] = allocation.id
            line._write_guarded(vals)

    def _start_review(self, batch):
        """The meeting: one review per reviewer of the batch (none for reviewers of the
        application's own group) and their review activities, due on the batch's deadline."""
        Review = (
            self.env["facility.application.review"]
            .sudo()
            .with_context(mail_create_nosubscribe=True, mail_create_nolog=True)
        )
        for application in self.sudo():
            reviewers = batch.reviewer_ids.filtered(lambda u, a=application: not a._is_own_group(u))
            existing = application.review_ids.reviewer_id
            reviews = Review.create(
                [
                    {
                        "application_id": application.id,
                        "reviewer_id": reviewer.id,
                        "batch_id": batch.id,
                    }
                    for reviewer in reviewers - existing
                ]
            )
            reviews._schedule_review_activity()
            application._write_guarded({"state": S.IN_REVIEW})

    def _schedule_consultation(self):
        staff = self.instrument_id.sudo().manager_ids[:1] or self.company_id.facility_director_id
        if not staff:
            return
        self.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=fields.Date.context_today(self),
            user_id=staff.id,
            summary=self.env._("Answer the consultation %(name)s", name=self.display_name),
        )

    def _notify_applicant(self):
        """Tell the applicant of the decision (or the answer) in his or her language."""
        template = self.env.ref("core_facility.mail_template_application_decision")
        for application in self.sudo():
            lang = application.applicant_id.lang or self.env.lang
            rendered = template._render_field("body_html", application.ids, compute_lang=True)
            subject = template._render_field("subject", application.ids, compute_lang=True)
            application.with_context(lang=lang).message_post(
                body=rendered[application.id],
                subject=subject[application.id],
                partner_ids=application.applicant_id.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )

    def _remind_overdue(self):
        """Remind, once, each reviewer of an overdue application who has not voted (on his
        review, not in the application's chatter)."""
        self.sudo().review_ids.filtered(lambda r: not r.vote and not r.reminded_date)._remind()

    def _is_own_group(self, user):
        """Whether ``user`` is the PI or a member of this application's research group."""
        self.ensure_one()
        group = self.research_group_id.sudo()
        return bool(group) and (user == group.pi_id or user in group._all_members())

    def _conflict_message(self, user):
        return self.env._(
            "%(name)s is an application of your own research group %(group)s: conflict of "
            "interest; %(user)s neither reviews nor decides it.",
            name=self.display_name,
            group=self.research_group_id.sudo().name,
            user=user.name,
        )

    def _chair(self):
        return self.batch_id.sudo().chair_id or self.company_id.sudo().facility_review_chair_id

    def _is_decider(self, user):
        """The facility manager, or the chair of the application's batch (not of his group's)."""
        if user.has_group(FACILITY_MANAGER):
            return True
        return user == self._chair() and not self._is_own_group(user)

    def _facility_tz(self):
        company = self.company_id or self.env.company
        return pytz.timezone(company.sudo().partner_id.tz or DEFAULT_TZ)

    def _local_today(self):
        return to_local(fields.Datetime.now(), self._facility_tz()).date()

    def _week_meeting(self):
        company = self.company_id or self.env.company
        weekday = int(company.facility_review_meeting_weekday or 4)
        return rules.week_meeting(self._local_today(), weekday)

    def _hours_summary(self):
        """``Instrument · month: hours`` lines of the hours granted (for the decision message)."""
        return [
            f"{line.instrument_id.name} · {line._month_label()}: {num(line.hours_granted)} h"
            for line in self.line_ids
            if line.hours_granted
        ]

    # -- kanban ---------------------------------------------------------------------------------

    @api.model
    def _read_group_expand_state(self, states, domain):
        return [key for key, _label in self._fields["state"].selection]

    @api.model
    def _web_read_group(
        self, domain, field_names, groupby, limit=None, offset=0, orderby=False, lazy=True
    ):
        """Fold the stages where nothing more happens (rejected, withdrawn, closed), as the
        kanban folds a many2one stage with its ``fold`` field."""
        groups = super()._web_read_group(domain, field_names, groupby, limit, offset, orderby, lazy)
        if groupby and groupby[0] == "state":
            for group in groups:
                group["__fold"] = group.get("state") in APPLICATION_FOLDED
        return groups


def _and(domain):
    """``domain`` as one term (for negation)."""
    return ["&"] * (len(domain) - 1) + domain
