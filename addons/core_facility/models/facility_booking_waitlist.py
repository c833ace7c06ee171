from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class FacilityBookingWaitlist(models.Model):
    """A wish for time on an instrument; released time is offered to the first matching wish."""

    _name = "facility.booking.waitlist"
    _description = "Booking Waitlist Entry"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "create_date, id"

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
            ("waiting", "Waiting"),
            ("offered", "Offered"),
            ("booked", "Booked"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="waiting",
        tracking=True,
    )
    offered_start = fields.Datetime(readonly=True)
    offered_stop = fields.Datetime(readonly=True)
    booking_id = fields.Many2one("facility.booking", readonly=True)

    @api.depends("instrument_id", "user_id")
    def _compute_display_name(self):
        for entry in self:
            entry.display_name = f"{entry.instrument_id.name} – {entry.user_id.name}"

    @api.constrains("date_from", "date_to", "min_hours")
    def _check_window(self):
        for entry in self:
            if entry.date_to <= entry.date_from:
                raise ValidationError(self.env._("The wanted time must end after it starts."))
            if entry.min_hours <= 0:
                raise ValidationError(self.env._("Ask for more than 0 hours."))

    def action_cancel(self):
        self.write({"state": "cancelled"})

    def action_book_offer(self):
        """Book the offered time (the booking rules still apply)."""
        self.ensure_one()
        if self.state != "offered":
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
        self.write({"state": "booked", "booking_id": booking.id})
        return {
            "type": "ir.actions.act_window",
            "res_model": "facility.booking",
            "res_id": booking.id,
            "view_mode": "form",
        }

    @api.model
    def _offer(self, instrument, start, stop):
        """Offer ``start``-``stop`` to the first waiting entry it suits; return that entry."""
        candidates = self.search(
            [
                ("instrument_id", "=", instrument.id),
                ("state", "=", "waiting"),
                ("date_from", "<", stop),
                ("date_to", ">", start),
            ]
        )
        for entry in candidates:
            offer_start, offer_stop = max(start, entry.date_from), min(stop, entry.date_to)
            if (offer_stop - offer_start).total_seconds() / 3600 + 1e-9 >= entry.min_hours:
                entry.write(
                    {"state": "offered", "offered_start": offer_start, "offered_stop": offer_stop}
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
