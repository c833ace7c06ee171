from datetime import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import is_html_empty

from ..rules import service as rules
from ..rules.codes import ApplicationKind, ServiceFlow, ServiceStep
from .access import FACILITY_MANAGER, ensure_single

T = ServiceStep
STEP_SELECTION = [
    (T.BOOKED, "Instrument Time Booked"),
    (T.REGISTERED, "Registered"),
    (T.REVIEWED, "Reviewed"),
    (T.SAMPLE_REQUESTED, "Sample Requested"),
    (T.SAMPLE_RECEIVED, "Sample Received"),
    (T.PREPARATION, "Preparation Finished"),
    (T.IMAGING, "Imaging Done"),
    (T.DELIVERED, "Results Delivered"),
    (T.CLOSED, "Closed"),
    (T.CANCELLED, "Cancelled"),
]
# What others trust changes only through the order's actions.
GUARDED_FIELDS = (
    "state",
    "approval_date",
    "sample_qualified_date",
    "commitment_done_date",
    "negotiated_approved_by_id",
    "negotiated_approved_date",
    "leader_approved_by_id",
    "leader_approved_date",
    "pi_signed_by_id",
    "pi_signed_date",
    "warned_date",
    "escalated_date",
)
# Who the order is for and what it is: fixed once the order has been reviewed.
FIXED_AFTER_REVIEW = (
    "application_id",
    "service_type_id",
    "research_group_id",
    "applicant_id",
    "collaboration_id",
)
# Fields the order's PI writes (his opinion before signing it off); staff write the rest.
PI_FIELDS = ("pi_opinion",)
# What billing charges: frozen once the order is over.
QUANTITY_FIELDS = ("staff_hours", "consumable_ids", "booking_ids")
# Frozen once the group leader approved the results, the PI signed, the director signed off.
LOCKED_BY = {
    "leader_approved_date": ("results", "next_step_advice"),
    "pi_signed_date": ("pi_opinion",),
    "negotiated_approved_date": ("negotiated_deadline", "negotiated_reason"),
}
DEFAULT_TZ = "Asia/Shanghai"


class FacilityServiceOrder(models.Model):
    """An entrusted technical service (委托服务, seed 000 第三章): the steps of its flow, each
    time-stamped with who did it, its samples and bookings, its time commitment and its
    archive (application, expert opinion, protocol, step times, results approved by the group
    leader, the PI's opinion and sign-off)."""

    _name = "facility.service.order"
    _description = "Service Order"
    _inherit = ["facility.guarded.mixin", "portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "priority desc, id"
    _guarded_fields = GUARDED_FIELDS

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    title = fields.Char(tracking=True)
    application_id = fields.Many2one(
        "facility.application", index=True, ondelete="restrict", tracking=True
    )
    service_type_id = fields.Many2one(
        "facility.service.type", required=True, tracking=True, ondelete="restrict"
    )
    flow = fields.Selection(related="service_type_id.flow", store=True)
    research_group_id = fields.Many2one(
        "facility.research.group", required=True, index=True, ondelete="restrict", tracking=True
    )
    group_category = fields.Selection(
        related="research_group_id.category", store=True, string="Internal / External"
    )
    pi_id = fields.Many2one(related="research_group_id.pi_id", store=True, index=True, string="PI")
    applicant_id = fields.Many2one("res.users", index=True, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        tracking=True,
        help="The staff member who carries the order out and is warned before its deadline.",
    )
    leader_id = fields.Many2one(related="service_type_id.leader_id", string="Group Leader")
    collaboration_id = fields.Many2one("facility.collaboration", ondelete="restrict")
    priority = fields.Selection(
        [("0", "Normal"), ("1", "Internal Group")],
        compute="_compute_priority",
        store=True,
        help="Internal research groups come first in the queue (seed 000, 第三章 第二条 1).",
    )
    state = fields.Selection(
        STEP_SELECTION,
        string="Step",
        default=T.REGISTERED,
        required=True,
        tracking=True,
        copy=False,
        index=True,
        group_expand="_read_group_expand_state",
    )
    imaging_mode = fields.Selection(
        [("staff", "By Staff Alone"), ("with_user", "With the User")],
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    color = fields.Integer()
    step_ids = fields.One2many("facility.service.step", "order_id", string="Steps")
    sample_ids = fields.One2many("facility.service.sample", "order_id", string="Samples")
    consumable_ids = fields.One2many(
        "facility.service.consumable", "order_id", string="Consumables"
    )
    complaint_ids = fields.One2many("facility.complaint", "order_id", string="Complaints")
    complaint_count = fields.Integer(compute="_compute_complaint_count")
    booking_ids = fields.Many2many(
        "facility.booking",
        "facility_service_order_booking_rel",
        "order_id",
        "booking_id",
        string="Bookings",
        help="Instrument time booked for the order (by staff, or the group's own bookings).",
    )
    booking_instrument_ids = fields.Many2many(
        related="service_type_id.instrument_ids", string="Service Instruments"
    )
    # -- commitment ----------------------------------------------------------------------------
    approval_date = fields.Datetime(string="Approved On", readonly=True, copy=False)
    sample_qualified_date = fields.Datetime(string="Qualified Sample On", readonly=True, copy=False)
    commitment_done_date = fields.Date(
        string="Commitment Met On",
        readonly=True,
        copy=False,
        help="The day of the EM experiment, or of the finished preparation.",
    )
    default_deadline = fields.Date(compute="_compute_deadline", store=True)
    date_deadline = fields.Date(string="Deadline", compute="_compute_deadline", store=True)
    is_done_late = fields.Boolean(compute="_compute_deadline", store=True)
    is_late = fields.Boolean(string="Late", compute="_compute_is_late", search="_search_is_late")
    days_left = fields.Integer(
        compute="_compute_is_late", help="Days until the deadline; negative once it has passed."
    )
    negotiated_deadline = fields.Date(
        tracking=True,
        help="For a special experiment or sample: replaces the default deadline once the "
        "director has signed it off.",
    )
    negotiated_reason = fields.Text(string="Why Negotiated")
    negotiated_approved_by_id = fields.Many2one(
        "res.users", string="Deadline Signed Off By", readonly=True, copy=False
    )
    negotiated_approved_date = fields.Datetime(
        string="Deadline Signed Off On", readonly=True, copy=False
    )
    warned_date = fields.Date(string="Warned On", readonly=True, copy=False)
    escalated_date = fields.Datetime(string="Escalated On", readonly=True, copy=False)
    # -- archive (第二条 5) ---------------------------------------------------------------------
    expert_opinion = fields.Html(related="application_id.decision_note", string="Expert Opinion")
    protocol = fields.Html(string="Experimental Protocol")
    results = fields.Html()
    next_step_advice = fields.Text(string="Next-Step Advice")
    leader_approved_by_id = fields.Many2one(
        "res.users", string="Results Approved By", readonly=True, copy=False
    )
    leader_approved_date = fields.Datetime(string="Results Approved On", readonly=True, copy=False)
    pi_opinion = fields.Text(string="PI's Opinion")
    pi_signed_by_id = fields.Many2one("res.users", string="PI Signed By", readonly=True, copy=False)
    pi_signed_date = fields.Datetime(string="PI Signed On", readonly=True, copy=False)
    # -- quantities billing charges ------------------------------------------------------------
    sample_count = fields.Integer(
        compute="_compute_sample_count",
        store=True,
        help="Qualified samples received: what billing charges.",
    )
    staff_hours = fields.Float(
        tracking=True, help="Hours of staff time spent on the order: what billing charges."
    )
    is_staff = fields.Boolean(compute="_compute_is_staff")
    is_pi = fields.Boolean(compute="_compute_is_staff")

    _sql_constraints = [
        ("staff_hours_positive", "CHECK(staff_hours >= 0)", "Staff hours cannot be negative.")
    ]

    # -- computes ------------------------------------------------------------------------------

    @api.depends("research_group_id.category", "service_type_id.internal_priority")
    def _compute_priority(self):
        for order in self:
            internal_first = order.service_type_id.internal_priority
            order.priority = (
                rules.queue_priority(order.research_group_id.category) if internal_first else "0"
            )

    @api.depends(
        "service_type_id.commitment_days",
        "service_type_id.commitment_start",
        "service_type_id.commitment_external_only",
        "research_group_id.category",
        "approval_date",
        "sample_qualified_date",
        "negotiated_deadline",
        "negotiated_approved_date",
        "commitment_done_date",
    )
    def _compute_deadline(self):
        for order in self:
            service_type = order.service_type_id
            default = rules.default_deadline(
                service_type.commitment_start,
                service_type.commitment_days,
                approved_on=order._local_date(order.approval_date),
                sample_on=order._local_date(order.sample_qualified_date),
                category=order.research_group_id.category,
                external_only=service_type.commitment_external_only,
            )
            deadline = rules.deadline(
                default, order.negotiated_deadline or None, bool(order.negotiated_approved_date)
            )
            order.default_deadline = default or False
            order.date_deadline = deadline or False
            order.is_done_late = bool(
                order.commitment_done_date
                and rules.is_late(deadline, order.commitment_done_date, order.commitment_done_date)
            )

    @api.depends("date_deadline", "commitment_done_date", "state")
    def _compute_is_late(self):
        today = self._today()
        for order in self:
            cancelled = order.state == T.CANCELLED
            order.is_late = not cancelled and rules.is_late(
                order.date_deadline or None, today, order.commitment_done_date or None
            )
            left = rules.days_left(order.date_deadline or None, today)
            order.days_left = 0 if left is None or order.commitment_done_date else left

    def _search_is_late(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Late orders are searched with = or != only."))
        late = [
            ("state", "!=", T.CANCELLED),
            ("date_deadline", "!=", False),
            "|",
            ("is_done_late", "=", True),
            "&",
            ("commitment_done_date", "=", False),
            ("date_deadline", "<", self._today()),
        ]
        if (operator == "=") == bool(value):
            return late
        return ["!", *expression.normalize_domain(late)]

    @api.depends("sample_ids.state")
    def _compute_sample_count(self):
        for order in self:
            order.sample_count = len(order.sample_ids.filtered(lambda s: s.state == "qualified"))

    def _compute_complaint_count(self):
        for order in self:
            order.complaint_count = len(order.complaint_ids)

    @api.depends_context("uid")
    @api.depends("service_type_id", "pi_id")
    def _compute_is_staff(self):
        for order in self:
            order.is_staff = order._is_staff()
            order.is_pi = order.pi_id == self.env.user

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for order in self:
            order.access_url = f"/my/service-orders/{order.id}"
        return res

    @api.model
    def _read_group_expand_state(self, states, domain):
        """The kanban's columns: the steps of the flow shown (of both flows when mixed), without
        the floating booking step and cancellation."""
        flows = {flow for [flow] in self._read_group(domain, ["flow"]) if flow} or set(ServiceFlow)
        shown = set()
        for flow in flows:
            shown.update(rules.flow_steps(flow))
        shown -= {T.BOOKED, T.CANCELLED}
        return [key for key, _label in STEP_SELECTION if key in shown]

    # -- helpers -------------------------------------------------------------------------------

    def _tz(self):
        company = self.company_id or self.env.company
        return pytz.timezone(company.sudo().partner_id.tz or DEFAULT_TZ)

    def _local_date(self, moment):
        """The local day (company time zone) of a stored UTC datetime."""
        if not moment:
            return None
        return pytz.utc.localize(moment).astimezone(self._tz()).date()

    def _today(self):
        return datetime.now(self[:1]._tz()).date()

    def _is_staff(self, user=None):
        """Whether ``user`` carries out this order: the facility manager, the service type's
        group leader, or the staff (managers, technicians) of its instruments."""
        user = user or self.env.user
        if user.has_group(FACILITY_MANAGER):
            return True
        if not self:
            return False
        service_type = self.service_type_id.sudo()
        if user == service_type.leader_id:
            return True
        instruments = service_type.instrument_ids | self.sudo().booking_ids.instrument_id
        return user in (instruments.manager_ids | instruments.technician_ids)

    def _step_label(self, step):
        return dict(self._fields["state"]._description_selection(self.env)).get(step, step)

    def _done_steps(self):
        return tuple(self.sudo().step_ids.mapped("step"))

    # -- constraints ---------------------------------------------------------------------------

    @api.constrains("applicant_id", "research_group_id")
    def _check_applicant_in_group(self):
        for order in self:
            group = order.research_group_id.sudo()
            if order.applicant_id and order.applicant_id not in (group.member_ids | group.pi_id):
                raise UserError(
                    self.env._(
                        "%(user)s is not a member of %(group)s: a service is ordered for the "
                        "applicant's own research group.",
                        user=order.applicant_id.name,
                        group=group.name,
                    )
                )

    # -- CRUD ----------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code(self._name) or "/"
        orders = super().create(vals_list)
        orders._check_external_capacity()
        if not self.env.su:
            for order in orders:
                if not order._is_staff():
                    raise UserError(
                        self.env._(
                            "Only the staff of %(type)s (its group leader, the managers of its "
                            "instruments) and the facility manager open service orders.",
                            type=order.service_type_id.name,
                        )
                    )
        for order in orders:
            if not order.user_id and order.sudo().service_type_id.leader_id:
                order.user_id = order.sudo().service_type_id.leader_id
        if not self.env.context.get("facility_service_from_application"):
            for order in orders:
                order._log_step(T.REGISTERED)
        return orders

    def write(self, vals):
        if not self._guard_open():
            self._check_write(vals)
        booked = "booking_ids" in vals
        res = super().write(vals)
        if {"service_type_id", "research_group_id"} & set(vals):
            self._check_external_capacity()
        if booked:
            self._log_booked()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_only_unstarted(self):
        started = self.filtered(lambda o: o.state not in (T.REGISTERED, T.CANCELLED))
        if started:
            raise UserError(
                self.env._(
                    "%(orders)s went beyond registration: cancel them instead; the archive stays.",
                    orders=", ".join(started.mapped("name")),
                )
            )

    def _check_write(self, vals):
        """Who may change what: staff the order's content, the PI his opinion; the people and
        the service once reviewed, the quantities once over and what was signed, never."""
        _ = self.env._
        names = {n for n in vals if not n.startswith(("message_", "activity_"))}
        if not names:
            return
        for order in self:
            if not order._is_staff():
                if order.pi_id != self.env.user or names - set(PI_FIELDS):
                    raise UserError(
                        _(
                            "%(order)s: only the staff of the service change it; its PI writes "
                            "his opinion.",
                            order=order.name,
                        )
                    )
            fixed = names & set(FIXED_AFTER_REVIEW)
            if fixed and order.approval_date:
                raise UserError(
                    _(
                        "%(order)s was reviewed: %(fields)s no longer change.",
                        order=order.name,
                        fields=order._labels(fixed),
                    )
                )
            over = names & set(QUANTITY_FIELDS)
            if over and order.state in rules.FINISHED_STEPS:
                raise UserError(
                    _(
                        "%(order)s is %(state)s: %(fields)s are what billing charges and no "
                        "longer change.",
                        order=order.name,
                        state=order._step_label(order.state),
                        fields=order._labels(over),
                    )
                )
            if "pi_opinion" in names and order.pi_id != self.env.user:
                raise UserError(
                    _("%(order)s: only its PI writes the PI's opinion.", order=order.name)
                )
            for signed, locked in LOCKED_BY.items():
                frozen = names & set(locked)
                if frozen and order[signed]:
                    raise UserError(
                        _(
                            "%(order)s: %(fields)s were signed off (%(signed)s) and no longer "
                            "change.",
                            order=order.name,
                            fields=order._labels(frozen),
                            signed=order._fields[signed]._description_string(self.env),
                        )
                    )

    def _check_external_capacity(self):
        """The workload rule (第二条 1) for these orders, however they were opened or moved: the
        open orders of external groups stay within their type's capacity (row lock on the
        type)."""
        external = self.sudo().filtered(
            lambda o: o.group_category == "external" and o.state not in rules.FINISHED_STEPS
        )
        for service_type in external.service_type_id:
            service_type._check_external_capacity(
                external.filtered(lambda o, t=service_type: o.service_type_id == t)
            )

    def _labels(self, names):
        return ", ".join(sorted(self._fields[n]._description_string(self.env) for n in names))

    # -- actions: steps ------------------------------------------------------------------------

    def action_review(self):
        """Reviewed (an order opened without an application): the approval starts the EM
        commitment."""
        self._step(T.REVIEWED, approval_date=fields.Datetime.now())

    def action_request_sample(self):
        self._step(T.SAMPLE_REQUESTED)
        for order in self:
            if order.applicant_id:
                order.message_post(
                    body=self.env._(
                        "Please send the sample of %(order)s to the facility.", order=order.name
                    ),
                    partner_ids=order.applicant_id.partner_id.ids,
                    subtype_xmlid="mail.mt_comment",
                )

    def action_receive_sample(self):
        """Sample received: qualified (the commitment of sample preparation starts) or not
        qualified, with the reasons (the order returns to "sample requested")."""
        for order in self:
            order._check_can_step(T.SAMPLE_RECEIVED)
            # the samples judged since the last receipt: this round's
            samples = order.sample_ids.filtered(lambda s: s.state != "pending" and not s.step_id)
            pending = order.sample_ids.filtered(lambda s: s.state == "pending")
            if pending or not samples:
                raise UserError(
                    self.env._(
                        "%(order)s: judge each received sample first (qualified, or not "
                        "qualified with the reason); pending: %(pending)s.",
                        order=order.name,
                        pending=", ".join(pending.mapped("name")) or "-",
                    )
                )
            qualified = samples.filtered(lambda s: s.state == "qualified")
            if qualified:
                arrived = min(qualified.mapped("received_date"))
                step = order._do_step(T.SAMPLE_RECEIVED, sample_qualified_date=arrived)
                samples._write_guarded({"step_id": step.id})
                continue
            reasons = "; ".join(f"{s.name}: {s.refuse_reason}" for s in samples)
            step = order._do_step(
                T.SAMPLE_RECEIVED,
                note=self.env._("Not qualified: %(reasons)s", reasons=reasons),
                state=T.SAMPLE_RECEIVED,
            )
            samples._write_guarded({"step_id": step.id})
            order._do_step(
                T.SAMPLE_REQUESTED,
                note=self.env._("New sample requested: %(reasons)s", reasons=reasons),
                checked=True,
            )
            if order.applicant_id:
                order.message_post(
                    body=self.env._(
                        "The sample of %(order)s is not qualified (%(reasons)s): please send a "
                        "new one.",
                        order=order.name,
                        reasons=reasons,
                    ),
                    partner_ids=order.applicant_id.partner_id.ids,
                    subtype_xmlid="mail.mt_comment",
                )

    def action_preparation_done(self):
        """Preparation done (sections obtained): fulfils the sample-preparation commitment."""
        self._step(T.PREPARATION)

    def action_imaging_done(self):
        """EM experiment done, by staff alone or with the user: fulfils the EM commitment."""
        for order in self:
            order._check_can_step(T.IMAGING)
            if not order.imaging_mode:
                raise UserError(
                    self.env._(
                        "%(order)s: say whether the imaging was done by staff alone or with the "
                        "user.",
                        order=order.name,
                    )
                )
            order._do_step(T.IMAGING, checked=True)

    def action_deliver(self):
        for order in self:
            order._check_can_step(T.DELIVERED)
            if is_html_empty(order.results):
                raise UserError(
                    self.env._(
                        "%(order)s: write the results before delivering them.", order=order.name
                    )
                )
            order._do_step(T.DELIVERED, checked=True)

    def action_close(self):
        for order in self:
            order._check_can_step(T.CLOSED)
            missing = []
            if not order.leader_approved_date:
                missing.append(self.env._("the group leader's approval of the results"))
            if not order.pi_signed_date:
                missing.append(self.env._("the PI's opinion and sign-off"))
            if missing:
                raise UserError(
                    self.env._(
                        "Archive rule: %(order)s closes with a complete archive; missing: "
                        "%(missing)s.",
                        order=order.name,
                        missing=", ".join(missing),
                    )
                )
            order._do_step(T.CLOSED, checked=True)

    def action_cancel(self):
        self._step(T.CANCELLED)
        self.activity_unlink(
            [
                "core_facility.mail_activity_service_warning",
                "core_facility.mail_activity_service_escalation",
            ]
        )

    def _step(self, step, **vals):
        for order in self:
            order._do_step(step, **vals)

    def _do_step(self, step, note=None, checked=False, **vals):
        """Record ``step`` on one order: who and when checked, logged with the date and user,
        the state moved (the floating booking step leaves it), the commitment met."""
        order = ensure_single(self)
        if not checked:
            order._check_can_step(step)
        now = fields.Datetime.now()
        logged = order._log_step(step, at=now, note=note)
        floating = step in rules.FLOATING_STEPS.get(order.flow, ())
        if not floating:
            vals.setdefault("state", step)
        if step == rules.COMMITMENT_STEP.get(order.flow) and not order.commitment_done_date:
            vals["commitment_done_date"] = order._local_date(now)
        if vals:
            order._write_guarded(vals)
        return logged

    def _check_can_step(self, step):
        """Refuse ``step`` unless the user carries out the order (who) and it is the step that
        comes next (when)."""
        order = ensure_single(self)
        _ = self.env._
        if not order._is_staff():
            raise UserError(
                _(
                    "Service rule: %(step)s of %(order)s is recorded by the group leader of "
                    "%(type)s, the staff of its instruments or the facility manager.",
                    step=order._step_label(step),
                    order=order.name,
                    type=order.service_type_id.sudo().name,
                )
            )
        done = order._done_steps()
        allowed = rules.next_steps(order.flow, order.state, done)
        if step not in allowed:
            raise UserError(
                _(
                    "Service flow: %(order)s is at %(state)s; next comes %(allowed)s, not "
                    "%(step)s.",
                    order=order.name,
                    state=order._step_label(order.state),
                    allowed=", ".join(order._step_label(s) for s in allowed if s != T.CANCELLED)
                    or "-",
                    step=order._step_label(step),
                )
            )
        missing = rules.missing_before(order.flow, step, done)
        if missing:
            raise UserError(
                _(
                    "Service flow: %(step)s of %(order)s needs %(missing)s first.",
                    step=order._step_label(step),
                    order=order.name,
                    missing=", ".join(order._step_label(s) for s in missing),
                )
            )
        if step != T.CANCELLED and order.collaboration_id:
            order.collaboration_id.sudo()._check_agreements_signed()

    def _log_step(self, step, at=None, user=None, note=None):
        """The step's line in the archive: written by the order's actions only."""
        self.ensure_one()
        return (
            self.env["facility.service.step"]
            .sudo()
            .create(
                {
                    "order_id": self.id,
                    "step": step,
                    "date": at or fields.Datetime.now(),
                    "user_id": (user or self.env.user).id,
                    "note": note,
                }
            )
        )

    def _log_booked(self):
        """Instrument time booked for an EM order: the first linked booking records the step."""
        for order in self:
            if (
                order.booking_ids
                and order.flow == ServiceFlow.EM
                and T.BOOKED in rules.next_steps(order.flow, order.state, order._done_steps())
            ):
                # who was checked by write(): the staff link bookings
                order._do_step(T.BOOKED, checked=True)

    # -- actions: archive and commitment ------------------------------------------------------

    def action_approve_results(self):
        """The group leader approves the results (with his next-step advice)."""
        for order in self:
            leader = order.service_type_id.sudo().leader_id
            if self.env.user != leader and not self.env.user.has_group(FACILITY_MANAGER):
                raise UserError(
                    self.env._(
                        "Archive rule: the results of %(order)s are approved by the group "
                        "leader of %(type)s (%(leader)s).",
                        order=order.name,
                        type=order.service_type_id.sudo().name,
                        leader=leader.name or "-",
                    )
                )
            if is_html_empty(order.results) or order.leader_approved_date:
                raise UserError(
                    self.env._(
                        "%(order)s: there are no results to approve, or they were approved "
                        "already.",
                        order=order.name,
                    )
                )
            if order.state not in (T.PREPARATION, T.IMAGING, T.DELIVERED):
                raise UserError(
                    self.env._(
                        "%(order)s is at %(state)s: results are approved once the experiment is "
                        "done and before the order closes.",
                        order=order.name,
                        state=order._step_label(order.state),
                    )
                )
            order._write_guarded(
                {
                    "leader_approved_by_id": self.env.user.id,
                    "leader_approved_date": fields.Datetime.now(),
                }
            )

    def action_pi_sign(self):
        """The PI of the research group signs his opinion off (on the archive)."""
        for order in self:
            if order.pi_id != self.env.user:
                raise UserError(
                    self.env._(
                        "Archive rule: %(order)s is signed off by the PI of %(group)s.",
                        order=order.name,
                        group=order.research_group_id.sudo().name,
                    )
                )
            if order.state != T.DELIVERED or order.pi_signed_date or not order.pi_opinion:
                raise UserError(
                    self.env._(
                        "%(order)s: the PI signs once the results are delivered, with his "
                        "opinion written, and once only.",
                        order=order.name,
                    )
                )
            order._write_guarded(
                {"pi_signed_by_id": self.env.user.id, "pi_signed_date": fields.Datetime.now()}
            )

    def action_approve_deadline(self):
        """The director signs the negotiated deadline off: it replaces the default one."""
        if not self.env.user.has_group(FACILITY_MANAGER):
            raise UserError(
                self.env._("Commitment rule: a negotiated deadline is signed off by the director.")
            )
        for order in self:
            if (
                not order.negotiated_deadline
                or not order.negotiated_reason
                or order.negotiated_approved_date
                or order.state in rules.FINISHED_STEPS
            ):
                raise UserError(
                    self.env._(
                        "%(order)s: an open order with a negotiated deadline and its reason, not "
                        "yet signed off, is needed.",
                        order=order.name,
                    )
                )
            order._write_guarded(
                {
                    "negotiated_approved_by_id": self.env.user.id,
                    "negotiated_approved_date": fields.Datetime.now(),
                }
            )

    def action_view_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility.facility_complaint_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id}
        return action

    # -- business ------------------------------------------------------------------------------

    @api.model
    def _create_from_application(self, application):
        """The service order of an approved service application (called by its decision):
        registered and reviewed steps taken from the application; an external group's order is
        refused beyond the type's external capacity (ValidationError with the figures, by
        create)."""
        application.ensure_one()
        app = application.sudo()
        service_type = app.service_type_id
        if app.kind != ApplicationKind.SERVICE or not service_type:
            raise UserError(
                self.env._(
                    "%(application)s is not a service application with its service type: no "
                    "service order comes from it.",
                    application=app.name,
                )
            )
        decided = app.decision_date or fields.Datetime.now()
        order = (
            self.sudo()
            .with_context(facility_service_from_application=True)
            .create(
                {
                    "title": app.title,
                    "application_id": app.id,
                    "service_type_id": service_type.id,
                    "research_group_id": app.research_group_id.id,
                    "applicant_id": app.applicant_id.id,
                    "company_id": app.company_id.id,
                }
            )
        )
        order._log_step(T.REGISTERED, at=app.submit_date or app.create_date, user=app.applicant_id)
        order._log_step(T.REVIEWED, at=decided, user=app.decision_user_id or self.env.user)
        order._write_guarded({"state": T.REVIEWED, "approval_date": decided})
        if app.applicant_id:
            order.message_subscribe(partner_ids=app.applicant_id.partner_id.ids)
        return order.with_env(self.env)

    @api.model
    def _cron_commitments(self):
        """Daily: warn the responsible staff before a deadline; escalate a late order to the
        group leader and the director, once."""
        orders = self.search(
            [
                ("state", "not in", rules.FINISHED_STEPS),
                ("date_deadline", "!=", False),
                ("commitment_done_date", "=", False),
            ]
        )
        for order in orders:
            today = order._today()
            if rules.is_late(order.date_deadline, today):
                if not order.escalated_date:
                    order._escalate()
            elif not order.warned_date and rules.in_warning_window(
                order.date_deadline, today, order.service_type_id.warning_days
            ):
                order._warn()

    def _warn(self):
        for order in self:
            responsible = order.user_id or order.service_type_id.leader_id
            if responsible:
                order.activity_schedule(
                    "core_facility.mail_activity_service_warning",
                    date_deadline=order.date_deadline,
                    summary=self.env._(
                        "%(order)s is due on %(deadline)s",
                        order=order.name,
                        deadline=order.date_deadline,
                    ),
                    user_id=responsible.id,
                )
            order._write_guarded({"warned_date": order._today()})

    def _escalate(self):
        """A late order goes to the group leader and the director: an activity each and a
        message; recorded once (escalated_date)."""
        for order in self:
            today = order._today()
            people = order.service_type_id.leader_id | order.company_id.facility_director_id
            message = self.env._(
                "Commitment broken: %(order)s (%(type)s, %(group)s) was due on %(deadline)s and "
                "is %(days)s days late.",
                order=order.name,
                type=order.service_type_id.name,
                group=order.research_group_id.name,
                deadline=order.date_deadline,
                days=-rules.days_left(order.date_deadline, today),
            )
            for person in people:
                order.activity_schedule(
                    "core_facility.mail_activity_service_escalation",
                    summary=message[:250],
                    user_id=person.id,
                )
            if people:
                order.message_subscribe(partner_ids=people.partner_id.ids)
            order.message_post(
                body=message,
                partner_ids=people.partner_id.ids,
                subtype_xmlid="mail.mt_note",
            )
            order._write_guarded({"escalated_date": fields.Datetime.now()})
