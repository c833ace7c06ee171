from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError


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
        groups = super().create(vals_list)
        groups._ensure_pi_is_member()
        return groups

    def write(self, vals):
        res = super().write(vals)
        if "pi_id" in vals or "member_ids" in vals:
            self._ensure_pi_is_member()
        return res

    def action_change_state(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change Status"),
            "res_model": "facility.research.group.state.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_group_id": self.id, "default_state": self.state},
        }

    def _ensure_pi_is_member(self):
        for group in self:
            if group.pi_id and group.pi_id not in group.member_ids:
                group.member_ids = [Command.link(group.pi_id.id)]

    def _is_restricted_on(self, day):
        """Whether the group may not use the facility on ``day`` (a date)."""
        self.ensure_one()
        if self.state == "active":
            return False
        if self.state_date_from and day < self.state_date_from:
            return False
        return not (self.state_date_to and day > self.state_date_to)
