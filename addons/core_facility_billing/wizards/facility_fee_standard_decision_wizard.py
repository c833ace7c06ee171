from odoo import fields, models

DECISIONS = [("approve", "Approve"), ("reject", "Reject")]


class FacilityFeeStandardDecisionWizard(models.TransientModel):
    """The fee-standard committee's decision on a submitted standard: approve it from a day
    (superseding the standard in force) or reject it with a reason."""

    _name = "facility.fee.standard.decision.wizard"
    _description = "Fee Standard Decision"

    standard_id = fields.Many2one(
        "facility.fee.standard", string="Fee Standard", required=True, ondelete="cascade"
    )
    decision = fields.Selection(DECISIONS, required=True, default="approve")
    date_from = fields.Date(
        string="Valid From",
        help="The first day the standard charges; the standard in force for the same target, "
        "payer category and unit charges until the day before.",
    )
    reason = fields.Text(string="Rejection Reason")
    current_standard_id = fields.Many2one(
        "facility.fee.standard",
        string="Standard in Force",
        compute="_compute_current_standard_id",
        help="The approved standard this one supersedes when approved.",
    )
    currency_id = fields.Many2one(related="standard_id.currency_id")
    unit_price = fields.Monetary(related="standard_id.unit_price")
    current_price = fields.Monetary(
        related="current_standard_id.unit_price", string="Current Price"
    )

    def _compute_current_standard_id(self):
        for wizard in self:
            standard = wizard.standard_id
            wizard.current_standard_id = standard.search(
                [
                    ("id", "!=", standard.id),
                    ("company_id", "=", standard.company_id.id),
                    ("instrument_id", "=", standard.instrument_id.id),
                    ("service_type_id", "=", standard.service_type_id.id),
                    ("payer_category", "=", standard.payer_category),
                    ("fee_unit", "=", standard.fee_unit),
                    ("state", "=", "approved"),
                    ("date_to", "=", False),
                ],
                limit=1,
            )

    def action_confirm(self):
        self.ensure_one()
        if self.decision == "approve":
            self.standard_id._approve(self.date_from)
        else:
            self.standard_id._reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
