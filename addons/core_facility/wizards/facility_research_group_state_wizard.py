from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.access import ensure_single, permit
from ..models.utils import selection_label


class FacilityResearchGroupStateWizard(models.TransientModel):
    """Suspend, blacklist or reactivate a research group, with the reason and the period."""

    _name = "facility.research.group.state.wizard"
    _description = "Change Research Group Status"

    group_id = fields.Many2one("facility.research.group", required=True, ondelete="cascade")
    state = fields.Selection(
        [("active", "Active"), ("suspended", "Suspended"), ("blacklisted", "Blacklisted")],
        string="New Status",
        required=True,
    )
    reason = fields.Text()
    date_from = fields.Date(string="From", default=fields.Date.context_today)
    date_to = fields.Date(string="Until")

    @api.onchange("state")
    def _onchange_state(self):
        if self.state == "active":
            self.date_to = False

    def action_apply(self):
        """The one place a research group's status, reason and period change."""
        ensure_single(self)
        if self.state != "active" and not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason for the suspension or blacklisting."))
        values = {"state": self.state, "state_reason": self.reason or False}
        if self.state == "active":
            values.update(state_date_from=False, state_date_to=False)
        else:
            values.update(state_date_from=self.date_from, state_date_to=self.date_to)
        permit(self.group_id).write(values)
        self.group_id.message_post(
            body=self.env._(
                "Status changed to %(state)s: %(reason)s",
                state=selection_label(self, "state"),
                reason=self.reason or "-",
            )
        )
        return {"type": "ir.actions.act_window_close"}
