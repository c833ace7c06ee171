from odoo import api, fields, models

from ..rules.codes import AllowReason, Decision, DenyReason

REASONS = [(r, r.replace("_", " ").capitalize()) for r in (*AllowReason, *DenyReason)]


class FacilityAccessDecision(models.Model):
    """Every answer given to a box that asked whether to open its instrument: who asked, what
    was decided, why and until when (the access log managers look at)."""

    _name = "facility.access.decision"
    _description = "Access Decision"
    _order = "asked_at desc, id desc"

    box_id = fields.Many2one("facility.box", required=True, index=True, ondelete="restrict")
    instrument_id = fields.Many2one("facility.instrument", required=True, index=True)
    asked_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    card = fields.Char()
    user_id = fields.Many2one("res.users", string="User", index=True)
    research_group_id = fields.Many2one("facility.research.group")
    booking_id = fields.Many2one("facility.booking", ondelete="set null")
    decision = fields.Selection([(Decision.ALLOW, "Allow"), (Decision.DENY, "Deny")], required=True)
    reason = fields.Selection(REASONS, required=True)
    until = fields.Datetime()

    @api.model
    def _answer(self, box, asked, now=None):
        """``(status, answer)`` to a box asking ``{"card": ...}`` or ``{"user": login}`` at
        ``now``: 200 ``{"decision", "reason", "until"}`` (logged here), or 400 with a reason for
        a question that is not one. Implemented with ``rules.decision``."""
        return 200, {"decision": Decision.DENY, "reason": DenyReason.UNKNOWN_CARD, "until": None}

    @api.model
    def _allow_list(self, box, now=None):
        """``(payload bytes, signature hex)`` of the box's signed 24-hour allow-list."""
        return b"", ""
