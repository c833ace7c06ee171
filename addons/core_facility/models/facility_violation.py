from odoo import api, fields, models

from ..rules.codes import ViolationState


class FacilityViolation(models.Model):
    """A violation (违规) of a research group's member, deducted from the group's integrity
    ledger (seed 000, 附件4)."""

    _name = "facility.violation"
    _description = "Violation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    type_id = fields.Many2one("facility.violation.type", required=True, index=True)
    class_id = fields.Many2one("facility.violation.class", required=True, index=True)
    track = fields.Selection(related="class_id.track", store=True)
    points = fields.Integer(string="Deduction")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    year = fields.Integer(index=True)
    research_group_id = fields.Many2one(
        "facility.research.group", required=True, index=True, ondelete="restrict"
    )
    user_id = fields.Many2one("res.users", string="Person", index=True)
    description = fields.Text()
    measure = fields.Text()
    source = fields.Selection(related="type_id.source", store=True)
    source_key = fields.Char(index=True, copy=False)
    booking_id = fields.Many2one("facility.booking", index=True, ondelete="set null")
    state = fields.Selection(
        [
            (ViolationState.RECORDED, "Recorded"),
            (ViolationState.CONTESTED, "Contested"),
            (ViolationState.UPHELD, "Upheld"),
            (ViolationState.WITHDRAWN, "Withdrawn"),
        ],
        default=ViolationState.RECORDED,
        required=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        ("source_key_unique", "UNIQUE(source_key)", "This violation was already recorded."),
    ]

    @api.model
    def record_violation(
        self,
        research_group,
        user,
        type_code,
        when=None,
        description=None,
        source_key=None,
        booking=None,
    ):
        """The one way other code (bookings, IoT, billing, publications) records a violation:
        idempotent on ``source_key``. Returns the violation."""
        raise NotImplementedError

    def _ledger_changed(self):
        """Called whenever violations start or stop counting: the ladders act on it."""
        self.env["facility.sanction"]._apply_ladder(self)
