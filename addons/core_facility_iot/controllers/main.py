"""The HTTP endpoints of the instrument boxes (versioned: ``/facility/iot/v1/...``).

A box signs every request (see ``rules.signing``) with three headers: ``X-Facility-Box`` (its
serial), ``X-Facility-Timestamp`` (integer epoch seconds) and ``X-Facility-Signature`` (hex
HMAC-SHA256 over ``"<timestamp>\\n"`` and the exact body; an empty body for a GET). No session,
no cookie, no CSRF token: the signature is the authentication, and these three routes are all a
box's secret opens. Answers are JSON with a reason, never a stack trace.
"""

import json
import logging

from odoo import http
from odoo.http import request

from ..models.facility_box import BoxAuthError
from ..rules.codes import BatchError, Channel

_logger = logging.getLogger(__name__)

API = "/facility/iot/v1"
HEADER_BOX = "X-Facility-Box"
HEADER_TIMESTAMP = "X-Facility-Timestamp"
HEADER_SIGNATURE = "X-Facility-Signature"


def _signed():
    headers = request.httprequest.headers
    return (
        headers.get(HEADER_BOX, ""),
        headers.get(HEADER_TIMESTAMP, ""),
        headers.get(HEADER_SIGNATURE, ""),
        request.httprequest.get_data(cache=False) or b"",
    )


def _json(status, answer, headers=None):
    return request.make_json_response(answer, status=status, headers=headers)


class BoxController(http.Controller):
    @http.route(
        f"{API}/events",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def events(self, **_kwargs):
        """A batch of events: 200 with a verdict per event, or 400 / 401 / 413 with a reason."""
        serial, timestamp, signature, body = _signed()
        status, answer = (
            request.env["facility.box.event"]
            .sudo()
            ._receive(serial, timestamp, signature, body, Channel.HTTP)
        )
        return _json(status, answer)

    @http.route(
        f"{API}/access",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def access(self, **_kwargs):
        """``{"card": "04A1B2C3"}`` or ``{"user": "login"}``: may they use the instrument now?"""
        serial, timestamp, signature, body = _signed()
        try:
            box = (
                request.env["facility.box"].sudo()._authenticate(serial, timestamp, signature, body)
            )
        except BoxAuthError as error:
            message = request.env["facility.box.event"]._auth_message(error.reason)
            return _json(401, {"error": error.reason, "message": message})
        box._touch()
        try:
            asked = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            return _json(400, {"error": BatchError.MALFORMED_JSON, "message": str(error)[:200]})
        status, answer = request.env["facility.access.decision"].sudo()._answer(box, asked)
        return _json(status, answer)

    @http.route(
        f"{API}/allow-list",
        type="http",
        auth="none",
        methods=["GET"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def allow_list(self, **_kwargs):
        """The box's signed allow-list of the next 24 hours (body: the canonical JSON; header
        ``X-Facility-Signature``: its HMAC with the box's key, see ``rules.allowlist``)."""
        serial, timestamp, signature, body = _signed()
        try:
            box = (
                request.env["facility.box"].sudo()._authenticate(serial, timestamp, signature, body)
            )
        except BoxAuthError as error:
            message = request.env["facility.box.event"]._auth_message(error.reason)
            return _json(401, {"error": error.reason, "message": message})
        box._touch()
        payload, list_signature = request.env["facility.access.decision"].sudo()._allow_list(box)
        return request.make_response(
            payload,
            headers=[
                ("Content-Type", "application/json"),
                (HEADER_SIGNATURE, list_signature),
            ],
        )
