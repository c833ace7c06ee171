"""Signed requests of a box: its secret, the HMAC over timestamp and body, the replay window.

A box's secret is shown once (when the box is registered or its secret rotated) and the database
keeps only ``secret_hash(secret)``, the SHA-256 of the secret in hex. The server must *verify* an
HMAC, which needs the key itself, so the stored hash **is** the signing key: the box signs with
``sha256(secret)`` (the 32 raw bytes, ``bytes.fromhex(key_hex)``) and the server with the stored
hash. Consequence, documented on purpose: the database holds the keys, as the verifier of any HMAC
scheme does; whoever reads the hash column can sign as the box. What the scheme does give: the
secret itself is never stored, logged or shown again, and a leak of the database is repaired by
rotating the secrets (a rotation replaces the key; the old one stops working at once). The hash
column must therefore never appear in a view, an export or a log, exactly like a secret.

A request carries the integer epoch seconds it was made at, and the signature

    hex(HMAC-SHA256(key, f"{timestamp}\\n".encode() + body))

over the exact bytes of the body. The timestamp is signed as the decimal text sent by the box
(pass the header unchanged). ``check_timestamp`` refuses a timestamp farther than ``window_s``
from the server's clock, either way: exactly ``window_s`` is still taken, ``window_s + 1`` is
not. A captured request can be replayed only within the window, and there the intake's idempotence
(one row per box and event id) makes the replay a mere duplicate.
"""

import hashlib
import hmac
import re
import secrets

from .codes import AuthReason

# the replay window's default: boxes keep their clock by NTP, a few minutes is ample
DEFAULT_WINDOW_S = 300
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_KEY = re.compile(r"[0-9a-f]{64}")


def new_secret():
    """A fresh box secret (256 bits, URL-safe text): show it once, store only its hash."""
    return secrets.token_urlsafe(32)


def secret_hash(secret):
    """The stored form of a secret, which is also the HMAC key: SHA-256 in lowercase hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def signature(key_hex, timestamp, body):
    """The request signature: HMAC-SHA256 over ``"<timestamp>\\n"`` and the body bytes, in hex."""
    message = f"{timestamp}\n".encode() + bytes(body)
    return hmac.new(bytes.fromhex(key_hex), message, hashlib.sha256).hexdigest()


def verify(key_hex, timestamp, body, given):
    """Whether ``given`` is the signature of the request, compared in constant time.

    Anything malformed (a key that is not 64 hex digits, a signature that is not text, a body
    that is not bytes) is simply not a valid signature: the caller answers 401 without detail.
    """
    if not isinstance(body, bytes | bytearray):
        return False
    return verify_hex(key_hex, given, lambda: signature(key_hex, timestamp, body))


def verify_hex(key_hex, given, expected):
    """Compare ``given`` with ``expected()`` in constant time, after checking the key and the
    given text are well formed (so that ``expected`` is only computed with a valid key)."""
    if not isinstance(key_hex, str) or not _KEY.fullmatch(key_hex):
        return False
    if not isinstance(given, str) or not given.isascii():
        return False
    return hmac.compare_digest(expected().encode(), given.strip().lower().encode())


def parse_timestamp(timestamp):
    """Integer epoch seconds from an int or a string of ASCII digits, else None (no bool, no
    float, no sign, no spaces: what is signed must be what is checked)."""
    if isinstance(timestamp, bool):
        return None
    if isinstance(timestamp, int):
        return timestamp
    if isinstance(timestamp, str) and _TIMESTAMP.fullmatch(timestamp):
        return int(timestamp)
    return None


def check_timestamp(timestamp, now, window_s=DEFAULT_WINDOW_S):
    """None when ``timestamp`` is within ``window_s`` seconds of ``now`` (epoch seconds), else
    the :class:`AuthReason` to refuse the request with."""
    value = parse_timestamp(timestamp)
    if value is None:
        return AuthReason.BAD_TIMESTAMP
    if now - value > window_s:
        return AuthReason.STALE_TIMESTAMP
    if value - now > window_s:
        return AuthReason.FUTURE_TIMESTAMP
    return None
