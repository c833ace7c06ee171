from odoo import fields, models

from ..rules.codes import CostKind


class FacilityFeeCost(models.Model):
    """One item of a standard's cost basis (materials, utilities, running costs, labour...),
    per year; the standard's calculator spreads the included items over its annual units."""

    _name = "facility.fee.cost"
    _description = "Fee Standard Cost Item"
    _order = "standard_id, sequence, id"

    standard_id = fields.Many2one(
        "facility.fee.standard", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [
            (CostKind.MATERIALS, "Materials"),
            (CostKind.UTILITIES, "Utilities"),
            (CostKind.RUNNING, "Running Costs"),
            (CostKind.LABOUR, "Labour"),
            (CostKind.DEPRECIATION, "Depreciation"),
            (CostKind.OTHER, "Other"),
        ],
        required=True,
        default=CostKind.RUNNING,
    )
    name = fields.Char(string="Description")
    currency_id = fields.Many2one(related="standard_id.currency_id")
    annual_amount = fields.Monetary(string="Annual Cost")
    included = fields.Boolean(default=True)
