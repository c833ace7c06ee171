from datetime import timedelta

import pytz
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import mute_logger

from ..rules import integrity
from ..rules.codes import COUNTED_VIOLATION_STATES, BookingState, ViolationState
from .access import FACILITY_MANAGER, INSTRUMENT_MANAGER, field_labels, is_permitted
from .rule_messages import RuleText

# What a violation is: fixed once recorded (a wrong one is withdrawn, never edited or deleted).
IDENTITY_FIELDS = {
    "name",
    "type_id",
    "class_id",
    "research_group_id",
    "user_id",
    "date",
    "booking_id",
    "source_key",
    "recorded_by_id",
    "company_id",
}
# The contest and the decision: only through the actions.
GUARDED_FIELDS = (
    "state",
    "contest_reason",
    "contested_by_id",
    "contest_date",
    "decided_by_id",
    "decision_note",
    "decision_date",
)


class FacilityViolation(models.Model):
    """A violation (违规) of a research group's member, deducted from the group's integrity
    ledger (seed 000, 附件4): recorded by staff or by :meth:`record_violation` from what the
    system knows (bookings, IoT, billing, publications). Contested by the PI, withdrawn or upheld
    by a facility manager; never deleted: a withdrawn violation stays visible and stops counting.
    """

    _name = "facility.violation"
    _description = "Violation"
    _inherit = ["mail.thread", "mail.activity.mixin", "facility.guarded.mixin"]
    _order = "date desc, id desc"

    _guarded_fields = GUARDED_FIELDS

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    type_id = fields.Many2one(
        "facility.violation.type", string="Violation", required=True, index=True, tracking=True
    )
    class_id = fields.Many2one(
        "facility.violation.class",
        compute="_compute_class_id",
        precompute=True,
        store=True,
        readonly=False,
        required=True,
        index=True,
        tracking=True,
        help="The class sets the deduction and the ladder; by default the type's.",
    )
    track = fields.Selection(related="class_id.track", store=True, string="Ladder")
    points = fields.Integer(
        string="Deduction",
        compute="_compute_points",
        precompute=True,
        store=True,
        help="Points deducted, copied from the class when the violation is recorded.",
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True, tracking=True)
    year = fields.Integer(
        compute="_compute_year",
        precompute=True,
        store=True,
        index=True,
        aggregator=False,
        help="The ledger year: the date's year in the facility's time zone.",
    )
    research_group_id = fields.Many2one(
        "facility.research.group", required=True, index=True, ondelete="restrict", tracking=True
    )
    pi_id = fields.Many2one(related="research_group_id.pi_id", string="PI")
    user_id = fields.Many2one("res.users", string="Person", index=True, tracking=True)
    description = fields.Text()
    measure = fields.Text(
        compute="_compute_measure",
        store=True,
        readonly=False,
        precompute=True,
        help="The measure taken (措施).",
    )
    attachment_ids = fields.Many2many("ir.attachment", string="Evidence")
    recorded_by_id = fields.Many2one(
        "res.users", string="Recorded By", readonly=True, default=lambda self: self.env.user
    )
    source = fields.Selection(related="type_id.source", store=True)
    source_key = fields.Char(index=True, copy=False, readonly=True)
    booking_id = fields.Many2one("facility.booking", index=True, ondelete="set null")
    state = fields.Selection(
        [
            (ViolationState.RECORDED, "Recorded"),
            (ViolationState.CONTESTED, "Contested"),
            (ViolationState.UPHELD, "Upheld"),
            (ViolationState.WITHDRAWN, "Withdrawn"),
        ],
        default=ViolationState.RECORDED,
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    is_counted = fields.Boolean(
        string="Counted", compute="_compute_is_counted", precompute=True, store=True, index=True
    )
    contest_reason = fields.Text(readonly=True, copy=False)
    contested_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    contest_date = fields.Datetime(string="Contested On", readonly=True, copy=False)
    decided_by_id = fields.Many2one("res.users", string="Decided By", readonly=True, copy=False)
    decision_note = fields.Text(string="Decision", readonly=True, copy=False)
    decision_date = fields.Datetime(string="Decided On", readonly=True, copy=False)
    can_contest = fields.Boolean(compute="_compute_can")
    can_decide = fields.Boolean(compute="_compute_can")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        ("source_key_unique", "UNIQUE(source_key)", "This violation was already recorded."),
    ]

    # -- computes --------------------------------------------------------------------------------

    @api.depends("type_id")
    def _compute_class_id(self):
        for violation in self:
            if not violation.class_id or violation._origin.type_id != violation.type_id:
                violation.class_id = violation.type_id.class_id

    @api.depends("class_id")  # not class_id.points: a class edited later leaves the past alone
    def _compute_points(self):
        for violation in self:
            violation.points = violation.class_id.points

    @api.depends("date", "company_id")
    def _compute_year(self):
        for violation in self:
            violation.year = (
                integrity.year_of(violation.date, violation.company_id._facility_tz())
                if violation.date
                else 0
            )

    @api.depends("type_id")
    def _compute_measure(self):
        for violation in self:
            if not violation.measure:
                violation.measure = violation.type_id.measure

    @api.depends("state")
    def _compute_is_counted(self):
        for violation in self:
            violation.is_counted = violation.state in COUNTED_VIOLATION_STATES

    @api.depends("state", "research_group_id")
    @api.depends_context("uid")
    def _compute_can(self):
        user = self.env.user
        manager = user.has_group(FACILITY_MANAGER)
        for violation in self:
            violation.can_contest = (
                violation.state == ViolationState.RECORDED
                and violation.sudo().research_group_id.pi_id == user
            )
            violation.can_decide = manager and violation.state in (
                ViolationState.RECORDED,
                ViolationState.CONTESTED,
            )

    # -- constraints -----------------------------------------------------------------------------

    @api.constrains("user_id", "research_group_id")
    def _check_member(self):
        for violation in self:
            group = violation.sudo().research_group_id
            if violation.user_id and violation.user_id not in group._all_members():
                raise ValidationError(
                    self.env._(
                        "Violation rule: %(user)s is not a member of research group %(group)s.",
                        user=violation.user_id.name,
                        group=group.name,
                    )
                )

    # -- CRUD ------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        Sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = Sequence.next_by_code("facility.violation") or "/"
            if not is_permitted(self):
                vals.pop("source_key", None)  # only record_violation() keys a violation
        violations = super().create(vals_list)
        violations._notify_recorded()
        violations._ledger_changed()
        return violations

    def write(self, vals):
        fixed = IDENTITY_FIELDS & set(vals)
        if fixed and not is_permitted(self):
            raise UserError(
                self.env._(
                    "Violation rule: %(fields)s of a recorded violation do not change; a facility "
                    "manager withdraws a wrong violation and staff record the right one.",
                    fields=field_labels(self, fixed),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "Violations are records of the integrity ledger and are never deleted: a facility "
                "manager withdraws a wrong one, which then stops counting."
            )
        )

    # -- actions (buttons) -----------------------------------------------------------------------

    def action_contest(self):
        self._check_can_contest()
        return self._open_wizard("contest", self.env._("Contest Violation"))

    def action_withdraw(self):
        self._check_can_decide()
        return self._open_wizard("withdraw", self.env._("Withdraw Violation"))

    def action_uphold(self):
        self._check_can_decide((ViolationState.CONTESTED,))
        return self._open_wizard("uphold", self.env._("Uphold Violation"))

    def _open_wizard(self, decision, title):
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": "facility.violation.decision.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_violation_ids": self.ids, "default_decision": decision},
        }

    # -- transitions -----------------------------------------------------------------------------

    def _contest(self, reason):
        """The PI contests the violations with ``reason``: they keep counting until withdrawn."""
        self._check_can_contest()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Contest rule: give the reason you contest it."))
        for violation in self:
            violation.sudo()._write_guarded(
                {
                    "state": ViolationState.CONTESTED,
                    "contest_reason": reason,
                    "contested_by_id": self.env.uid,
                    "contest_date": fields.Datetime.now(),
                }
            )
            managers = self.env.ref(FACILITY_MANAGER).sudo().users.filtered("active")
            violation.sudo().message_post(
                body=self.env._("Contested by the PI: %(reason)s", reason=reason),
                partner_ids=managers.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )

    def _withdraw(self, note):
        """A facility manager withdraws the violations: they stay on record, marked withdrawn,
        and give their points back."""
        self._check_can_decide()
        self._decide(ViolationState.WITHDRAWN, note)
        self._ledger_changed()

    def _uphold(self, note):
        """A facility manager upholds contested violations: they keep counting."""
        self._check_can_decide((ViolationState.CONTESTED,))
        self._decide(ViolationState.UPHELD, note)

    def _decide(self, state, note):
        note = (note or "").strip()
        if not note:
            raise UserError(self.env._("Decision rule: give the reason of the decision."))
        for violation in self:
            violation.sudo()._write_guarded(
                {
                    "state": state,
                    "decided_by_id": self.env.uid,
                    "decision_note": note,
                    "decision_date": fields.Datetime.now(),
                }
            )
            violation._post_to_concerned(
                lambda v, _: _(
                    "%(reference)s was %(decision)s: %(note)s",
                    reference=v.name,
                    decision=v._state_label(),
                    note=note,
                )
            )

    def _check_can_contest(self):
        user = self.env.user
        for violation in self:
            group = violation.sudo().research_group_id
            if group.pi_id != user:
                raise UserError(
                    self.env._(
                        "Contest rule: only the PI of %(group)s contests its violations.",
                        group=group.name,
                    )
                )
            if violation.state != ViolationState.RECORDED:
                raise UserError(
                    self.env._(
                        "Contest rule: %(reference)s is %(state)s; only a recorded violation can "
                        "be contested, once.",
                        reference=violation.name,
                        state=violation._state_label(),
                    )
                )

    def _check_can_decide(self, states=(ViolationState.RECORDED, ViolationState.CONTESTED)):
        if not self.env.user.has_group(FACILITY_MANAGER):
            raise UserError(
                self.env._("Decision rule: only a facility manager withdraws or upholds.")
            )
        for violation in self:
            if violation.state not in states:
                raise UserError(
                    self.env._(
                        "Decision rule: %(reference)s is %(state)s and cannot be decided again.",
                        reference=violation.name,
                        state=violation._state_label(),
                    )
                )

    # -- business methods ------------------------------------------------------------------------

    @api.model
    def record_violation(
        self,
        research_group,
        user,
        type_code,
        when=None,
        description=None,
        source_key=None,
        booking=None,
        class_code=None,
    ):
        """Record a violation: the one way other code (bookings, IoT, billing, publications)
        records one.

        :param research_group: the ``facility.research.group`` whose ledger is deducted
        :param user: the ``res.users`` who committed it (may be empty: the group as a whole)
        :param type_code: the code of a ``facility.violation.type`` (``no_show``,
            ``late_cancel``, ``under_use``, ``no_booking``, ``unpaid_fees``,
            ``acknowledgement``… see data/facility_violation_data.xml)
        :param when: naive UTC datetime of the facts (default now); sets the ledger year in the
            facility's zone
        :param source_key: what the violation is about, e.g. ``booking:42:no_show``: a second call
            with the same key records nothing and returns the first violation
        :param class_code: a ``facility.violation.class`` code instead of the type's class
        :return: the violation; empty only when a concurrent transaction recorded the same key
            and committed after this one started (it is then on record, once)

        Server code (``sudo()``), instrument managers and facility managers may call it.
        """
        if not self.env.su and not self.env.user.has_group(INSTRUMENT_MANAGER):
            raise AccessError(self.env._("Only staff record violations."))
        Violation = self.sudo().with_context(active_test=False)
        if source_key:
            existing = Violation.search([("source_key", "=", source_key)], limit=1)
            if existing:
                return self.browse(existing.id)
        vtype = Violation.env["facility.violation.type"].search([("code", "=", type_code)])
        if not vtype:
            raise UserError(
                self.env._("Violation rule: there is no violation type %(code)s.", code=type_code)
            )
        vclass = vtype.class_id
        if class_code:
            vclass = Violation.env["facility.violation.class"].search([("code", "=", class_code)])
            if not vclass:
                raise UserError(
                    self.env._(
                        "Violation rule: there is no violation class %(code)s.", code=class_code
                    )
                )
        vals = {
            "type_id": vtype.id,
            "class_id": vclass.id,
            "research_group_id": research_group.id,
            "user_id": user.id if user else False,
            "date": when or fields.Datetime.now(),
            "description": description or False,
            "source_key": source_key or False,
            "booking_id": booking.id if booking else False,
            "company_id": research_group.sudo().company_id.id or self.env.company.id,
        }
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                violation = Violation._guard_context().create(vals)
        except pg_errors.UniqueViolation:
            # recorded by a concurrent transaction: read it (invisible if it committed after
            # this transaction's snapshot; it is on record all the same)
            return self.browse(Violation.search([("source_key", "=", source_key)], limit=1).id)
        return self.browse(violation.id)

    @api.model
    def _cron_record_booking_violations(self, days=400):
        """Safety net of the booking transitions: record the violations of wasted time of the
        last ``days`` days that are not on record yet (bookings loaded or finished before this
        addon recorded them). Running it twice records nothing more."""
        since = fields.Datetime.now() - timedelta(days=days)
        bookings = (
            self.env["facility.booking"]
            .sudo()
            .search(
                [
                    ("date_start", ">=", since),
                    "|",
                    "|",
                    ("state", "=", BookingState.NO_SHOW),
                    "&",
                    ("state", "=", BookingState.CANCELLED),
                    ("is_late_cancellation", "=", True),
                    "&",
                    ("state", "=", BookingState.DONE),
                    ("is_underuse", "=", True),
                ]
            )
        )
        bookings._record_violations()

    def _ledger_changed(self):
        """Called whenever violations start or stop counting: the ladders act on it."""
        self.env["facility.sanction"]._apply_ladder(self)

    def _notify_recorded(self):
        """Tell the person and the group's PI, each in their language; they follow it."""
        for violation in self.sudo():
            violation.message_subscribe(violation._concerned().partner_id.ids)
            violation._post_to_concerned(
                lambda v, _: _(
                    "Violation %(reference)s recorded for %(group)s: %(type)s on %(date)s "
                    "(%(person)s), %(points)s points deducted (%(category)s); %(remaining)s points "
                    "remain for %(year)s. The PI may contest it with a reason.",
                    reference=v.name,
                    group=v.research_group_id.name,
                    type=v.type_id.name,
                    date=RuleText(v.env, v._tz()).utc(v.date),
                    person=v.user_id.name or "-",
                    points=v.points,
                    category=v.class_id.name,
                    remaining=v.research_group_id._integrity_ledger(v.year).remaining,
                    year=v.year,
                )
            )

    def _post_to_concerned(self, body):
        """Post ``body(violation, _)`` to the person and the PI, one message per language."""
        self.ensure_one()
        by_lang = {}
        for user in self._concerned():
            by_lang.setdefault(user.lang or "en_US", self.env["res.users"])
            by_lang[user.lang or "en_US"] |= user
        for lang, users in by_lang.items():
            violation = self.sudo().with_context(lang=lang)
            violation.message_post(
                body=body(violation, violation.env._),
                partner_ids=users.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )

    def _concerned(self):
        """The person and the group's PI."""
        self.ensure_one()
        return (self.user_id | self.sudo().research_group_id.pi_id).filtered("active")

    def _tz(self):
        return pytz.timezone(self.company_id._facility_tz())

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env)).get(self.state, "")
