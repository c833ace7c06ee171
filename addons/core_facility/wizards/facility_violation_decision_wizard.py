from odoo import fields, models


class FacilityViolationDecisionWizard(models.TransientModel):
    """The PI contests violations, a facility manager withdraws or upholds them: with a reason,
    through the violation's transitions (which check who and when)."""

    _name = "facility.violation.decision.wizard"
    _description = "Contest or Decide Violations"

    violation_ids = fields.Many2many("facility.violation", required=True)
    decision = fields.Selection(
        [("contest", "Contest"), ("withdraw", "Withdraw"), ("uphold", "Uphold")],
        required=True,
    )
    note = fields.Text(string="Reason", required=True)

    def action_apply(self):
        self.ensure_one()
        violations = self.violation_ids
        if self.decision == "contest":
            violations._contest(self.note)
        elif self.decision == "withdraw":
            violations._withdraw(self.note)
        else:
            violations._uphold(self.note)
        return {"type": "ir.actions.act_window_close"}
