import hashlib
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..rules import usage

STAFF = "core_facility.group_facility_instrument_manager"


class FacilityUsageLog(models.Model):
    """The manual usage ledger (使用记录): what the user or the staff wrote down of a use, by
    hand, beside the box's measurement; the monthly spot check compares the two."""

    _name = "facility.usage.log"
    _description = "Usage Log Entry"
    _inherit = ["mail.thread"]
    _order = "date_start desc, id desc"

    instrument_id = fields.Many2one(
        "facility.instrument", required=True, index=True, tracking=True, ondelete="restrict"
    )
    user_id = fields.Many2one(
        "res.users",
        required=True,
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
    )
    research_group_id = fields.Many2one(
        "facility.research.group",
        index=True,
        compute="_compute_research_group_id",
        store=True,
        readonly=False,
        tracking=True,
        help="The group the use is for: the booking's, else the user's first active group.",
    )
    booking_id = fields.Many2one(
        "facility.booking",
        index=True,
        domain="[('instrument_id', '=', instrument_id), ('operator_id', '=', user_id)]",
        help="The booking the use belongs to, if any.",
    )
    date_start = fields.Datetime(string="Start", required=True, tracking=True)
    date_stop = fields.Datetime(string="End", required=True, tracking=True)
    hours = fields.Float(compute="_compute_hours", store=True, aggregator="sum")
    note = fields.Text()
    company_id = fields.Many2one(related="instrument_id.company_id", store=True, index=True)

    @api.depends("date_start", "date_stop")
    def _compute_hours(self):
        for entry in self:
            if entry.date_start and entry.date_stop and entry.date_stop > entry.date_start:
                entry.hours = (entry.date_stop - entry.date_start).total_seconds() / 3600
            else:
                entry.hours = 0.0

    @api.depends("booking_id", "user_id", "instrument_id", "date_start")
    def _compute_research_group_id(self):
        """The booking's group; else, unless one of the user's groups was chosen, the group
        core_facility names for the user at the instrument at the start (``get_access_facts``:
        the group of the booking then, else the first active one), the one rule the boxes use."""
        for entry in self:
            if entry.booking_id:
                entry.research_group_id = entry.booking_id.sudo().research_group_id
            elif not entry.research_group_id or (
                entry.research_group_id not in entry.user_id.sudo().facility_group_ids
            ):
                group_id = False
                if entry.user_id and entry.instrument_id:
                    facts = entry.instrument_id.sudo().get_access_facts(
                        entry.user_id._origin, entry.date_start or None
                    )
                    group_id = facts["research_group_id"]
                entry.research_group_id = group_id

    @api.constrains("date_start", "date_stop")
    def _check_times(self):
        for entry in self:
            problem = usage.log_problem(entry.date_start, entry.date_stop)
            if problem == "order":
                raise ValidationError(self.env._("A usage log entry must end after it starts."))
            if problem == "too_long":
                raise ValidationError(
                    self.env._(
                        "A usage log entry covers at most %(hours)s hours; split a longer use "
                        "by day.",
                        hours=usage.MAX_LOG_HOURS,
                    )
                )

    @api.constrains("user_id", "research_group_id", "booking_id", "instrument_id")
    def _check_user(self):
        """Users log their own use, for one of their groups; staff log anyone's."""
        staff = self.env.su or self.env.user.has_group(STAFF)
        for entry in self:
            if not staff and entry.user_id != self.env.user:
                raise ValidationError(
                    self.env._("You can only log your own use; the instrument's staff log others'.")
                )
            groups = entry.user_id.sudo().facility_group_ids
            if entry.research_group_id and entry.research_group_id not in groups:
                raise ValidationError(
                    self.env._(
                        "%(user)s is not a member of %(group)s.",
                        user=entry.user_id.name,
                        group=entry.research_group_id.name,
                    )
                )
            booking = entry.booking_id.sudo()
            if booking and (
                booking.instrument_id != entry.instrument_id or booking.operator_id != entry.user_id
            ):
                raise ValidationError(
                    self.env._(
                        "Booking %(booking)s is not %(user)s's booking of %(instrument)s.",
                        booking=booking.name,
                        user=entry.user_id.name,
                        instrument=entry.instrument_id.name,
                    )
                )

    # -- demo data ------------------------------------------------------------------------------

    @api.model
    def _demo_populate(self):
        """Demo only: access cards on the research groups' members, the usage log of last
        month (three finished bookings in four written down by hand, as users do, to the five
        minutes), and last month's spot check."""
        env = self.sudo().with_context(tracking_disable=True, mail_create_nolog=True).env
        members = env["facility.research.group"].search([]).member_ids
        for user in members.filtered(lambda u: not u.facility_card).sorted("id"):
            card = hashlib.sha256(user.login.encode()).hexdigest()[:8].upper()
            try:
                with env.cr.savepoint():
                    user.facility_card = card
            except (UserError, ValidationError):
                continue
        first = fields.Date.context_today(self).replace(day=1)
        last_month = (first - timedelta(days=1)).replace(day=1)
        bookings = env["facility.booking"].search(
            [
                ("state", "=", "done"),
                ("actual_start", "!=", False),
                ("actual_stop", "!=", False),
                ("date_start", ">=", fields.Datetime.to_datetime(last_month)),
                ("date_start", "<", fields.Datetime.to_datetime(first)),
            ],
            order="date_start, id",
        )
        Log = env["facility.usage.log"]
        for index, booking in enumerate(bookings):
            if index % 4 == 3:
                continue  # not everyone keeps the ledger
            start, stop = _five(booking.actual_start), _five(booking.actual_stop)
            if stop <= start:
                continue
            try:
                with env.cr.savepoint():
                    Log.create(
                        {
                            "instrument_id": booking.instrument_id.id,
                            "user_id": booking.operator_id.id,
                            "booking_id": booking.id,
                            "date_start": start,
                            "date_stop": min(stop, start + timedelta(hours=24)),
                            "note": booking.purpose,
                        }
                    )
            except (UserError, ValidationError):
                continue
        env["facility.spot.check"].generate(last_month)
        return True


def _five(moment):
    """``moment`` to the nearest five minutes, as people write times down."""
    minutes = round((moment.minute + moment.second / 60) / 5) * 5
    return moment.replace(minute=0, second=0, microsecond=0) + timedelta(minutes=minutes)
