from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules.acknowledgement import Template, parse_phrases


class FacilityAcknowledgementTemplate(models.Model):
    """A wording in which publications thank the facility (seed 000, 附件3), CN or EN: the
    recommended text, and the fixed phrases that must all appear in one sentence of the paper
    for its acknowledgement to count."""

    _name = "facility.acknowledgement.template"
    _description = "Acknowledgement Template"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    lang = fields.Selection(
        [("zh_CN", "Chinese"), ("en", "English")], string="Language", required=True
    )
    wording = fields.Text(
        string="Recommended Wording",
        help="The wording users are asked to use; shown to them when they register an outcome.",
    )
    required_phrases = fields.Text(
        required=True,
        help="The fixed parts of the wording, one per line, that must all appear in one sentence "
        "of the acknowledgement; alternatives on one line are separated by '|' (e.g. "
        "'Center for Biological Imaging | Centre for Biological Imaging'). Case, full-width "
        "characters, spacing and hyphens do not matter.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.constrains("required_phrases")
    def _check_required_phrases(self):
        for template in self:
            if not parse_phrases(template.required_phrases):
                raise ValidationError(
                    self.env._(
                        "Acknowledgement template %(name)s needs at least one required phrase.",
                        name=template.name,
                    )
                )

    @api.model
    def _rule_templates(self, company):
        """The active templates of ``company`` as pure-rule templates, in their order."""
        templates = self.sudo().search([("company_id", "=", company.id)])
        return tuple(Template(t.id, parse_phrases(t.required_phrases)) for t in templates)
