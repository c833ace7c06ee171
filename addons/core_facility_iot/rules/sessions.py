"""Usage sessions of one box built from its events: pc_login -> pc_logout, power_on -> power_off.

``assemble(events, heartbeat_timeout_s, now)`` is a pure function of the box's *whole* event set
(the ORM passes every stored event of the box, or of a window that starts before any open
session): same input, same sessions, whatever the order the events arrived in and however often
one was delivered. The ORM re-runs it after each intake and writes the difference; a session is
identified by ``(kind, start_event_id)``, which is stable from one run to the next.

The rules, per kind, walking the events sorted by ``(ts, id)``:

* Duplicates (the same event id twice) count once.
* Order of arrival does not matter: the events are sorted by their own time. A stop that arrived
  before its start is simply matched when a later call's input holds the start; until then it is
  an orphan (``orphan_stops``) and makes no session. Sorting by ``(ts, id)`` means that a start
  and a stop with the same timestamp are taken in the order of their ids (a zero-length session
  or an orphan stop): deterministic, and of no consequence for machine time.
* A start while a session is open by the *same* person (or by anyone when either start names
  nobody) closes nothing and opens nothing: the first start is kept and the repeat ignored (a box
  that re-sends its state after a reboot must not split a session, nor let a second login erase
  the first one's time). A start naming *another* person (a different card or login: the
  ``identities`` the caller gives per event id, by default the event's login, else its card)
  ends the open session at that start (``superseded``: its logout was lost) and opens the new
  one, so that the next user's time is never counted in the first user's session.
* Every event of the box, of any type, is a sign of life. A session with no sign of life for more
  than ``heartbeat_timeout_s`` ends at its last sign of life plus the timeout
  (``heartbeat_timeout``): while walking the events (a gap in the middle, e.g. a box that died
  and restarted, so that a later start opens a new session and a later stop is an orphan), and at
  the end against ``now``. Exactly the timeout is still alive. Boxes must therefore buffer their
  heartbeats while offline, or the time of the outage is lost; that is the price of never
  counting an instrument as in use on the word of a dead box.
* A session that is still within the timeout at ``now`` stays open (``stop`` None, ``open``).
  A session closed by a stop event is ``closed``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from .codes import EventType, SessionEnd, SessionKind

STARTS = {EventType.PC_LOGIN: SessionKind.PC, EventType.POWER_ON: SessionKind.POWER}
STOPS = {EventType.PC_LOGOUT: SessionKind.PC, EventType.POWER_OFF: SessionKind.POWER}


@dataclass(frozen=True)
class Session:
    kind: SessionKind
    start: datetime
    stop: datetime | None  # None while open
    end_reason: SessionEnd
    start_event_id: str
    stop_event_id: str | None  # None unless closed by a stop event

    def hours(self, now=None):
        """Length in hours; an open session counts up to ``now`` (0 without it)."""
        stop = self.stop or now or self.start
        return max((stop - self.start).total_seconds(), 0) / 3600


def unique_sorted(events):
    """The events once per id, sorted by ``(ts, id)``; of two events with the same id, the one
    first in that order is kept (the intake stores the first anyway)."""
    seen = set()
    out = []
    for event in sorted(events, key=lambda e: (e.ts, e.id)):
        if event.id not in seen:
            seen.add(event.id)
            out.append(event)
    return out


def default_identity(event):
    """Who a start event names: its login, else its card, else None (nobody in particular)."""
    return event.user or event.card or None


def _supersedes(open_start, start, identity):
    """Whether ``start`` names another person than the open session's ``open_start``."""
    before, now = identity(open_start), identity(start)
    return before is not None and now is not None and before != now


def _walk(events, kind, timeout, identity=default_identity):
    """(sessions, orphan stop ids, open session or None, its last sign of life)."""
    sessions, orphans = [], []
    start = last_life = None
    for event in events:
        if start is not None and event.ts - last_life > timeout:
            end = last_life + timeout
            sessions.append(
                Session(kind, start.ts, end, SessionEnd.HEARTBEAT_TIMEOUT, start.id, None)
            )
            start = None
        if STARTS.get(event.type) == kind:
            if start is None:
                start = event
            elif _supersedes(start, event, identity):
                sessions.append(
                    Session(kind, start.ts, event.ts, SessionEnd.SUPERSEDED, start.id, None)
                )
                start = event
        elif STOPS.get(event.type) == kind:
            if start is None:
                orphans.append(event.id)
            else:
                sessions.append(
                    Session(kind, start.ts, event.ts, SessionEnd.CLOSED, start.id, event.id)
                )
                start = None
        last_life = event.ts
    return sessions, orphans, start, last_life


def _identity_of(identities):
    if identities is None:
        return default_identity
    return lambda event: identities.get(event.id)


def assemble(events, heartbeat_timeout_s, now, identities=None):
    """The sessions of one box's events, sorted by ``(start, kind)``; see the module doc.
    ``identities``: ``{event id: who it names or None}`` (default: ``default_identity``)."""
    timeout = timedelta(seconds=heartbeat_timeout_s)
    ordered = unique_sorted(events)
    identity = _identity_of(identities)
    out = []
    for kind in SessionKind:
        sessions, _orphans, start, last_life = _walk(ordered, kind, timeout, identity)
        out.extend(sessions)
        if start is not None:
            if now - last_life > timeout:
                end = last_life + timeout
                out.append(
                    Session(kind, start.ts, end, SessionEnd.HEARTBEAT_TIMEOUT, start.id, None)
                )
            else:
                out.append(Session(kind, start.ts, None, SessionEnd.OPEN, start.id, None))
    return sorted(out, key=lambda s: (s.start, s.kind, s.start_event_id))


def orphan_stops(events, heartbeat_timeout_s, identities=None):
    """Ids of the stop events that end no session (yet): their start has not arrived, or their
    session had already ended by heartbeat timeout. The ORM keeps them, unmatched."""
    timeout = timedelta(seconds=heartbeat_timeout_s)
    ordered = unique_sorted(events)
    identity = _identity_of(identities)
    out = []
    for kind in SessionKind:
        out.extend(_walk(ordered, kind, timeout, identity)[1])
    return sorted(out)


@dataclass(frozen=True)
class NewEvents:
    """What a batch added to a box, as the session rebuild needs it: the earliest new event that
    is not a heartbeat (it may start, stop or re-time a session), and the span of the new
    heartbeats (they matter only where they fall inside a session ended by heartbeat timeout,
    which they may revive). ``None`` where there is none."""

    first: datetime | None = None
    beats_from: datetime | None = None
    beats_to: datetime | None = None

    @classmethod
    def of(cls, events):
        """The :class:`NewEvents` of ``events`` (the events a batch inserted)."""
        others = [e.ts for e in events if e.type != EventType.HEARTBEAT]
        beats = [e.ts for e in events if e.type == EventType.HEARTBEAT]
        return cls(
            min(others) if others else None,
            min(beats) if beats else None,
            max(beats) if beats else None,
        )
