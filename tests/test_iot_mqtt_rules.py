"""Pure tests of how a box talks MQTT (rules/mqtt.py): its topics and the payload format
``<timestamp>\\n<signature>\\n<body>``, whose signature is the same HMAC as over HTTP."""

import pytest
from core_facility_iot.rules import mqtt as r
from core_facility_iot.rules import signing

KEY = signing.secret_hash("box-secret")
BODY = b'[{"id": "e1", "type": "heartbeat", "ts": 1765357200}]'


def test_topics_of_a_box():
    assert r.events_topic("SPIRIT-1") == "facility/SPIRIT-1/events"
    assert r.ack_topic("SPIRIT-1") == "facility/SPIRIT-1/ack"
    assert r.EVENTS_FILTER == "facility/+/events"


@pytest.mark.parametrize(
    ("topic", "serial"),
    [
        ("facility/SPIRIT-1/events", "SPIRIT-1"),
        ("facility/盒子1/events", "盒子1"),
        ("facility//events", None),
        ("facility/S/ack", None),
        ("facility/S/events/x", None),
        ("other/S/events", None),
        ("facility/+/events", None),
        ("facility/#/events", None),
        (None, None),
    ],
)
def test_serial_from_the_topic(topic, serial):
    assert r.topic_serial(topic) == serial


def test_ack_topic_serial():
    assert r.topic_serial("facility/B/ack", kind=r.ACK) == "B"


def test_payload_roundtrip_keeps_the_exact_body_and_verifies_as_over_http():
    timestamp = "1765357200"
    sig = signing.signature(KEY, timestamp, BODY)
    payload = r.encode_payload(timestamp, sig, BODY)
    assert payload == f"{timestamp}\n{sig}\n".encode() + BODY
    assert r.parse_payload(payload) == (timestamp, sig, BODY)
    assert signing.verify(KEY, timestamp, BODY, sig)


def test_only_the_first_two_line_breaks_separate_the_body_may_hold_more():
    body = b'[\n  {"id": "e1"}\n]\n'
    assert r.parse_payload(b"1\nabc\n" + body) == ("1", "abc", body)


def test_carriage_returns_before_the_header_line_breaks_are_tolerated():
    assert r.parse_payload(b"1\r\nabc\r\n{}") == ("1", "abc", b"{}")


def test_empty_body_is_a_body():
    assert r.parse_payload(b"1\nabc\n") == ("1", "abc", b"")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "two header lines"),
        (b'[{"id": "e1"}]', "two header lines"),
        (b"1765357200\nabcdef", "two header lines"),
        (b"\nabc\n{}", "timestamp line is empty"),
        (b"1\n\n{}", "signature line is empty"),
        (b"1 2\nabc\n{}", "printable ASCII"),
        ("17653\u00e9\nabc\n{}".encode(), "printable ASCII"),
        (b"1" * 33 + b"\nabc\n{}", "at most 32"),
        (b"1\n" + b"a" * 129 + b"\n{}", "at most 128"),
        ("1\nabc\n{}", "bytes"),
    ],
)
def test_malformed_payloads_are_refused_with_a_reason(payload, message):
    with pytest.raises(r.MalformedPayload, match=message):
        r.parse_payload(payload)


def test_header_lines_at_their_limits_are_taken():
    timestamp, signature = "1" * r.MAX_TIMESTAMP, "a" * r.MAX_SIGNATURE
    assert r.parse_payload(r.encode_payload(timestamp, signature, b"x"))[:2] == (
        timestamp,
        signature,
    )


def test_an_answer_names_its_message_by_the_start_of_its_signature():
    signature = "ab" * 32
    assert r.ack_ref(signature) == signature[: r.REF_LENGTH]
    assert len(r.ack_ref(signature)) == 16


def test_a_stale_answer_is_signed_again_and_resent():
    assert r.resend_stale(401, {"error": "stale_timestamp", "message": "..."})
    assert not r.resend_stale(401, {"error": "bad_signature"})
    assert not r.resend_stale(200, {"accepted": 1})
    assert not r.resend_stale(401, None)
