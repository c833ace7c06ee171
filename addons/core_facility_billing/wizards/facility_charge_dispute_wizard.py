from odoo import api, fields, models
from odoo.exceptions import UserError


class FacilityChargeDisputeWizard(models.TransientModel):
    """A PI disputes confirmed lines with a reason; staff resolve disputed lines: the line
    stands (rejected), is corrected or is cancelled, with the resolution sent to the PI."""

    _name = "facility.charge.dispute.wizard"
    _description = "Dispute or Resolve Charges"

    charge_ids = fields.Many2many("facility.charge", string="Charges", required=True)
    mode = fields.Selection(
        [("dispute", "Dispute"), ("resolve", "Resolve")], required=True, default="dispute"
    )
    reason = fields.Text(help="Why the charge is wrong (sent to the instrument's managers).")
    decision = fields.Selection(
        [
            ("reject", "Reject: the line stands"),
            ("correct", "Accept: correct the line"),
            ("cancel", "Accept: cancel the line"),
        ],
        default="reject",
    )
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    quantity = fields.Float(digits=(16, 4))
    unit_price = fields.Monetary()
    resolution = fields.Text(help="The answer to the PI, kept on the line.")
    dispute_reason = fields.Text(compute="_compute_dispute_reason", string="PI's Reason")

    @api.depends("charge_ids")
    def _compute_dispute_reason(self):
        for wizard in self:
            wizard.dispute_reason = "\n".join(
                filter(None, wizard.charge_ids.mapped("dispute_reason"))
            )

    @api.onchange("charge_ids", "decision")
    def _onchange_decision(self):
        if self.decision == "correct" and len(self.charge_ids) == 1:
            self.quantity = self.charge_ids.quantity
            self.unit_price = self.charge_ids.unit_price

    def action_apply(self):
        self.ensure_one()
        if self.mode == "dispute":
            self.charge_ids._dispute(self.reason)
            return {"type": "ir.actions.act_window_close"}
        if self.decision == "correct" and len(self.charge_ids) != 1:
            raise UserError(self.env._("Correct one line at a time."))
        corrected = self.decision == "correct"
        self.charge_ids._resolve(
            self.decision,
            self.resolution,
            quantity=self.quantity if corrected else None,
            unit_price=self.unit_price if corrected else None,
        )
        return {"type": "ir.actions.act_window_close"}
