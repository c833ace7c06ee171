from odoo import fields, models


class FacilityEvalExport(models.TransientModel):
    """Exports a campaign's forms in the seeds' layouts (XLSX of 附件2, 附件3, the benefit
    table)."""

    _name = "facility.eval.export"
    _description = "Evaluation Export"

    campaign_id = fields.Many2one("facility.eval.campaign", required=True, ondelete="cascade")
