from odoo import fields, models

from ..rules.codes import CommitmentStart, ServiceFlow


class FacilityServiceType(models.Model):
    """A kind of entrusted technical service, with its flow and its time commitment."""

    _name = "facility.service.type"
    _description = "Service Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    flow = fields.Selection(
        [(ServiceFlow.EM, "Electron Microscopy"), (ServiceFlow.PREP, "Sample Preparation")],
        required=True,
        default=ServiceFlow.EM,
    )
    commitment_days = fields.Integer(string="Commitment (days)")
    commitment_start = fields.Selection(
        [
            (CommitmentStart.APPROVAL, "From Approval"),
            (CommitmentStart.SAMPLE, "From Qualified Sample"),
        ],
        default=CommitmentStart.APPROVAL,
        required=True,
    )
    leader_id = fields.Many2one("res.users", string="Group Leader")
    active = fields.Boolean(default=True)
