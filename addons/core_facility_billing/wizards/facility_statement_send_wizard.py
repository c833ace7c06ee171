from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.exceptions import UserError


def _last_month(wizard, day):
    first = fields.Date.context_today(wizard).replace(day=1) - relativedelta(months=1)
    return first if day == "first" else first + relativedelta(months=1, days=-1)


class FacilityStatementSendWizard(models.TransientModel):
    """Finance prepares the statements of a period (default: last month) for every research
    group with lines in it, or for the chosen groups, and mails them to the PIs."""

    _name = "facility.statement.send.wizard"
    _description = "Send Statements"

    date_from = fields.Date(string="From", required=True, default=lambda w: _last_month(w, "first"))
    date_to = fields.Date(string="To", required=True, default=lambda w: _last_month(w, "last"))
    research_group_ids = fields.Many2many(
        "facility.research.group",
        string="Research Groups",
        help="Leave empty for every group with lines in the period.",
    )
    send = fields.Boolean(
        string="Mail to the PIs", default=True, help="Mail the statements not yet sent."
    )

    def action_generate(self):
        self.ensure_one()
        if self.date_to < self.date_from:
            raise UserError(self.env._("The period ends before it starts."))
        statements = self.env["facility.statement"].generate_statements(
            self.date_from,
            self.date_to,
            groups=self.research_group_ids or None,
            send=self.send,
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility_billing.facility_statement_action"
        )
        action["domain"] = [("id", "in", statements.ids)]
        return action
