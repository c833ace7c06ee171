import logging

from odoo import api, fields, models

from ..rules.codes import AuthReason, BatchError, QuarantineState, RejectReason
from .facility_box_event import CHANNELS

_logger = logging.getLogger(__name__)

REASONS = [
    (BatchError.MALFORMED_JSON, "Malformed JSON"),
    (BatchError.TOO_LARGE, "Body too large"),
    (BatchError.NOT_A_LIST, "Not a list of events"),
    (BatchError.TOO_MANY, "Too many events"),
    (AuthReason.UNKNOWN_BOX, "Unknown box"),
    (AuthReason.BAD_SIGNATURE, "Bad signature"),
    (AuthReason.BAD_TIMESTAMP, "Bad timestamp"),
    (AuthReason.STALE_TIMESTAMP, "Stale timestamp"),
    (AuthReason.FUTURE_TIMESTAMP, "Timestamp in the future"),
    (RejectReason.NOT_AN_OBJECT, "Event not an object"),
    (RejectReason.UNKNOWN_TYPE, "Unknown event type"),
    (RejectReason.BAD_ID, "Bad event id"),
    (RejectReason.BAD_TIME, "Bad time"),
    (RejectReason.FUTURE_TIME, "Time in the future"),
    (RejectReason.TOO_OLD, "Too old"),
    (RejectReason.BAD_CARD, "Bad card"),
    (RejectReason.BAD_USER, "Bad user"),
    (RejectReason.BAD_SNAPSHOT, "Bad snapshot"),
    (RejectReason.BAD_PAYLOAD, "Bad payload"),
]


class FacilityBoxQuarantine(models.Model):
    """What the intake refused, kept whole with its reason: a request refused as a whole (400,
    401) or one event of a batch. An administrator inspects it, corrects the body and replays it
    through the same intake, or discards it (it stays on record)."""

    _name = "facility.box.quarantine"
    _description = "Quarantined Box Request"
    _inherit = ["mail.thread", "facility.guarded.mixin"]
    _order = "received_at desc, id desc"
    _guarded_fields = ("state", "replayed_at", "replayed_by_id", "replay_result")

    box_id = fields.Many2one("facility.box", index=True, ondelete="restrict")
    instrument_id = fields.Many2one(related="box_id.instrument_id", store=True, index=True)
    serial = fields.Char(string="Serial Sent", help="The serial the request named, as sent.")
    channel = fields.Selection(CHANNELS, required=True)
    received_at = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    status_code = fields.Integer(string="HTTP Status", readonly=True)
    reason = fields.Selection(REASONS, required=True, readonly=True)
    detail = fields.Char(readonly=True, help="The reason as the box was told it.")
    request_timestamp = fields.Char(readonly=True)
    event_uid = fields.Char(string="Event ID", readonly=True)
    body = fields.Text(help="The refused body (a whole batch, or one event), to correct.")
    original_body = fields.Text(readonly=True)
    state = fields.Selection(
        [
            (QuarantineState.NEW, "New"),
            (QuarantineState.REPLAYED, "Replayed"),
            (QuarantineState.DISCARDED, "Discarded"),
        ],
        default=QuarantineState.NEW,
        required=True,
        tracking=True,
        index=True,
    )
    replayed_at = fields.Datetime(readonly=True)
    replayed_by_id = fields.Many2one("res.users", readonly=True)
    replay_result = fields.Text(readonly=True)

    @api.model
    def _keep(
        self,
        box,
        serial,
        channel,
        status,
        reason,
        body,
        timestamp=None,
        detail=None,
        event_uid=None,
    ):
        """Keep a refused body (bytes) with its reason; never raises (the intake answers the
        box whatever happens here). Bodies that are not UTF-8 are kept with escapes."""
        text = bytes(body or b"").decode("utf-8", errors="backslashreplace")
        values = {
            "box_id": box.id if box else False,
            "serial": (serial if isinstance(serial, str) else repr(serial))[:128],
            "channel": channel,
            "status_code": status,
            "reason": reason,
            "detail": (detail or "")[:500] or False,
            "request_timestamp": (str(timestamp)[:32] if timestamp is not None else False),
            "event_uid": (event_uid or "")[:64] or False,
            "body": text,
            "original_body": text,
        }
        try:
            with self.env.cr.savepoint():
                return self.sudo().with_context(mail_create_nolog=True).create(values)
        except Exception:
            _logger.exception("core_facility_iot: could not quarantine a refused request")
            return self.browse()
