"""The signed allow-list a box downloads for its offline fallback.

``build(entries, issued_at, valid_hours=24)`` returns the canonical JSON bytes (sorted keys, no
spaces, UTF-8) of::

    {"entries": [{"card": "04A1B2C3", "start": "2025-12-10T01:00:00Z",
                  "stop": "2025-12-10T03:15:00Z"}, ...],
     "issued_at": "2025-12-10T00:00:00Z", "valid_until": "2025-12-11T00:00:00Z", "version": 1}

Entries are ``(card, start, stop)`` in naive UTC, the stop already including the grace (the ORM
builds them with ``decision.list_entry`` from the same facts as ``decision.decide``, so online
and offline agree). On a log-only instrument allowing walk-in use, the cards that may walk in
(known, qualified, of an active group, not sanctioned) are listed too, with the walk-in span::

    "walk_in": {"cards": ["04A1B2C3", ...], "minutes": 60}

(absent when no card may walk in; a box that does not know the key ignores it and denies
walk-ins, as before). Only entries
overlapping ``[issued_at, valid_until)`` are kept (touching ends do not overlap); they are not
clipped, so an entry running past ``valid_until`` keeps the ``until`` the online decision gives
(after ``valid_until`` the whole list is expired anyway). Cards are normalised, entries sorted and
deduplicated, times whole seconds: the same facts always give the same bytes, and the same
signature.

``sign_allow_list(key_hex, payload)`` signs with the box's key (see ``signing``) over
``b"allow-list\\n" + payload``: the prefix separates it from request signatures
(``"<digits>\\n"``), so neither can be passed off as the other. ``parse_allow_list`` is the box's
side (and the simulator's, and the tests'): verify, then decode into a ``decision.AllowList``.
"""

import hashlib
import hmac
import json
from datetime import datetime, timedelta

from .decision import AllowList
from .events import normalize_card
from .signing import verify_hex

VERSION = 1
DEFAULT_VALID_HOURS = 24
_PREFIX = b"allow-list\n"
_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _text(moment):
    return moment.replace(microsecond=0).strftime(_FORMAT)


def build(entries, issued_at, valid_hours=DEFAULT_VALID_HOURS, walk_in_cards=(), walk_in_minutes=0):
    """Canonical JSON bytes of the list valid from ``issued_at`` for ``valid_hours``, with
    the cards allowed to walk in for ``walk_in_minutes`` (see the module doc)."""
    issued_at = issued_at.replace(microsecond=0)
    valid_until = issued_at + timedelta(hours=valid_hours)
    kept = set()
    for card, start, stop in entries:
        card = normalize_card(card)
        if card is None or not (start < valid_until and stop > issued_at and start < stop):
            continue
        kept.add((card, _text(start), _text(stop)))
    document = {
        "entries": [{"card": c, "start": a, "stop": b} for c, a, b in sorted(kept)],
        "issued_at": _text(issued_at),
        "valid_until": _text(valid_until),
        "version": VERSION,
    }
    walk_in = sorted({c for c in map(normalize_card, walk_in_cards) if c})
    if walk_in and walk_in_minutes > 0:
        document["walk_in"] = {"cards": walk_in, "minutes": int(walk_in_minutes)}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_allow_list(key_hex, payload):
    """Hex HMAC-SHA256 of the list with the box's key."""
    return hmac.new(bytes.fromhex(key_hex), _PREFIX + payload, hashlib.sha256).hexdigest()


def parse_allow_list(key_hex, payload, given):
    """The :class:`AllowList` of a correctly signed payload, else None (a box keeps its previous
    list, or fails per its mode, when a download does not verify)."""
    if not verify_hex(key_hex, given, lambda: sign_allow_list(key_hex, payload)):
        return None
    try:
        document = json.loads(payload)
        if document.get("version") != VERSION:
            return None
        entries = tuple(
            (e["card"], _parse(e["start"]), _parse(e["stop"])) for e in document["entries"]
        )
        walk_in = document.get("walk_in") or {}
        minutes = walk_in.get("minutes", 0)
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 0:
            return None
        return AllowList(
            _parse(document["issued_at"]),
            _parse(document["valid_until"]),
            entries,
            frozenset(normalize_card(c) for c in walk_in.get("cards", ()) if normalize_card(c)),
            minutes,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _parse(text):
    return datetime.strptime(text, _FORMAT)
