"""Pure tests of the box's request signing: secret, key, HMAC and the replay window's edges."""

import hashlib
import hmac

from core_facility_iot.rules import signing as s
from core_facility_iot.rules.codes import AuthReason

SECRET = "correct-horse-battery-staple"
KEY = s.secret_hash(SECRET)
BODY = b'{"events":[]}'


def test_secret_is_stored_as_its_sha256_which_is_the_key():
    assert KEY == hashlib.sha256(SECRET.encode()).hexdigest()
    assert len(KEY) == 64
    assert SECRET not in KEY


def test_new_secrets_are_long_and_distinct():
    a, b = s.new_secret(), s.new_secret()
    assert a != b
    assert len(a) >= 43


def test_signature_is_hmac_over_timestamp_newline_body():
    expected = hmac.new(
        hashlib.sha256(SECRET.encode()).digest(), b"1765357200\n" + BODY, hashlib.sha256
    ).hexdigest()
    assert s.signature(KEY, 1765357200, BODY) == expected
    assert s.signature(KEY, "1765357200", BODY) == expected


def test_verify_accepts_the_right_signature_only():
    sig = s.signature(KEY, 1765357200, BODY)
    assert s.verify(KEY, 1765357200, BODY, sig)
    assert s.verify(KEY, 1765357200, BODY, sig.upper())
    assert not s.verify(KEY, 1765357201, BODY, sig)  # another timestamp
    assert not s.verify(KEY, 1765357200, BODY + b" ", sig)  # another body
    assert not s.verify(s.secret_hash("other"), 1765357200, BODY, sig)  # another box
    rotated = s.secret_hash(s.new_secret())
    assert not s.verify(rotated, 1765357200, BODY, sig)  # rotation invalidates at once


def test_verify_refuses_malformed_input_without_raising():
    sig = s.signature(KEY, 1, BODY)
    assert not s.verify("not-hex", 1, BODY, sig)
    assert not s.verify(KEY.upper(), 1, BODY, sig)
    assert not s.verify(None, 1, BODY, sig)
    assert not s.verify(KEY, 1, BODY, None)
    assert not s.verify(KEY, 1, BODY, "签名")
    assert not s.verify(KEY, 1, "text", sig)
    assert not s.verify(KEY, 1, BODY, "")


def test_timestamp_window_edges_both_ways():
    now = 1_765_357_200
    assert s.check_timestamp(now, now, 300) is None
    assert s.check_timestamp(now - 300, now, 300) is None
    assert s.check_timestamp(now - 301, now, 300) == AuthReason.STALE_TIMESTAMP
    assert s.check_timestamp(now + 300, now, 300) is None
    assert s.check_timestamp(now + 301, now, 300) == AuthReason.FUTURE_TIMESTAMP
    assert s.check_timestamp(str(now - 300), now, 300) is None
    assert s.check_timestamp(str(now - 301), now, 300) == AuthReason.STALE_TIMESTAMP


def test_timestamp_must_be_integer_epoch_seconds():
    now = 1_765_357_200
    for bad in (None, True, float(now), f"{now}.0", f" {now}", f"+{now}", "-5", "", "1_000"):
        assert s.check_timestamp(bad, now, 300) == AuthReason.BAD_TIMESTAMP, bad
    assert s.check_timestamp(str(now), now, 300) is None
