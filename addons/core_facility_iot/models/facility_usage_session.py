import logging
from datetime import datetime, timedelta

from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
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
# how long a silent box's measurement waits before it counts as final (rules.usage.heard_past)
SETTLE_HOURS_PARAM = "core_facility_iot.session_settle_hours"
FACILITY_MANAGER = "core_facility.group_facility_manager"


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
    recorded_keys = fields.Char(
        help="The keys under which this use's violation and charge were recorded: its own, and "
        "those of sessions merged into it since.",
    )
    recorded_hours = fields.Float(help="The hours of the use when it was recorded.")
    needs_review = fields.Boolean(
        index=True,
        help="The measured time changed after its consequences were recorded (the violation "
        "and charge of an unbooked use, or its finished booking): the manager checks them.",
    )
    review_note = fields.Text(help="What changed after the consequences were recorded.")
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
        # a rebuild that failed: the window to rebuild again from, until one succeeds
        cr.execute(
            "ALTER TABLE facility_usage_session_box "
            "ADD COLUMN IF NOT EXISTS needs_rebuild_since timestamp"
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
        # the probe's sessions a late heartbeat may revive: only the recent ones are looked at
        cr.execute(
            "CREATE INDEX IF NOT EXISTS facility_usage_session_timeout_idx "
            "ON facility_usage_session (box_id, date_stop) WHERE end_reason = 'heartbeat_timeout'"
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
    def _rebuild(self, boxes, now=None, full=False, fresh=None):
        """Rebuild the sessions of ``boxes`` from their events (called by the intake after it
        stored new events, as superuser, with its clock ``now``: the events it stamped
        ``received_at = now`` are the new ones): create, update, delete, match to bookings,
        record unbooked use.

        The window starts at the earliest new event (heartbeats only where they could revive a
        session ended by heartbeat timeout), open session or failed rebuild, moved back to the
        start of any stored session around it; without anything new, no open session and no
        failed rebuild, one query and nothing else. ``full``: the box's whole history (repairs,
        tests). ``fresh``: the ``rules.sessions.NewEvents`` the intake just inserted (exact;
        without it, the events stamped ``received_at = now`` are taken as new).

        Each box is rebuilt in a savepoint: a box that fails is logged and remembered (its
        window is rebuilt again by its next batch or the cron, until it succeeds), and the
        other boxes go on. Concurrency errors are raised (Odoo retries the request)."""
        batch_at = now
        now = now or fields.Datetime.now()
        for box in boxes.sudo():
            start = self._window_probe(box, batch_at, full, fresh)
            if start is None:
                continue
            self._lock_box(box, now)
            try:
                with self.env.cr.savepoint():
                    self._rebuild_box(box, self._window_start(box, start), now)
                    self._rebuild_done(box, None)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception:  # one box must not stop the others
                _logger.exception(
                    "core_facility_iot: the sessions of box %s could not be rebuilt; "
                    "they are rebuilt again from %s on its next batch or by the cron",
                    box.serial,
                    start,
                )
                self._rebuild_done(box, start)
        return True

    @api.model
    def _rebuild_done(self, box, failed_from):
        """Remember that the rebuild of ``box`` failed from ``failed_from`` (kept: the earliest
        of the failures), or forget it (None: it succeeded)."""
        if failed_from is None:
            self.env.cr.execute(
                "UPDATE facility_usage_session_box SET needs_rebuild_since = NULL "
                "WHERE box_id = %s AND needs_rebuild_since IS NOT NULL",
                [box.id],
            )
        else:
            self.env.cr.execute(
                "UPDATE facility_usage_session_box SET needs_rebuild_since = "
                "LEAST(COALESCE(needs_rebuild_since, %s), %s) WHERE box_id = %s",
                [failed_from, failed_from, box.id],
            )

    @api.model
    def _window_probe(self, box, batch_at, full, fresh=None):
        """The earliest moment the rebuild of ``box`` must look at, or None: nothing to do. One
        query."""
        if full:
            self.env.cr.execute(
                "SELECT min(ts) FROM facility_box_event WHERE box_id = %s", [box.id]
            )
            return self.env.cr.fetchone()[0]
        self.flush_model()
        if fresh is not None:
            # the intake says what it inserted: no need to find it again (PostgreSQL's LEAST
            # skips the NULLs)
            self.env.cr.execute(
                SQL(
                    """SELECT LEAST(
                         %(first)s::timestamp,
                         (SELECT min(date_start) FROM facility_usage_session
                           WHERE box_id = %(box)s AND end_reason = %(open)s),
                         (SELECT min(date_start) FROM facility_usage_session
                           WHERE box_id = %(box)s AND end_reason = %(timeout)s
                             AND date_stop >= %(beats_from)s::timestamp
                             AND date_start <= %(beats_to)s::timestamp),
                         (SELECT needs_rebuild_since FROM facility_usage_session_box
                           WHERE box_id = %(box)s))""",
                    box=box.id,
                    first=fresh.first,
                    beats_from=fresh.beats_from,
                    beats_to=fresh.beats_to,
                    open=str(SessionEnd.OPEN),
                    timeout=str(SessionEnd.HEARTBEAT_TIMEOUT),
                )
            )
            return self.env.cr.fetchone()[0]
        self.env.cr.execute(
            SQL(
                """SELECT LEAST(
                     (SELECT min(ts) FROM facility_box_event
                       WHERE box_id = %(box)s AND received_at = %(batch)s
                         AND event_type <> %(heartbeat)s),
                     (SELECT min(date_start) FROM facility_usage_session
                       WHERE box_id = %(box)s AND end_reason = %(open)s),
                     (SELECT min(s.date_start) FROM facility_usage_session s
                       WHERE s.box_id = %(box)s AND s.end_reason = %(timeout)s
                         AND s.date_stop >= (
                           SELECT min(ts) FROM facility_box_event
                            WHERE box_id = %(box)s AND received_at = %(batch)s
                              AND event_type = %(heartbeat)s)
                         AND EXISTS (
                           SELECT 1 FROM facility_box_event e
                            WHERE e.box_id = s.box_id AND e.received_at = %(batch)s
                              AND e.event_type = %(heartbeat)s
                              AND e.ts BETWEEN s.date_start AND s.date_stop)),
                     (SELECT needs_rebuild_since FROM facility_usage_session_box
                       WHERE box_id = %(box)s))""",
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
                    moved = {"date_start", "date_stop"} & set(changed)
                    if moved and record._has_consequences():
                        record._flag_for_review(session)
                    record.write(changed)
            touched |= record
        self._merge_leftovers(leftovers, touched, now)
        touched.filtered("drives_bookings")._settle(now, {box.id: _last_ts(rows)})
        return touched

    def _merge_leftovers(self, leftovers, survivors, now):
        """Delete the stored sessions the events no longer make, except what was recorded: a
        session whose use was recorded (or whose booking was finished) merged into a surviving
        one hands it its keys — the survivor is never recorded a second time — and the
        survivor is flagged for review; one with no survivor is kept and flagged."""
        doomed = self.browse()
        for old in leftovers:
            if not old._has_consequences():
                doomed |= old
                continue
            survivor = next(
                (s for s in survivors if s.kind == old.kind and _overlaps(s, old._as_rule(), now)),
                None,
            )
            if survivor is None:
                if not old.needs_review:
                    old.write(
                        {
                            "needs_review": True,
                            "review_note": old._review_text(
                                self.env._("The box's events no longer make this session.")
                            ),
                        }
                    )
                continue
            survivor._absorb(old)
            doomed |= old
        doomed.unlink()

    def _has_consequences(self):
        """Whether something was recorded from this session's measured time."""
        self.ensure_one()
        return self.unbooked_recorded or self.sudo().booking_id.state == "done"

    def _absorb(self, old):
        """Take over what was recorded for ``old``, a session merged into this one."""
        self.ensure_one()
        vals = {"needs_review": True}
        if old.unbooked_recorded:
            keys = (self.recorded_keys or "").split() + (old.recorded_keys or "").split()
            vals.update(
                unbooked_recorded=True,
                recorded_keys=" ".join(dict.fromkeys(keys)) or False,
                recorded_hours=self.recorded_hours + old.recorded_hours,
            )
        text = self.env._(
            "The session from %(start)s was merged into this one (the box's late events joined "
            "them); what was recorded for it stays under %(keys)s.",
            start=self._local(old.date_start),
            keys=old.recorded_keys or old.booking_id.name or "-",
        )
        vals["review_note"] = self._review_text(text)
        self.write(vals)

    def _flag_for_review(self, session):
        """The measured time of this session moves to ``session``'s (``rules.sessions``) after
        its consequences were recorded: flag it and say what to check."""
        self.ensure_one()
        stop = session.stop
        measured = session.hours(now=stop) if stop else 0.0
        if self.unbooked_recorded:
            text = self.env._(
                "Recorded as unbooked use of %(recorded).2f h (%(keys)s); the box now measures "
                "%(start)s to %(stop)s. Check the violation and the walk-in charge.",
                recorded=self.recorded_hours,
                keys=self.recorded_keys or "-",
                start=self._local(session.start),
                stop=self._local(stop) if stop else self.env._("still running"),
            )
        else:
            text = self.env._(
                "%(booking)s was finished from this session; the box now measures %(start)s to "
                "%(stop)s (%(hours).2f h). Check the booking's actual times.",
                booking=self.sudo().booking_id.name,
                start=self._local(session.start),
                stop=self._local(stop) if stop else self.env._("still running"),
                hours=measured,
            )
        self.write({"needs_review": True, "review_note": self._review_text(text)})

    def _review_text(self, text):
        return "\n".join(filter(None, [self.review_note, text]))

    # -- matching, bookings and unbooked use ----------------------------------------------------

    def _settle(self, now, last_ts=None):
        """Match each session to its booking and drive the booking (open session: started;
        booking time over, its sessions final and its box heard past its end: finished at the
        last stop), or record the unbooked use once its time is final (``rules.usage``:
        ``session_settled``, ``booking_finishable``). ``last_ts``: ``{box id: time of its
        latest event}`` already known. A booking refusing what was measured never breaks the
        intake: the session keeps the reason in ``match_note``."""
        last_ts = dict(last_ts or {})
        delay = self._settle_delay()
        bookings = self.env["facility.booking"]
        candidates = self._booking_candidates(now)
        for session in self.sorted(lambda s: (s.date_start, s.id)):
            notes = []
            booking = session._match(now, candidates)
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
            changed = {k: v for k, v in vals.items() if _differs(session[k], v)}
            if changed:
                session.write(changed)
            if (
                session.is_unbooked
                and not session.unbooked_recorded
                and not session.is_unidentified
                and usage.session_settled(
                    session.end_reason,
                    session.date_stop,
                    session._last_event_ts(last_ts),
                    now,
                    delay,
                )
            ):
                session._record_unbooked_use()
        self._finish_bookings(bookings, now, last_ts)
        return True

    def _last_event_ts(self, cache):
        """The time of the latest event of the session's box (``cache``: by box id)."""
        self.ensure_one()
        box_id = self.box_id.id
        if box_id not in cache:
            self.env.cr.execute(
                "SELECT max(ts) FROM facility_box_event WHERE box_id = %s", [box_id]
            )
            cache[box_id] = self.env.cr.fetchone()[0]
        return cache[box_id]

    @api.model
    def _settle_delay(self):
        """How long a silent box's measurement waits before it counts as final: the system
        parameter ``core_facility_iot.session_settle_hours`` (default 24)."""
        value = self.env["ir.config_parameter"].sudo().get_param(SETTLE_HOURS_PARAM)
        try:
            hours = float(value) if value else usage.DEFAULT_SETTLE_HOURS
        except ValueError:
            hours = usage.DEFAULT_SETTLE_HOURS
        return timedelta(hours=max(hours, 0))

    def _booking_candidates(self, now):
        """``{instrument id: [(id, start, stop, operator id, state)]}``: the bookings holding
        time that the sessions overlap, read once for all of them (one search per instrument,
        not one per session)."""
        out = {}
        Booking = self.env["facility.booking"].sudo()
        for instrument in self.instrument_id:
            sessions = self.filtered(lambda s, i=instrument: s.instrument_id == i)
            start = min(sessions.mapped("date_start"))
            stop = max(max(s.date_stop or now, s.date_start) for s in sessions)
            found = Booking.search_fetch(
                [
                    ("instrument_id", "=", instrument.id),
                    ("state", "in", tuple(matching.MATCHED_STATES)),
                    ("date_start", "<=", stop),
                    ("date_stop", ">", start),
                ],
                ["date_start", "date_stop", "operator_id", "state"],
            )
            out[instrument.id] = [
                (b.id, b.date_start, b.date_stop, b.operator_id.id, b.state) for b in found
            ]
        return out

    def _match(self, now, candidates=None):
        """The booking of the session (``rules.matching.match``), or an empty recordset;
        ``candidates`` as :meth:`_booking_candidates` gives them (read here when absent)."""
        self.ensure_one()
        if candidates is None:
            candidates = self._booking_candidates(now)
        rows = candidates.get(self.instrument_id.id, [])
        found = matching.match(self._as_rule(), rows, now)
        return self.env["facility.booking"].sudo().browse(found.id if found else [])

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
        """The closed unbooked use of a known user and group, once its time is final
        (``source_key`` ``iot:<serial>:<kind>:<start event>``, ``rules.usage.unbooked_keys``):
        a violation ``no_booking`` unless the instrument is log-only with walk-in use, and the
        walk-in charge when billing is installed. The key and the hours are kept on the session
        (``recorded_keys``, ``recorded_hours``): a later merge hands them on, a later change
        flags the session for review."""
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
            self.write(
                {
                    "unbooked_recorded": True,
                    "recorded_keys": key,
                    "recorded_hours": self.hours,
                }
            )

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

    # -- actions ------------------------------------------------------------------------------

    def action_mark_reviewed(self):
        """The manager checked what changed after the consequences were recorded."""
        user = self.env.user
        if not (self.env.su or user.has_group(FACILITY_MANAGER)):
            for session in self:
                if user not in session.sudo().instrument_id.manager_ids:
                    raise AccessError(
                        self.env._(
                            "Only the instrument's managers and facility managers mark a "
                            "session reviewed."
                        )
                    )
        self.sudo().write({"needs_review": False})
        return True

    # -- the cron: sessions nobody hears from, bookings whose time is over ---------------------

    @api.model
    def _cron_close_sessions(self, now=None):
        """End the open sessions of boxes gone silent (heartbeat timeout) and rebuild the boxes
        whose rebuild failed; record the unbooked uses whose time has become final; finish the
        running bookings whose time is over, whose sessions are final and whose box was heard
        past their end (``rules.usage.booking_finishable``). One box's failure is logged and
        the others go on."""
        now = now or fields.Datetime.now()
        Session = self.sudo()
        open_sessions = Session.search([("end_reason", "=", SessionEnd.OPEN)])
        self.env.cr.execute(
            "SELECT box_id FROM facility_usage_session_box WHERE needs_rebuild_since IS NOT NULL"
        )
        failed = self.env["facility.box"].sudo().browse([row[0] for row in self.env.cr.fetchall()])
        Session._rebuild(open_sessions.box_id | failed.exists(), now=now)
        waiting = Session.search(
            [
                ("drives_bookings", "=", True),
                ("is_unbooked", "=", True),
                ("unbooked_recorded", "=", False),
                ("is_unidentified", "=", False),
                ("end_reason", "=", SessionEnd.HEARTBEAT_TIMEOUT),
            ]
        )
        for box, sessions in waiting.grouped("box_id").items():
            _isolated(self.env, box.serial, lambda s=sessions: s._settle(now))
        bookings = Session.search(
            [
                ("drives_bookings", "=", True),
                ("booking_id.state", "=", "in_use"),
                ("booking_id.date_stop", "<=", now),
            ]
        ).booking_id
        for booking in bookings:
            _isolated(self.env, booking.name, lambda b=booking: Session._finish_bookings(b, now))
        return True

    @api.model
    def _finish_bookings(self, bookings, now, last_ts=None):
        """Finish each running booking whose time is over, whose sessions are all final and
        whose box was heard past its end, at the stop of its last session (a user who logs out
        for lunch and back in keeps one booking running; one who leaves early under-uses it;
        a box that fell silent leaves it running until its buffered events are in, or the
        settle delay has passed)."""
        last_ts = {} if last_ts is None else last_ts
        delay = self._settle_delay()
        for booking in bookings.sudo().filtered(lambda b: b.state == "in_use"):
            if booking.date_stop > now:
                continue
            sessions = self.sudo().search(
                [("booking_id", "=", booking.id), ("drives_bookings", "=", True)],
                order="date_start",
            )
            facts = [(s.end_reason, s.date_stop, s._last_event_ts(last_ts)) for s in sessions]
            if not usage.booking_finishable(booking.date_stop, facts, now, delay):
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


def _isolated(env, label, operation):
    """Run one box's or booking's part of the cron in a savepoint: a failure is logged and the
    others go on (concurrency errors are raised: the cron runs again)."""
    try:
        with env.cr.savepoint():
            operation()
    except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
        raise
    except Exception:  # one box must not stop the others
        _logger.exception("core_facility_iot: the machine time of %s was not settled", label)


def _last_ts(rows):
    """The latest event time of the rows ``(uid, type, ts, ...)`` of a box, or None."""
    return max((row[2] for row in rows), default=None)


def _differs(current, value):
    """Whether a record's value differs from a value to write (records compared by id)."""
    if isinstance(current, models.BaseModel):
        return current.id != (value or False)
    return (current or False) != (value or False)


def _overlaps(record, session, now):
    stop = record.date_stop or now
    other_stop = session.stop or now
    return record.date_start < other_stop and session.start < stop
