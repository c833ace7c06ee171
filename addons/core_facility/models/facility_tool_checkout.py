from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..rules import checkout as rules
from .access import INSTRUMENT_MANAGER, ensure_single

# fields that describe what was lent: fixed once the tool is back
LENT_FIELDS = {"tool_id", "user_id", "research_group_id", "date_out", "date_due"}


class FacilityToolCheckout(models.Model):
    """Who took which tool or key, when, until when, and how it came back.

    Staff hand a tool out (create) and check it back in (:meth:`action_return`), saying whether it
    came back complete. A tool is out to one borrower at a time: a partial unique index on the
    open checkouts holds this even for two staff members lending the same kit at once.
    """

    _name = "facility.tool.checkout"
    _description = "Tool Checkout"
    _inherit = ["mail.thread", "mail.activity.mixin", "facility.guarded.mixin"]
    _order = "date_out desc, id desc"
    _guarded_fields = (
        "state",
        "date_returned",
        "returned_complete",
        "checked_by_id",
        "overdue_notified",
    )

    tool_id = fields.Many2one(
        "facility.tool", required=True, index=True, tracking=True, ondelete="restrict"
    )
    tool_kind = fields.Selection(related="tool_id.kind")
    instrument_id = fields.Many2one(related="tool_id.instrument_id")
    responsible_id = fields.Many2one(related="tool_id.responsible_id")
    user_id = fields.Many2one(
        "res.users",
        string="Borrower",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        domain=[("share", "=", False)],
    )
    research_group_id = fields.Many2one(
        "facility.research.group",
        compute="_compute_research_group_id",
        store=True,
        precompute=True,
        readonly=False,
        index=True,
        tracking=True,
        ondelete="restrict",
    )
    date_out = fields.Datetime(
        string="Checked Out", required=True, default=fields.Datetime.now, tracking=True
    )
    date_due = fields.Datetime(
        string="Due Back",
        compute="_compute_date_due",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        tracking=True,
    )
    date_returned = fields.Datetime(string="Returned", readonly=True, copy=False, tracking=True)
    returned_complete = fields.Boolean(readonly=True, copy=False, tracking=True)
    return_note = fields.Text(
        string="Missing or Damaged",
        tracking=True,
        help="What was missing or damaged when the tool came back.",
    )
    checked_by_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)
    state = fields.Selection(
        [("out", "Out"), ("returned", "Returned")],
        required=True,
        default="out",
        readonly=True,
        copy=False,
        tracking=True,
    )
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    overdue_notified = fields.Datetime(
        string="Overdue Notice Sent",
        readonly=True,
        copy=False,
        help="When the borrower and the tool's responsible were asked to bring it back.",
    )
    purpose = fields.Char()

    def init(self):
        """One open checkout per tool, even for two staff members lending it at once."""
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS facility_tool_checkout_one_open "
            "ON facility_tool_checkout (tool_id) WHERE state = 'out'"
        )

    @api.depends("user_id")
    def _compute_research_group_id(self):
        for checkout in self:
            groups = checkout.user_id.sudo().facility_group_ids
            if checkout.research_group_id not in groups:
                checkout.research_group_id = groups[:1]

    @api.depends("tool_id", "date_out")
    def _compute_date_due(self):
        for checkout in self:
            if checkout.date_out and not checkout.date_due:
                checkout.date_due = rules.default_due(
                    checkout.date_out, checkout.tool_id.loan_hours
                )

    @api.depends("date_due", "date_returned")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for checkout in self:
            checkout.is_overdue = rules.is_overdue(checkout.date_due, checkout.date_returned, now)

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search overdue checkouts with = or != and yes or no."))
        overdue = [("state", "=", "out"), ("date_due", "<", fields.Datetime.now())]
        if (operator == "=") == value:
            return overdue
        return ["!", "&", *overdue]

    def _compute_display_name(self):
        for checkout in self:
            checkout.display_name = self.env._(
                "%(tool)s to %(borrower)s",
                tool=checkout.tool_id.display_name or "",
                borrower=checkout.user_id.name or "",
            )

    @api.constrains("date_out", "date_due")
    def _check_dates(self):
        for checkout in self:
            if checkout.date_due <= checkout.date_out:
                raise ValidationError(
                    self.env._(
                        "%(checkout)s must be due back after it was checked out.",
                        checkout=checkout.display_name,
                    )
                )

    @api.constrains("user_id", "research_group_id")
    def _check_research_group(self):
        for checkout in self:
            group = checkout.research_group_id.sudo()
            if group and checkout.user_id not in group.member_ids | group.pi_id:
                raise ValidationError(
                    self.env._(
                        "%(borrower)s is not a member of %(group)s.",
                        borrower=checkout.user_id.name,
                        group=group.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        """Lend tools: refused, naming the borrower, when a tool is already out."""
        Tool = self.env["facility.tool"]
        for vals in vals_list:
            tool = Tool.browse(vals.get("tool_id"))
            if tool.exists() and tool.sudo().current_checkout_id:
                raise ValidationError(self._already_out_message(tool.sudo().current_checkout_id))
        # returns made in this transaction reach the index before the new loans
        self.flush_model(["state"])
        try:
            with self.env.cr.savepoint(flush=False):
                checkouts = super().create(vals_list)
                self.env.flush_all()
        except pg_errors.UniqueViolation:
            raise ValidationError(self._already_out_message_concurrent(vals_list)) from None
        return checkouts

    def write(self, vals):
        if LENT_FIELDS & set(vals) and "returned" in self.sudo().mapped("state"):
            raise UserError(
                self.env._("A returned checkout is a record: what was lent no longer changes.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_out(self):
        if "returned" in self.mapped("state"):
            raise UserError(
                self.env._("A returned checkout is a record of who had the tool: keep it.")
            )

    def action_return(self, complete=True):
        """Check the tool back in (staff): ``complete`` says whether every part came back; when
        not, the note says what was missing or damaged."""
        checkout = ensure_single(self)
        if not self.env.user.has_group(INSTRUMENT_MANAGER):
            raise AccessError(
                self.env._("Only the facility's staff check returned tools for completeness.")
            )
        if checkout.state != "out":
            raise UserError(
                self.env._(
                    "%(checkout)s was already returned on %(date)s.",
                    checkout=checkout.display_name,
                    date=checkout._local(checkout.date_returned),
                )
            )
        if not complete and not (checkout.return_note or "").strip():
            raise UserError(
                self.env._(
                    "Say what was missing or damaged on %(checkout)s before recording an "
                    "incomplete return.",
                    checkout=checkout.display_name,
                )
            )
        checkout._write_guarded(
            {
                "state": "returned",
                "date_returned": fields.Datetime.now(),
                "returned_complete": bool(complete),
                "checked_by_id": self.env.user.id,
            }
        )
        checkout.activity_ids.action_feedback(feedback=self.env._("Returned"))
        return True

    def action_return_incomplete(self):
        return self.action_return(complete=False)

    @api.model
    def _cron_flag_overdue(self):
        """Ask the borrower and the tool's responsible to bring back overdue tools, once."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        overdue = self.search([("is_overdue", "=", True), ("overdue_notified", "=", False)])
        for checkout in overdue:
            users = checkout.user_id | checkout.tool_id.responsible_id
            existing = checkout.activity_ids.filtered(lambda a: a.activity_type_id == todo).user_id
            for user in users - existing:
                # in the words of the person asked
                local = checkout.with_context(lang=user.lang, tz=user.tz or "Asia/Shanghai")
                local.activity_schedule(
                    activity_type_id=todo.id,
                    summary=local.env._(
                        "Overdue: return %(tool)s", tool=local.tool_id.display_name
                    ),
                    note=local.env._(
                        "%(tool)s was due back on %(date)s.",
                        tool=local.tool_id.display_name,
                        date=local._local(local.date_due),
                    ),
                    user_id=user.id,
                )
            checkout._write_guarded({"overdue_notified": fields.Datetime.now()})
        return overdue

    def _already_out_message(self, current):
        return self.env._(
            "%(tool)s is already checked out to %(borrower)s since %(date)s: check it back in "
            "before lending it again.",
            tool=current.tool_id.display_name,
            borrower=current.user_id.name,
            date=current._local(current.date_out),
        )

    def _already_out_message_concurrent(self, vals_list):
        tools = self.env["facility.tool"].browse([v.get("tool_id") for v in vals_list]).sudo()
        return self.env._(
            "%(tools)s was checked out by someone else a moment ago: one checkout at a time.",
            tools=", ".join(tools.mapped("display_name")),
        )

    def _local(self, value):
        """``value`` (UTC) in the user's time zone, without seconds."""
        if not value:
            return ""
        return fields.Datetime.context_timestamp(self, value).strftime("%Y-%m-%d %H:%M")
