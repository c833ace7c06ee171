from odoo import fields, models


class FacilityCertificationScheme(models.Model):
    """A certification scheme: the ordered levels users pass on a family of instruments.

    Example from seed 000 附件1: the TEM scheme (Spirit, Tecnai 20, Talos, Titan) with the levels
    primary, intermediate, advanced (cryo) and super.
    """

    _name = "facility.certification.scheme"
    _description = "Certification Scheme"
    _inherit = ["mail.thread"]
    _order = "name"

    name = fields.Char(required=True, translate=True, tracking=True)
    instrument_ids = fields.Many2many(
        "facility.instrument",
        "facility_certification_scheme_instrument_rel",
        "scheme_id",
        "instrument_id",
        string="Instruments",
        help="The family of instruments this scheme certifies users on.",
    )
    level_ids = fields.One2many("facility.certification.level", "scheme_id", string="Levels")
    description = fields.Html(translate=True)
    active = fields.Boolean(default=True)
