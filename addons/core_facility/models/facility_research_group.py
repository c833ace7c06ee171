from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..rules import integrity
from ..rules.codes import IntegrityGrade, ViolationTrack
from .access import (
    FACILITY_MANAGER,
    FINANCE,
    INSTRUMENT_MANAGER,
    ensure_single,
    field_labels,
    is_permitted,
)

# Who may write which field, besides the superuser (see _check_update).
STATE_FIELDS = {"state", "state_reason", "state_date_from", "state_date_to"}
BILLING_FIELDS = {"partner_id"}  # the facility manager and finance
PI_FIELDS = {"name", "note", "color"}  # the facility manager and the group's PI
MEMBER_FIELDS = {"member_ids"}  # the facility manager, instrument managers, the PI (restricted)
# Who reads every group's integrity points and grade (members read their own group's).
INTEGRITY_READERS = (
    FACILITY_MANAGER,
    INSTRUMENT_MANAGER,
    FINANCE,
    "core_facility.group_facility_reviewer",
)
# Mail's own fields (followers, activities, main attachment) follow the usual access rights.
MAIL_PREFIXES = ("message_", "activity_")


class FacilityResearchGroup(models.Model):
    """A research group (课题组): a PI, members, a category and the partner that is billed."""

    _name = "facility.research.group"
    _description = "Research Group"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(tracking=True)
    pi_id = fields.Many2one(
        "res.users",
        string="Principal Investigator",
        required=True,
        tracking=True,
        index=True,
        help="Head of the group (课题组长 / PI). The PI is always a member.",
    )
    member_ids = fields.Many2many(
        "res.users",
        "facility_research_group_member_rel",
        "group_id",
        "user_id",
        string="Members",
    )
    member_count = fields.Integer(compute="_compute_member_count")
    category = fields.Selection(
        [("internal", "Internal"), ("external", "External")],
        required=True,
        default="internal",
        tracking=True,
        help="Internal groups belong to the institution (区域中心内/校内); external groups come "
        "from other institutions or companies (区域中心外/校外).",
    )
    unit_id = fields.Many2one(
        "facility.unit",
        tracking=True,
        help="Unit the group belongs to; its head signs the assessments of the group's users.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Billing Partner",
        tracking=True,
        help="Partner to whom the group's charges are billed (its institution or company).",
    )
    state = fields.Selection(
        [("active", "Active"), ("suspended", "Suspended"), ("blacklisted", "Blacklisted")],
        string="Status",
        required=True,
        default="active",
        tracking=True,
        copy=False,
    )
    state_reason = fields.Text(string="Status Reason", tracking=True, copy=False)
    state_date_from = fields.Date(string="Restricted From", tracking=True, copy=False)
    state_date_to = fields.Date(
        string="Restricted Until",
        tracking=True,
        copy=False,
        help="Last day of the suspension; empty for an open-ended restriction.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    color = fields.Integer()
    active = fields.Boolean(default=True)
    note = fields.Html()
    integrity_year = fields.Integer(
        string="Ledger Year", compute="_compute_integrity", compute_sudo=True
    )
    integrity_points = fields.Integer(
        string="Integrity Points",
        compute="_compute_integrity",
        compute_sudo=True,
        help="Points remaining this year of the yearly integrity points (附件4), after the "
        "counted violations. Shown to the group's members, the staff, finance and reviewers.",
    )
    integrity_grade = fields.Selection(
        [
            (IntegrityGrade.EXCELLENT, "Excellent"),
            (IntegrityGrade.GOOD, "Good"),
            (IntegrityGrade.FAIR, "Fair"),
            (IntegrityGrade.POOR, "Poor"),
        ],
        compute="_compute_integrity",
        compute_sudo=True,
        help="The grade the remaining points and this year's violations give under the "
        "configured thresholds; the year's final grade is the one at its end.",
    )
    violation_count = fields.Integer(
        string="Violations",
        compute="_compute_integrity",
        compute_sudo=True,
        help="Violations counted this year.",
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "A research group code must be unique within a company.",
        ),
    ]

    @api.depends("member_ids")
    def _compute_member_count(self):
        for group in self:
            group.member_count = len(group.member_ids)

    @api.depends_context("uid")
    def _compute_integrity(self):
        user = self.env.user
        reader = any(user.has_group(group) for group in INTEGRITY_READERS)
        year = integrity.year_of(fields.Datetime.now(), self.env.company._facility_tz())
        ledgers = self._integrity_ledgers(year)
        for group in self:
            shown = reader or user in group._all_members()
            ledger, grade = ledgers[group.id] if group.id in ledgers else (None, False)
            group.integrity_year = year
            group.integrity_points = ledger.remaining if shown and ledger else 0
            group.integrity_grade = grade if shown else False
            group.violation_count = ledger.count if shown and ledger else 0

    @api.constrains("state", "state_reason", "state_date_from", "state_date_to")
    def _check_state(self):
        for group in self:
            if group.state != "active" and not (group.state_reason or "").strip():
                raise ValidationError(
                    self.env._(
                        "Research group %(group)s: a suspension or blacklisting needs a reason.",
                        group=group.name,
                    )
                )
            if (
                group.state_date_from
                and group.state_date_to
                and group.state_date_to < group.state_date_from
            ):
                raise ValidationError(
                    self.env._(
                        "Research group %(group)s: the restriction cannot end before it starts.",
                        group=group.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not is_permitted(self):
            for vals in vals_list:
                restricted = {f for f in STATE_FIELDS if vals.get(f)} - {"state"}
                if restricted or vals.get("state", "active") != "active":
                    raise UserError(
                        self.env._(
                            "Status rule: a new research group starts active; a facility manager "
                            "suspends or blacklists it with the Change Status action."
                        )
                    )
        groups = super().create(vals_list)
        groups._ensure_pi_is_member()
        self.env["res.users"].invalidate_model(["facility_group_ids"])
        return groups

    def write(self, vals):
        self.check_access("write")  # no write access at all: the plain access error first
        self._check_update(vals)
        before = None
        if "member_ids" in vals and not self.env.su:
            before = {group.id: group._all_members() for group in self}
        res = super().write(vals)
        if "pi_id" in vals or "member_ids" in vals:
            self._ensure_pi_is_member()
        if before is not None:
            self._check_membership_change(before)
        if {"pi_id", "member_ids", "active"} & set(vals):
            self.env["res.users"].invalidate_model(["facility_group_ids"])
        return res

    def unlink(self):
        res = super().unlink()
        self.env["res.users"].invalidate_model(["facility_group_ids"])
        return res

    def action_change_state(self):
        ensure_single(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change Status"),
            "res_model": "facility.research.group.state.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_group_id": self.id, "default_state": self.state},
        }

    def _ensure_pi_is_member(self):
        """Link each group's PI as a member, archived or not (an archived PI is still the PI)."""
        for group in self:
            if group.pi_id and group.pi_id not in group._all_members():
                group.write({"member_ids": [Command.link(group.pi_id.id)]})

    def _all_members(self):
        """Members including archived users (``member_ids`` hides them)."""
        self.ensure_one()
        group = self.sudo().with_context(active_test=False)
        group.invalidate_recordset(["member_ids"])  # the cache may hold the active ones only
        return group.member_ids

    def _check_update(self, vals):
        """Who may change what, whatever the client (hr_leave's ``_check_approval_update``):

        - the status, its reason and period: only through the Change Status wizard;
        - the billing partner: a facility manager or finance;
        - name, notes and colour: a facility manager or the group's PI;
        - members: a facility manager, an instrument manager or the group's PI (who may only add
          users of no other group, see :meth:`_check_membership_change`);
        - every other field (PI, category, unit, code, company, archiving): a facility manager.
        """
        if self.env.su:
            return
        names = set(vals)
        problems = []
        state_fields = names & STATE_FIELDS
        if state_fields and not is_permitted(self):
            for group in self:
                problems.append(
                    self.env._(
                        "Status rule: %(fields)s of research group %(group)s change only through "
                        "a facility manager's Change Status action.",
                        fields=field_labels(self, state_fields),
                        group=group.name,
                    )
                )
        user = self.env.user
        if not user.has_group(FACILITY_MANAGER):
            names = {n for n in names - STATE_FIELDS if not n.startswith(MAIL_PREFIXES)}
            billing = names & BILLING_FIELDS
            pi_fields = names & PI_FIELDS
            managed = names - BILLING_FIELDS - PI_FIELDS - MEMBER_FIELDS
            for group in self:
                if managed:
                    problems.append(
                        self.env._(
                            "Research group rule: only a facility manager can change the "
                            "%(fields)s of %(group)s.",
                            fields=field_labels(self, managed),
                            group=group.name,
                        )
                    )
                if billing and not user.has_group(FINANCE):
                    problems.append(
                        self.env._(
                            "Research group rule: only a facility manager or finance can change "
                            "the %(fields)s of %(group)s.",
                            fields=field_labels(self, billing),
                            group=group.name,
                        )
                    )
                is_pi = group.sudo().pi_id == user
                if pi_fields and not is_pi:
                    problems.append(
                        self.env._(
                            "Research group rule: only the PI of %(group)s or a facility manager "
                            "can change its %(fields)s.",
                            fields=field_labels(self, pi_fields),
                            group=group.name,
                        )
                    )
                if "member_ids" in names and not (is_pi or user.has_group(INSTRUMENT_MANAGER)):
                    problems.append(
                        self.env._(
                            "Membership rule: only a facility manager, an instrument manager or "
                            "the PI of %(group)s can change its members.",
                            group=group.name,
                        )
                    )
        if problems:
            raise UserError("\n".join(dict.fromkeys(problems)))

    def _check_membership_change(self, before):
        """A PI removes members of the group and adds only users who belong to no other research
        group: taking a member of another group is for the facility manager or the instrument
        managers, who run intake."""
        user = self.env.user
        if user.has_group(FACILITY_MANAGER) or user.has_group(INSTRUMENT_MANAGER):
            return
        problems = []
        for group in self:
            added = group._all_members() - before[group.id] - group.sudo().pi_id
            if not added:
                continue
            elsewhere = (
                self.sudo()
                .search([("id", "!=", group.id), ("member_ids", "in", added.ids)])
                .with_context(active_test=False)
                .member_ids
            )
            for member in added & elsewhere:
                problems.append(
                    self.env._(
                        "Membership rule: %(user)s already belongs to another research group; "
                        "only a facility manager or an instrument manager can add them to "
                        "%(group)s.",
                        user=member.name,
                        group=group.name,
                    )
                )
        if problems:
            raise UserError("\n".join(problems))

    def action_view_violations(self):
        """The group's violations, all years (those the user may read)."""
        ensure_single(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility.facility_violation_action"
        )
        action["domain"] = [("research_group_id", "=", self.id)]
        action["context"] = {"search_default_this_year": 1}
        return action

    def _integrity_ledger(self, year):
        """The group's :class:`~..rules.integrity.Ledger` of ``year`` (its counted violations,
        whoever reads). Other addons ask it, e.g. for the booking priority."""
        self.ensure_one()
        return self._integrity_ledgers(year)[self.id][0]

    def _integrity_grade(self, year):
        """The group's integrity grade of ``year`` under the configured thresholds."""
        self.ensure_one()
        return self._integrity_ledgers(year)[self.id][1]

    def _integrity_ledgers(self, year):
        """``{group id: (Ledger, grade)}`` of ``year`` for these groups, in one query."""
        rows = (
            self.env["facility.violation"]
            .sudo()
            ._read_group(
                [
                    ("research_group_id", "in", self.ids),
                    ("year", "=", year),
                    ("is_counted", "=", True),
                ],
                ["research_group_id", "track"],
                ["points:sum", "__count"],
            )
        )
        sums = {}  # group id: [deducted, count, serious]
        for group, track, points, count in rows:
            total = sums.setdefault(group.id, [0, 0, 0])
            total[0] += points
            total[1] += count
            total[2] += count if track == ViolationTrack.SERIOUS else 0
        thresholds = self.env["facility.integrity.grade"]._thresholds()
        result = {}
        for group in self:
            company = group.sudo().company_id or self.env.company
            deducted, count, serious = sums.get(group.id, (0, 0, 0))
            ledger = integrity.Ledger(company.facility_integrity_points, deducted, count, serious)
            grade = integrity.grade(ledger.remaining, ledger.serious, thresholds)
            result[group.id] = (ledger, grade)
        return result

    def _is_restricted_on(self, day):
        """Whether the group may not use the facility on ``day`` (a date)."""
        self.ensure_one()
        if self.state == "active":
            return False
        if self.state_date_from and day < self.state_date_from:
            return False
        return not (self.state_date_to and day > self.state_date_to)
