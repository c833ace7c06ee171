from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    facility_group_ids = fields.Many2many(
        "facility.research.group",
        "facility_research_group_member_rel",
        "user_id",
        "group_id",
        string="Research Groups",
    )
    facility_qualification_ids = fields.One2many(
        "facility.qualification", "user_id", string="Qualifications"
    )
