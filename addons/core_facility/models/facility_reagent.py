from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rules import checkout as rules
from .access import ensure_single


class FacilityReagent(models.Model):
    """A special reagent kept under supervision (osmium tetroxide, uranyl acetate): its stock on
    hand is the sum of its moves (:class:`facility.reagent.move`), received and dispensed in
    quantities under a named supervisor."""

    _name = "facility.reagent"
    _description = "Special Reagent"
    _inherit = ["mail.thread", "facility.guarded.mixin"]
    _order = "name"
    _guarded_fields = ("stock_quantity", "below_minimum")

    name = fields.Char(required=True, tracking=True)
    cas_number = fields.Char(string="CAS Number", tracking=True)
    hazard_note = fields.Text(
        string="Hazards and Handling", help="Hazard statements, storage and disposal."
    )
    unit = fields.Selection(
        [("ml", "mL"), ("ul", "µL"), ("g", "g"), ("mg", "mg"), ("unit", "Units")],
        required=True,
        default="ml",
        tracking=True,
    )
    location = fields.Char(help="Where the reagent is stored (cabinet, fridge).")
    move_ids = fields.One2many("facility.reagent.move", "reagent_id", string="Moves")
    stock_quantity = fields.Float(
        string="On Hand",
        compute="_compute_stock_quantity",
        store=True,
        digits=(16, 3),
        help="Received minus dispensed: the moves are the only way the stock changes.",
    )
    minimum_quantity = fields.Float(
        string="Minimum Stock",
        digits=(16, 3),
        tracking=True,
        help="Below this the reagent is flagged for reordering.",
    )
    below_minimum = fields.Boolean(compute="_compute_stock_quantity", store=True)
    supervisor_ids = fields.Many2many(
        "res.users",
        string="Supervisors",
        domain=[("share", "=", False)],
        help="Who may supervise a dispense besides the facility's staff.",
    )
    move_count = fields.Integer(compute="_compute_move_count")
    active = fields.Boolean(default=True)

    @api.depends("move_ids.kind", "move_ids.quantity", "minimum_quantity")
    def _compute_stock_quantity(self):
        for reagent in self:
            moves = reagent.move_ids.sudo()
            reagent.stock_quantity = rules.stock_on_hand((m.kind, m.quantity) for m in moves)
            reagent.below_minimum = reagent.stock_quantity < reagent.minimum_quantity

    def _compute_move_count(self):
        counts = dict(
            self.env["facility.reagent.move"]._read_group(
                [("reagent_id", "in", self.ids)], ["reagent_id"], ["__count"]
            )
        )
        for reagent in self:
            reagent.move_count = counts.get(reagent, 0)

    @api.ondelete(at_uninstall=False)
    def _unlink_without_moves(self):
        for reagent in self:
            if reagent.move_ids:
                raise UserError(
                    self.env._(
                        "%(reagent)s has received or dispensed quantities: archive it instead of "
                        "deleting its log.",
                        reagent=reagent.name,
                    )
                )

    def action_receive(self):
        return self._move_form("receipt", self.env._("Receive"))

    def action_dispense(self):
        return self._move_form("dispense", self.env._("Dispense"))

    def action_view_moves(self):
        reagent = ensure_single(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility.action_facility_reagent_move"
        )
        action["domain"] = [("reagent_id", "=", reagent.id)]
        action["context"] = {"default_reagent_id": reagent.id}
        return action

    def _move_form(self, kind, title):
        reagent = ensure_single(self)
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": "facility.reagent.move",
            "view_mode": "form",
            "target": "new",
            "context": {"default_reagent_id": reagent.id, "default_kind": kind},
        }

    def _lock(self):
        """Lock these reagents' rows until the transaction ends and read their stock afresh: two
        dispenses of the same reagent run one after the other."""
        if self:
            self.env.cr.execute(
                "SELECT id FROM facility_reagent WHERE id IN %s ORDER BY id FOR UPDATE",
                [tuple(self.ids)],
            )
            self.invalidate_recordset(["stock_quantity"])
