from odoo import fields, models

from ..rules.codes import ChargeState


class AccountMove(models.Model):
    _inherit = "account.move"

    facility_fapiao_number = fields.Char(
        string="Fapiao Number",
        copy=False,
        tracking=True,
        help="Number of the fapiao (发票) issued for the invoice.",
    )
    facility_settlement_id = fields.Many2one(
        "facility.settlement", string="Facility Settlement", readonly=True, copy=False, index=True
    )
    facility_charge_count = fields.Integer(
        string="Charge Lines", compute="_compute_facility_charge_count"
    )

    def _compute_facility_charge_count(self):
        Charge = self.env["facility.charge"]
        counts = dict(Charge._read_group([("move_id", "in", self.ids)], ["move_id"], ["__count"]))
        invoiced = dict(
            Charge._read_group([("invoice_id", "in", self.ids)], ["invoice_id"], ["__count"])
        )
        for move in self:
            move.facility_charge_count = counts.get(move, 0) + invoiced.get(move, 0)

    def action_view_facility_charges(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Charge Lines"),
            "res_model": "facility.charge",
            "view_mode": "list,form",
            "domain": ["|", ("move_id", "=", self.id), ("invoice_id", "=", self.id)],
            "context": {"create": False},
        }

    def _reverse_moves(self, default_values_list=None, cancel=False):
        """Reversing a settlement's entry or invoice (from the settlement or Odoo's own Reverse
        button) puts its charge lines back to confirmed, to be corrected and settled again."""
        reversals = super()._reverse_moves(default_values_list=default_values_list, cancel=cancel)
        settled = self.filtered("facility_settlement_id")
        if settled:
            settled._facility_release_charges()
        return reversals

    def _facility_release_charges(self):
        charges = (
            self.env["facility.charge"]
            .sudo()
            .search(["|", ("move_id", "in", self.ids), ("invoice_id", "in", self.ids)])
        )
        charges._write_guarded(
            {
                "state": ChargeState.CONFIRMED,
                "settlement_id": False,
                "move_id": False,
                "invoice_id": False,
            }
        )
        self.facility_settlement_id.sudo()._update_reversed_state()
