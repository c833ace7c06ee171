"""Usage sessions built from a box's events: login → logout, power on → off, whatever the order
of arrival and however often delivered; a missing end closed by the heartbeat timeout; the user
from the start event or the card swiped just before; one query when nothing can change."""

import json
from datetime import timedelta
from unittest.mock import patch

from psycopg2.errors import SerializationFailure

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.core_facility.tests.test_booking_concurrency import CommittedCase, _env

from ..models.facility_usage_session import LOCK_NAMESPACE
from ..rules import signing
from .common import NOW, SECRET, event
from .test_session_common import UsageCase

SESSION_LOGGER = "odoo.addons.core_facility_iot.models.facility_usage_session"


@tagged("post_install", "-at_install")
class TestSessionBuilding(UsageCase):
    def test_login_logout_is_one_session(self):
        self.post(
            self.login("L1", -120, user=self.student_a1.login, snapshot="cam1/0800.jpg"),
            *self.beats(-115, -35),
            self.logout("O1", -30),
        )
        session = self.sessions()
        self.assertEqual(len(session), 1)
        self.assertEqual(
            (session.kind, session.date_start, session.date_stop, session.end_reason),
            ("pc", self.at(-120), self.at(-30), "closed"),
        )
        self.assertEqual((session.start_event_uid, session.stop_event_uid), ("L1", "O1"))
        self.assertEqual(session.hours, 1.5)
        self.assertEqual(session.user_id, self.student_a1)
        self.assertEqual(session.snapshot, "cam1/0800.jpg")
        self.assertTrue(session.drives_bookings)

    def test_stop_before_start_gives_one_session_once_both_arrived(self):
        for _time in range(3):
            self.post(self.logout("O1", -30))
        self.assertFalse(self.sessions())
        self.post(*self.beats(-85, -35))
        self.post(self.login("L1", -90))
        self.post(self.login("L1", -90), self.logout("O1", -30))  # delivered again
        session = self.sessions()
        self.assertEqual(len(session), 1)
        self.assertEqual((session.date_start, session.date_stop), (self.at(-90), self.at(-30)))
        self.assertEqual(self.env["facility.box.event"].search_count([("uid", "=", "O1")]), 1)

    def test_open_session_then_heartbeat_timeout(self):
        self.post(self.login("L1", -5), self.beat("H1", -1))
        session = self.sessions()
        self.assertEqual((session.end_reason, session.date_stop), ("open", False))
        # the box falls silent: the cron ends the session at its last sign of life + 10 min
        self.Session._cron_close_sessions(now=self.at(30))
        self.assertEqual(session.end_reason, "heartbeat_timeout")
        self.assertEqual(session.date_stop, self.at(-1 + 10))
        # exactly the timeout is still alive
        self.post(self.login("L2", 40), now=self.at(40))
        self.Session._cron_close_sessions(now=self.at(50))
        self.assertEqual(self.sessions(start_event_uid="L2").end_reason, "open")

    def test_late_heartbeats_revive_a_timed_out_session(self):
        self.post(self.login("L1", -60), now=self.at(-60))
        self.Session._cron_close_sessions(now=self.at(-30))
        session = self.sessions()
        self.assertEqual(session.end_reason, "heartbeat_timeout")
        # the box buffered its heartbeats while offline and delivers them with the logout
        self.post(*[self.beat(f"H{m}", m) for m in range(-55, -5, 5)])
        self.assertEqual(session.end_reason, "open")  # heartbeats alone revive it
        self.post(self.logout("O1", -5))
        self.assertEqual(session.exists().end_reason, "closed")
        self.assertEqual(session.date_stop, self.at(-5))

    def test_a_lost_logout_ends_at_the_next_users_login(self):
        """Finding 10: the box keeps beating after a lost logout; the next user's login (by
        card) ends the first session, and the same user logging in again does not."""
        self.post(
            self.login("L1", -120, user=self.student_a1.login),
            *self.beats(-115, 0),
            self.login("L1b", -90, card="04A1B2C3"),  # the same user, by card: a repeat
            self.login("L2", -60, card="04A2"),
            self.logout("O2", -10),
        )
        self.assertEqual(
            [
                (s.start_event_uid, s.date_start, s.date_stop, s.end_reason, s.user_id)
                for s in self.sessions()
            ],
            [
                ("L1", self.at(-120), self.at(-60), "superseded", self.student_a1),
                ("L2", self.at(-60), self.at(-10), "closed", self.student_a2),
            ],
        )

    def test_an_earlier_start_arriving_late_keeps_the_session(self):
        self.post(self.login("L2", -30), *self.beats(-25, -15), self.logout("O1", -10))
        session = self.sessions()
        self.post(self.login("L1", -60), *self.beats(-55, -35))
        self.assertEqual(self.sessions(), session)  # the same record, its start corrected
        self.assertEqual((session.start_event_uid, session.date_start), ("L1", self.at(-60)))

    def test_user_from_the_card_swiped_just_before(self):
        self.post(
            self.swipe("S1", -70, "04A2"),  # too early
            self.swipe("S2", -65, "04a1b2c3"),
            self.login("L1", -60),
            self.logout("O1", -50),
            self.swipe("S3", -45, "04A2"),
            self.login("L2", -35),  # ten minutes after the last swipe: still it
            self.logout("O2", -20),
            self.login("L3", -10),  # 25 minutes after: unknown
        )
        users = [s.user_id for s in self.sessions()]
        self.assertEqual(users, [self.student_a1, self.student_a2, self.env["res.users"]])

    def test_overlapping_pc_and_power_sessions(self):
        self.post(
            event("P1", "power_on", self.at(-120)),
            *self.beats(-115, -15),
            self.login("L1", -100),
            self.logout("O1", -40),
            self.login("L2", -30),
            self.logout("O2", -20),
            event("P2", "power_off", self.at(-10)),
        )
        sessions = self.sessions()
        self.assertEqual(
            [(s.kind, s.start_event_uid, s.drives_bookings) for s in sessions],
            [("power", "P1", False), ("pc", "L1", True), ("pc", "L2", True)],
        )
        # a box without PC control: the power session is the machine time
        box = self.env["facility.box"].create(
            {"serial": "T20-BOX", "instrument_id": self.t20.id, "control_power": True}
        )
        self._give_secret(box, "t20-secret")
        self.receive(
            [event("P1", "power_on", self.at(-60)), event("P2", "power_off", self.at(-30))],
            NOW,
            box=box,
            key=signing.secret_hash("t20-secret"),
        )
        self.assertTrue(self.sessions(box=box).drives_bookings)

    def test_nothing_new_costs_one_query(self):
        self.post(self.login("L1", -60), *self.beats(-55, -35), self.logout("O1", -30))
        self.post(self.beat("H1", -20), self.beat("H2", -15), now=self.at(-14))
        self.env.invalidate_all()
        with self.assertQueryCount(1):
            self.Session._rebuild(self.box, now=self.at(-14))

    def test_a_failed_rebuild_is_done_again(self):
        """Review finding 11: a rebuild that fails keeps the events (the intake answered
        accepted) and is remembered; the box's next batch, even of heartbeats only, rebuilds
        its window."""
        Session = type(self.Session)
        with (
            patch.object(Session, "_rebuild_box", side_effect=RuntimeError("boom")),
            mute_logger(SESSION_LOGGER),
        ):
            answer = self.post(
                self.login("L1", -60),
                *self.beats(-55, -35),
                self.logout("O1", -30),
                now=self.at(-29),
            )
        self.assertEqual(answer["accepted"], 7)
        self.assertFalse(self.sessions())
        self.post(self.beat("H1", -20), now=self.at(-19))
        self.assertEqual(
            [(s.start_event_uid, s.end_reason) for s in self.sessions()], [("L1", "closed")]
        )
        self.env.invalidate_all()
        with self.assertQueryCount(1):  # done: nothing to do again
            self.Session._rebuild(self.box, now=self.at(-18))

    def test_one_failing_box_does_not_stop_the_cron(self):
        box = self.env["facility.box"].create(
            {"serial": "T20-BOX", "instrument_id": self.t20.id, "control_pc": True}
        )
        self._give_secret(box, "t20-secret")
        for one in (self.box, box):
            self.receive(
                [self.login("L1", -60), self.beat("H1", -55)],
                self.at(-55),
                box=one,
                key=signing.secret_hash(SECRET if one == self.box else "t20-secret"),
            )
        Session = type(self.Session)
        real = Session._rebuild_box

        def failing_for_the_spirit(session_model, which, start, now):
            if which == self.box:
                raise RuntimeError("boom")
            return real(session_model, which, start, now)

        with (
            patch.object(Session, "_rebuild_box", failing_for_the_spirit),
            mute_logger(SESSION_LOGGER),
        ):
            self.Session._cron_close_sessions(now=self.at(0))
        self.assertEqual(self.sessions(box=box).end_reason, "heartbeat_timeout")
        self.assertEqual(self.sessions().end_reason, "open")  # not rebuilt, not lost
        self.Session._cron_close_sessions(now=self.at(5))
        self.assertEqual(self.sessions().end_reason, "heartbeat_timeout")

    def test_full_rebuild_gives_the_same_sessions(self):
        self.post(
            self.login("L1", -60),
            *self.beats(-55, -35),
            self.logout("O1", -30),
            self.login("L2", -20),
            *self.beats(-15, 0),
        )
        before = [(s.kind, s.date_start, s.date_stop, s.end_reason) for s in self.sessions()]
        self.env.cr.execute("DELETE FROM facility_usage_session WHERE box_id = %s", [self.box.id])
        self.env.invalidate_all()
        self.Session._rebuild(self.box, now=NOW, full=True)
        after = [(s.kind, s.date_start, s.date_stop, s.end_reason) for s in self.sessions()]
        self.assertEqual(after, before)


@tagged("post_install", "-at_install")
class TestSessionConcurrency(CommittedCase):
    """Two intakes of one box at once: their rebuilds run one after the other, and the later
    one, which began before the earlier committed, fails to serialise; Odoo's retry then sees
    both batches: one session, login and logout from the two posts."""

    def _prepare(self, env, instrument, groups):
        box = env["facility.box"].create(
            {"serial": "RACE-BOX", "instrument_id": instrument.id, "control_pc": True}
        )
        box.sudo()._write_guarded({"secret_hash": signing.secret_hash("race")})
        self.ids["box"] = box.id
        self.now = fields.Datetime.now().replace(microsecond=0)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            for table in ("facility_usage_session", "facility_box_event", "facility_box"):
                column = "id" if table == "facility_box" else "box_id"
                cr.execute(f"DELETE FROM {table} WHERE {column} = %s", [self.ids["box"]])
        return super()._cleanup()

    def _post(self, env, events):
        body = json.dumps(events).encode()
        timestamp = str(int(self.now.timestamp()))
        signature = signing.signature(signing.secret_hash("race"), timestamp, body)
        return env["facility.box.event"]._receive(
            "RACE-BOX", timestamp, signature, body, "http", now=self.now
        )

    def test_two_intakes_rebuild_one_after_the_other(self):
        login = event("L1", "pc_login", self.now - timedelta(minutes=30))
        logout = event("O1", "pc_logout", self.now - timedelta(minutes=5))
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            env_b["facility.box"].browse(self.ids["box"]).serial  # noqa: B018 (B's snapshot)
            beats = [
                event(f"H{m}", "heartbeat", self.now - timedelta(minutes=m))
                for m in (25, 20, 15, 10)
            ]
            self.assertEqual(self._post(env_a, [login, *beats])[0], 200)
            # A holds the box's lock until it commits: B would wait
            cr_b.execute(
                "SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, self.ids["box"]]
            )
            self.assertFalse(cr_b.fetchone()[0])
            cr_a.commit()
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                self._post(env_b, [logout])
            cr_b.rollback()
        with self.registry.cursor() as cr:  # Odoo's retry of B's request
            env = _env(cr)  # kept: the commit flushes through the transaction's environments
            self.assertEqual(self._post(env, [logout])[0], 200)
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT start_event_uid, stop_event_uid, end_reason FROM facility_usage_session "
                "WHERE box_id = %s",
                [self.ids["box"]],
            )
            self.assertEqual(cr.fetchall(), [("L1", "O1", "closed")])
