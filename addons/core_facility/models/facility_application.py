from odoo import api, fields, models

from ..rules.codes import (
    APPLICATION_FOLDED,
    ApplicationKind,
    ApplicationState,
    SpecialRequest,
)

# The stage and the committee's figures change only through the application's actions.
GUARDED_FIELDS = (
    "state",
    "batch_id",
    "submit_date",
    "decision_date",
    "decision_user_id",
    "special_cleared_user_id",
    "special_cleared_date",
    "answer_user_id",
    "answer_date",
)


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
        "facility.research.group", required=True, index=True, tracking=True, ondelete="restrict"
    )
    pi_id = fields.Many2one(related="research_group_id.pi_id", store=True, index=True)
    group_category = fields.Selection(related="research_group_id.category")
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
    line_ids = fields.One2many("facility.application.line", "application_id", string="Hours")
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
    )
    experimental_risk = fields.Text(tracking=True)
    expected_result = fields.Text(string="Expected Result", tracking=True)
    special_cleared_user_id = fields.Many2one(
        "res.users", string="Special Request Cleared By", readonly=True, copy=False
    )
    special_cleared_date = fields.Datetime(
        string="Special Request Cleared On", readonly=True, copy=False
    )
    # -- review and decision -------------------------------------------------------------------
    batch_id = fields.Many2one(
        "facility.review.batch", string="Review Batch", readonly=True, copy=False, index=True
    )
    submit_date = fields.Datetime(string="Submitted On", readonly=True, copy=False)
    decision_date = fields.Datetime(string="Decided On", readonly=True, copy=False)
    decision_user_id = fields.Many2one("res.users", string="Decided By", readonly=True, copy=False)
    decision_note = fields.Html(string="Committee Decision", copy=False)
    # -- technical consultation ----------------------------------------------------------------
    question = fields.Text()
    answer = fields.Html(copy=False)
    answer_user_id = fields.Many2one("res.users", string="Answered By", readonly=True, copy=False)
    answer_date = fields.Datetime(string="Answered On", readonly=True, copy=False)
    color = fields.Integer()

    @api.model
    def _read_group_expand_state(self, states, domain):
        return [key for key, _label in self._fields["state"].selection]

    def _fold_states(self):
        return APPLICATION_FOLDED
