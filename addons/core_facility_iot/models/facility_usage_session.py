import logging
from datetime import datetime

from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.core_facility.models.facility_booking import EARLY_START
from odoo.addons.core_facility.models.utils import to_local

from ..rules import events as event_rules
from ..rules import matching, usage
from ..rules import sessions as session_rules
from ..rules.codes import EventType, SessionEnd, SessionKind

_logger = logging.getLogger(__name__)

# pg_advisory_xact_lock(namespace, box id): one rebuild of a box at a time
LOCK_NAMESPACE = 7_411_260
# a window that starts inside a stored session is moved back to its start, at most this often
MAX_WINDOW_STEPS = 20
BOOKING_ERRORS = (UserError, ValidationError, AccessError, IntegrityError)


class FacilityUsageSession(models.Model):
    """A usage session measured by a box (PC login → logout, power on → off), rebuilt from the
    box's events by ``rules.sessions.assemble`` after every intake and matched to the booking it
    belongs to; without one it is *unbooked use*. Measured time: only the intake writes it."""

    _name = "facility.usage.session"
    _description = "Usage Session"
    _order = "date_start desc, id desc"

    box_id = fields.Many2one("facility.box", required=True, index=True, ondelete="restrict")
    instrument_id = fields.Many2one("facility.instrument", required=True, index=True)
    kind = fields.Selection(
        [(SessionKind.PC, "PC Session"), (SessionKind.POWER, "Power On")], required=True
    )
    date_start = fields.Datetime(string="Start", required=True, index=True)
    date_stop = fields.Datetime(string="End")
    end_reason = fields.Selection(
        [
            (SessionEnd.CLOSED, "Closed"),
            (SessionEnd.HEARTBEAT_TIMEOUT, "Heartbeat Timeout"),
            (SessionEnd.SUPERSEDED, "Next User's Login"),
            (SessionEnd.OPEN, "Running"),
        ],
        required=True,
    )
    start_event_uid = fields.Char(required=True)
    stop_event_uid = fields.Char()
    user_id = fields.Many2one("res.users", index=True)
    research_group_id = fields.Many2one("facility.research.group", index=True)
    booking_id = fields.Many2one("facility.booking", index=True, ondelete="set null")
    is_unbooked = fields.Boolean(string="Unbooked Use", index=True)
    snapshot = fields.Char(string="Camera Snapshot")
    hours = fields.Float(compute="_compute_hours", store=True, aggregator="sum")
    drives_bookings = fields.Boolean(
        help="The session kind that is matched to bookings on this box: PC sessions when the box "
        "controls the PC, else power sessions (the other kind is measured only).",
    )
    is_unidentified = fields.Boolean(
        string="Unidentified",
        compute="_compute_is_unidentified",
        store=True,
        help="Unbooked use whose user or research group is unknown: nothing was recorded; the "
        "manager finds out who it was.",
    )
    unbooked_recorded = fields.Boolean(
        string="Unbooked Use Recorded",
        help="The violation (unless a legitimate walk-in) and the walk-in charge were recorded.",
    )
    match_note = fields.Text(
        help="What matching the session to a booking could not do as measured, and why."
    )
    company_id = fields.Many2one(related="instrument_id.company_id", store=True, index=True)
    event_ids = fields.Many2many(
        "facility.box.event",
        string="Events",
        compute="_compute_event_ids",
        groups="core_facility.group_facility_instrument_manager",
        help="What the box reported during the session (camera snapshots included).",
    )

    _sql_constraints = [
        (
            "session_unique",
            "UNIQUE(box_id, kind, start_event_uid)",
            "This box's session already exists.",
        ),
    ]

    def init(self):
        """The per-box row every rebuild updates (two rebuilds of one box in parallel: the later
        one waits for the earlier, then fails to serialise and is retried, and sees its events);
        and the intake's batches found by box and receipt time."""
        cr = self.env.cr
        cr.execute(
            "CREATE TABLE IF NOT EXISTS facility_usage_session_box ("
            " box_id integer PRIMARY KEY REFERENCES facility_box (id) ON DELETE CASCADE,"
            " rebuilt_at timestamp NOT NULL, rebuilds integer NOT NULL DEFAULT 1)"
        )
        cr.execute(
            "CREATE INDEX IF NOT EXISTS facility_box_event_box_received_idx "
            "ON facility_box_event (box_id, received_at)"
        )
        cr.execute(
            "CREATE INDEX IF NOT EXISTS facility_usage_session_box_start_idx "
            "ON facility_usage_session (box_id, date_start)"
        )
        cr.execute(
            "CREATE INDEX IF NOT EXISTS facility_usage_session_open_idx "
            "ON facility_usage_session (box_id) WHERE end_reason = 'open'"
        )
        return super().init()

    # -- computes -------------------------------------------------------------------------------

    @api.depends("date_start", "date_stop")
    def _compute_hours(self):
        for session in self:
            if session.date_start and session.date_stop:
                seconds = (session.date_stop - session.date_start).total_seconds()
                session.hours = max(seconds, 0) / 3600
            else:
                session.hours = 0.0

    @api.depends("is_unbooked", "user_id", "research_group_id")
    def _compute_is_unidentified(self):
        for session in self:
            session.is_unidentified = session.is_unbooked and not (
                session.user_id and session.research_group_id
            )

    def _compute_event_ids(self):
        Event = self.env["facility.box.event"]
        for session in self:
            if not session.box_id or not session.date_start:
                session.event_ids = Event
                continue
            domain = [("box_id", "=", session.box_id.id), ("ts", ">=", session.date_start)]
            if session.date_stop:
                domain.append(("ts", "<=", session.date_stop))
            session.event_ids = Event.search(domain, order="ts, id", limit=200)

    @api.depends("instrument_id.name", "date_start")
    def _compute_display_name(self):
        for session in self:
            if session.instrument_id and session.date_start:
                local = to_local(session.date_start, session.instrument_id._booking_tz())
                session.display_name = f"{session.instrument_id.name} · {local:%Y/%m/%d %H:%M}"
            else:
                session.display_name = session.instrument_id.name or ""

    # -- rebuilding from the events ---------------------------------------------------------------

    @api.model
    def _rebuild(self, boxes, now=None, full=False):
        """Rebuild the sessions of ``boxes`` from their events (called by the intake after it
        stored new events, as superuser, with its clock ``now``: the events it stamped
        ``received_at = now`` are the new ones): create, update, delete, match to bookings,
        record unbooked use.

        The window starts at the earliest new event (heartbeats only where they could revive a
        session ended by heartbeat timeout) or open session, moved back to the start of any
        stored session around it; without anything new and no open session, one query and
        nothing else. ``full``: the box's whole history (repairs, tests)."""
        batch_at = now
        now = now or fields.Datetime.now()
        for box in boxes.sudo():
            start = self._window_probe(box, batch_at, full)
            if start is None:
                continue
            self._lock_box(box, now)
            self._rebuild_box(box, self._window_start(box, start), now)
        return True

    @api.model
    def _window_probe(self, box, batch_at, full):
        """The earliest moment the rebuild of ``box`` must look at, or None: nothing to do. One
        query."""
        if full:
            self.env.cr.execute(
                "SELECT min(ts) FROM facility_box_event WHERE box_id = %s", [box.id]
            )
            return self.env.cr.fetchone()[0]
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT LEAST(
                     (SELECT min(ts) FROM facility_box_event
                       WHERE box_id = %(box)s AND received_at = %(batch)s
                         AND event_type <> %(heartbeat)s),
                     (SELECT min(date_start) FROM facility_usage_session
                       WHERE box_id = %(box)s AND end_reason = %(open)s),
                     (SELECT min(s.date_start) FROM facility_usage_session s
                        JOIN facility_box_event e ON e.box_id = s.box_id
                         AND e.ts BETWEEN s.date_start AND s.date_stop
                       WHERE s.box_id = %(box)s AND s.end_reason = %(timeout)s
                         AND e.received_at = %(batch)s AND e.event_type = %(heartbeat)s))""",
                box=box.id,
                batch=batch_at or datetime.min,
                heartbeat=str(EventType.HEARTBEAT),
                open=str(SessionEnd.OPEN),
                timeout=str(SessionEnd.HEARTBEAT_TIMEOUT),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _lock_box(self, box, now):
        """One rebuild of a box at a time: the advisory lock makes a concurrent rebuild wait;
        the row then makes it fail to serialise if the other committed after it began (Odoo
        retries the request, which sees the other's events and sessions)."""
        self.env.cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, box.id])
        self.env.cr.execute(
            "INSERT INTO facility_usage_session_box (box_id, rebuilt_at) VALUES (%s, %s) "
            "ON CONFLICT (box_id) DO UPDATE SET rebuilt_at = EXCLUDED.rebuilt_at, "
            "rebuilds = facility_usage_session_box.rebuilds + 1",
            [box.id, now],
        )

    @api.model
    def _window_start(self, box, start):
        """``start`` moved back while it falls inside a stored session of the box (any kind):
        the walk then starts where no session was open, as the whole history's walk would."""
        for _step in range(MAX_WINDOW_STEPS):
            self.env.cr.execute(
                "SELECT min(date_start) FROM facility_usage_session WHERE box_id = %s "
                "AND date_start < %s AND (date_stop IS NULL OR date_stop >= %s)",
                [box.id, start, start],
            )
            earlier = self.env.cr.fetchone()[0]
            if earlier is None:
                return start
            start = earlier
        return start

    @api.model
    def _rebuild_box(self, box, start, now):
        """Assemble the box's sessions from ``start`` on and write the difference."""
        timeout_s = usage.heartbeat_timeout_s(box.heartbeat_minutes)
        self.env.cr.execute(
            "SELECT uid, event_type, ts, user_id, snapshot, card, login FROM facility_box_event "
            "WHERE box_id = %s AND ts >= %s ORDER BY ts, uid",
            [box.id, start - usage.SWIPE_LOOKBACK],
        )
        rows = self.env.cr.fetchall()
        events, info, swipes, identities = [], {}, [], {}
        for uid, kind, ts, user_id, snapshot, card, login in rows:
            if kind == EventType.CARD_SWIPE:
                swipes.append((ts, user_id))
            if ts >= start:
                events.append(event_rules.Event(uid, EventType(kind), ts))
                info[uid] = (user_id, snapshot)
                identities[uid] = usage.start_identity(user_id, card, login)
        assembled = session_rules.assemble(events, timeout_s, now, identities)
        stored = self.search([("box_id", "=", box.id), ("date_start", ">=", start)])
        driving = usage.driving_kind(box.control_pc)
        touched = self.browse()
        by_key = {(s.kind, s.start_event_uid): s for s in stored}
        unpaired = []
        for session in assembled:
            record = by_key.pop((session.kind, session.start_event_id), None)
            unpaired.append((session, record))
        leftovers = list(by_key.values())
        for session, record in unpaired:
            start_user, start_snapshot = info.get(session.start_event_id, (None, None))
            stop_snapshot = info.get(session.stop_event_id, (None, None))[1]
            if record is None:
                # a session whose start changed (an earlier start arrived late): the stored
                # session it replaces keeps its booking and what was recorded
                record = next(
                    (
                        old
                        for old in leftovers
                        if old.kind == session.kind and _overlaps(old, session, now)
                    ),
                    None,
                )
                if record is not None:
                    leftovers.remove(record)
            vals = {
                "kind": session.kind,
                "date_start": session.start,
                "date_stop": session.stop or False,
                "end_reason": session.end_reason,
                "start_event_uid": session.start_event_id,
                "stop_event_uid": session.stop_event_id or False,
                "user_id": usage.session_user(start_user, swipes, session.start) or False,
                "snapshot": start_snapshot or stop_snapshot or False,
                "drives_bookings": session.kind == driving,
            }
            if record is None:
                record = self.create(dict(vals, box_id=box.id, instrument_id=box.instrument_id.id))
            else:
                changed = {k: v for k, v in vals.items() if _differs(record[k], v)}
                if changed:
                    record.write(changed)
            touched |= record
        if leftovers:
            self.browse([old.id for old in leftovers]).unlink()
        touched.filtered("drives_bookings")._settle(now)
        return touched

    # -- matching, bookings and unbooked use ----------------------------------------------------

    def _settle(self, now):
        """Match each session to its booking and drive the booking (open session: started;
        booking time over and none of its sessions open: finished at the last stop), or
        record the unbooked use once it is closed. A booking refusing what was measured never
        breaks the intake: the session keeps the reason in ``match_note``."""
        bookings = self.env["facility.booking"]
        for session in self.sorted(lambda s: (s.date_start, s.id)):
            notes = []
            booking = session._match(now)
            user = session.user_id
            vals = {"booking_id": booking.id, "is_unbooked": not booking}
            if booking:
                if not user:
                    vals["user_id"] = booking.operator_id.id
                elif user != booking.operator_id:
                    notes.append(
                        self.env._(
                            "Used by %(user)s during %(booking)s of %(operator)s.",
                            user=user.name,
                            booking=booking.name,
                            operator=booking.operator_id.name,
                        )
                    )
                vals["research_group_id"] = booking.research_group_id.id
                if booking.state == "confirmed":
                    notes += session._start_booking(booking)
                bookings |= booking
            elif user:
                group_id = session.instrument_id.get_access_facts(user, session.date_start)[
                    "research_group_id"
                ]
                vals["research_group_id"] = group_id or False
            vals["match_note"] = "\n".join(notes) or False
            session.write({k: v for k, v in vals.items() if _differs(session[k], v)})
            if (
                session.is_unbooked
                and session.end_reason != SessionEnd.OPEN
                and not session.unbooked_recorded
                and not session.is_unidentified
            ):
                session._record_unbooked_use()
        self._finish_bookings(bookings, now)
        return True

    def _match(self, now):
        """The booking of the session (``rules.matching.match``), or an empty recordset."""
        self.ensure_one()
        stop = self.date_stop or now
        candidates = (
            self.env["facility.booking"]
            .sudo()
            .search(
                [
                    ("instrument_id", "=", self.instrument_id.id),
                    ("state", "in", tuple(matching.MATCHED_STATES)),
                    ("date_start", "<=", max(stop, self.date_start)),
                    ("date_stop", ">", self.date_start),
                ]
            )
        )
        rows = [(b.id, b.date_start, b.date_stop, b.operator_id.id, b.state) for b in candidates]
        found = matching.match(self._as_rule(), rows, now)
        return candidates.browse(found.id) if found else candidates.browse()

    def _as_rule(self):
        return session_rules.Session(
            SessionKind(self.kind),
            self.date_start,
            self.date_stop or None,
            SessionEnd(self.end_reason),
            self.start_event_uid,
            self.stop_event_uid or None,
        )

    def _start_booking(self, booking):
        """Start a confirmed booking at the session's start, clamped to the earliest moment the
        booking allows; the notes to keep."""
        self.ensure_one()
        at, clamped = usage.early_start(self.date_start, booking.date_start, EARLY_START)
        notes = []
        if clamped:
            notes.append(
                self.env._(
                    "Started %(booking)s at %(at)s, the earliest it allows (%(minutes)s minutes "
                    "before its start); the session began earlier.",
                    booking=booking.name,
                    at=booking._fmt_datetime(at),
                    minutes=int(EARLY_START.total_seconds() // 60),
                )
            )
        problem = _attempt(self.env, lambda: booking.sudo()._start(at=at))
        if problem:
            notes.append(
                self.env._(
                    "%(booking)s could not be started: %(problem)s",
                    booking=booking.name,
                    problem=problem,
                )
            )
        return notes

    def _record_unbooked_use(self):
        """The closed unbooked use of a known user and group, once (``source_key``
        ``iot:<serial>:<kind>:<start event>``): a violation ``no_booking`` unless the instrument
        is log-only with walk-in use, and the walk-in charge when billing is installed."""
        self.ensure_one()
        instrument = self.instrument_id.sudo()
        walk_in = instrument.booking_mode == "log" and instrument.iot_walk_in
        violation, charge = usage.unbooked_consequences(walk_in)
        key, charge_source = usage.unbooked_keys(
            self.box_id.serial, self.kind, self.start_event_uid
        )
        problems = []
        if violation:
            description = self.env._(
                "Use of %(instrument)s without a booking from %(start)s to %(stop)s, measured by "
                "box %(box)s.",
                instrument=instrument.name,
                start=self._local(self.date_start),
                stop=self._local(self.date_stop),
                box=self.box_id.serial,
            )
            problems.append(
                _attempt(
                    self.env,
                    lambda: (
                        self.env["facility.violation"]
                        .sudo()
                        .record_violation(
                            self.research_group_id,
                            self.user_id,
                            "no_booking",
                            when=self.date_start,
                            description=description,
                            source_key=key,
                        )
                    ),
                )
            )
        if charge and self.date_stop > self.date_start:
            problems.append(self._charge_unbooked_use(charge_source))
        problems = [p for p in problems if p]
        if problems:
            note = "\n".join(filter(None, [self.match_note, *problems]))
            self.write({"match_note": note})
        else:
            self.write({"unbooked_recorded": True})

    def _charge_unbooked_use(self, source):
        """Billing's walk-in charge of the use, when billing is installed (``source``: the key
        without billing's ``iot:`` prefix); a problem or None."""
        if "facility.charge" not in self.env:
            return None
        return _attempt(
            self.env,
            lambda: (
                self.env["facility.charge"]
                .sudo()
                .charge_unbooked_use(
                    self.instrument_id,
                    self.research_group_id,
                    self.user_id,
                    self.date_start,
                    self.date_stop,
                    source,
                )
            ),
        )

    def _local(self, moment):
        tz = self.instrument_id._booking_tz()
        return to_local(moment, tz).strftime("%Y/%m/%d %H:%M") if moment else ""

    # -- the cron: sessions nobody hears from, bookings whose time is over ---------------------

    @api.model
    def _cron_close_sessions(self, now=None):
        """End the open sessions of boxes gone silent (heartbeat timeout) and finish the
        bookings whose time is over and none of whose sessions is still open."""
        now = now or fields.Datetime.now()
        open_sessions = self.sudo().search([("end_reason", "=", SessionEnd.OPEN)])
        self._rebuild(open_sessions.box_id, now=now)
        bookings = (
            self.sudo()
            .search(
                [
                    ("drives_bookings", "=", True),
                    ("booking_id.state", "=", "in_use"),
                    ("booking_id.date_stop", "<=", now),
                ]
            )
            .booking_id
        )
        self._finish_bookings(bookings, now)
        return True

    @api.model
    def _finish_bookings(self, bookings, now):
        """Finish each running booking whose time is over and none of whose sessions is still
        open, at the stop of its last session (a user who logs out for lunch and back in keeps
        one booking running; one who leaves early under-uses it)."""
        for booking in bookings.sudo().filtered(lambda b: b.state == "in_use"):
            if booking.date_stop > now:
                continue
            sessions = self.sudo().search(
                [("booking_id", "=", booking.id), ("drives_bookings", "=", True)],
                order="date_start",
            )
            if not sessions or any(s.end_reason == SessionEnd.OPEN for s in sessions):
                continue
            at = max(s.date_stop for s in sessions)
            problem = _attempt(self.env, lambda b=booking, at=at: b._finish(at=at))
            if problem:
                last = sessions[-1]
                note = self.env._(
                    "%(booking)s could not be finished: %(problem)s",
                    booking=booking.name,
                    problem=problem,
                )
                if note not in (last.match_note or ""):
                    last.match_note = "\n".join(filter(None, [last.match_note, note]))
        return True


def _attempt(env, operation):
    """Run ``operation`` in a savepoint: None, or the reason it was refused."""
    try:
        with env.cr.savepoint():
            operation()
    except BOOKING_ERRORS as error:
        return str(error.args[0] if error.args else error)
    return None


def _differs(current, value):
    """Whether a record's value differs from a value to write (records compared by id)."""
    if isinstance(current, models.BaseModel):
        return current.id != (value or False)
    return (current or False) != (value or False)


def _overlaps(record, session, now):
    stop = record.date_stop or now
    other_stop = session.stop or now
    return record.date_start < other_stop and session.start < stop
