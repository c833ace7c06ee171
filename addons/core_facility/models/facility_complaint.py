from datetime import datetime, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import is_html_empty

from .access import FACILITY_MANAGER

GUARDED_FIELDS = ("state", "answered_by_id", "answered_date", "closed_date")
ANSWER_DAYS_PARAM = "core_facility.complaint_answer_days"
DEFAULT_ANSWER_DAYS = 7
# Who answers: set by the computes; chosen by the facility manager only.
RECIPIENT_FIELDS = ("leader_id", "director_id", "chief_expert_id")


class FacilityComplaint(models.Model):
    """A user's objection to a service result (seed 000, 第三章 第二条 6): it goes to the group
    leader, the director and the chief expert, and is answered by a deadline."""

    _name = "facility.complaint"
    _description = "Complaint"
    _inherit = ["facility.guarded.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _guarded_fields = GUARDED_FIELDS

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    order_id = fields.Many2one("facility.service.order", string="Service Order", index=True)
    research_group_id = fields.Many2one(
        "facility.research.group",
        compute="_compute_research_group_id",
        store=True,
        readonly=False,
        index=True,
    )
    complainant_id = fields.Many2one(
        "res.users", required=True, default=lambda self: self.env.user, tracking=True
    )
    description = fields.Text(required=True, tracking=True)
    leader_id = fields.Many2one(
        "res.users",
        string="Group Leader",
        compute="_compute_recipients",
        store=True,
        readonly=False,
        tracking=True,
    )
    director_id = fields.Many2one(
        "res.users", compute="_compute_recipients", store=True, readonly=True
    )
    chief_expert_id = fields.Many2one(
        "res.users", compute="_compute_recipients", store=True, readonly=True
    )
    date_deadline = fields.Date(
        string="Answer By", default=lambda self: self._default_deadline(), tracking=True
    )
    answer = fields.Html()
    answered_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    answered_date = fields.Datetime(string="Answered On", readonly=True, copy=False)
    closed_date = fields.Datetime(string="Closed On", readonly=True, copy=False)
    state = fields.Selection(
        [("open", "Open"), ("answered", "Answered"), ("closed", "Closed")],
        default="open",
        required=True,
        tracking=True,
        copy=False,
    )
    is_overdue = fields.Boolean(
        string="Overdue", compute="_compute_is_overdue", search="_search_is_overdue"
    )
    is_recipient = fields.Boolean(compute="_compute_is_recipient")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.model
    def _default_deadline(self):
        param = self.env["ir.config_parameter"].sudo().get_param(ANSWER_DAYS_PARAM)
        try:
            days = int(param)
        except (TypeError, ValueError):
            days = DEFAULT_ANSWER_DAYS
        return self._today() + timedelta(days=max(days, 0))

    @api.depends("order_id")
    def _compute_research_group_id(self):
        for complaint in self:
            if complaint.order_id:
                complaint.research_group_id = complaint.order_id.sudo().research_group_id

    @api.depends("order_id", "company_id")
    def _compute_recipients(self):
        for complaint in self:
            order = complaint.order_id.sudo()
            if order:
                complaint.leader_id = order.service_type_id.leader_id
            company = complaint.company_id.sudo()
            complaint.director_id = company.facility_director_id
            complaint.chief_expert_id = company.facility_chief_expert_id

    def _compute_is_overdue(self):
        today = self._today()
        for complaint in self:
            complaint.is_overdue = bool(
                complaint.state == "open"
                and complaint.date_deadline
                and complaint.date_deadline < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Overdue complaints are searched with = or != only."))
        overdue = [("state", "=", "open"), ("date_deadline", "<", self._today())]
        if (operator == "=") == bool(value):
            return overdue
        return ["!", *expression.normalize_domain(overdue)]

    @api.depends_context("uid")
    @api.depends("leader_id", "director_id", "chief_expert_id")
    def _compute_is_recipient(self):
        for complaint in self:
            complaint.is_recipient = complaint._is_recipient()

    def _today(self):
        tz = pytz.timezone(self.env.company.sudo().partner_id.tz or "Asia/Shanghai")
        return datetime.now(tz).date()

    def _recipients(self):
        return self.leader_id | self.director_id | self.chief_expert_id

    def _is_recipient(self, user=None):
        user = user or self.env.user
        return user in self._recipients() or user.has_group(FACILITY_MANAGER)

    # -- CRUD ----------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        choose = self.env.su or self.env.user.has_group(FACILITY_MANAGER)
        for vals in vals_list:
            if not choose:
                # who answers a complaint is not the complainant's choice: the computes set the
                # recipients (and the order's research group)
                for name in RECIPIENT_FIELDS:
                    vals.pop(name, None)
                if vals.get("order_id"):
                    vals.pop("research_group_id", None)
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code(self._name) or "/"
        complaints = super().create(vals_list)
        if not self.env.su:
            complaints._check_complainant()
        complaints._notify_recipients()
        return complaints

    def write(self, vals):
        if not self._guard_open():
            self._check_write(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never_answered(self):
        if any(c.state != "open" or c.answer for c in self):
            raise UserError(self.env._("An answered complaint stays on record."))

    def _check_complainant(self):
        user = self.env.user
        for complaint in self:
            if complaint.complainant_id != user and not user.has_group(FACILITY_MANAGER):
                raise UserError(self.env._("A complaint is filed by the complainant in person."))
            order = complaint.order_id.sudo()
            group = order.research_group_id
            people = order.applicant_id | group.pi_id | group.member_ids
            if order and user not in people and not user.has_group(FACILITY_MANAGER):
                raise UserError(
                    self.env._(
                        "%(order)s is not a service of your research group.", order=order.name
                    )
                )

    def _check_write(self, vals):
        names = {n for n in vals if not n.startswith(("message_", "activity_"))}
        user = self.env.user
        manager = user.has_group(FACILITY_MANAGER)
        for complaint in self:
            allowed = set()
            if complaint.state == "open":
                if user == complaint.complainant_id:
                    allowed |= {"description"}
                if complaint._is_recipient():
                    allowed |= {"answer"}
            if manager:
                allowed |= {"date_deadline", "research_group_id", *RECIPIENT_FIELDS}
            refused = names - allowed
            if refused:
                raise UserError(
                    self.env._(
                        "%(complaint)s: %(fields)s are not yours to change (the complainant "
                        "writes the complaint while it is open, its recipients the answer).",
                        complaint=complaint.name,
                        fields=", ".join(
                            sorted(self._fields[n]._description_string(self.env) for n in refused)
                        ),
                    )
                )

    def _notify_recipients(self):
        """The group leader, the director and the chief expert follow the complaint and each
        gets an activity to answer it by its deadline."""
        for complaint in self:
            recipients = complaint._recipients()
            complaint.message_subscribe(
                partner_ids=(recipients | complaint.complainant_id).partner_id.ids
            )
            for person in recipients:
                complaint.sudo().activity_schedule(
                    "core_facility.mail_activity_complaint_answer",
                    date_deadline=complaint.date_deadline,
                    summary=self.env._("Answer complaint %(name)s", name=complaint.name),
                    user_id=person.id,
                )

    # -- actions -------------------------------------------------------------------------------

    def action_answer(self):
        for complaint in self:
            if not complaint._is_recipient():
                raise UserError(
                    self.env._(
                        "%(complaint)s is answered by the group leader, the director or the "
                        "chief expert.",
                        complaint=complaint.name,
                    )
                )
            if complaint.state != "open" or is_html_empty(complaint.answer):
                raise UserError(
                    self.env._(
                        "%(complaint)s: write the answer of an open complaint first.",
                        complaint=complaint.name,
                    )
                )
            complaint._write_guarded(
                {
                    "state": "answered",
                    "answered_by_id": self.env.user.id,
                    "answered_date": fields.Datetime.now(),
                }
            )
            complaint.sudo().activity_unlink(["core_facility.mail_activity_complaint_answer"])
            complaint.message_post(
                body=self.env._(
                    "%(complaint)s was answered by %(user)s.",
                    complaint=complaint.name,
                    user=self.env.user.name,
                ),
                partner_ids=complaint.complainant_id.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )

    def action_close(self):
        for complaint in self:
            if self.env.user != complaint.complainant_id and not complaint._is_recipient():
                raise UserError(
                    self.env._(
                        "%(complaint)s is closed by its complainant or its recipients.",
                        complaint=complaint.name,
                    )
                )
            if complaint.state != "answered":
                raise UserError(
                    self.env._("%(complaint)s closes once answered.", complaint=complaint.name)
                )
            complaint._write_guarded({"state": "closed", "closed_date": fields.Datetime.now()})
