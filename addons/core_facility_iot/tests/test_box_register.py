"""The box register: registration shows the secret once, rotation replaces it, retirement and
reactivation; only facility managers do it, the guarded fields and the secret's hash are out of
reach of everyone else (forms and RPC alike), and no secret reaches a log, an export or the
chatter."""

import json
import logging
from contextlib import contextmanager

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from ..models.facility_box import BoxAuthError
from ..rules import signing
from ..rules.codes import AuthReason, BoxState
from .common import NOW, SECRET, IotCase, epoch

BODY = b'[{"id": "e1", "type": "heartbeat", "ts": "2041-03-06T02:00:00+00:00"}]'


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append((record.name, self.format(record)))


class BoxCase(IotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Box = cls.env["facility.box"]
        cls.box_t20 = cls.Box.create({"serial": "T20-BOX-1", "instrument_id": cls.t20.id})
        cls.t20_secret = cls.box_t20._set_new_secret()

    def register(self, serial="NEW-BOX-1", instrument=None, user=None):
        """A box created and registered by ``user`` (the director): ``(box, action, secret)``."""
        Box = self.Box.with_user(user or self.director)
        box = Box.create({"serial": serial, "instrument_id": (instrument or self.spirit).id})
        action = box.action_new_secret()
        return box, action, action["context"]["box_secret"]

    def authenticate(self, box, secret, moment=NOW, body=BODY):
        """``_authenticate`` of a request of ``box`` signed with ``secret`` at ``moment``."""
        timestamp = str(epoch(moment))
        key = signing.secret_hash(secret)
        return self.Box._authenticate(
            box.serial, timestamp, signing.signature(key, timestamp, body), body, now=epoch(moment)
        )

    def assertRefused(self, reason, box, secret, **kw):
        with self.assertRaises(BoxAuthError) as caught:
            self.authenticate(box, secret, **kw)
        self.assertEqual(caught.exception.reason, reason)

    def chatter(self, box):
        return " ".join(box.sudo().message_ids.mapped(lambda m: str(m.body)))


@tagged("post_install", "-at_install")
class TestBoxRegistration(BoxCase):
    @freeze_time(NOW)
    def test_registration_shows_the_secret_once_and_stores_only_its_hash(self):
        box, action, secret = self.register()
        self.assertEqual(
            {k: action[k] for k in ("type", "res_model", "view_mode", "target")},
            {
                "type": "ir.actions.act_window",
                "res_model": "facility.box.secret.wizard",
                "view_mode": "form",
                "target": "new",
            },
        )
        self.assertEqual(action["context"], {"default_box_id": box.id, "box_secret": secret})
        self.assertGreaterEqual(len(secret), 43)
        self.assertEqual(box.sudo().secret_hash, signing.secret_hash(secret))
        self.assertEqual(box.secret_rotated_at, NOW)
        self.assertTrue(box.has_secret)
        self.assertEqual(self.authenticate(box, secret), box)
        # the plain secret is nowhere in the box's row
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT row_to_json(b)::text FROM facility_box b WHERE id = %s", [box.id]
        )
        self.assertNotIn(secret, self.env.cr.fetchone()[0])
        self.assertIn("registered", self.chatter(box))
        self.assertNotIn(secret, self.chatter(box))
        self.assertNotIn(signing.secret_hash(secret), self.chatter(box))

    def test_a_box_without_a_secret_cannot_talk(self):
        box = self.Box.with_user(self.director).create(
            {"serial": "NEW-BOX-2", "instrument_id": self.spirit.id}
        )
        self.assertFalse(box.has_secret)
        self.assertRefused(AuthReason.UNKNOWN_BOX, box, "anything")

    def test_the_wizard_shows_the_secret_and_stores_nothing(self):
        box, action, secret = self.register()
        Wizard = self.env[action["res_model"]].with_user(self.director)
        form = Form(Wizard.with_context(**action["context"]))
        self.assertEqual(form.secret, secret)
        self.assertEqual(form.box_id, box)
        # even a wizard saved (the dialog only closes) keeps no secret
        wizard = Wizard.with_context(**action["context"]).create({})
        self.assertEqual((wizard.box_id, wizard.secret), (box, secret))
        self.assertFalse(Wizard.browse(wizard.id).with_context(box_secret=False).secret)
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'facility_box_secret_wizard'"
        )
        self.assertNotIn("secret", {row[0] for row in self.env.cr.fetchall()})
        self.env.cr.execute("SELECT row_to_json(w)::text FROM facility_box_secret_wizard w")
        self.assertFalse([row for (row,) in self.env.cr.fetchall() if secret in row])
        self.assertFalse(self.env["facility.box.secret.wizard"]._fields["secret"].store)

    @freeze_time(NOW)
    def test_rotation_replaces_the_secret_at_once(self):
        box, _action, old = self.register()
        old_hash = box.sudo().secret_hash
        with freeze_time("2041-03-07 02:00:00"):
            action = box.with_user(self.director).action_new_secret()
        new = action["context"]["box_secret"]
        self.assertNotEqual(new, old)
        self.assertNotEqual(box.sudo().secret_hash, old_hash)
        self.assertEqual(str(box.secret_rotated_at), "2041-03-07 02:00:00")
        self.assertRefused(AuthReason.BAD_SIGNATURE, box, old)
        self.assertEqual(self.authenticate(box, new), box)
        chatter = self.chatter(box)
        self.assertIn("Secret rotated by", chatter)
        for secret in (old, new, old_hash, signing.secret_hash(new)):
            self.assertNotIn(secret, chatter)

    def test_set_new_secret_changes_the_hash_and_old_signatures_stop_verifying(self):
        self.assertEqual(self.authenticate(self.box, SECRET), self.box)
        secret = self.box._set_new_secret()
        self.assertNotEqual(self.box.sudo().secret_hash, self.key)
        self.assertEqual(self.box.sudo().secret_hash, signing.secret_hash(secret))
        self.assertRefused(AuthReason.BAD_SIGNATURE, self.box, SECRET)
        self.assertEqual(self.authenticate(self.box, secret), self.box)

    @freeze_time(NOW)
    def test_retire_then_reactivate_with_a_new_secret(self):
        box, _action, secret = self.register()
        box.with_user(self.director).action_retire()
        self.assertEqual(box.state, BoxState.RETIRED)
        self.assertFalse(box.has_secret)
        self.assertRefused(AuthReason.UNKNOWN_BOX, box, secret)
        self.assertIn("Box retired by", self.chatter(box))
        with self.assertRaisesRegex(UserError, "already retired"):
            box.with_user(self.director).action_retire()
        with self.assertRaisesRegex(UserError, "reactivate it"):
            box.with_user(self.director).action_new_secret()
        action = box.with_user(self.director).action_reactivate()
        new = action["context"]["box_secret"]
        self.assertEqual(action["res_model"], "facility.box.secret.wizard")
        self.assertEqual(box.state, BoxState.ONLINE)
        self.assertNotEqual(new, secret)
        self.assertRefused(AuthReason.BAD_SIGNATURE, box, secret)
        self.assertEqual(self.authenticate(box, new), box)
        with self.assertRaisesRegex(UserError, "not retired"):
            box.with_user(self.director).action_reactivate()

    def test_archived_boxes_are_unknown(self):
        self.box_t20.with_user(self.director).active = False
        self.assertRefused(AuthReason.UNKNOWN_BOX, self.box_t20, self.t20_secret)

    def test_serials_are_unique_and_fit_a_header_and_a_topic(self):
        box = self.Box.with_user(self.director).create(
            {"serial": "  GW1-TEM-02 ", "instrument_id": self.spirit.id}
        )
        self.assertEqual(box.serial, "GW1-TEM-02")
        for serial in ("BOX 1", "BOX/1", "BOX+1", "#BOX", "生命科学楼1号"):
            with self.subTest(serial=serial), self.assertRaisesRegex(ValidationError, "serial"):
                self.Box.with_user(self.director).create(
                    {"serial": serial, "instrument_id": self.spirit.id}
                )
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.Box.with_user(self.director).create(
                {"serial": "GW1-TEM-02", "instrument_id": self.t20.id}
            )
        with self.assertRaisesRegex(ValidationError, "between 1 and 1440 minutes"):
            box.with_user(self.director).heartbeat_minutes = 0

    def test_smart_buttons_count_and_open_the_box_records(self):
        form_box = self.box.with_user(self.director)
        self.assertEqual((form_box.event_count, form_box.session_count), (0, 0))
        status, _answer = self.receive(
            [
                {"id": "h1", "type": "heartbeat", "ts": "2041-03-06T01:59:00+00:00"},
                {"id": "h2", "type": "heartbeat", "ts": "2041-03-06T01:59:30+00:00"},
            ],
            NOW,
        )
        self.assertEqual(status, 200)
        self.env["facility.usage.session"].sudo().create(
            {
                "box_id": self.box.id,
                "instrument_id": self.spirit.id,
                "kind": "pc",
                "date_start": NOW,
                "end_reason": "open",
                "start_event_uid": "h1",
            }
        )
        form_box.invalidate_recordset()
        self.assertEqual((form_box.event_count, form_box.session_count), (2, 1))
        with self.assertRaisesRegex(UserError, "retire it instead of deleting it"):
            form_box.unlink()
        for method, model in (
            ("action_view_events", "facility.box.event"),
            ("action_view_sessions", "facility.usage.session"),
        ):
            action = getattr(self.box.with_user(self.manager_spirit), method)()
            self.assertEqual(action["res_model"], model)
            self.assertEqual(action["domain"], [("box_id", "=", self.box.id)])
            records = self.env[model].with_user(self.manager_spirit).search(action["domain"])
            self.assertEqual(len(records), 2 if model == "facility.box.event" else 1)


@tagged("post_install", "-at_install")
class TestBoxRegisterAccess(BoxCase):
    """Who may do what with boxes, as real non-admin users, the way RPC calls them."""

    def test_only_facility_managers_register_rotate_retire_reactivate(self):
        for user in (self.manager_spirit, self.student_a1, self.pi_a, self.finance):
            box = self.box.with_user(user)
            with self.subTest(user=user.login):
                for method in ("action_new_secret", "action_retire", "action_reactivate"):
                    with self.assertRaises(AccessError), self.env.cr.savepoint():
                        getattr(box, method)()
                with self.assertRaises(AccessError), self.env.cr.savepoint():
                    self.Box.with_user(user).create(
                        {"serial": "FORGED-1", "instrument_id": self.spirit.id}
                    )
        self.assertEqual(self.box.sudo().secret_hash, self.key)
        self.assertEqual(self.box.state, BoxState.ONLINE)

    def test_guarded_fields_are_refused_even_to_facility_managers(self):
        box = self.box.with_user(self.director)
        for vals in (
            {"state": BoxState.RETIRED},
            {"state": BoxState.SILENT},
            {"last_seen": "2041-03-06 02:00:00"},
            {"secret_rotated_at": "2041-03-06 02:00:00"},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError), self.env.cr.savepoint():
                box.write(vals)
        with self.assertRaises(UserError), self.env.cr.savepoint():
            box.write({"secret_hash": signing.secret_hash("chosen by me")})
        created = self.Box.with_user(self.director).create(
            {
                "serial": "NEW-BOX-3",
                "instrument_id": self.spirit.id,
                "state": BoxState.RETIRED,
                "last_seen": "2041-03-06 02:00:00",
            }
        )
        self.assertEqual(created.state, BoxState.ONLINE)
        self.assertFalse(created.last_seen)
        self.assertEqual(self.box.sudo().secret_hash, self.key)
        # what a facility manager may change
        box.write({"firmware": "cfbox 2.4.0", "gateway": "生命科学楼网关", "heartbeat_minutes": 2})
        self.assertEqual(self.box.gateway, "生命科学楼网关")

    def test_instrument_managers_read_only_their_instruments_boxes(self):
        Box = self.Box.with_user(self.manager_spirit)
        self.assertEqual(Box.search([("id", "in", (self.box | self.box_t20).ids)]), self.box)
        self.assertEqual(self.box.with_user(self.manager_spirit).serial, "SPIRIT-BOX-1")
        with self.assertRaises(AccessError):
            self.box_t20.with_user(self.manager_spirit).read(["serial"])
        with self.assertRaises(AccessError):
            self.box.with_user(self.manager_spirit).write({"firmware": "mine"})
        with self.assertRaises(AccessError):
            self.box.with_user(self.student_a1).read(["serial"])
        self.assertEqual(self.spirit.with_user(self.manager_spirit).box_ids, self.box)
        self.assertFalse(self.t20.with_user(self.manager_spirit).box_ids)

    def test_the_secret_hash_is_for_system_administrators_only(self):
        for user in (self.manager_spirit, self.director):
            with self.subTest(user=user.login):
                box = self.box.with_user(user)
                with self.assertRaises(AccessError):
                    box.read(["secret_hash"])
                self.assertNotIn("secret_hash", box.fields_get())
                self.assertNotIn("secret_hash", box.read([])[0])
                with self.assertRaises(AccessError):
                    self.Box.with_user(user).search([("secret_hash", "=", self.key)])
                with self.assertRaisesRegex(UserError, "never exported"):
                    box.export_data(["serial", "secret_hash"])
        # has_secret says whether, never what
        self.assertTrue(self.box.with_user(self.manager_spirit).has_secret)

    def test_no_export_of_the_secret_even_for_the_administrator(self):
        admin_box = self.box.with_user(self.env.ref("base.user_admin"))
        self.assertFalse(admin_box.fields_get(["secret_hash"])["secret_hash"]["exportable"])
        for path in ("secret_hash", "instrument_id/box_ids/secret_hash"):
            with self.subTest(path=path), self.assertRaisesRegex(UserError, "never exported"):
                admin_box.export_data(["serial", path])
        rows = admin_box.export_data(["serial", "instrument_id/name"])
        self.assertEqual(rows["datas"], [["SPIRIT-BOX-1", "Test Spirit"]])

    def test_no_export_of_the_secret_through_another_model(self):
        """Review finding 5: an export from another model reaches the box's fields through
        facility.box._export_rows; the administrator gets no hash that way either."""
        admin = self.env.ref("base.user_admin")
        record_id = (
            self.env["facility.box.quarantine"]
            .sudo()
            ._keep(self.box, self.box.serial, "http", 400, "malformed_json", b"{", "1", "x")
        )
        quarantine = self.env["facility.box.quarantine"].with_user(admin).browse(record_id)
        for records, path in (
            (quarantine, "box_id/secret_hash"),
            (self.spirit.with_user(admin), "box_ids/secret_hash"),
            (self.spirit.with_user(admin), "box_ids/instrument_id/box_ids/secret_hash"),
        ):
            with self.subTest(path=path), self.assertRaisesRegex(UserError, "never exported"):
                records.export_data(["display_name", path])
        # other fields of the boxes still export
        rows = self.spirit.with_user(admin).export_data(["name", "box_ids/serial"])
        self.assertEqual(rows["datas"], [["Test Spirit", "SPIRIT-BOX-1"]])

    def test_no_grouping_or_aggregate_on_the_secret(self):
        Box = self.Box.with_user(self.env.ref("base.user_admin"))
        for call in (
            lambda: Box.read_group([], ["secret_hash:count_distinct"], ["instrument_id"]),
            lambda: Box.read_group([], ["serial"], ["secret_hash"]),
            lambda: Box._read_group([], ["instrument_id"], ["secret_hash:max"]),
            lambda: Box._read_group(
                [], ["instrument_id"], ["__count"], having=[("secret_hash:min", "!=", False)]
            ),
            lambda: Box._read_group([], ["instrument_id"], ["__count"], order="secret_hash"),
        ):
            with self.assertRaisesRegex(UserError, "never exported or grouped"):
                call()
        # grouping by anything else works, and server code may still count
        self.assertTrue(Box.read_group([], ["serial:count"], ["instrument_id"]))
        self.assertTrue(Box.sudo()._read_group([], [], ["secret_hash:count_distinct"]))

    @contextmanager
    def captured_logs(self):
        handler = _Capture()
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            yield handler.lines
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)

    def test_no_secret_in_the_logs(self):
        with self.captured_logs() as lines:
            box, _action, first = self.register(serial="LOGGED-BOX-1")
            rotated = box.with_user(self.director).action_new_secret()["context"]["box_secret"]
            box.with_user(self.director).action_retire()
            again = box.with_user(self.director).action_reactivate()["context"]["box_secret"]
            self.authenticate(box, again)
            with self.assertRaises(BoxAuthError):
                self.authenticate(box, first)
            self.env.flush_all()
        self.assertTrue(lines)
        everything = "\n".join(text for _name, text in lines)
        # the statements themselves, at debug level (a developer's switch that prints every
        # value written), are the only place the hash — never the secret — can appear
        logged = "\n".join(text for name, text in lines if name != "odoo.sql_db")
        for secret in (first, rotated, again):
            self.assertNotIn(secret, everything)
            self.assertNotIn(signing.secret_hash(secret), logged)

    def test_the_rpc_flow_of_the_box_simulator(self):
        """What scripts/box-sim does over JSON-RPC, as a facility manager."""
        Box = self.Box.with_user(self.director)
        box = Box.browse(Box.create([{"serial": "SIM-001", "instrument_id": self.spirit.id}]).ids)
        result = box.action_new_secret()
        secret = json.loads(json.dumps(result))["context"]["box_secret"]
        self.assertEqual(self.authenticate(box, secret), box)
