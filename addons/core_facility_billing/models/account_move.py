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

    def _post(self, soft=True):
        """A posted reversal that fully reverses a settlement's entry or invoice (the
        settlement's Reverse, Odoo's Reverse of an entry, a credit note of the whole invoice
        once posted) puts its charge lines back to confirmed, to be corrected and settled again.
        A draft or partial credit note leaves them settled."""
        posted = super()._post(soft=soft)
        reversed_moves = posted.filtered(
            lambda move: (
                move.reversed_entry_id.facility_settlement_id and move._facility_fully_reverses()
            )
        ).reversed_entry_id
        if reversed_moves:
            reversed_moves._facility_release_charges()
        return posted

    def _facility_fully_reverses(self):
        """Whether this (reversal) move reverses the whole of the move it reverses: same
        currency, same total."""
        self.ensure_one()
        original = self.reversed_entry_id
        return (
            self.currency_id == original.currency_id
            and self.currency_id.compare_amounts(self.amount_total, original.amount_total) == 0
        )

    def _facility_posted_reversals(self):
        """The posted reversals that fully reverse this move."""
        self.ensure_one()
        return self.reversal_move_ids.filtered(
            lambda move: move.state == "posted" and move._facility_fully_reverses()
        )

    def _facility_pay_from_deposits(self):
        """Reconcile this posted invoice with its partner's outstanding credits (the prepaid
        group's deposits), oldest first, until it is paid: a prepaid group pays from its
        deposits and does not fall into arrears."""
        self.ensure_one()
        invoice = self.sudo()
        for credit in (invoice.invoice_outstanding_credits_debits_widget or {}).get("content", []):
            if invoice.payment_state in ("paid", "in_payment") or not invoice.amount_residual:
                break
            invoice.js_assign_outstanding_line(credit["id"])

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
