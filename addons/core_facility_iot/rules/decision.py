"""Access decisions: may this card (or user) use this instrument now, and until when?

Online, ``decide(facts)`` takes what core_facility already knows, gathered by its one method (the
ORM layer must not copy booking rules here): whether the card is known, the instrument's
availability, sanctions, the group's state, the qualification, and the booking current at
``now``. The reasons are checked in that order and the first failing one is given, so a user with
an unknown card learns nothing else, and a suspended group is named before a missing booking:

1. ``unknown_card`` — no user has this card (asking by user: pass ``known_card=True``);
2. ``instrument_unavailable`` — maintenance, broken, retired...;
3. ``sanctioned`` — a sanction of the user forbids use now;
4. ``group_suspended`` — the group's state is anything but ``active`` (suspended, blacklisted);
5. ``not_qualified`` — the required qualification is missing;
6. ``no_booking`` — no booking with ``start <= now < stop + grace``.

Allowed with a booking: until the booking's stop plus ``grace_minutes`` (the box warns and locks
then), chained through the user's ``following`` bookings that start before that (the same spans
the offline list holds: ``booking_span`` and ``chained_until`` decide both). The booking is the
user's one whose span ``[start, stop + grace)`` holds ``now`` — a booking already finished by
the job still holds its grace. Without a booking, a *log-only* device of an instrument that
allows walk-in use allows it until ``now + walk_in_minutes`` (the box asks again after that);
both flags are needed, a device that locks never allows walk-in. Every check before the booking
still applies to walk-in use. There is no early-login allowance: a booking starts at its start.

Offline, ``offline_decide`` decides from the box's last signed allow-list (see ``allowlist``): a
valid list (not past ``valid_until``, not empty) allows a card inside one of its entries
``start <= now < stop`` until that entry's stop (entries of the same card that touch or overlap
are chained), else a card of its walk-in cards until ``now + walk_in_minutes``, and denies any
other card (``offline_not_listed``). An empty or expired list, or none at all, is an unknown
situation: the instrument's :class:`FailMode` decides (open → allow with no ``until``, closed →
deny). The list is made by ``list_entry`` from the same facts and with ``decide`` itself: a
booking's entry is its span (the grace included), a walk-in card is one whose facts without a
booking allow walk-in; so online and offline decisions give the same ``until``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from .codes import AllowReason, Decision, DenyReason, FailMode
from .events import normalize_card

GROUP_ACTIVE = "active"
DEFAULT_GRACE_MINUTES = 15
DEFAULT_WALK_IN_MINUTES = 60


@dataclass(frozen=True)
class AccessFacts:
    now: datetime
    instrument_available: bool
    log_only: bool
    walk_in_allowed: bool
    booking: tuple | None  # (id, start, stop) of the user's confirmed booking around now
    qualified: bool
    group_state: str
    sanctioned: bool
    grace_minutes: int = DEFAULT_GRACE_MINUTES
    known_card: bool = True
    walk_in_minutes: int = DEFAULT_WALK_IN_MINUTES
    # (id, start, stop) of the user's later bookings that may chain with ``booking``
    following: tuple = ()


@dataclass(frozen=True)
class AllowList:
    """A verified allow-list as the box holds it: entries ``(card, start, stop)``, and the
    cards allowed to walk in for ``walk_in_minutes`` at a time."""

    issued_at: datetime
    valid_until: datetime
    entries: tuple = ()
    walk_in_cards: frozenset = frozenset()
    walk_in_minutes: int = 0


def _deny(reason):
    return Decision.DENY, reason, None


def booking_span(start, stop, grace_minutes):
    """``(start, stop + grace)``: when a booking lets its user in."""
    return start, stop + timedelta(minutes=grace_minutes or 0)


def chained_until(spans, now):
    """The end of the span holding ``now``, chained through the spans that start before it
    ends (touching or overlapping), or None when no span holds ``now``."""
    until = None
    for start, stop in sorted(spans):
        if until is None and start <= now < stop:
            until = stop
        elif until is not None and start <= until:
            until = max(until, stop)
    return until


def decide(facts):
    """``(Decision, reason, until)``; ``until`` is None when denied."""
    if not facts.known_card:
        return _deny(DenyReason.UNKNOWN_CARD)
    if not facts.instrument_available:
        return _deny(DenyReason.INSTRUMENT_UNAVAILABLE)
    if facts.sanctioned:
        return _deny(DenyReason.SANCTIONED)
    if facts.group_state != GROUP_ACTIVE:
        return _deny(DenyReason.GROUP_SUSPENDED)
    if not facts.qualified:
        return _deny(DenyReason.NOT_QUALIFIED)
    if facts.booking is not None:
        spans = [
            booking_span(start, stop, facts.grace_minutes)
            for _id, start, stop in (facts.booking, *facts.following)
        ]
        first = spans[0]
        if first[0] <= facts.now < first[1]:
            return Decision.ALLOW, AllowReason.BOOKING, chained_until(spans, facts.now)
    if facts.log_only and facts.walk_in_allowed:
        return (
            Decision.ALLOW,
            AllowReason.WALK_IN,
            facts.now + timedelta(minutes=facts.walk_in_minutes),
        )
    return _deny(DenyReason.NO_BOOKING)


def list_entry(facts):
    """What the offline list holds for one user's ``facts``: ``(start, until)`` of the
    booking's entry when ``decide`` lets the user in by booking (facts taken at a moment of the
    booking), ``WALK_IN`` when it lets them walk in (facts without a booking, taken at the
    list's issue), else None."""
    verdict, reason, until = decide(facts)
    if verdict != Decision.ALLOW:
        return None
    if reason == AllowReason.BOOKING:
        return facts.booking[1], until
    return AllowReason.WALK_IN


def offline_decide(allow_list, card, now, fail_mode):
    """The box's decision without network, from its last :class:`AllowList` (or None)."""
    empty = allow_list is None or not (allow_list.entries or allow_list.walk_in_cards)
    if empty or now >= allow_list.valid_until:
        if FailMode(fail_mode) == FailMode.OPEN:
            return Decision.ALLOW, AllowReason.OFFLINE_FAIL_OPEN, None
        return _deny(DenyReason.OFFLINE_FAIL_CLOSED)
    card = normalize_card(card)
    until = chained_until(
        [(start, stop) for c, start, stop in allow_list.entries if c == card], now
    )
    if until is None and card in allow_list.walk_in_cards and allow_list.walk_in_minutes > 0:
        until = now + timedelta(minutes=allow_list.walk_in_minutes)
    if until is None:
        return _deny(DenyReason.OFFLINE_NOT_LISTED)
    return Decision.ALLOW, AllowReason.OFFLINE_LIST, until
