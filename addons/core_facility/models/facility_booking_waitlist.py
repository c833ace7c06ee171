from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..rules.codes import WaitlistState as W
from .facility_booking_check import check_purpose


class FacilityBookingWaitlist(models.Model):
    """A wish for time on an instrument; released time is offered to the first matching wish."""

    _name = "facility.booking.waitlist"
    _description = "Booking Waitlist Entry"
    _inherit = ["mail.thread", "mail.activity.mixin", "facility.guarded.mixin"]
    _order = "create_date, id"
    # offers are made by the system only
    _guarded_fields = ("state", "offered_start", "offered_stop", "booking_id")

    instrument_id = fields.Many2one(
        "facility.instrument", required=True, index=True, ondelete="cascade"
    )
    user_id = fields.Many2one(
        "res.users", required=True, index=True, default=lambda self: self.env.user
    )
    research_group_id = fields.Many2one(
        "facility.research.group",
        required=True,
        default=lambda self: self.env.user.facility_group_ids[:1],
        domain="[('member_ids', 'in', user_id)]",
    )
    date_from = fields.Datetime(string="Wanted From", required=True)
    date_to = fields.Datetime(string="Wanted Until", required=True)
    min_hours = fields.Float(string="At Least (h)", default=1.0)
    purpose = fields.Char(required=True)
    state = fields.Selection(
        [
            (W.WAITING, "Waiting"),
            (W.OFFERED, "Offered"),
            (W.BOOKED, "Booked"),
            (W.CANCELLED, "Cancelled"),
        ],
        required=True,
        default=W.WAITING,
        tracking=True,
    )
    offered_start = fields.Datetime(readonly=True)
    offered_stop = fields.Datetime(readonly=True)
    booking_id = fields.Many2one("facility.booking", readonly=True)

    @api.depends("instrument_id", "user_id")
    def _compute_display_name(self):
        for entry in self:
            entry.display_name = f"{entry.instrument_id.name} – {entry.user_id.name}"

    @api.constrains("date_from", "date_to", "min_hours", "purpose")
    def _check_window(self):
        for entry in self:
            check_purpose(self.env, entry.purpose)
            if entry.date_to <= entry.date_from:
                raise ValidationError(self.env._("The wanted time must end after it starts."))
            if entry.min_hours <= 0:
                raise ValidationError(self.env._("Ask for more than 0 hours."))

    @api.constrains("user_id", "research_group_id", "instrument_id")
    def _check_who(self):
        """Entries are for a member of the group, made by that member or the instrument's
        managers on their behalf."""
        if self.env.su:
            return
        author = self.env.user
        is_director = author.has_group("core_facility.group_facility_manager")
        for entry in self.sudo():
            if entry.research_group_id not in entry.user_id.facility_group_ids:
                raise ValidationError(
                    self.env._(
                        "Waitlist rule: %(user)s is not a member of %(group)s.",
                        user=entry.user_id.name,
                        group=entry.research_group_id.name,
                    )
                )
            if not (
                entry.user_id == author or is_director or author in entry.instrument_id.manager_ids
            ):
                raise ValidationError(
                    self.env._(
                        "Waitlist rule: you may put only yourself on a waitlist; the managers "
                        "of %(instrument)s may add a user on their behalf.",
                        instrument=entry.instrument_id.name,
                    )
                )

    def action_cancel(self):
        for entry in self:
            if entry.state not in (W.WAITING, W.OFFERED):
                raise UserError(self.env._("Only waiting or offered entries can be cancelled."))
        self._write_guarded({"state": W.CANCELLED})

    def action_book_offer(self):
        """Book the offered time (the booking rules still apply)."""
        self.ensure_one()
        if self.state != W.OFFERED:
            raise UserError(self.env._("No time is offered on this entry."))
        booking = self.env["facility.booking"].create(
            {
                "instrument_id": self.instrument_id.id,
                "operator_id": self.user_id.id,
                "research_group_id": self.research_group_id.id,
                "purpose": self.purpose,
                "date_start": self.offered_start,
                "date_stop": self.offered_stop,
            }
        )
        self._write_guarded({"state": W.BOOKED, "booking_id": booking.id})
        return {
            "type": "ir.actions.act_window",
            "res_model": "facility.booking",
            "res_id": booking.id,
            "view_mode": "form",
        }

    @api.model
    def _add_for(self, booking):
        """Put the requester of a rejected ``booking`` on the waitlist for the time asked."""
        entry = self.sudo().create(
            {
                "instrument_id": booking.instrument_id.id,
                "user_id": booking.operator_id.id,
                "research_group_id": booking.research_group_id.id,
                "date_from": booking.date_start,
                "date_to": booking.date_stop,
                "min_hours": booking.duration_hours,
                "purpose": booking.purpose,
            }
        )
        entry.message_post(
            body=self.env._(
                "Added to the waitlist when %(booking)s was refused: released time is offered "
                "here first come, first served.",
                booking=booking.name,
            ),
            partner_ids=booking.operator_id.partner_id.ids,
        )
        return entry

    @api.model
    def _offer(self, instrument, start, stop):
        """Offer ``start``-``stop`` to the first waiting entry it suits; return that entry."""
        candidates = self.search(
            [
                ("instrument_id", "=", instrument.id),
                ("state", "=", W.WAITING),
                ("date_from", "<", stop),
                ("date_to", ">", start),
            ]
        )
        for entry in candidates:
            offer_start, offer_stop = max(start, entry.date_from), min(stop, entry.date_to)
            if (offer_stop - offer_start).total_seconds() / 3600 + 1e-9 >= entry.min_hours:
                entry._write_guarded(
                    {"state": W.OFFERED, "offered_start": offer_start, "offered_stop": offer_stop}
                )
                entry.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=entry.user_id.id,
                    summary=self.env._(
                        "Released time offered on %(instrument)s", instrument=instrument.name
                    ),
                    note=self.env._(
                        "Time was released on %(instrument)s; book it from your waitlist entry.",
                        instrument=instrument.name,
                    ),
                )
                entry.message_post(
                    body=self.env._("Released time offered to you."),
                    partner_ids=entry.user_id.partner_id.ids,
                )
                return entry
        return self.browse()
