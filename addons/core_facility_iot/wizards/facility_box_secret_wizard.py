from odoo import api, fields, models


class FacilityBoxSecretWizard(models.TransientModel):
    """Shows a box's new secret once, right after registration, rotation or reactivation.

    The secret is never stored, not even in this transient table: ``secret`` is computed from the
    context of the action that opened the dialog (``box_secret``, set by
    ``facility.box._secret_action``), so closing the dialog forgets it."""

    _name = "facility.box.secret.wizard"
    _description = "Box Secret (shown once)"

    box_id = fields.Many2one("facility.box", required=True, readonly=True, ondelete="cascade")
    secret = fields.Char(compute="_compute_secret", readonly=True)

    # box_id as a dependency: the form's first onchange fills every field it shows with its
    # default (False), and only a dependency makes it compute the secret again
    @api.depends("box_id")
    @api.depends_context("box_secret")
    def _compute_secret(self):
        secret = self.env.context.get("box_secret")
        for wizard in self:
            wizard.secret = secret if isinstance(secret, str) else False
