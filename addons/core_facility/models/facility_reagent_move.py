from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..rules import checkout as rules
from .access import INSTRUMENT_MANAGER, ensure_single
from .utils import num, selection_label


class FacilityReagentMove(models.Model):
    """A receipt or a dispense of a special reagent, under a named supervisor.

    Moves are done when recorded and never change: a mistake is corrected by a reverse move
    (:meth:`action_reverse`). A dispense never takes more than the stock on hand: the reagent's
    row is locked while the stock is checked, so two dispenses at once cannot overdraw it.
    """

    _name = "facility.reagent.move"
    _description = "Reagent Receipt or Dispense"
    _inherit = ["facility.guarded.mixin"]
    _order = "date desc, id desc"
    _guarded_fields = (
        "reagent_id",
        "kind",
        "quantity",
        "user_id",
        "supervisor_id",
        "research_group_id",
        "date",
        "purpose",
        "reversed_move_id",
    )

    reagent_id = fields.Many2one("facility.reagent", required=True, index=True, ondelete="restrict")
    unit = fields.Selection(related="reagent_id.unit")
    kind = fields.Selection(
        [(rules.KIND_RECEIPT, "Receipt"), (rules.KIND_DISPENSE, "Dispense")],
        required=True,
        default=rules.KIND_DISPENSE,
    )
    quantity = fields.Float(required=True, digits=(16, 3))
    user_id = fields.Many2one(
        "res.users",
        string="Used By",
        required=True,
        index=True,
        default=lambda self: self.env.user,
        domain=[("share", "=", False)],
        ondelete="restrict",
        help="Who used the reagent (or received the delivery).",
    )
    research_group_id = fields.Many2one("facility.research.group", index=True, ondelete="restrict")
    supervisor_id = fields.Many2one(
        "res.users",
        index=True,
        domain=[("share", "=", False)],
        ondelete="restrict",
        help="Who supervised the dispense: one of the reagent's supervisors or the staff.",
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    purpose = fields.Char()
    reversed_move_id = fields.Many2one(
        "facility.reagent.move", string="Reverses", readonly=True, index=True, ondelete="restrict"
    )
    reversal_ids = fields.One2many(
        "facility.reagent.move", "reversed_move_id", string="Reversed By"
    )
    signed_quantity = fields.Float(
        string="Change", compute="_compute_signed_quantity", digits=(16, 3)
    )

    _sql_constraints = [
        ("quantity_positive", "CHECK(quantity > 0)", "A reagent move needs a quantity above 0."),
    ]

    @api.depends("kind", "quantity")
    def _compute_signed_quantity(self):
        for move in self:
            move.signed_quantity = rules.signed_quantity(move.kind, move.quantity)

    def _compute_display_name(self):
        for move in self:
            move.display_name = self.env._(
                "%(kind)s of %(quantity)s %(unit)s %(reagent)s",
                kind=selection_label(move, "kind"),
                quantity=num(move.quantity),
                unit=selection_label(move, "unit"),
                reagent=move.reagent_id.name or "",
            )

    @api.constrains("kind", "supervisor_id", "reagent_id")
    def _check_supervisor(self):
        for move in self:
            if move.kind != rules.KIND_DISPENSE:
                continue
            supervisor = move.supervisor_id
            if not supervisor:
                raise ValidationError(
                    self.env._(
                        "A dispense of %(reagent)s needs a named supervisor.",
                        reagent=move.reagent_id.name,
                    )
                )
            allowed = move.reagent_id.sudo().supervisor_ids
            if supervisor not in allowed and not supervisor.has_group(INSTRUMENT_MANAGER):
                raise ValidationError(
                    self.env._(
                        "%(supervisor)s may not supervise dispenses of %(reagent)s: only its "
                        "supervisors (%(supervisors)s) or the facility's staff may.",
                        supervisor=supervisor.name,
                        reagent=move.reagent_id.name,
                        supervisors=", ".join(allowed.mapped("name")) or "-",
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        """Record moves: the reagents are locked, then each move is checked against the stock
        left by the moves before it."""
        for vals in vals_list:
            if vals.get("quantity", 0) <= 0:
                raise ValidationError(self.env._("A reagent move needs a quantity above 0."))
        reagents = self.env["facility.reagent"].browse({v.get("reagent_id") for v in vals_list})
        reagents = reagents.sudo().exists()
        reagents._lock()
        stock = defaultdict(float, {r.id: r.stock_quantity for r in reagents})
        for vals in vals_list:
            reagent = reagents.browse(vals.get("reagent_id"))
            kind = vals.get("kind", rules.KIND_DISPENSE)
            missing = rules.shortfall(stock[reagent.id], kind, vals["quantity"])
            if missing:
                raise UserError(self._shortfall_message(reagent, stock[reagent.id], vals))
            stock[reagent.id] = rules.stock_after(stock[reagent.id], kind, vals["quantity"])
        moves = super(FacilityReagentMove, self._guard_context()).create(vals_list)
        return moves.with_env(self.env)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._("Reagent moves are kept as they were recorded: correct one by reversing it.")
        )

    def action_reverse(self):
        """Cancel this move by the opposite one (staff); the reversal is supervised by the user."""
        move = ensure_single(self)
        if not self.env.user.has_group(INSTRUMENT_MANAGER):
            raise UserError(self.env._("Only the facility's staff reverse reagent moves."))
        if move.reversed_move_id or move.reversal_ids:
            raise UserError(
                self.env._(
                    "%(move)s is a reversal or was already reversed: it cannot be reversed again.",
                    move=move.display_name,
                )
            )
        reversal = self.create(
            {
                "reagent_id": move.reagent_id.id,
                "kind": rules.reverse_kind(move.kind),
                "quantity": move.quantity,
                "user_id": move.user_id.id,
                "research_group_id": move.research_group_id.id,
                "supervisor_id": self.env.user.id,
                "purpose": self.env._("Reversal of %(move)s", move=move.display_name),
                "reversed_move_id": move.id,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": reversal.id,
            "view_mode": "form",
            "target": "current",
        }

    def _shortfall_message(self, reagent, stock, vals):
        unit = selection_label(reagent, "unit")
        if vals.get("reversed_move_id"):
            return self.env._(
                "This reversal would take %(asked)s %(unit)s of %(reagent)s out of stock, but "
                "only %(left)s %(unit)s are left: record the corrections in order.",
                asked=num(float(vals["quantity"])),
                left=num(float(stock)),
                unit=unit,
                reagent=reagent.name,
            )
        return self.env._(
            "Dispense refused: %(left)s %(unit)s of %(reagent)s left, %(asked)s %(unit)s asked.",
            left=num(float(stock)),
            asked=num(float(vals["quantity"])),
            unit=unit,
            reagent=reagent.name,
        )
