from odoo import fields, models


class FacilityInstrument(models.Model):
    """What the evaluation and the national platform need of an instrument."""

    _inherit = "facility.instrument"

    scrap_applied_date = fields.Date(
        string="Scrap Application Filed",
        tracking=True,
        groups="base.group_user",
        help="The date a scrap application (报废申请) was filed: the instrument is excluded "
        "from that year's evaluation (seed 002 附件3 note (2)).",
    )
    nrii_category_id = fields.Many2one(
        "facility.nrii.category",
        string="National Classification",
        groups="base.group_user",
        help="The national platform's 6-digit classification code (instrCategory).",
    )
