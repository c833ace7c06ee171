"""The pure parts of the box simulator (``scripts/box-sim``): what a box reports on a day around
the instrument's bookings, how it batches its events, the chaos a real network adds, and the
signed request of a batch. Plain values in and out, a seeded ``random.Random`` for every draw,
standard library only (no Odoo, no network): tested by pytest (``tests/test_iot_sim_*.py``).

A day of a box, from the bookings of its instrument (times naive UTC):

* a booking: the user arrives a little before or after its start (a tenth of them never come):
  card swipe (and the door, if the box controls it), power on, PC login a few minutes later;
  at the end, PC logout and power off — most near the booking's end, some early (under-use),
  some late (overrun);
* now and then an unbooked use in a free gap of the working day, by someone who books this
  instrument, and a few door openings;
* a heartbeat every ``heartbeat_minutes`` all day long;
* nothing later than the end of the window (``now``): a booking in progress has its login and
  no logout yet, as the real box would.

Event ids are made of the event's kind and time (``pc_login-20261129T013000``), so that playing
the same day again with the same seed sends the same ids: the intake answers them duplicate.
"""

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from ..rules import mqtt as mqtt_rules
from ..rules import signing
from ..rules.events import MAX_BATCH

WORK_START_H = 8  # local hours of the working day, for unbooked use and door openings
WORK_STOP_H = 22
CORRUPTIONS = ("json", "signature", "stale", "event")


@dataclass(frozen=True)
class SimBooking:
    start: datetime  # naive UTC
    stop: datetime
    login: str | None = None
    card: str | None = None


@dataclass(frozen=True)
class SimBox:
    serial: str
    key: str  # the HMAC key: signing.secret_hash(secret)
    pc: bool = True
    power: bool = True
    door: bool = False
    heartbeat_minutes: int = 5
    name: str = ""  # the instrument's name, for the summary


@dataclass(frozen=True)
class Chaos:
    """Probabilities, each per send: lose the network for a while (the box keeps its events and
    sends them later), swap with the next send (a stop may arrive before its start), send twice,
    send a corrupted copy first (bad JSON, bad signature, stale timestamp, an unknown event)."""

    duplicate: float = 0.0
    reorder: float = 0.0
    corrupt: float = 0.0
    drop_network: float = 0.0


@dataclass(frozen=True)
class Send:
    """One request of a box: ``events`` (dicts as the box posts them) sent at simulated time
    ``at``; ``corruption`` one of :data:`CORRUPTIONS` or None; ``note`` says what chaos did."""

    serial: str
    at: datetime
    events: tuple
    corruption: str | None = None
    note: str = ""


@dataclass
class DayPlan:
    """What :func:`plan_day` made: the events (``(at, event)`` sorted by time) and, for the
    summary, the sessions played and the user still on the instrument at the window's end."""

    events: list = field(default_factory=list)
    sessions: int = 0
    unbooked: int = 0
    no_shows: int = 0
    in_use_by: str | None = None


def iso(moment):
    """A naive UTC datetime as the box writes it: ISO 8601 with its offset, no microseconds."""
    return moment.replace(microsecond=0, tzinfo=UTC).isoformat()


def _minutes(rng, low, high):
    return timedelta(minutes=rng.uniform(low, high))


class _Day:
    def __init__(self, box, window_start, horizon):
        self.box, self.start, self.stop = box, window_start, horizon
        self.plan = DayPlan()
        self.ids = set()

    def add(self, at, kind, **extra):
        """One event at ``at`` (dropped before the window and after the horizon: the future
        is not sent)."""
        if at < self.start or at > self.stop:
            return False
        at = at.replace(microsecond=0)
        uid = base = f"{kind}-{at:%Y%m%dT%H%M%S}"
        count = 1
        while uid in self.ids:
            count += 1
            uid = f"{base}-{count}"
        self.ids.add(uid)
        event = {"id": uid, "type": kind, "ts": iso(at)}
        event.update({key: value for key, value in extra.items() if value})
        self.plan.events.append((at, event))
        return True

    def session(self, arrive, leave, login, card):
        """Arrival (card, door, power, PC login) and departure (PC logout, power off)."""
        box = self.box
        if card:
            self.add(arrive - timedelta(minutes=1), "card_swipe", card=card)
        if box.door and card:
            self.add(arrive - timedelta(seconds=40), "door_open", card=card)
        if box.power:
            self.add(arrive, "power_on")
        login_at = arrive + timedelta(minutes=2)
        if box.pc:
            self.add(login_at, "pc_login", user=login, card=card)
        leave = max(leave, login_at + timedelta(minutes=5))
        if box.pc:
            self.add(leave, "pc_logout", user=login, card=card)
        if box.power:
            self.add(leave + timedelta(minutes=3), "power_off")
        if arrive <= self.stop and leave > self.stop:
            self.plan.in_use_by = login or card
        if arrive <= self.stop:
            self.plan.sessions += 1


def plan_day(
    box,
    window_start,
    window_stop,
    bookings,
    rng,
    day_start=None,
    people=(),
    unbooked=0.3,
    door=0.5,
    no_show=0.1,
    horizon=None,
):
    """The :class:`DayPlan` of ``box`` between ``window_start`` and ``window_stop`` (naive UTC;
    ``day_start`` is the local midnight of the day, default ``window_start``), around
    ``bookings`` (:class:`SimBooking`, those starting in the window). A session may end after
    the window, up to ``horizon`` (default ``window_stop``; the end of the whole run, "now",
    when several days are played: a night session ends the next morning). ``people`` are
    ``(login, card)`` who may use the instrument without a booking; ``unbooked``, ``door`` and
    ``no_show`` are probabilities."""
    day = _Day(box, window_start, max(window_stop, horizon or window_stop))
    day_start = day_start or window_start
    ordered = sorted(bookings, key=lambda b: b.start)
    for booking in ordered:
        if rng.random() < no_show:
            day.plan.no_shows += 1
            continue
        length = booking.stop - booking.start
        arrive = booking.start + _minutes(rng, -10, 15)
        ending = rng.random()
        if ending < 0.65:
            leave = booking.stop + _minutes(rng, -10, 5)  # near the end
        elif ending < 0.85:
            leave = booking.start + length * rng.uniform(0.4, 0.8)  # early: under-use
        else:
            leave = booking.stop + _minutes(rng, 10, 45)  # overrun
        day.session(arrive, leave, booking.login, booking.card)
    people = [p for p in people if p[0] or p[1]]
    work_start = day_start + timedelta(hours=WORK_START_H)
    work_stop = day_start + timedelta(hours=WORK_STOP_H)
    if people and rng.random() < unbooked:
        gap = _free_gap(ordered, work_start, work_stop, timedelta(minutes=100), rng)
        if gap:
            login, card = rng.choice(people)
            arrive = gap + _minutes(rng, 0, 10)
            day.session(arrive, arrive + _minutes(rng, 30, 80), login, card)
            day.plan.unbooked += 1
    if box.door and people and rng.random() < door:
        for _k in range(rng.randint(1, 3)):
            at = work_start + (work_stop - work_start) * rng.random()
            day.add(at, "door_open", card=rng.choice(people)[1])
    beat = timedelta(minutes=max(1, box.heartbeat_minutes))
    at = day_start + beat * -(-(window_start - day_start) // beat)  # first beat in the window
    while at <= window_stop:
        day.add(at, "heartbeat")
        at += beat
    day.plan.events.sort(key=lambda item: item[0])
    return day.plan


def _free_gap(bookings, start, stop, length, rng):
    """A random start of ``length`` free of ``bookings`` (with 15 min around them) between
    ``start`` and ``stop``, or None."""
    margin = timedelta(minutes=15)
    gaps, cursor = [], start
    for booking in bookings:
        if booking.start - margin - cursor >= length:
            gaps.append((cursor, booking.start - margin - length))
        cursor = max(cursor, booking.stop + margin)
    if stop - cursor >= length:
        gaps.append((cursor, stop - length))
    if not gaps:
        return None
    low, high = rng.choice(gaps)
    return low + (high - low) * rng.random()


def batches(serial, events, window_start, window_stop, every_minutes=5):
    """The sends of a box that posts, every ``every_minutes``, what happened since its last
    post (at most ``MAX_BATCH`` events a request); ``events`` are ``(at, event)`` sorted."""
    every = timedelta(minutes=max(1, every_minutes))
    sends, pending = [], []
    tick = window_start + every
    for at, event in events:
        while at > tick:
            if pending:
                sends.append(Send(serial, min(tick, window_stop), tuple(pending)))
                pending = []
            tick += every
        pending.append(event)
    if pending:
        sends.append(Send(serial, min(tick, window_stop), tuple(pending)))
    return split_large(sends)


def split_large(sends, limit=MAX_BATCH):
    out = []
    for send in sends:
        for offset in range(0, len(send.events), limit):
            out.append(replace(send, events=send.events[offset : offset + limit]))
    return out


def apply_chaos(sends, chaos, rng):
    """``sends`` of one box as the network and a retrying box deliver them (see :class:`Chaos`).
    Every event of ``sends`` is still in the result, uncorrupted, at least once."""
    out = _drop_network(list(sends), chaos.drop_network, rng)
    out = _reorder(out, chaos.reorder, rng)
    result = []
    for send in out:
        if chaos.corrupt and rng.random() < chaos.corrupt:
            result.append(replace(send, corruption=rng.choice(CORRUPTIONS), note="corrupted"))
        result.append(send)
        if chaos.duplicate and rng.random() < chaos.duplicate:
            result.append(replace(send, note="duplicate"))
    return split_large(result)


def _drop_network(sends, probability, rng):
    """Outages of 2 to 12 sends: the box keeps the events and posts them with the first send
    after the outage (or, when the window ends offline, at the last send's time)."""
    if not probability:
        return sends
    out, buffered, offline = [], [], 0
    for send in sends:
        if not offline and rng.random() < probability:
            offline = rng.randint(2, 12)
        if offline:
            offline -= 1
            buffered.extend(send.events)
            last = send
            continue
        if buffered:
            send = replace(send, events=(*buffered, *send.events), note="buffered")
            buffered = []
        out.append(send)
    if buffered:
        out.append(replace(last, events=tuple(buffered), note="buffered"))
    return out


def _reorder(sends, probability, rng):
    """Swap a send with the next one, and shuffle the events inside a swapped send."""
    if not probability:
        return sends
    out = list(sends)
    index = 0
    while index < len(out) - 1:
        if rng.random() < probability:
            first, second = out[index], out[index + 1]
            events = list(first.events)
            rng.shuffle(events)
            out[index] = replace(second, at=first.at, note="reordered")
            out[index + 1] = replace(first, at=second.at, events=tuple(events), note="reordered")
            index += 2
        else:
            index += 1
    return out


def signed_request(send, key, now_epoch):
    """``(timestamp, signature, body)`` of a send, signed at ``now_epoch``; a corrupted send
    gets the fault it names (half a body, a wrong signature, a timestamp an hour old, or an
    event of an unknown type first)."""
    events = list(send.events)
    if send.corruption == "event" and events:
        events[0] = dict(events[0], type="teleport")
    body = json.dumps(events, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(now_epoch) - (3600 if send.corruption == "stale" else 0))
    if send.corruption == "json":
        body = body[: len(body) // 2]
    signature = signing.signature(key, timestamp, body)
    if send.corruption == "signature":
        signature = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    return timestamp, signature, body


class Outbox:
    """The messages a box sent and has no answer for yet, by their ``ref`` (the start of their
    signature, which the MQTT bridge echoes in its answer): when one is answered 401
    ``stale_timestamp`` (it waited in the broker longer than the replay window), the box signs
    the same batch again with a fresh timestamp and sends it again (its events keep their ids:
    whatever was taken meanwhile is answered duplicate). A corrupted copy the simulator sent on
    purpose is never sent again."""

    def __init__(self, max_resends=3):
        self.pending = {}  # ref -> (send, times re-signed so far)
        self.max_resends = max_resends

    def sent(self, send, signature, resends=0):
        self.pending[mqtt_rules.ack_ref(signature)] = (send, resends)

    def answered(self, status, answer):
        """``(send, resends)`` to sign and send again for this answer, else None (the answer
        closes its message, or names none)."""
        ref = answer.get("ref") if isinstance(answer, dict) else None
        send, resends = self.pending.pop(ref, (None, 0))
        if send is None or not resend(send, status, answer) or resends >= self.max_resends:
            return None
        return send, resends + 1

    def __len__(self):
        return len(self.pending)


def resend(send, status, answer):
    """Whether a box signs ``send`` again and re-sends it after this answer: 401
    ``stale_timestamp`` (``rules.mqtt.resend_stale``), unless the simulator corrupted it on
    purpose."""
    return send.corruption is None and mqtt_rules.resend_stale(status, answer)


class Tally:
    """What the boxes were told: counts by status and outcome, and the ids delivered (accepted
    or duplicate: stored) per box."""

    def __init__(self):
        self.counts = {}
        self.delivered = set()
        self.planned = set()

    def add(self, key, amount=1):
        self.counts[key] = self.counts.get(key, 0) + amount

    def plan(self, serial, events):
        self.planned.update((serial, event["id"]) for event in events)

    def answer(self, serial, status, answer, events=0):
        """Count one answer (``status`` None: the request never got one)."""
        self.add("requests")
        self.add("sent_events", events)
        if mqtt_rules.resend_stale(status, answer):
            self.add("stale_answers")
        if status is None:
            self.add("network_errors")
            return
        self.add(f"status_{status}")
        if status != 200:
            return
        for outcome in ("accepted", "duplicate", "rejected"):
            self.add(outcome, answer.get(outcome, 0))
        for result in answer.get("results", ()):
            if result.get("outcome") in ("accepted", "duplicate"):
                self.delivered.add((serial, result.get("id")))

    def lines(self):
        """``name=value`` lines of the summary."""
        keys = ["requests", "sent_events", "accepted", "duplicate", "rejected"]
        keys += sorted(k for k in self.counts if k.startswith("status_"))
        keys += ["stale_answers", "resigned", "network_errors"]
        keys += sorted(k for k in self.counts if k.startswith(("access_", "spot_checks")))
        out = [f"{key}={self.counts.get(key, 0)}" for key in keys]
        stored = len(self.planned & self.delivered)
        out.append(f"planned_events={len(self.planned)}")
        out.append(f"delivered_events={stored}")
        out.append(f"undelivered_events={len(self.planned) - stored}")
        return out
