import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from ..rules import review as rules
from ..rules.codes import APPLICATION_PENDING, ApplicationState
from .access import FACILITY_MANAGER
from .utils import to_local, to_utc

DEFAULT_TZ = "Asia/Shanghai"


class FacilityReviewBatch(models.Model):
    """A week's review batch: applications submitted up to the cut-off are reviewed by the
    committee at the Friday meeting and answered within a week (seed 000, 第二条 2)."""

    _name = "facility.review.batch"
    _description = "Review Batch"
    _inherit = ["facility.guarded.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "meeting_date desc"
    _guarded_fields = ("state",)

    name = fields.Char(required=True)
    meeting_date = fields.Date(required=True, index=True, tracking=True)
    cutoff = fields.Datetime(string="Cut-off")
    deadline = fields.Date(string="Answer By", index=True, tracking=True)
    chair_id = fields.Many2one("res.users", tracking=True)
    reviewer_ids = fields.Many2many(
        "res.users",
        string="Reviewers",
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("core_facility.group_facility_reviewer").ids)
        ],
    )
    application_ids = fields.One2many("facility.application", "batch_id", string="Applications")
    application_count = fields.Integer(compute="_compute_application_count")
    state = fields.Selection(
        [("open", "Taking Applications"), ("in_review", "In Review"), ("done", "Done")],
        default="open",
        required=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        (
            "meeting_unique",
            "UNIQUE(company_id, meeting_date)",
            "The committee has one review batch per meeting day.",
        ),
    ]

    @api.depends_context("lang")
    @api.depends("meeting_date")
    def _compute_display_name(self):
        for batch in self:
            batch.display_name = (
                self.env._(
                    "Committee Meeting %(date)s",
                    date=format_date(self.env, batch.meeting_date),
                )
                if batch.meeting_date
                else batch.name
            )

    def _compute_application_count(self):
        counts = dict(
            self.env["facility.application"]._read_group(
                [("batch_id", "in", self.ids)], ["batch_id"], ["__count"]
            )
        )
        for batch in self:
            batch.application_count = counts.get(batch, 0)

    # -- actions --------------------------------------------------------------------------------

    def action_start_review(self):
        """The meeting: the batch's applications go in review and each reviewer gets a review
        and an activity (the chair, a facility manager, or the scheduled job)."""
        for batch in self:
            batch._check_chair()
            if batch.state != "open":
                raise UserError(
                    self.env._("%(batch)s is already in review.", batch=batch.display_name)
                )
            if not batch.reviewer_ids:
                raise UserError(
                    self.env._(
                        "%(batch)s has no reviewers: assign the committee's reviewers first.",
                        batch=batch.display_name,
                    )
                )
            batch.sudo()._write_guarded({"state": "in_review"})
            pending = batch.sudo().application_ids.filtered(
                lambda a: a.state == ApplicationState.SUBMITTED
            )
            pending._start_review(batch.sudo())
            batch._close_if_decided()
        return True

    def action_done(self):
        for batch in self:
            batch._check_chair()
            batch.sudo()._write_guarded({"state": "done"})
        return True

    def action_view_applications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility.facility_application_action_review"
        )
        action["domain"] = [("batch_id", "=", self.id)]
        action["context"] = {"search_default_group_state": 1}
        return action

    # -- business methods -----------------------------------------------------------------------

    def _check_chair(self):
        user = self.env.user
        if self.env.su or user.has_group(FACILITY_MANAGER) or user == self.chair_id:
            return
        raise UserError(
            self.env._(
                "%(batch)s is run by its chair %(chair)s or the director.",
                batch=self.display_name,
                chair=self.chair_id.name or "-",
            )
        )

    def _close_if_decided(self):
        for batch in self.sudo().filtered(lambda b: b.state == "in_review"):
            if not batch.application_ids.filtered(lambda a: a.state in APPLICATION_PENDING):
                batch._write_guarded({"state": "done"})

    @api.model
    def _for_submission(self, moment, company):
        """The open batch an application submitted at ``moment`` (UTC) goes into, created if
        needed. Two submissions at once create one batch: the insert skips an existing row, and
        one committed meanwhile by another transaction makes this one retry."""
        company = company.sudo()
        tz = pytz.timezone(company.partner_id.tz or DEFAULT_TZ)
        answer_days = company.facility_review_answer_days or 7
        dates = rules.batch_for(
            to_local(moment, tz),
            int(company.facility_review_cutoff_weekday or 3),
            int(company.facility_review_meeting_weekday or 4),
            answer_days,
        )
        Batch = self.sudo()
        for _week in range(52):
            batch = Batch._get_or_create(dates, company, tz)
            if batch.state == "open":
                return batch
            dates = rules.next_batch(dates, answer_days)
        raise UserError(self.env._("No open review batch in the coming year."))

    def _get_or_create(self, dates, company, tz):
        self.env.cr.execute(
            SQL(
                "INSERT INTO facility_review_batch (name, meeting_date, cutoff, deadline, "
                "chair_id, company_id, state, create_uid, write_uid, create_date, write_date) "
                "VALUES (%s, %s, %s, %s, %s, %s, 'open', %s, %s, now() at time zone 'UTC', "
                "now() at time zone 'UTC') "
                "ON CONFLICT (company_id, meeting_date) DO NOTHING RETURNING id",
                dates.meeting.isoformat(),
                dates.meeting,
                to_utc(dates.cutoff, tz),
                dates.deadline,
                company.facility_review_chair_id.id or None,
                company.id,
                self.env.uid,
                self.env.uid,
            )
        )
        row = self.env.cr.fetchone()
        if row:
            batch = self.browse(row[0])
            batch.reviewer_ids = company._facility_committee()
            return batch
        return self.search(
            [("company_id", "=", company.id), ("meeting_date", "=", dates.meeting)], limit=1
        )

    @api.model
    def _cron_committee(self):
        """Daily: batches whose meeting day has come go in review; reviewers of overdue
        applications who have not voted are reminded once; decided batches are done."""
        Application = self.env["facility.application"]
        for batch in self.search([("state", "=", "open")]):
            today = Application.with_company(batch.company_id)._local_today()
            if rules.meeting_has_come(batch.meeting_date, today):
                if batch.reviewer_ids:
                    batch.action_start_review()
        Application.search([("is_overdue", "=", True)])._remind_overdue()
        self.search([("state", "=", "in_review")])._close_if_decided()
