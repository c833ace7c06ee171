"""The HTTP endpoints of the instrument boxes (versioned: ``/facility/iot/v1/...``).

A box signs every request (see ``rules.signing``) with three headers: ``X-Facility-Box`` (its
serial), ``X-Facility-Timestamp`` (integer epoch seconds) and ``X-Facility-Signature`` (hex
HMAC-SHA256 over ``"<timestamp>\\n"`` and the exact body; an empty body for a GET), and sends its
body as ``Content-Type: application/json``. No session, no cookie, no CSRF token: the signature
is the authentication, and these three routes are all a box's secret opens (every other route of
Odoo asks for a session the box does not have). Answers are JSON with a reason, never a stack
trace.

The database: a box keeps no session, so Odoo finds the database of these routes as for any
request without one: the only database the server offers for the request's host (``--database``
/ ``db_name``, or ``--db-filter`` such as ``^%d$``, which picks the database named like the first
label of the host name). The ``db`` query parameter is honoured by Odoo's web client pages only,
not by these routes: on a server with several databases, give the boxes a host name the filter
maps to one database.
"""

import logging

from odoo import SUPERUSER_ID, http
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..models.facility_box import BoxAuthError
from ..rules import intake as intake_rules
from ..rules.codes import BatchError, Channel
from ..rules.intake import INTERNAL_MESSAGE, MAX_BODY_BYTES, IntakeError

_logger = logging.getLogger(__name__)

API = "/facility/iot/v1"
HEADER_BOX = "X-Facility-Box"
HEADER_TIMESTAMP = "X-Facility-Timestamp"
HEADER_SIGNATURE = "X-Facility-Signature"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
INTERNAL = {"error": str(IntakeError.INTERNAL), "message": INTERNAL_MESSAGE}
ROUTE = {
    "type": "http",
    "auth": "none",
    "csrf": False,
    "save_session": False,
    "readonly": False,  # auth="none" routes are read-only by default: these write
}


def _env():
    """The environment of a box's request: no user is logged in (``auth="none"``), so the
    intake acts as the system (OdooBot), whose name appears on what it posts (violations,
    notes); every answer is decided by the box's signature, not by this user."""
    return request.env(user=SUPERUSER_ID)


def _signed():
    """``(serial, timestamp, signature, body)`` as sent. The body is read once and cached, so
    that a request Odoo retries after a serialization failure signs the same bytes."""
    headers = request.httprequest.headers
    return (
        headers.get(HEADER_BOX),
        headers.get(HEADER_TIMESTAMP),
        headers.get(HEADER_SIGNATURE),
        request.httprequest.get_data() or b"",
    )


def _json(status, answer, headers=None):
    return request.make_json_response(answer, status=status, headers=headers)


def _wrong_method(allowed):
    """405 with the method the route takes."""
    return _json(
        405,
        {
            "error": str(IntakeError.METHOD_NOT_ALLOWED),
            "message": f"this endpoint takes {allowed} only",
        },
        headers=[("Allow", allowed)],
    )


def _form_body():
    """A form-encoded request: Odoo has parsed (and consumed) the body before the route runs,
    so its exact bytes are gone and no signature can match. The box is told to send JSON."""
    return request.httprequest.mimetype in FORM_TYPES


def _authenticated(serial, timestamp, signature, body):
    """``(box, None)``, or ``(None, 401 response)``."""
    try:
        box = _env()["facility.box"].sudo()._authenticate(serial, timestamp, signature, body)
    except BoxAuthError as error:
        message = _env()["facility.box.event"]._auth_message(error.reason)
        _logger.info(
            "box request refused: path=%s box=%r reason=%s",
            request.httprequest.path,
            str(serial)[:64],
            error.reason,
        )
        return None, _json(401, {"error": str(error.reason), "message": message})
    box._touch()
    return box, None


def _guarded(serve):
    """Run ``serve()``; a failure is logged and answered 500 ``internal``, never a trace.
    Concurrency errors go up to Odoo, which retries the whole request."""
    try:
        return serve()
    except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
        raise
    except Exception:
        _logger.exception("core_facility_iot: a box request failed: %s", request.httprequest.path)
        return _json(500, INTERNAL)


class BoxController(http.Controller):
    @http.route(f"{API}/events", **ROUTE)
    def events(self, **_kwargs):
        """A batch of events: 200 with a verdict per event, or 400 / 401 / 405 / 413 / 415 with
        a reason. Every refused body is kept in the quarantine."""

        def serve():
            serial, timestamp, signature, body = _signed()
            method = request.httprequest.method[:10]
            if method != "POST":
                if body:
                    _keep(
                        serial,
                        timestamp,
                        body,
                        405,
                        IntakeError.METHOD_NOT_ALLOWED,
                        f"sent with {method}: this endpoint takes POST only",
                    )
                return _wrong_method("POST")
            if _form_body():
                message = "send the batch as the body with Content-Type: application/json"
                _keep(
                    serial,
                    timestamp,
                    body or _form_text(),
                    415,
                    IntakeError.UNSUPPORTED_MEDIA_TYPE,
                    f"{message} (kept: the form Odoo parsed, not the exact bytes)",
                )
                return _json(
                    415, {"error": str(IntakeError.UNSUPPORTED_MEDIA_TYPE), "message": message}
                )
            status, answer = (
                _env()["facility.box.event"]
                .sudo()
                ._receive(serial, timestamp, signature, body, Channel.HTTP)
            )
            return _json(status, answer)

        return _guarded(serve)

    @http.route(f"{API}/access", **ROUTE)
    def access(self, **_kwargs):
        """``{"card": "04A1B2C3"}`` or ``{"user": "login"}``: may they use the instrument now?"""
        if request.httprequest.method != "POST":
            return _wrong_method("POST")

        def serve():
            serial, timestamp, signature, body = _signed()
            if len(body) > MAX_BODY_BYTES:
                message = f"the body has more than {MAX_BODY_BYTES} bytes"
                return _json(413, {"error": str(BatchError.TOO_LARGE), "message": message})
            box, refusal = _authenticated(serial, timestamp, signature, body)
            if refusal:
                return refusal
            asked, message = intake_rules.decode_body(body)
            if message is not None:
                return _json(400, {"error": str(BatchError.MALFORMED_JSON), "message": message})
            status, answer = _env()["facility.access.decision"].sudo()._answer(box, asked)
            return _json(status, answer)

        return _guarded(serve)

    @http.route(f"{API}/allow-list", **ROUTE)
    def allow_list(self, **_kwargs):
        """The box's signed allow-list of the next 24 hours (body: the canonical JSON; header
        ``X-Facility-Signature``: its HMAC with the box's key, see ``rules.allowlist``)."""
        if request.httprequest.method != "GET":
            return _wrong_method("GET")

        def serve():
            serial, timestamp, signature, body = _signed()
            box, refusal = _authenticated(serial, timestamp, signature, body)
            if refusal:
                return refusal
            payload, list_signature = _env()["facility.access.decision"].sudo()._allow_list(box)
            return request.make_response(
                payload,
                headers=[
                    ("Content-Type", "application/json"),
                    (HEADER_SIGNATURE, list_signature),
                ],
            )

        return _guarded(serve)


def _form_text():
    """The parsed form of a form-encoded request, joined again (its exact bytes are gone)."""
    form = request.httprequest.form
    return "&".join(
        f"{key}={value}" if value else key for key, value in form.items(multi=True)
    ).encode()


def _keep(serial, timestamp, body, status, reason, detail):
    """Quarantine a body the route refused before the intake saw it (its box not authenticated:
    only its start, size and hash are kept)."""
    _env()["facility.box.quarantine"].sudo()._keep(
        None, serial, Channel.HTTP, status, reason, body, timestamp, detail=detail
    )
