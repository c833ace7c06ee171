"""The settings of boxes: the instrument's access settings (fail mode, grace, walk-in) with their
bounds, the camera link for the instrument's managers, and the replay window in Settings."""

from datetime import timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from ..models.facility_box import BoxAuthError
from ..rules import signing
from ..rules.codes import AuthReason, FailMode
from .common import NOW, IotCase, epoch

PARAM = "core_facility_iot.replay_window_s"


@tagged("post_install", "-at_install")
class TestInstrumentBoxSettings(IotCase):
    def test_defaults(self):
        self.assertEqual(self.spirit.iot_fail_mode, FailMode.CLOSED)
        self.assertEqual(self.spirit.iot_grace_minutes, 15)
        self.assertFalse(self.spirit.iot_walk_in)
        self.assertEqual(self.spirit.iot_walk_in_minutes, 60)

    def test_bounds_are_refused_with_the_rule_and_the_number(self):
        spirit = self.spirit.with_user(self.manager_spirit)
        with self.assertRaisesRegex(ValidationError, r"cannot be negative \(-1 min given\)"):
            spirit.iot_grace_minutes = -1
        with self.assertRaisesRegex(ValidationError, r"at least 1 minute \(0 min given\)"):
            spirit.iot_walk_in_minutes = 0
        spirit.write({"iot_grace_minutes": 0, "iot_fail_mode": FailMode.OPEN})
        self.assertEqual((self.spirit.iot_grace_minutes, self.spirit.iot_fail_mode), (0, "open"))

    def test_walk_in_only_on_log_only_instruments(self):
        spirit = self.spirit.with_user(self.manager_spirit)
        with self.assertRaisesRegex(ValidationError, "only for instruments in 'Usage log only'"):
            spirit.iot_walk_in = True
        spirit.write({"booking_mode": "log", "iot_walk_in": True, "iot_walk_in_minutes": 30})
        self.assertTrue(self.spirit.iot_walk_in)
        with self.assertRaisesRegex(ValidationError, "Switch walk-in use off"):
            spirit.booking_mode = "booking"
        spirit.write({"booking_mode": "booking", "iot_walk_in": False})

    def test_another_instruments_manager_cannot_change_them(self):
        with self.assertRaises(AccessError):
            self.t20.with_user(self.manager_spirit).iot_fail_mode = FailMode.OPEN

    def test_the_camera_and_the_boxes_are_for_the_instruments_managers(self):
        self.spirit.camera_url = "https://video.example.edu.cn/live/spirit"
        self.assertEqual(
            self.spirit.with_user(self.manager_spirit).camera_url,
            "https://video.example.edu.cn/live/spirit",
        )
        self.assertTrue(self.spirit.with_user(self.manager_spirit).iot_can_manage)
        self.assertFalse(self.t20.with_user(self.manager_spirit).iot_can_manage)
        self.assertTrue(self.t20.with_user(self.director).iot_can_manage)
        for user in (self.student_a1, self.pi_a, self.finance):
            with self.subTest(user=user.login):
                spirit = self.spirit.with_user(user)
                self.assertFalse(spirit.iot_can_manage)
                for name in ("camera_url", "box_ids"):
                    with self.assertRaises(AccessError):
                        spirit.read([name])
                # the catalogue is still readable as before
                self.assertEqual(spirit.read(["name"])[0]["name"], "Test Spirit")
                self.assertNotIn("camera_url", spirit.read([])[0])

    def test_the_instrument_form_shows_the_machine_time_page_to_its_managers(self):
        form = Form(self.spirit.with_user(self.manager_spirit))
        form.iot_grace_minutes = 20
        form.camera_url = "https://video.example.edu.cn/live/spirit-2"
        form.save()
        self.assertEqual(self.spirit.iot_grace_minutes, 20)
        self.assertEqual(self.spirit.camera_url, "https://video.example.edu.cn/live/spirit-2")


@tagged("post_install", "-at_install")
class TestReplayWindowSetting(IotCase):
    def test_stored_in_a_parameter_within_bounds(self):
        Settings = self.env["res.config.settings"]
        self.assertEqual(Settings.create({}).iot_replay_window_s, 300)
        for value in (29, 3601, 0, -1):
            with (
                self.subTest(value=value),
                self.assertRaisesRegex(ValidationError, "between 30 and 3600 seconds"),
            ):
                Settings.create({"iot_replay_window_s": value})
        Settings.create({"iot_replay_window_s": 120}).execute()
        self.assertEqual(self.env["ir.config_parameter"].get_param(PARAM), "120")
        self.assertEqual(self.box._replay_window(), 120)

    def test_the_window_decides_which_requests_are_stale(self):
        self.env["ir.config_parameter"].set_param(PARAM, "120")
        body = b"[]"

        def authenticate(age_s):
            timestamp = str(epoch(NOW - timedelta(seconds=age_s)))
            signature = signing.signature(self.key, timestamp, body)
            return self.env["facility.box"]._authenticate(
                self.box.serial, timestamp, signature, body, now=epoch(NOW)
            )

        self.assertEqual(authenticate(120), self.box)
        with self.assertRaises(BoxAuthError) as caught:
            authenticate(121)
        self.assertEqual(caught.exception.reason, AuthReason.STALE_TIMESTAMP)

    def test_a_hand_edited_parameter_is_kept_within_bounds(self):
        Param = self.env["ir.config_parameter"]
        for stored, window in (("99999", 3600), ("5", 30), ("five", 300), ("", 300)):
            with self.subTest(stored=stored):
                Param.set_param(PARAM, stored)
                self.assertEqual(self.box._replay_window(), window)

    def test_only_administrators_change_it(self):
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.director).create(
                {"iot_replay_window_s": 3600}
            ).execute()


@tagged("post_install", "-at_install")
class TestCameraOverRpc(HttpCase, IotCase):
    """Review finding 7: the camera link is read and written by the instrument's own managers
    and the facility managers, not by every instrument manager, over JSON-RPC as in the
    browser."""

    URL = "https://video.example.edu.cn/live/spirit"

    def call(self, login, method, *args):
        self.authenticate(login, login)
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {
                "model": "facility.instrument",
                "method": method,
                "args": list(args),
                "kwargs": {},
            },
        )

    def test_another_instruments_manager_reads_no_camera(self):
        self.spirit.camera_url = self.URL
        self.assertNotIn(self.manager_t20, self.spirit.manager_ids)
        for login, expected in (
            (self.manager_spirit.login, self.URL),
            (self.director.login, self.URL),
            (self.manager_t20.login, False),
        ):
            with self.subTest(login=login):
                (row,) = self.call(login, "read", [self.spirit.id], ["camera_url"])
                self.assertEqual(row["camera_url"], expected)
        # nor through the stored field, nor by a search
        with self.assertRaises(AccessError):
            self.spirit.with_user(self.manager_t20).read(["iot_camera_url"])
        with (
            mute_logger("odoo.http"),
            self.assertRaisesRegex(JsonRpcException, "odoo.exceptions.AccessError"),
        ):
            self.call(self.manager_t20.login, "write", [self.spirit.id], {"camera_url": "x"})
        self.assertEqual(self.spirit.camera_url, self.URL)
