"""The box endpoints over real HTTP: bytes and headers as a box sends them, status codes and JSON
answers, every bad-input class with its quarantine record, the replay window at its edges, the
wrong method, and what a box's signature does not open."""

import json
import logging
from unittest.mock import patch

import requests
from freezegun import freeze_time

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..rules import signing
from ..rules.events import MAX_BATCH
from ..rules.intake import MAX_BODY_BYTES
from .common import NOW, SECRET, IotCase, epoch, event

API = "/facility/iot/v1"
CONTROLLER = "odoo.addons.core_facility_iot.controllers.main"
DECISIONS = "odoo.addons.core_facility_iot.models.facility_access_decision.FacilityAccessDecision"


@tagged("post_install", "-at_install")
class TestHttpIntake(HttpCase, IotCase):
    def headers(self, body, timestamp=None, signature=None, serial="SPIRIT-BOX-1", key=None):
        signed_ts, signed = self.sign(body, NOW, key=key)
        return {
            "X-Facility-Box": serial,
            "X-Facility-Timestamp": signed_ts if timestamp is None else timestamp,
            "X-Facility-Signature": signed if signature is None else signature,
            "Content-Type": "application/json",
        }

    def post(self, body, path="/events", **signed):
        """POST ``body`` (bytes) signed as the Spirit's box at ``NOW``: the response."""
        with freeze_time(NOW):
            return self.url_open(f"{API}{path}", data=body, headers=self.headers(body, **signed))

    def batch(self, prefix="h"):
        return [
            event(f"{prefix}-1", "pc_login", self.minutes(NOW, -40)),
            event(f"{prefix}-2", "pc_logout", self.minutes(NOW, -10)),
        ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # records kept before the test (a database in use) are not the test's
        Quarantine = cls.env["facility.box.quarantine"]
        cls.kept_before = Quarantine.search([], order="id desc", limit=1).id or 0

    def kept(self, reason=None):
        """The quarantine records this test made (for ``reason``)."""
        domain = [("id", ">", self.kept_before)]
        if reason:
            domain.append(("reason", "=", reason))
        return self.env["facility.box.quarantine"].search(domain)

    def stored(self):
        return self.env["facility.box.event"].search([("box_id", "=", self.box.id)])

    def assertAnswer(self, response, status, error=None):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/json; charset=utf-8")
        self.assertNotIn("Traceback", response.text)
        answer = response.json()
        if error:
            self.assertEqual(answer["error"], error)
            self.assertTrue(answer["message"])
        return answer

    def test_a_batch_over_http(self):
        body = json.dumps(self.batch()).encode()
        response = self.post(body)
        answer = self.assertAnswer(response, 200)
        self.assertNotIn("Set-Cookie", response.headers)  # no session for a box
        self.assertEqual(
            [r["outcome"] for r in answer["results"]], ["accepted", "accepted"], answer
        )
        self.assertEqual(answer["received_at"], "2041-03-06T02:00:00Z")
        # the same bytes again (a retry after a lost answer): duplicates, stored once
        answer = self.assertAnswer(self.post(body), 200)
        self.assertEqual((answer["accepted"], answer["duplicate"]), (0, 2))
        self.assertEqual(len(self.stored()), 2)

    def test_a_retried_request_signs_the_same_bytes(self):
        """Odoo retries a request whose transaction failed to serialise (a concurrent delivery):
        the retry must read the same body, or it would fail its signature."""
        Event = type(self.env["facility.box.event"])
        original = Event._take_batch
        calls = []

        def flaky(model, *args, **kwargs):
            calls.append(len(calls))
            if len(calls) == 1:
                model.env.cr.execute(
                    "DO $$ BEGIN RAISE EXCEPTION 'concurrent delivery' "
                    "USING ERRCODE = 'serialization_failure'; END $$"
                )
            return original(model, *args, **kwargs)

        body = json.dumps(self.batch()).encode()
        with (
            patch.object(Event, "_take_batch", flaky),
            patch("odoo.service.model.random.uniform", return_value=0),
            mute_logger("odoo.sql_db", "odoo.service.model"),
        ):
            answer = self.assertAnswer(self.post(body), 200)
        self.assertEqual(calls, [0, 1])
        self.assertEqual(answer["accepted"], 2)
        self.assertEqual(len(self.stored()), 2)
        self.assertFalse(self.kept())

    def test_bad_input_classes_over_http(self):
        good = json.dumps(self.batch()).encode()
        too_many = json.dumps([event(f"t-{n}", "heartbeat", NOW) for n in range(MAX_BATCH + 1)])
        cases = [
            # (body, signed headers, status, error)
            (b'[{"id": "x",]', {}, 400, "malformed_json"),
            (b'{"events": 5}', {}, 400, "not_a_list"),
            (too_many.encode(), {}, 400, "too_many"),
            (b"[" + b" " * MAX_BODY_BYTES + b"]", {}, 413, "too_large"),
            (good, {"serial": "NO-SUCH-BOX"}, 401, "unknown_box"),
            (good, {"signature": "0" * 64}, 401, "bad_signature"),
            (good, {"key": signing.secret_hash("a guess")}, 401, "bad_signature"),
            (good, {"timestamp": ""}, 401, "bad_timestamp"),
            (good, {"timestamp": "2245543200.5"}, 401, "bad_timestamp"),
            (good, {"timestamp": str(epoch(NOW) - 3600)}, 401, "stale_timestamp"),
            (good, {"timestamp": str(epoch(NOW) + 3600)}, 401, "future_timestamp"),
        ]
        for body, signed, status, error in cases:
            with self.subTest(error=error, signed=signed):
                answer = self.assertAnswer(self.post(body, **signed), status, error)
                for secret in (SECRET, self.key):
                    self.assertNotIn(secret, json.dumps(answer))
                record = self.kept(error)
                self.assertTrue(record, f"{error} is not in the quarantine")
                self.assertEqual(set(record.mapped("status_code")), {status})
                self.assertEqual(set(record.mapped("channel")), {"http"})
        self.assertEqual(
            self.kept("malformed_json").detail,
            "Expecting property name enclosed in double quotes: line 1 column 13 (char 12)",
        )
        self.assertEqual(self.kept("unknown_box").serial, "NO-SUCH-BOX")
        # the same body refused twice for the same reason: one record, counted, as first sent
        bad_timestamp = self.kept("bad_timestamp")
        self.assertEqual((bad_timestamp.repeat_count, bad_timestamp.request_timestamp), (2, ""))
        self.assertEqual(self.kept("bad_signature").repeat_count, 2)
        self.assertFalse(self.stored())

    def test_rejected_events_over_http(self):
        body = json.dumps(
            [
                event("r-1", "pc_login", self.minutes(NOW, -5)),
                event("r-2", "teleport", self.minutes(NOW, -4)),
                {"id": "r-3", "type": "pc_logout", "ts": "yesterday"},
            ]
        ).encode()
        answer = self.assertAnswer(self.post(body), 200)
        self.assertEqual(
            [(r["id"], r["outcome"], r.get("reason")) for r in answer["results"]],
            [
                ("r-1", "accepted", None),
                ("r-2", "rejected", "unknown_type"),
                ("r-3", "rejected", "bad_time"),
            ],
        )
        self.assertEqual(self.kept("unknown_type").event_uid, "r-2")
        self.assertEqual(self.kept("bad_time").event_uid, "r-3")

    def test_the_replay_window_over_http(self):
        body = json.dumps(self.batch()).encode()
        window = signing.DEFAULT_WINDOW_S
        for shift, status in ((-window, 200), (window, 200), (-window - 1, 401), (window + 1, 401)):
            with self.subTest(shift=shift):
                timestamp = str(epoch(NOW) + shift)
                signature = signing.signature(self.key, timestamp, body)
                response = self.post(body, timestamp=timestamp, signature=signature)
                self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(len(self.kept("stale_timestamp")), 1)
        self.assertEqual(len(self.kept("future_timestamp")), 1)

    def test_wrong_method_and_media_type(self):
        with freeze_time(NOW):
            response = self.url_open(f"{API}/events", headers=self.headers(b""))
        self.assertAnswer(response, 405, "method_not_allowed")
        self.assertEqual(response.headers["Allow"], "POST")
        body = json.dumps(self.batch()).encode()
        with freeze_time(NOW):
            response = self.opener.put(
                self.base_url() + f"{API}/events", data=body, headers=self.headers(body)
            )
        self.assertAnswer(response, 405, "method_not_allowed")
        self.assertEqual(self.kept("method_not_allowed").original_body, body.decode())
        response = self.post(body, path="/allow-list")
        self.assertAnswer(response, 405, "method_not_allowed")
        self.assertEqual(response.headers["Allow"], "GET")
        # curl -d without a content type: a form, whose exact bytes Odoo has already parsed
        headers = dict(self.headers(body), **{"Content-Type": "application/x-www-form-urlencoded"})
        with freeze_time(NOW):
            response = self.url_open(f"{API}/events", data=body, headers=headers)
        answer = self.assertAnswer(response, 415, "unsupported_media_type")
        self.assertIn("Content-Type: application/json", answer["message"])
        self.assertTrue(self.kept("unsupported_media_type").original_body)
        self.assertFalse(self.stored())

    def test_a_box_needs_no_session_and_opens_nothing_else(self):
        """Without any cookie (a box keeps none), the route finds the server's one database;
        the box's signed headers open no other route."""
        body = json.dumps(self.batch()).encode()
        box = requests.Session()
        with freeze_time(NOW):
            response = box.post(
                self.base_url() + f"{API}/events", data=body, headers=self.headers(body), timeout=12
            )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["accepted"], 2)
        rpc = json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "model": "facility.box.event",
                    "method": "search_read",
                    "args": [[]],
                    "kwargs": {"fields": ["uid", "card"]},
                },
            }
        ).encode()
        with freeze_time(NOW):
            response = box.post(
                self.base_url() + "/web/dataset/call_kw",
                data=rpc,
                headers=self.headers(rpc),
                timeout=12,
            )
            self.assertNotIn("h-1", response.text)
            self.assertEqual(
                response.json()["error"]["data"]["name"], "odoo.http.SessionExpiredException"
            )
            response = box.get(
                self.base_url() + "/odoo/action-core_facility_iot.facility_box_event_action",
                headers=self.headers(b""),
                timeout=12,
                allow_redirects=False,
            )
            self.assertIn(response.status_code, (302, 303))
            self.assertIn("/web/login", response.headers["Location"])

    def test_access_route_plumbing(self):
        body = json.dumps({"card": "04A1B2C3"}).encode()
        answer = self.assertAnswer(self.post(body, path="/access"), 200)
        self.assertLessEqual({"decision", "reason", "until"}, set(answer))
        self.assertAnswer(self.post(body, path="/access", signature="0" * 64), 401, "bad_signature")
        self.assertAnswer(self.post(body, path="/access", serial="NO-SUCH-BOX"), 401, "unknown_box")
        self.assertAnswer(self.post(b'{"card": ', path="/access"), 400, "malformed_json")
        with (
            patch(f"{DECISIONS}._answer", side_effect=RuntimeError("broken")),
            self.assertLogs(CONTROLLER, logging.ERROR),
        ):
            answer = self.assertAnswer(self.post(body, path="/access"), 500, "internal")
        self.assertNotIn("broken", json.dumps(answer))

    def test_allow_list_route_plumbing(self):
        payload = b'{"entries":[]}'
        with (
            freeze_time(NOW),
            patch(f"{DECISIONS}._allow_list", return_value=(payload, "ab" * 32)) as allow_list,
        ):
            response = self.url_open(f"{API}/allow-list", headers=self.headers(b""))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.content, payload)
        self.assertEqual(response.headers["X-Facility-Signature"], "ab" * 32)
        self.assertEqual(allow_list.call_args.args[0], self.box)
        with freeze_time(NOW):
            response = self.url_open(
                f"{API}/allow-list", headers=self.headers(b"", signature="1" * 64)
            )
        self.assertAnswer(response, 401, "bad_signature")
