from odoo import Command, api, fields, models

from ..rules.codes import ApplicationKind


class FacilityApplicationDecisionWizard(models.TransientModel):
    """The committee's decision on one application, recorded by the chair or the director: the
    hours granted per instrument and month become the group's allocations."""

    _name = "facility.application.decision.wizard"
    _description = "Committee Decision"

    application_id = fields.Many2one("facility.application", required=True, readonly=True)
    kind = fields.Selection(related="application_id.kind")
    decision = fields.Selection(
        [("approve", "Approve"), ("reject", "Reject")], required=True, default="approve"
    )
    decision_note = fields.Html(string="Committee Decision")
    line_ids = fields.One2many(
        "facility.application.decision.line", "wizard_id", string="Hours Granted"
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        application = self.env["facility.application"].browse(values.get("application_id"))
        if "line_ids" in fields_list and application.kind == ApplicationKind.INSTRUMENT_TIME:
            values["line_ids"] = [
                Command.create({"line_id": line.id, "hours_granted": line.hours_requested})
                for line in application.line_ids
            ]
        return values

    def action_confirm(self):
        self.ensure_one()
        grants = [(line.line_id, line.hours_granted) for line in self.line_ids]
        self.application_id._decide(self.decision == "approve", self.decision_note, grants)
        return {"type": "ir.actions.act_window_close"}
