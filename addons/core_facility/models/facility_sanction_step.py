from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules import integrity_ladder as ladder
from ..rules.codes import ViolationTrack


class FacilitySanctionStep(models.Model):
    """A rung of the sanction ladder (附件4, 附件2 §1): when a group's (or a user's) counted
    violations of one track reach the threshold in a year, the step takes its measures, once."""

    _name = "facility.sanction.step"
    _description = "Sanction Ladder Step"
    _order = "track, scope, threshold, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    track = fields.Selection(
        [
            (ViolationTrack.NO_CONSEQUENCE, "No Consequence"),
            (ViolationTrack.CONSEQUENCE, "Consequence, Not Serious"),
            (ViolationTrack.SERIOUS, "Serious Consequence"),
            (ladder.WASTE, "Wasted Booked Time"),
        ],
        required=True,
        default=ViolationTrack.NO_CONSEQUENCE,
        help="The violations counted: those of a class of this track, or, for wasted booked "
        "time, no-shows, late cancellations and unreported under-use.",
    )
    scope = fields.Selection(
        [(ladder.GROUP, "Per Research Group"), (ladder.USER, "Per User")],
        required=True,
        default=ladder.GROUP,
    )
    threshold = fields.Integer(
        required=True,
        default=1,
        help="The step fires at this counted violation of the year (3 = the 3rd), once a year.",
    )
    window_days = fields.Integer(
        string="Within Days",
        help="Wasted booked time only: count the violations within this many days of each "
        "other (0: the whole year).",
    )
    interview = fields.Boolean(help="An interview activity for the responsible staff (约谈).")
    pi_notice = fields.Boolean(
        string="Notice to the PI", help="A formal notice to the group's PI (正式通知课题组PI)."
    )
    retraining = fields.Boolean(
        help="The qualifications of the group's members (per group) or of the user (per user) "
        "need retraining before they count for booking again (再培训 / 加强培训)."
    )
    restriction = fields.Boolean(
        string="Restrict / Suspend",
        help="Per group: the group's booking is restricted; per user: the user is suspended.",
    )
    allowance = fields.Boolean(
        string="Smaller Allowance",
        help="The group (or user) may book only a few days ahead for the period.",
    )
    allowance_days = fields.Integer(
        string="Book At Most (Days Ahead)",
        default=7,
        help="While the smaller allowance lasts, bookings may start at most this many days "
        "ahead, whatever the instrument's policy allows.",
    )
    duration_default_days = fields.Integer(string="Default Days", default=7)
    duration_min_days = fields.Integer(string="Minimum Days", default=7)
    duration_max_days = fields.Integer(
        string="Maximum Days", default=31, help="0: no upper bound (staff decide when it ends)."
    )
    confirm_duration = fields.Boolean(
        string="Staff Confirm the Period",
        help="An activity asks the responsible staff to confirm or change the period within "
        "its bounds.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.constrains(
        "threshold",
        "window_days",
        "allowance_days",
        "duration_default_days",
        "duration_min_days",
        "duration_max_days",
    )
    def _check_bounds(self):
        for step in self:
            if step.threshold < 1 or step.window_days < 0 or step.allowance_days < 0:
                raise ValidationError(
                    self.env._(
                        "Ladder step %(step)s: the threshold is at least 1 and the days are not "
                        "negative.",
                        step=step.name,
                    )
                )
            low, high = step.duration_min_days, step.duration_max_days
            if min(low, high, step.duration_default_days) < 0 or (high and low > high):
                raise ValidationError(
                    self.env._(
                        "Ladder step %(step)s: the period's bounds (%(min)s to %(max)s days) "
                        "are not a range.",
                        step=step.name,
                        min=low,
                        max=high,
                    )
                )
            if ladder.period_problem(step.duration_default_days, low, high):
                raise ValidationError(
                    self.env._(
                        "Ladder step %(step)s: the default period of %(days)s days lies outside "
                        "its bounds (%(min)s to %(max)s days).",
                        step=step.name,
                        days=step.duration_default_days,
                        min=low,
                        max=high or "-",
                    )
                )

    def _to_rule(self):
        self.ensure_one()
        return ladder.Step(
            id=self.id,
            track=self.track,
            scope=self.scope,
            threshold=self.threshold,
            window_days=self.window_days,
        )
