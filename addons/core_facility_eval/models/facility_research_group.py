from odoo import fields, models


class FacilityResearchGroup(models.Model):
    """Whether a group is outside the university (校外) — for the evaluation's external-service
    hours. Not the booking category (internal / external to the facility): a group of another
    school of the same university is external to a facility yet inside the university."""

    _inherit = "facility.research.group"

    is_off_campus = fields.Boolean(
        string="Outside the University (校外)",
        tracking=True,
        help="Users outside the university: their hours count as external-service hours in the "
        "annual evaluation (seed 002 附件3 8.1).",
    )
