from odoo import api, fields, models
from odoo.exceptions import UserError


class FacilityChargeCorrectWizard(models.TransientModel):
    """Staff correct a line's quantity or unit price, or cancel lines, before settlement; the
    reason goes to the line's chatter."""

    _name = "facility.charge.correct.wizard"
    _description = "Correct or Cancel Charges"

    charge_ids = fields.Many2many("facility.charge", string="Charges", required=True)
    action = fields.Selection(
        [("correct", "Correct"), ("cancel", "Cancel")], required=True, default="correct"
    )
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    quantity = fields.Float(digits=(16, 4))
    unit_price = fields.Monetary()
    reason = fields.Text()

    @api.onchange("charge_ids")
    def _onchange_charge_ids(self):
        if len(self.charge_ids) == 1:
            self.quantity = self.charge_ids.quantity
            self.unit_price = self.charge_ids.unit_price

    def action_apply(self):
        self.ensure_one()
        if self.action == "cancel":
            self.charge_ids._correct(self.reason, cancel=True)
        else:
            if len(self.charge_ids) != 1:
                raise UserError(self.env._("Correct one line at a time."))
            self.charge_ids._correct(
                self.reason, quantity=self.quantity, unit_price=self.unit_price
            )
        return {"type": "ir.actions.act_window_close"}
