from datetime import datetime, timedelta

import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError

from ..models.booking_facts import BookingFacts, BookingSubject
from ..models.utils import to_utc

MAX_RESULTS = 5
# The finder searches at most this many days ahead, and judges at most this many candidate
# times, so that no request can hold a server worker.
MAX_DAYS = 92
MAX_CANDIDATES = 5000


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
        instrument = self.instrument_id
        tz = instrument._booking_tz()
        start_from = max(self.date_from, fields.Datetime.now())
        until = start_from + timedelta(days=min(self.days, MAX_DAYS))
        busy = [
            (interval["start"], interval["stop"])
            for interval in instrument.get_busy_intervals(start_from, until)
        ]
        subject = BookingSubject(
            instrument=instrument,
            operator=self.user_id,
            group=self.research_group_id,
            booker=self.env.user,
            # the booker confirms it when booking: it does not depend on the time
            preparation_done=True,
        )
        # facts are gathered once for the whole window; each candidate is then judged in memory
        facts = BookingFacts.gather(self.env, subject, start_from, until + timedelta(days=2))
        if facts.static_violations():
            return []
        results = []
        for count, (start, stop) in enumerate(self._candidates(tz, start_from, until)):
            if count >= MAX_CANDIDATES:
                break
            if any(s < stop and start < e for s, e in busy):
                continue
            if any(s < stop and start < e for s, e in results):
                continue
            if not facts.violations(start, stop):
                results.append((start, stop))
                if len(results) >= MAX_RESULTS:
                    break
        return results

    def _candidates(self, tz, start_from, until):
        """Candidate times: the policy's slots and whole days, or every half hour."""
        policy = self.instrument_id.booking_policy_id
        wanted = timedelta(hours=self.duration_hours)
        local_from = pytz.utc.localize(start_from).astimezone(tz).replace(tzinfo=None)
        day = local_from.date()
        last = pytz.utc.localize(until).astimezone(tz).date()
        slots = policy._to_rules().slots if policy else ()
        while day <= last:
            if slots:
                # bookings must match slots exactly: offer the slots and the whole day
                options = [slot.bounds(day) for slot in slots]
                options.append((slots[0].bounds(day)[0], slots[-1].bounds(day)[1]))
                for start, stop in sorted(set(options)):
                    if start >= local_from and stop - start >= wanted:
                        yield to_utc(start, tz), to_utc(stop, tz)
            elif policy and policy.whole_days_only:
                start = datetime.combine(day, datetime.min.time())
                days = max(1, -(-int(self.duration_hours) // 24))
                if start >= local_from:
                    yield to_utc(start, tz), to_utc(start + timedelta(days=days), tz)
            else:
                start = datetime.combine(day, datetime.min.time())
                for step in range(48):
                    candidate = start + timedelta(minutes=30 * step)
                    if candidate >= local_from:
                        yield to_utc(candidate, tz), to_utc(candidate + wanted, tz)
            day += timedelta(days=1)


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
