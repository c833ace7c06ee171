from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rules import booking as booking_rules
from ..rules.codes import ApplicationState
from .access import FACILITY_MANAGER
from .utils import format_month


class FacilityApplicationLine(models.Model):
    """Hours asked, and granted by the committee, on one instrument for one month."""

    _name = "facility.application.line"
    _description = "Application Hours"
    _inherit = ["facility.guarded.mixin"]
    _order = "month, instrument_id"
    _guarded_fields = ("hours_granted", "allocation_id")

    application_id = fields.Many2one(
        "facility.application", required=True, index=True, ondelete="cascade"
    )
    instrument_id = fields.Many2one(
        "facility.instrument",
        required=True,
        ondelete="restrict",
        domain="[('booking_policy_id.allocation_required', '=', True)]",
    )
    month = fields.Date(
        required=True,
        help="Any day of the month (stored as its first day).",
        default=lambda self: booking_rules.next_month_start(fields.Date.context_today(self)),
    )
    month_label = fields.Char(string="Period", compute="_compute_month_label")
    hours_requested = fields.Float(string="Hours Asked")
    hours_granted = fields.Float(readonly=True, copy=False)
    allocation_id = fields.Many2one("facility.booking.allocation", readonly=True, copy=False)

    _sql_constraints = [
        ("hours_positive", "CHECK(hours_requested >= 0)", "Hours asked cannot be negative."),
    ]

    @api.depends_context("lang")
    @api.depends("month")
    def _compute_month_label(self):
        for line in self:
            line.month_label = line._month_label() if line.month else False

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("month"):
                vals["month"] = booking_rules.month_start(fields.Date.to_date(vals["month"]))
        lines = super().create(vals_list)
        lines._check_draft()
        return lines

    def write(self, vals):
        if vals.get("month"):
            vals["month"] = booking_rules.month_start(fields.Date.to_date(vals["month"]))
        if set(vals) - set(self._guarded_fields):
            self._check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_in_draft(self):
        self._check_draft()

    def _check_draft(self):
        """The hours asked change with the application, in draft, by its applicant or PI."""
        if self._guard_open():
            return
        user = self.env.user
        manager = user.has_group(FACILITY_MANAGER)
        for application in self.application_id:
            author = manager or user in (application.applicant_id | application.pi_id)
            if application.state != ApplicationState.DRAFT or not author:
                raise UserError(
                    self.env._(
                        "The hours asked on %(name)s are written by the applicant or the PI "
                        "while the application is a draft.",
                        name=application.display_name,
                    )
                )

    def _month_label(self):
        return format_month(self.env, self.month)
