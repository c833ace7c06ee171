from odoo import api, fields, models

from ..models.access import ensure_single
from ..rules.publication import SERVICE_REFUSAL_MONTHS, USE_REFUSAL_MONTHS, RefusalScope


class FacilityPublicationMissingWizard(models.TransientModel):
    """The staff's decision on a publication without the facility's acknowledgement (附件3 五,
    附件4): malicious or not, and the two sanctions with their periods."""

    _name = "facility.publication.missing.wizard"
    _description = "Record Missing Acknowledgement"

    publication_id = fields.Many2one("facility.publication", required=True, ondelete="cascade")
    research_group_id = fields.Many2one(related="publication_id.research_group_id")
    unit_id = fields.Many2one(related="publication_id.unit_id")
    malicious = fields.Boolean(
        string="Malicious Omission",
        help="The acknowledgement was omitted on purpose (恶意忽略); a group's second malicious "
        "case blacklists it and marks its unit of poor integrity.",
    )
    scope = fields.Selection(
        [(RefusalScope.GROUP, "The Research Group"), (RefusalScope.UNIT, "Its Whole Unit")],
        string="Instrument Use Refused To",
        required=True,
        default=RefusalScope.GROUP,
    )
    use_refusal_months = fields.Integer(
        string="Instrument Use Refused (Months)",
        required=True,
        default=USE_REFUSAL_MONTHS[0],
        help="From 6 months to 2 years.",
    )
    service_refusal_months = fields.Integer(
        string="Service Applications Refused (Months)",
        required=True,
        default=SERVICE_REFUSAL_MONTHS[0],
        help="From 1 to 2 years.",
    )
    date_from = fields.Date(string="From", required=True, default=fields.Date.context_today)
    reason = fields.Text()

    @api.onchange("scope")
    def _onchange_scope(self):
        if self.scope == RefusalScope.UNIT and not self.unit_id:
            return {
                "warning": {
                    "title": self.env._("No unit"),
                    "message": self.env._(
                        "The research group belongs to no unit: refuse the group itself."
                    ),
                }
            }
        return None

    def action_apply(self):
        ensure_single(self)
        self.publication_id.record_missing_acknowledgement(
            self.malicious,
            self.use_refusal_months,
            self.service_refusal_months,
            scope=self.scope,
            date_from=self.date_from,
            reason=self.reason,
        )
        return {"type": "ir.actions.act_window_close"}
