from odoo import api, fields, models

from ..rules.codes import ServiceStep


class FacilityServiceOrder(models.Model):
    """An entrusted technical service (委托服务) ordered by an approved application."""

    _name = "facility.service.order"
    _description = "Service Order"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    application_id = fields.Many2one("facility.application", index=True, ondelete="restrict")
    service_type_id = fields.Many2one("facility.service.type", required=True)
    research_group_id = fields.Many2one(
        "facility.research.group", required=True, index=True, ondelete="restrict"
    )
    applicant_id = fields.Many2one("res.users", index=True)
    state = fields.Selection(
        [
            (ServiceStep.BOOKED, "Instrument Time Booked"),
            (ServiceStep.REGISTERED, "Registered"),
            (ServiceStep.REVIEWED, "Reviewed"),
            (ServiceStep.SAMPLE_REQUESTED, "Sample Requested"),
            (ServiceStep.SAMPLE_RECEIVED, "Sample Received"),
            (ServiceStep.PREPARATION, "Preparation"),
            (ServiceStep.IMAGING, "Imaging"),
            (ServiceStep.DELIVERED, "Results Delivered"),
            (ServiceStep.CLOSED, "Closed"),
            (ServiceStep.CANCELLED, "Cancelled"),
        ],
        string="Step",
        default=ServiceStep.REVIEWED,
        required=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.model
    def _create_from_application(self, application):
        """The service order of an approved service application (called by its decision)."""
        return self.sudo().create(
            {
                "application_id": application.id,
                "service_type_id": application.service_type_id.id,
                "research_group_id": application.research_group_id.id,
                "applicant_id": application.applicant_id.id,
            }
        )
