from odoo import api, fields, models
from odoo.exceptions import UserError

from .access import INSTRUMENT_MANAGER, ensure_single


class FacilityTool(models.Model):
    """A high-value tool, kit or key lent against a record (domain.md §1 "High-value tools"):
    Vitrobot kits, cryo-holders, the keys of the EM rooms. It is available or out; a checkout
    (:class:`facility.tool.checkout`) says who has it and when it is due back."""

    _name = "facility.tool"
    _description = "High-value Tool or Key"
    _inherit = ["mail.thread", "facility.guarded.mixin"]
    _order = "kind, name"
    _guarded_fields = ("state", "current_checkout_id")

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(tracking=True, help="The label or engraving on the tool or key.")
    kind = fields.Selection(
        [("kit", "Tool Kit"), ("key", "Key"), ("other", "Other")],
        required=True,
        default="kit",
        tracking=True,
    )
    instrument_id = fields.Many2one(
        "facility.instrument", index=True, tracking=True, ondelete="restrict"
    )
    location = fields.Char(tracking=True, help="Where the tool is kept when it is not out.")
    responsible_id = fields.Many2one(
        "res.users",
        required=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain=lambda self: [("groups_id", "in", self.env.ref(INSTRUMENT_MANAGER).ids)],
        help="The staff member who hands the tool out and checks it back in.",
    )
    loan_hours = fields.Float(
        string="Loan Period (h)",
        default=24,
        help="How long the tool may stay out: the default due time of a checkout.",
    )
    checkout_ids = fields.One2many("facility.tool.checkout", "tool_id", string="Checkouts")
    current_checkout_id = fields.Many2one(
        "facility.tool.checkout", compute="_compute_current_checkout", store=True, index=True
    )
    state = fields.Selection(
        [("available", "Available"), ("out", "Checked Out")],
        compute="_compute_current_checkout",
        store=True,
    )
    borrower_id = fields.Many2one(related="current_checkout_id.user_id", string="Borrower")
    date_due = fields.Datetime(related="current_checkout_id.date_due", string="Due Back")
    is_overdue = fields.Boolean(related="current_checkout_id.is_overdue", string="Overdue")
    checkout_count = fields.Integer(compute="_compute_checkout_count")
    note = fields.Text()
    color = fields.Integer()
    active = fields.Boolean(default=True)

    @api.depends("checkout_ids.state")
    def _compute_current_checkout(self):
        for tool in self:
            current = tool.checkout_ids.filtered(lambda c: c.state == "out")[:1]
            tool.current_checkout_id = current
            tool.state = "out" if current else "available"

    def _compute_checkout_count(self):
        counts = dict(
            self.env["facility.tool.checkout"]._read_group(
                [("tool_id", "in", self.ids)], ["tool_id"], ["__count"]
            )
        )
        for tool in self:
            tool.checkout_count = counts.get(tool, 0)

    def _compute_display_name(self):
        for tool in self:
            tool.display_name = f"[{tool.code}] {tool.name}" if tool.code else tool.name

    @api.ondelete(at_uninstall=False)
    def _unlink_without_history(self):
        for tool in self:
            if tool.checkout_ids:
                raise UserError(
                    self.env._(
                        "%(tool)s has been lent before: archive it instead of deleting its "
                        "history.",
                        tool=tool.display_name,
                    )
                )

    def action_check_out(self):
        """The form of a new checkout of this tool (staff hand tools out)."""
        tool = ensure_single(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Check Out"),
            "res_model": "facility.tool.checkout",
            "view_mode": "form",
            "target": "current",
            "context": {"default_tool_id": tool.id},
        }

    def action_view_checkouts(self):
        tool = ensure_single(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility.action_facility_tool_checkout"
        )
        action["domain"] = [("tool_id", "=", tool.id)]
        action["context"] = {"default_tool_id": tool.id}
        return action
