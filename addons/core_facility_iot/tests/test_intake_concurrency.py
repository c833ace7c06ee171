"""Two real transactions delivering the same batch (or the same refused body) at once: one row
per event, one quarantine record counted twice, and answers that agree.

PostgreSQL decides: the unique key (box, event id) with ``ON CONFLICT DO NOTHING`` for events,
(serial, reason, body hash) with ``ON CONFLICT DO UPDATE`` for the quarantine. Under Odoo's
REPEATABLE READ, the transaction that started before the other committed fails to serialise; it
is retried (Odoo's HTTP layer does it with ``retrying``) and the retry answers ``duplicate``."""

import json
import threading
from datetime import timedelta

from psycopg2.errors import LockNotAvailable, SerializationFailure

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from ..rules import signing
from ..rules.codes import Channel
from .common import SECRET, epoch, event

SERIAL = "CONCURRENT-BOX-1"


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT, lang="en_US"))


@tagged("post_install", "-at_install")
class TestIntakeConcurrency(BaseCase):
    """A box, its instrument and unit committed before each test, removed afterwards; the test's
    own cursors commit what they deliver, and the clean-up removes it."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.now = fields.Datetime.now().replace(microsecond=0)
        with self.registry.cursor() as cr:
            env = _env(cr)
            unit = env["facility.unit"].create({"name": "Concurrency Intake Center"})
            instrument = env["facility.instrument"].create(
                {"name": "Concurrency Intake Spirit", "unit_id": unit.id}
            )
            box = env["facility.box"].create({"serial": SERIAL, "instrument_id": instrument.id})
            box.sudo()._write_guarded({"secret_hash": signing.secret_hash(SECRET)})
            self.ids = {"unit": unit.id, "instrument": instrument.id, "box": box.id}
        self.addCleanup(self._cleanup)
        self.key = signing.secret_hash(SECRET)
        self.batch = [
            event(f"c-{n}", "heartbeat", self.now - timedelta(minutes=n)) for n in range(1, 6)
        ]
        self.body = json.dumps(self.batch).encode()

    def _cleanup(self):
        with self.registry.cursor() as cr:
            for table in (
                "facility_usage_session",
                "facility_box_event",
                "facility_box_quarantine",
            ):
                cr.execute(f"DELETE FROM {table} WHERE box_id = %s", [self.ids["box"]])
            cr.execute("DELETE FROM facility_box_quarantine WHERE serial = %s", [SERIAL])
            env = _env(cr)
            env["facility.box"].browse(self.ids["box"]).unlink()
            instrument = env["facility.instrument"].browse(self.ids["instrument"])
            equipment = instrument.equipment_id
            instrument.unlink()
            equipment.unlink()
            env["facility.unit"].browse(self.ids["unit"]).unlink()

    def receive(self, env, body=None, signature=None):
        body = self.body if body is None else body
        timestamp = str(epoch(self.now))
        signature = signature or signing.signature(self.key, timestamp, body)
        return env["facility.box.event"]._receive(
            SERIAL, timestamp, signature, body, Channel.HTTP, now=self.now
        )

    def retrying(self, env):
        """Deliver in ``env`` until it serialises, committing, as Odoo retries a request
        (``odoo.service.model.retrying``, whose ``env.reset()`` would ask for the registry here,
        whose lock the test runner holds)."""
        for _attempt in range(5):
            try:
                answer = self.receive(env)
                env.cr.commit()
                return answer
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                env.cr.rollback()
        raise AssertionError("the delivery never serialised")

    def rows(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT uid, count(*) FROM facility_box_event WHERE box_id = %s GROUP BY uid",
                [self.ids["box"]],
            )
            return dict(cr.fetchall())

    def test_two_sessions_deliver_the_same_batch(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            cr_b.execute("SELECT 1")  # session B's snapshot: before A's delivery
            status, answer = self.receive(env_a)
            self.assertEqual((status, answer["accepted"]), (200, 5))
            cr_a.commit()
            # B inserts the same ids: PostgreSQL refuses to serialise B after A...
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                self.receive(env_b)
            cr_b.rollback()
        # ... and B's retry (a new transaction, as Odoo retries a request) sees A's rows
        with self.registry.cursor() as cr:
            status, answer = self.receive(_env(cr))
            self.assertEqual((status, answer["accepted"], answer["duplicate"]), (200, 0, 5))
        self.assertEqual(self.rows(), {f"c-{n}": 1 for n in range(1, 6)})

    def test_two_concurrent_posts_in_threads(self):
        """Two deliveries racing for real, each retried as Odoo's HTTP layer does: five rows,
        one answer with every event accepted and one with every event a duplicate."""
        barrier = threading.Barrier(2)
        answers, errors = [], []

        def deliver(env):
            try:
                env.cr.execute("SELECT 1")  # both snapshots taken before either inserts
                barrier.wait(timeout=10)
                answers.append(self.retrying(env))
            except Exception as exc:
                errors.append(exc)

        # cursors and environments are made here: the test runner holds the registry's lock,
        # which a thread asking for the registry would wait for
        with (
            self.registry.cursor() as cr_a,
            self.registry.cursor() as cr_b,
            mute_logger("odoo.sql_db", "odoo.service.model"),
        ):
            threads = [threading.Thread(target=deliver, args=(_env(cr),)) for cr in (cr_a, cr_b)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        self.assertFalse(errors)
        self.assertEqual(sorted(status for status, _answer in answers), [200, 200])
        counts = sorted((a["accepted"], a["duplicate"], a["rejected"]) for _s, a in answers)
        self.assertEqual(counts, [(0, 5, 0), (5, 0, 0)])
        self.assertEqual(self.rows(), {f"c-{n}": 1 for n in range(1, 6)})

    def test_a_delivery_waits_for_an_uncommitted_one(self):
        """B delivers the same events (in another order) while A's are not committed yet: B
        waits on A's keys (here until its lock timeout), never doubling a row; once A has
        committed, B's retry answers duplicates."""
        reverse = json.dumps(list(reversed(self.batch))).encode()
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            self.assertEqual(self.receive(env_a)[1]["accepted"], 5)  # A holds c-1..c-5
            cr_b.execute("SET LOCAL lock_timeout = '200ms'")
            with mute_logger("odoo.sql_db"), self.assertRaises(LockNotAvailable):
                self.receive(env_b, reverse)
            cr_b.rollback()
            cr_a.commit()
            status, answer = self.receive(env_b, reverse)
            self.assertEqual((status, answer["accepted"], answer["duplicate"]), (200, 0, 5))
            cr_b.commit()
        self.assertEqual(self.rows(), {f"c-{n}": 1 for n in range(1, 6)})

    def test_two_sessions_quarantine_the_same_body(self):
        bad = b"[{not json"
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            cr_b.execute("SELECT 1")
            self.assertEqual(self.receive(env_a, bad)[0], 400)
            cr_a.commit()
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                self.receive(env_b, bad)
            cr_b.rollback()
        with self.registry.cursor() as cr:  # B's retry, committed on leaving
            self.assertEqual(self.receive(_env(cr), bad)[0], 400)
        with self.registry.cursor() as cr:  # a third delivery, after both committed
            self.assertEqual(self.receive(_env(cr), bad)[0], 400)
            cr.execute(
                "SELECT count(*), sum(repeat_count) FROM facility_box_quarantine WHERE serial = %s",
                [SERIAL],
            )
            self.assertEqual(cr.fetchone(), (1, 3))
