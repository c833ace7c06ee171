from odoo import fields, models

from ..rules.codes import ViolationTrack


class FacilityViolationClass(models.Model):
    """A class of violation with its deduction (附件4 减分标准) and the ladder it climbs."""

    _name = "facility.violation.class"
    _description = "Violation Class"
    _order = "sequence, points"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    points = fields.Integer(string="Deduction", required=True)
    track = fields.Selection(
        [
            (ViolationTrack.NO_CONSEQUENCE, "No Consequence"),
            (ViolationTrack.CONSEQUENCE, "Consequence, Not Serious"),
            (ViolationTrack.SERIOUS, "Serious Consequence"),
        ],
        required=True,
        default=ViolationTrack.NO_CONSEQUENCE,
    )
    active = fields.Boolean(default=True)
