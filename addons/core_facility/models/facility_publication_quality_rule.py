from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules.publication import (
    Indexing,
    OutcomeKind,
    ProjectLevel,
    QualityRule,
)
from .facility_publication import AWARD_LEVEL_SELECTION, KIND_SELECTION


class FacilityPublicationQualityRule(models.Model):
    """When an outcome is of high quality (seed 000, 附件3 四): its kind and conditions, and the
    months of booking-priority bonus it earns the research group from the staff's acceptance."""

    _name = "facility.publication.quality.rule"
    _description = "High-Quality Outcome Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        KIND_SELECTION,
        required=True,
        default=OutcomeKind.PAPER,
    )
    indexing = fields.Selection(
        [(Indexing.SCI, "SCI"), (Indexing.CORE, "Core Journal"), (Indexing.OTHER, "Other")],
        help="Papers: the journal must be indexed so; empty: any.",
    )
    min_impact_factor = fields.Float(
        string="Minimum Impact Factor", digits=(6, 3), help="Papers: 0 for no minimum."
    )
    max_tier = fields.Integer(
        string="Journal Tier at Least",
        help="Papers: the journal's tier (分区) must be this or better (1 is the best); 0 for any.",
    )
    award_level = fields.Selection(
        AWARD_LEVEL_SELECTION,
        string="Award Level at Least",
        help="Awards: this level or a higher one; empty: any.",
    )
    project_level = fields.Selection(
        [(ProjectLevel.KEY, "Key"), (ProjectLevel.NORMAL, "Normal")],
        help="Projects: only of this level; empty: any.",
    )
    bonus_months = fields.Integer(
        string="Bonus (Months)",
        required=True,
        default=12,
        help="How long the research group has the booking-priority bonus, from the acceptance.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.constrains("bonus_months", "min_impact_factor", "max_tier")
    def _check_figures(self):
        for rule in self:
            if rule.bonus_months <= 0 or rule.min_impact_factor < 0 or rule.max_tier < 0:
                raise ValidationError(
                    self.env._(
                        "High-quality rule %(name)s: the bonus lasts at least one month "
                        "(%(months)s given), the impact factor and the tier are not negative.",
                        name=rule.name,
                        months=rule.bonus_months,
                    )
                )

    @api.model
    def _rule_rules(self, company):
        """The active rules of ``company`` as pure rules, in their order."""
        return tuple(
            QualityRule(
                key=rule.id,
                kind=rule.kind,
                bonus_months=rule.bonus_months,
                indexing=rule.indexing or None,
                min_impact_factor=rule.min_impact_factor,
                max_tier=rule.max_tier,
                award_level=rule.award_level or None,
                project_level=rule.project_level or None,
            )
            for rule in self.sudo().search([("company_id", "=", company.id)])
        )
