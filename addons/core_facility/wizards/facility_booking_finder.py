from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError

MAX_RESULTS = 5
# The finder searches at most this many days ahead (the instrument judges a bounded number of
# candidate times), so that no request can hold a server worker.
MAX_DAYS = 92


class FacilityBookingFinder(models.TransientModel):
    """Find the next free times on an instrument that a user may book under its rules."""

    _name = "facility.booking.finder"
    _description = "Availability Finder"

    instrument_id = fields.Many2one("facility.instrument", required=True)
    user_id = fields.Many2one("res.users", required=True, default=lambda self: self.env.user)
    research_group_id = fields.Many2one(
        "facility.research.group",
        required=True,
        default=lambda self: self.env.user.facility_group_ids[:1],
        domain="[('member_ids', 'in', user_id)]",
    )
    duration_hours = fields.Float(string="Duration (h)", required=True, default=4.0)
    date_from = fields.Datetime(string="From", required=True, default=fields.Datetime.now)
    days = fields.Integer(string="Search Days", required=True, default=21)
    result_ids = fields.One2many("facility.booking.finder.result", "finder_id", readonly=True)

    @api.constrains("days", "duration_hours")
    def _check_search(self):
        for finder in self:
            if finder.duration_hours <= 0 or finder.days <= 0:
                raise ValidationError(self.env._("Give a positive duration and number of days."))
            if finder.days > MAX_DAYS:
                raise ValidationError(
                    self.env._(
                        "Search at most %(max)s days ahead (%(days)s asked): bookings open a "
                        "few weeks ahead at most.",
                        max=MAX_DAYS,
                        days=finder.days,
                    )
                )
            if finder.duration_hours > 24 * MAX_DAYS:
                raise ValidationError(self.env._("Ask for a shorter duration."))

    def action_search(self):
        self.ensure_one()
        found = self._find()
        self.result_ids = [Command.clear()] + [
            Command.create({"date_start": start, "date_stop": stop}) for start, stop in found
        ]
        # reopen the same dialog, under the action's own (translated) title
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility.action_facility_booking_finder"
        )
        action["res_id"] = self.id
        return action

    def _find(self):
        """Up to five ``(start, stop)`` UTC pairs, earliest first, that pass every rule."""
        start_from = max(self.date_from, fields.Datetime.now())
        return self.instrument_id.get_bookable_times(
            self.user_id,
            self.research_group_id,
            start_from,
            start_from + timedelta(days=min(self.days, MAX_DAYS)),
            self.duration_hours,
            limit=MAX_RESULTS,
        )


class FacilityBookingFinderResult(models.TransientModel):
    _name = "facility.booking.finder.result"
    _description = "Availability Finder Result"
    _order = "date_start"

    finder_id = fields.Many2one("facility.booking.finder", required=True, ondelete="cascade")
    date_start = fields.Datetime(string="Start", required=True)
    date_stop = fields.Datetime(string="End", required=True)

    def action_book(self):
        self.ensure_one()
        finder = self.finder_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Booking"),
            "res_model": "facility.booking",
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_instrument_id": finder.instrument_id.id,
                "default_operator_id": finder.user_id.id,
                "default_research_group_id": finder.research_group_id.id,
                "default_date_start": fields.Datetime.to_string(self.date_start),
                "default_date_stop": fields.Datetime.to_string(self.date_stop),
            },
        }
