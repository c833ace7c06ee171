from odoo import fields, models


class FacilityReconciliationLine(models.Model):
    _name = "facility.reconciliation.line"
    _description = "Billing Reconciliation Difference"
    _order = "reconciliation_id, id"

    reconciliation_id = fields.Many2one(
        "facility.reconciliation", required=True, ondelete="cascade", index=True
    )
    name = fields.Char(string="Difference", required=True)
    charge_id = fields.Many2one("facility.charge")
    move_id = fields.Many2one("account.move")
    currency_id = fields.Many2one(related="reconciliation_id.company_id.currency_id")
    expected_amount = fields.Monetary()
    found_amount = fields.Monetary()
