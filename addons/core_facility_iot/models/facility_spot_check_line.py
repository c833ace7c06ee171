from odoo import fields, models


class FacilitySpotCheckLine(models.Model):
    """One finding of a spot check in detail: an unbooked session, a booking the box did not
    measure, or one recorded as under-used."""

    _name = "facility.spot.check.line"
    _description = "Spot Check Detail"
    _order = "check_id, date_start, id"

    check_id = fields.Many2one(
        "facility.spot.check", string="Spot Check", required=True, index=True, ondelete="cascade"
    )
    instrument_id = fields.Many2one(related="check_id.instrument_id", store=True, index=True)
    kind = fields.Selection(
        [
            ("unbooked_session", "Unbooked use"),
            ("unmeasured_booking", "Booking without measured use"),
            ("underused_booking", "Under-used booking"),
        ],
        required=True,
    )
    session_id = fields.Many2one("facility.usage.session", ondelete="set null")
    booking_id = fields.Many2one("facility.booking", ondelete="set null")
    user_id = fields.Many2one("res.users")
    research_group_id = fields.Many2one("facility.research.group")
    date_start = fields.Datetime(string="Start")
    date_stop = fields.Datetime(string="End")
    hours = fields.Float()
