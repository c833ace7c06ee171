"""Pure tests of the offline allow-list: canonical bytes, window, signature, round trip."""

import json
from datetime import datetime, timedelta

from core_facility_iot.rules import allowlist as al
from core_facility_iot.rules import decision as d
from core_facility_iot.rules import signing
from core_facility_iot.rules.codes import AllowReason, Decision

ISSUED = datetime(2025, 12, 10, 0, 0, 0, 123456)
KEY = signing.secret_hash("box-secret")


def at(hours):
    return ISSUED.replace(microsecond=0) + timedelta(hours=hours)


ENTRIES = [
    ("04a1", at(2), at(3.25)),
    ("beef", at(-2), at(0)),  # ends when the list starts: dropped
    ("beef", at(-2), at(0) + timedelta(seconds=1)),  # overlaps by a second: kept
    ("cafe", at(24), at(25)),  # starts when the list ends: dropped
    ("cafe", at(24) - timedelta(seconds=1), at(25)),  # kept, unclipped
    ("dead", at(5), at(5)),  # empty: dropped
    ("   ", at(1), at(2)),  # no card: dropped
    ("04A1", at(2), at(3.25)),  # duplicate once normalised
]


def test_canonical_bytes():
    payload = al.build(ENTRIES, ISSUED)
    assert payload.startswith(b'{"entries":[{"card":"04A1","start":"2025-12-10T02:00:00Z"')
    assert b" " not in payload
    doc = json.loads(payload)
    assert doc["issued_at"] == "2025-12-10T00:00:00Z"
    assert doc["valid_until"] == "2025-12-11T00:00:00Z"
    assert doc["version"] == 1
    assert [(e["card"], e["stop"]) for e in doc["entries"]] == [
        ("04A1", "2025-12-10T03:15:00Z"),
        ("BEEF", "2025-12-10T00:00:01Z"),
        ("CAFE", "2025-12-11T01:00:00Z"),
    ]
    assert al.build(list(reversed(ENTRIES)), ISSUED) == payload


def test_valid_hours():
    doc = json.loads(al.build([], ISSUED, valid_hours=6))
    assert doc["valid_until"] == "2025-12-10T06:00:00Z"
    assert doc["entries"] == []


def test_signature_round_trip_and_tampering():
    payload = al.build(ENTRIES, ISSUED)
    sig = al.sign_allow_list(KEY, payload)
    parsed = al.parse_allow_list(KEY, payload, sig)
    assert parsed.issued_at == at(0) and parsed.valid_until == at(24)
    assert parsed.entries[0] == ("04A1", at(2), at(3.25))
    assert al.parse_allow_list(KEY, payload.replace(b"04A1", b"04A2"), sig) is None
    assert al.parse_allow_list(signing.secret_hash("other"), payload, sig) is None
    assert al.parse_allow_list(KEY, payload, "zz") is None
    assert al.parse_allow_list(KEY, b"not json", al.sign_allow_list(KEY, b"not json")) is None
    wrong_version = payload.replace(b'"version":1', b'"version":2')
    assert al.parse_allow_list(KEY, wrong_version, al.sign_allow_list(KEY, wrong_version)) is None


def test_list_signature_is_not_a_request_signature():
    payload = al.build(ENTRIES, ISSUED)
    assert al.sign_allow_list(KEY, payload) != signing.signature(KEY, "", payload)
    assert not signing.verify(KEY, 0, payload, al.sign_allow_list(KEY, payload))


def test_offline_decision_from_a_downloaded_list_matches_the_online_until():
    payload = al.build(ENTRIES, ISSUED)
    parsed = al.parse_allow_list(KEY, payload, al.sign_allow_list(KEY, payload))
    assert d.offline_decide(parsed, "04a1", at(3), "closed") == (
        Decision.ALLOW,
        AllowReason.OFFLINE_LIST,
        at(3.25),
    )
    assert d.offline_decide(parsed, "04a1", at(3.25), "open")[0] == Decision.DENY


def test_walk_in_cards_round_trip():
    payload = al.build(
        ENTRIES, ISSUED, walk_in_cards=["cafe", "04a1", " ", "CAFE"], walk_in_minutes=45
    )
    doc = json.loads(payload)
    assert doc["walk_in"] == {"cards": ["04A1", "CAFE"], "minutes": 45}
    parsed = al.parse_allow_list(KEY, payload, al.sign_allow_list(KEY, payload))
    assert parsed.walk_in_cards == frozenset({"04A1", "CAFE"})
    assert parsed.walk_in_minutes == 45
    assert d.offline_decide(parsed, "cafe", at(1), "closed") == (
        Decision.ALLOW,
        AllowReason.OFFLINE_LIST,
        at(1) + timedelta(minutes=45),
    )
    # no walk-in: the document is as before, byte for byte
    assert al.build(ENTRIES, ISSUED, walk_in_cards=[], walk_in_minutes=45) == al.build(
        ENTRIES, ISSUED
    )
    assert al.build(ENTRIES, ISSUED, walk_in_cards=["CAFE"]) == al.build(ENTRIES, ISSUED)
    bad = payload.replace(b'"minutes":45', b'"minutes":-1')
    assert al.parse_allow_list(KEY, bad, al.sign_allow_list(KEY, bad)) is None
