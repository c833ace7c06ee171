"""The box register's own rules: what a serial may look like, when a box counts as silent, and the
bounds of the replay window. Plain values in, plain values out; no Odoo import.

Silence. A box sends a heartbeat at least every ``heartbeat_minutes``. It is *silent* once
nothing was heard from it for ``SILENCE_TOLERANCE`` times that interval: a tolerance of 2 means
one lost or late heartbeat (a gateway restarting, a retry after a network hiccup, the box's clock
drifting, the checking job's own 5-minute period) never raises an alarm, two missed in a row do.
A box is counted from its last sign of life or from the moment its secret was set, whichever is
later: a box never heard from since registration (or reactivation, or a rotation that means
reconfiguring it) gets the same allowance as one that just spoke.
"""

import re
from datetime import timedelta

from .signing import DEFAULT_WINDOW_S

SILENCE_TOLERANCE = 2
HEARTBEAT_MIN_MINUTES = 1
HEARTBEAT_MAX_MINUTES = 1440  # a day: a box heard from less often is not monitored
REPLAY_WINDOW_MIN_S = 30
REPLAY_WINDOW_MAX_S = 3600

# a serial travels in an HTTP header and in the MQTT topic facility/<serial>/events: no spaces,
# no slash, no MQTT wildcard (+ #), nothing a proxy could rewrite
_SERIAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def serial_ok(serial):
    """Whether ``serial`` is 1 to 64 ASCII letters, digits, ``.``, ``_`` or ``-``, starting with
    a letter or digit."""
    return isinstance(serial, str) and bool(_SERIAL.fullmatch(serial))


def heartbeat_ok(minutes):
    """Whether a heartbeat interval (minutes) is within the register's bounds."""
    return (
        isinstance(minutes, int)
        and not isinstance(minutes, bool)
        and HEARTBEAT_MIN_MINUTES <= minutes <= HEARTBEAT_MAX_MINUTES
    )


def silence_reference(last_seen, secret_set_at):
    """The moment a box's silence is counted from: the later of its last sign of life and the
    moment its secret was set (either may be empty: ``None`` or ``False``); ``None`` when both
    are."""
    known = [moment for moment in (last_seen, secret_set_at) if moment]
    return max(known) if known else None


def silent_since(heartbeat_minutes):
    """How long a box may stay quiet before it is silent."""
    return timedelta(minutes=heartbeat_minutes * SILENCE_TOLERANCE)


def is_silent(last_seen, secret_set_at, heartbeat_minutes, now):
    """Whether a box quiet since ``silence_reference(last_seen, secret_set_at)`` is silent at
    ``now``: strictly more than ``silent_since(heartbeat_minutes)`` has passed. A box without a
    secret and never seen is not monitored (it cannot speak yet)."""
    reference = silence_reference(last_seen, secret_set_at)
    if reference is None:
        return False
    return now - reference > silent_since(heartbeat_minutes)


def replay_window(value):
    """The replay window in seconds from a stored setting (text or int): the default when empty
    or not a whole number, else clamped to ``[REPLAY_WINDOW_MIN_S, REPLAY_WINDOW_MAX_S]`` so that
    a hand-edited parameter can neither shut every box out nor open replays for hours."""
    if isinstance(value, bool):
        return DEFAULT_WINDOW_S
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit():
            return DEFAULT_WINDOW_S
        value = int(value)
    if not isinstance(value, int):
        return DEFAULT_WINDOW_S
    return min(max(value, REPLAY_WINDOW_MIN_S), REPLAY_WINDOW_MAX_S)


def replay_window_ok(value):
    """Whether a replay window (seconds) typed in the settings is within bounds."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and REPLAY_WINDOW_MIN_S <= value <= REPLAY_WINDOW_MAX_S
    )
