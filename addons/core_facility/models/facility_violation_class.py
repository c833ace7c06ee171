from odoo import fields, models

from ..rules.codes import ViolationTrack


class FacilityViolationClass(models.Model):
    """A class of violation with its deduction (附件4 减分标准, 每人次) and the ladder it climbs.

    The deduction is copied onto each violation when it is recorded: changing a class later does
    not rewrite past years.
    """

    _name = "facility.violation.class"
    _description = "Violation Class"
    _order = "sequence, points"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    points = fields.Integer(
        string="Deduction", required=True, help="Points deducted per person and occurrence."
    )
    track = fields.Selection(
        [
            (ViolationTrack.NO_CONSEQUENCE, "No Consequence"),
            (ViolationTrack.CONSEQUENCE, "Consequence, Not Serious"),
            (ViolationTrack.SERIOUS, "Serious Consequence"),
        ],
        string="Ladder",
        required=True,
        default=ViolationTrack.NO_CONSEQUENCE,
        help="Which sanction ladder of 附件4 the class climbs: violations without consequence "
        "count per group and year, those with a consequence per user; one serious violation is "
        "enough for the longest suspension.",
    )
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "A violation class code must be unique."),
        ("points_positive", "CHECK(points >= 0)", "A deduction cannot be negative."),
    ]
