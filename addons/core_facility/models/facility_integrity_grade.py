from odoo import api, fields, models

from ..rules import integrity
from ..rules.codes import IntegrityGrade

GRADES = [
    (IntegrityGrade.EXCELLENT, "Excellent"),
    (IntegrityGrade.GOOD, "Good"),
    (IntegrityGrade.FAIR, "Fair"),
    (IntegrityGrade.POOR, "Poor"),
]


class FacilityIntegrityGrade(models.Model):
    """A year-end integrity grade (优/良/中/差, 附件4 注) and what it takes: at least
    ``min_points`` remaining and, if set, no serious violation in the year. Tried from the highest
    minimum down; below every threshold a group is graded Poor."""

    _name = "facility.integrity.grade"
    _description = "Integrity Grade Threshold"
    _order = "min_points desc"

    grade = fields.Selection(GRADES, required=True)
    min_points = fields.Integer(string="Minimum Points Remaining", required=True)
    no_serious = fields.Boolean(
        string="No Serious Violation", help="Only for a year without a serious violation."
    )

    _sql_constraints = [
        ("grade_unique", "UNIQUE(grade)", "One threshold per grade."),
    ]

    @api.depends("grade", "min_points")
    def _compute_display_name(self):
        labels = dict(self._fields["grade"]._description_selection(self.env))
        for threshold in self:
            threshold.display_name = f"{labels.get(threshold.grade, '')} ≥ {threshold.min_points}"

    @api.model
    def _thresholds(self):
        """The thresholds as pure :class:`~..rules.integrity.Threshold` values."""
        records = self.sudo().search([])
        return tuple(integrity.Threshold(r.grade, r.min_points, r.no_serious) for r in records)
