"""How a box talks MQTT: its topics and the one payload format of a signed batch.

A box publishes a batch of events (QoS 1) on ``facility/<serial>/events`` and reads the answer on
``facility/<serial>/ack``. MQTT has no headers, so the payload carries what HTTP puts in the
``X-Facility-Timestamp`` and ``X-Facility-Signature`` headers, one line each, before the body::

    <timestamp>\\n<signature hex>\\n<body bytes>

``timestamp`` is the decimal epoch seconds and ``signature`` the same HMAC as over HTTP
(``rules.signing.signature``: over ``"<timestamp>\\n" + body``); the body is the exact JSON bytes
an HTTP post would carry (it may itself hold line breaks: only the first two line breaks
separate). A ``\\r`` before each of the two line breaks is tolerated. The answer published on the
ack topic is the HTTP answer with its status: ``{"status": 200, "box": ..., "results": [...],
"accepted": 1, "duplicate": 0, "rejected": 0, "ref": ...}`` or ``{"status": 401, "error": ...,
"message": ..., "ref": ...}``; ``ref`` (``ack_ref``) is the first 16 characters of the signature
of the message answered: a box tells by it which of its messages an answer is for. A payload
without its two header lines is answered ``{"status": 400, "error": "malformed_payload", ...}``
(no ``ref``) and kept in the quarantine like any refused body.

``resend_stale(status, answer)``: a message answered 401 ``stale_timestamp`` waited longer than
the replay window (in the box's queue, or in the broker while the bridge was down): the box
signs the same batch again with a fresh timestamp and publishes it again. Its events keep their
ids, so those taken meanwhile are answered ``duplicate``.

Plain functions, standard library only, no Odoo import.
"""

import re

from .codes import AuthReason

TOPIC_PREFIX = "facility"
EVENTS = "events"
ACK = "ack"
EVENTS_FILTER = f"{TOPIC_PREFIX}/+/{EVENTS}"  # what the bridge subscribes to
ACK_FILTER = f"{TOPIC_PREFIX}/+/{ACK}"

# the answer's error code for a payload that is not "<timestamp>\n<signature>\n<body>"
MALFORMED_PAYLOAD = "malformed_payload"

REF_LENGTH = 16  # characters of the signature echoed in an answer as its "ref"
MAX_TIMESTAMP = 32
MAX_SIGNATURE = 128
_HEADER = re.compile(rb"[\x21-\x7e]+")  # printable ASCII, no space
_SERIAL = re.compile(r"[^/+#\x00]{1,128}")


class MalformedPayload(ValueError):
    """The payload has no timestamp and signature lines; the message says what is wrong."""


def events_topic(serial):
    return f"{TOPIC_PREFIX}/{serial}/{EVENTS}"


def ack_topic(serial):
    return f"{TOPIC_PREFIX}/{serial}/{ACK}"


def topic_serial(topic, kind=EVENTS):
    """The serial of ``facility/<serial>/<kind>``, else None (also for an empty serial or one
    holding a wildcard character, which no published topic can)."""
    if not isinstance(topic, str):
        return None
    parts = topic.split("/")
    if len(parts) != 3 or parts[0] != TOPIC_PREFIX or parts[2] != kind:
        return None
    return parts[1] if _SERIAL.fullmatch(parts[1]) else None


def ack_ref(signature):
    """What an answer echoes of the message it answers: the start of its signature."""
    return str(signature)[:REF_LENGTH]


def resend_stale(status, answer):
    """Whether a box signs its batch again and re-sends it: answered 401 ``stale_timestamp``."""
    return (
        status == 401
        and isinstance(answer, dict)
        and answer.get("error") == AuthReason.STALE_TIMESTAMP
    )


def encode_payload(timestamp, signature, body):
    """The MQTT payload of a signed batch: ``b"<timestamp>\\n<signature>\\n" + body``."""
    return f"{timestamp}\n{signature}\n".encode("ascii") + bytes(body)


def parse_payload(payload):
    """``(timestamp, signature, body)`` of a payload (texts and the exact body bytes), or
    :class:`MalformedPayload`. Only the shape is checked here; whether the timestamp and the
    signature are right is the intake's question (401 with its reason)."""
    if not isinstance(payload, bytes | bytearray):
        raise MalformedPayload("the payload must be bytes")
    payload = bytes(payload)
    first = payload.find(b"\n")
    second = payload.find(b"\n", first + 1) if first >= 0 else -1
    if second < 0:
        raise MalformedPayload(
            "expected two header lines, <timestamp>\\n<signature>\\n, before the body"
        )
    timestamp = payload[:first].removesuffix(b"\r")
    signature = payload[first + 1 : second].removesuffix(b"\r")
    for name, value, limit in (
        ("timestamp", timestamp, MAX_TIMESTAMP),
        ("signature", signature, MAX_SIGNATURE),
    ):
        if not value:
            raise MalformedPayload(f"the {name} line is empty")
        if len(value) > limit:
            raise MalformedPayload(f"the {name} line has {len(value)} bytes, at most {limit}")
        if not _HEADER.fullmatch(value):
            raise MalformedPayload(f"the {name} line must be printable ASCII without spaces")
    return timestamp.decode("ascii"), signature.decode("ascii"), payload[second + 1 :]
