from odoo import fields, models

from ..rules.codes import ViolationSource


class FacilityViolationType(models.Model):
    """A kind of violation (no-show, late cancellation…) and its default class. Code that records
    violations (bookings, IoT, billing, publications) names the type by its ``code``."""

    _name = "facility.violation.type"
    _description = "Violation Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    class_id = fields.Many2one("facility.violation.class", string="Default Class", required=True)
    source = fields.Selection(
        [
            (ViolationSource.MANUAL, "Recorded by Staff"),
            (ViolationSource.NO_SHOW, "No-show"),
            (ViolationSource.LATE_CANCEL, "Late Cancellation"),
            (ViolationSource.UNDER_USE, "Unreported Under-use"),
            (ViolationSource.NO_BOOKING, "Use Without Booking"),
            (ViolationSource.UNPAID_FEES, "Fees Overdue"),
            (ViolationSource.ACKNOWLEDGEMENT, "Missing Acknowledgement"),
        ],
        required=True,
        default=ViolationSource.MANUAL,
    )
    measure = fields.Text(
        string="Default Measure",
        translate=True,
        help="The measure written on a new violation of this type (附件4: a warning each time).",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "A violation type code must be unique."),
    ]
