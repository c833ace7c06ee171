from odoo import fields, models


class FacilityBoxSecretWizard(models.TransientModel):
    """Shows a box's new secret once, right after registration or rotation."""

    _name = "facility.box.secret.wizard"
    _description = "Box Secret (shown once)"

    box_id = fields.Many2one("facility.box", required=True, readonly=True)
    secret = fields.Char(readonly=True)
