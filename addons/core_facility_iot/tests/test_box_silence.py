"""Heartbeat silence: a box not heard from for twice its heartbeat turns silent and its
instrument's managers get one "Box Silent" activity per silence; when it speaks again it is online
and the activities are done. Idempotent, also across two sessions."""

from datetime import timedelta

from freezegun import freeze_time
from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from ..models.facility_box import SILENT_ACTIVITY
from ..rules.codes import BoxState
from .common import NOW, IotCase, event


def minutes(n):
    return NOW + timedelta(minutes=n)


@tagged("post_install", "-at_install")
class TestBoxSilence(IotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spirit.tz = "Asia/Shanghai"
        cls.Box = cls.env["facility.box"]
        cls.silent_type = cls.env.ref(SILENT_ACTIVITY)

    def cron(self, moment):
        with freeze_time(moment):
            return self.Box._cron_mark_silent()

    def silence_activities(self, box, user=None):
        activities = box.sudo().activity_ids.filtered(
            lambda activity: activity.activity_type_id == self.silent_type
        )
        return activities.filtered(lambda a: a.user_id == user) if user else activities

    def test_silent_after_twice_the_heartbeat_with_one_activity_per_silence(self):
        self.box._touch(NOW)
        self.assertNotIn(self.box, self.cron(minutes(6)))  # one heartbeat missed: tolerated
        self.assertNotIn(self.box, self.cron(minutes(10)))
        self.assertEqual(self.box.state, BoxState.ONLINE)
        self.assertIn(self.box, self.cron(minutes(11)))
        self.assertEqual(self.box.state, BoxState.SILENT)
        activity = self.silence_activities(self.box)
        self.assertEqual(activity.user_id, self.manager_spirit)
        self.assertEqual(activity.summary, "Box SPIRIT-BOX-1 silent")
        note = str(activity.note)
        self.assertIn("SPIRIT-BOX-1", note)
        self.assertIn("Test Spirit", note)
        self.assertIn("since 2041-03-06 10:00 ", note)  # Shanghai time, without seconds
        self.assertNotIn("10:00:00", note)
        self.assertEqual(str(activity.date_deadline), "2041-03-06")
        # a second (and a third) run adds nothing
        self.assertNotIn(self.box, self.cron(minutes(15)))
        self.assertNotIn(self.box, self.cron(minutes(200)))
        self.assertEqual(len(self.silence_activities(self.box)), 1)

    def test_heard_again_turns_online_and_closes_the_activity(self):
        self.box._touch(NOW)
        self.cron(minutes(11))
        self.assertEqual(len(self.silence_activities(self.box)), 1)
        # the box speaks again through the intake (any signed request is a sign of life)
        status, _answer = self.receive([event("hb-1", "heartbeat", minutes(29))], minutes(30))
        self.assertEqual(status, 200)
        self.assertEqual(self.box.state, BoxState.ONLINE)
        self.assertEqual(self.box.last_seen, minutes(30))
        self.assertFalse(self.silence_activities(self.box))
        feedback = " ".join(str(body) for body in self.box.sudo().message_ids.mapped("body"))
        self.assertIn("Heard again at 2041-03-06 10:30.", feedback)
        # a new silence gets a new activity, once
        self.cron(minutes(41))
        self.cron(minutes(45))
        self.assertEqual(self.box.state, BoxState.SILENT)
        self.assertEqual(len(self.silence_activities(self.box)), 1)

    def test_last_seen_moves_in_steps_of_half_a_minute(self):
        self.box._touch(NOW)
        self.box._touch(NOW + timedelta(seconds=10))
        self.assertEqual(self.box.last_seen, NOW)  # the row is not rewritten for each post
        self.box._touch(NOW - timedelta(minutes=5))
        self.assertEqual(self.box.last_seen, NOW)  # never backwards
        self.box._touch(NOW + timedelta(seconds=30))
        self.assertEqual(self.box.last_seen, NOW + timedelta(seconds=30))

    def test_a_box_never_seen_counts_from_its_secret(self):
        with freeze_time(NOW):
            box = self.Box.create({"serial": "NEVER-SEEN-1", "instrument_id": self.spirit.id})
            box._set_new_secret()
        self.assertNotIn(box, self.cron(minutes(10)))
        self.assertIn(box, self.cron(minutes(11)))
        activity = self.silence_activities(box)
        self.assertEqual(activity.summary, "Box NEVER-SEEN-1 never heard from")
        self.assertIn("since its secret was set on 2041-03-06 10:00", str(activity.note))

    def test_a_rotation_restarts_the_count(self):
        self.box._touch(NOW)
        with freeze_time(minutes(9)):
            self.box._set_new_secret()
        self.assertNotIn(self.box, self.cron(minutes(15)))
        self.assertIn(self.box, self.cron(minutes(20)))

    def test_the_heartbeat_interval_is_the_boxs_own(self):
        self.box._touch(NOW)
        self.box.heartbeat_minutes = 30
        self.assertNotIn(self.box, self.cron(minutes(59)))
        self.assertIn(self.box, self.cron(minutes(61)))

    def test_not_monitored_without_secret_retired_or_archived(self):
        no_secret = self.Box.create({"serial": "NO-SECRET-1", "instrument_id": self.spirit.id})
        retired = self.Box.create({"serial": "RETIRED-1", "instrument_id": self.spirit.id})
        archived = self.Box.create({"serial": "ARCHIVED-1", "instrument_id": self.spirit.id})
        with freeze_time(NOW):
            for box in (retired, archived):
                box._set_new_secret()
                box._touch(NOW)
            retired.action_retire()
            archived.active = False
        marked = self.cron(minutes(600))
        self.assertFalse(marked & (no_secret | retired | archived))
        self.assertFalse(self.silence_activities(no_secret | retired | archived))

    def test_facility_managers_hear_of_boxes_without_instrument_managers(self):
        orphan = self.env["facility.instrument"].create(
            {"name": "Orphan Vitrobot", "unit_id": self.center.id, "tz": "Asia/Shanghai"}
        )
        box = self.Box.create({"serial": "ORPHAN-1", "instrument_id": orphan.id})
        with freeze_time(NOW):
            box._set_new_secret()
        self.cron(minutes(11))
        users = self.silence_activities(box).user_id
        self.assertIn(self.director, users)
        self.assertNotIn(self.manager_spirit, users)
        self.assertEqual(len(users), len(set(users.ids)))

    def test_every_manager_of_the_instrument_gets_one(self):
        self.spirit.manager_ids = [Command.link(self.manager_t20.id)]
        self.box._touch(NOW)
        self.cron(minutes(11))
        self.assertEqual(
            self.silence_activities(self.box).user_id, self.manager_spirit | self.manager_t20
        )
        # the managers see the box and its activity (they can act on it)
        self.assertTrue(self.box.with_user(self.manager_t20).activity_ids)

    def test_retiring_a_silent_box_closes_its_activity(self):
        self.box._touch(NOW)
        self.cron(minutes(11))
        self.box.with_user(self.director).action_retire()
        self.assertFalse(self.silence_activities(self.box))


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, dict(DISABLED_MAIL_CONTEXT, lang="en_US"))


# long before any box of the database was registered: only the test's own box qualifies
PAST = NOW.replace(year=2020)


@tagged("post_install", "-at_install")
class TestBoxSilenceConcurrency(BaseCase):
    """Two sessions checking silence at once: one activity per silence, never two."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = _env(cr)
            admin = env.ref("base.user_admin")
            unit = env["facility.unit"].create({"name": "Silence Center"})
            instrument = env["facility.instrument"].create(
                {
                    "name": "Silence Talos",
                    "unit_id": unit.id,
                    "manager_ids": [Command.set(admin.ids)],
                    "tz": "Asia/Shanghai",
                }
            )
            box = env["facility.box"].create(
                {"serial": "SILENCE-RACE-1", "instrument_id": instrument.id}
            )
            box._set_new_secret()
            box._write_guarded({"secret_rotated_at": PAST, "last_seen": PAST})
            self.ids = {"unit": unit.id, "instrument": instrument.id, "box": box.id}
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = _env(cr)
            box = env["facility.box"].browse(self.ids["box"])
            box.activity_ids.unlink()
            box.message_ids.unlink()
            box.unlink()
            instrument = env["facility.instrument"].browse(self.ids["instrument"])
            equipment = instrument.equipment_id
            instrument.unlink()
            equipment.unlink()
            env["facility.unit"].browse(self.ids["unit"]).unlink()

    def _activities(self, cr):
        cr.execute(
            "SELECT count(*) FROM mail_activity WHERE res_model = 'facility.box' AND res_id = %s",
            [self.ids["box"]],
        )
        return cr.fetchone()[0]

    def test_two_sessions_check_silence_at_once(self):
        later = PAST + timedelta(minutes=11)
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            marked_a = _env(cr_a)["facility.box"]._cron_mark_silent(now=later)
            self.assertEqual(marked_a.ids, [self.ids["box"]])
            scheduled = self._activities(cr_a)
            self.assertGreaterEqual(scheduled, 1)
            # B runs while A holds the box: it skips it instead of waiting or doubling (a lock
            # wait would fail here instead of hanging the test)
            cr_b.execute("SET LOCAL lock_timeout = '5s'")
            marked_b = _env(cr_b)["facility.box"]._cron_mark_silent(now=later)
            self.assertFalse(marked_b)
            cr_a.commit()
            cr_b.commit()
        with self.registry.cursor() as cr_c:
            self.assertEqual(_env(cr_c)["facility.box"].browse(self.ids["box"]).state, "silent")
            self.assertEqual(self._activities(cr_c), scheduled)
            # and a run after both adds nothing
            self.assertFalse(_env(cr_c)["facility.box"]._cron_mark_silent(now=later))
            cr_c.commit()
            self.assertEqual(self._activities(cr_c), scheduled)

    def test_a_session_that_saw_the_box_online_cannot_mark_it_again(self):
        later = PAST + timedelta(minutes=11)
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            # B's snapshot is taken before A marks the box and commits
            cr_b.execute("SELECT state FROM facility_box WHERE id = %s", [self.ids["box"]])
            self.assertEqual(cr_b.fetchone()[0], "online")
            _env(cr_a)["facility.box"]._cron_mark_silent(now=later)
            scheduled = self._activities(cr_a)
            cr_a.commit()
            with mute_logger("odoo.sql_db"), self.assertRaises(SerializationFailure):
                _env(cr_b)["facility.box"]._cron_mark_silent(now=later)
            cr_b.rollback()
        with self.registry.cursor() as cr:
            self.assertGreaterEqual(scheduled, 1)
            self.assertEqual(self._activities(cr), scheduled)
