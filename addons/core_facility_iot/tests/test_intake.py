"""The intake through ``_receive``, as HTTP and MQTT call it: per-event verdicts, idempotence,
order tolerance, every bad-input class with its status and its quarantine record, the replay
window, server failures and the log line."""

import hashlib
import json
import logging
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..rules import signing
from ..rules.codes import Channel, QuarantineState
from ..rules.events import MAX_BATCH
from ..rules.intake import INTERNAL_MESSAGE, MAX_BODY_BYTES, UNAUTHENTICATED_KEEP_BYTES
from .common import NOW, SECRET, IotCase, epoch, event, iso

LOGGER = "odoo.addons.core_facility_iot.models.facility_box_event"
# levels as numbers: Odoo names its level 25 "INFO" too, so assertLogs(..., "INFO") means 25
RULES = "odoo.addons.core_facility_iot.rules.intake"
SESSIONS = "odoo.addons.core_facility_iot.models.facility_usage_session.FacilityUsageSession"


class IntakeCase(IotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.student_a1.sudo().facility_card = "04A1B2C3"
        cls.Event = cls.env["facility.box.event"]
        cls.Quarantine = cls.env["facility.box.quarantine"]
        # records kept before the test (a database in use) are not the test's
        cls.kept_before = cls.Quarantine.search([], order="id desc", limit=1).id or 0

    def stored(self, box=None):
        return self.Event.search([("box_id", "=", (box or self.box).id)], order="ts, uid")

    def kept(self, **domain):
        """The quarantine records this test made, matching ``domain`` (field: value)."""
        terms = [(key, "=", value) for key, value in domain.items()]
        return self.Quarantine.search([("id", ">", self.kept_before), *terms])

    def outcomes(self, answer):
        return [(r["id"], r["outcome"], r.get("reason")) for r in answer["results"]]

    def login_logout(self, prefix="e", start=0):
        return [
            event(f"{prefix}-1", "pc_login", self.minutes(NOW, start - 60), card="04a1b2c3"),
            event(f"{prefix}-2", "pc_logout", self.minutes(NOW, start - 30), card="04A1B2C3"),
            event(f"{prefix}-3", "heartbeat", self.minutes(NOW, start - 1)),
        ]


@tagged("post_install", "-at_install")
class TestIntake(IntakeCase):
    def test_a_batch_is_answered_per_event_and_stored(self):
        status, answer = self.receive(self.login_logout(), NOW)
        self.assertEqual(status, 200)
        self.assertEqual(answer["box"], "SPIRIT-BOX-1")
        self.assertEqual(answer["received_at"], "2041-03-06T02:00:00Z")
        self.assertEqual(
            answer["results"],
            [
                {"index": 0, "id": "e-1", "outcome": "accepted"},
                {"index": 1, "id": "e-2", "outcome": "accepted"},
                {"index": 2, "id": "e-3", "outcome": "accepted"},
            ],
        )
        self.assertEqual((answer["accepted"], answer["duplicate"], answer["rejected"]), (3, 0, 0))
        events = self.stored()
        self.assertEqual(events.mapped("uid"), ["e-1", "e-2", "e-3"])
        login = events[0]
        self.assertEqual(login.user_id, self.student_a1)  # the card, normalised, names the user
        self.assertEqual(login.card, "04A1B2C3")
        self.assertEqual((login.instrument_id, login.channel), (self.spirit, "http"))
        self.assertEqual(login.ts, self.minutes(NOW, -60))
        self.assertEqual(login.received_at, NOW)
        self.assertEqual(self.box.last_seen, NOW)

    def test_the_same_batch_three_times_is_stored_once(self):
        batch = self.login_logout()
        answers = [self.receive(batch, self.minutes(NOW, n))[1] for n in range(3)]
        self.assertEqual([a["accepted"] for a in answers], [3, 0, 0])
        self.assertEqual([a["duplicate"] for a in answers], [0, 3, 3])
        self.assertEqual(len(self.stored()), 3)
        self.assertFalse(self.kept(box_id=self.box.id))

    def test_the_same_id_twice_in_a_batch_first_accepted_then_duplicate(self):
        login = event("d-1", "pc_login", self.minutes(NOW, -5))
        _status, answer = self.receive([login, login, event("d-2", "heartbeat", NOW)], NOW)
        self.assertEqual(
            self.outcomes(answer),
            [("d-1", "accepted", None), ("d-1", "duplicate", None), ("d-2", "accepted", None)],
        )
        self.assertEqual(len(self.stored()), 2)

    def test_an_id_reused_for_another_event_is_rejected_and_kept(self):
        """A box that reused an id (a counter reset) must not lose the second event."""
        first = event("r-1", "pc_login", self.minutes(NOW, -50))
        other = event("r-1", "pc_logout", self.minutes(NOW, -10))
        _status, answer = self.receive([first, other], NOW)
        self.assertEqual(
            self.outcomes(answer), [("r-1", "accepted", None), ("r-1", "rejected", "id_conflict")]
        )
        # across batches too
        _status, answer = self.receive([other], self.minutes(NOW, 1))
        self.assertEqual(self.outcomes(answer), [("r-1", "rejected", "id_conflict")])
        self.assertEqual(self.stored().mapped("event_type"), ["pc_login"])
        kept = self.kept(reason="id_conflict")
        self.assertEqual(len(kept), 1)  # the same event refused twice: counted, not piled up
        self.assertEqual((kept.repeat_count, kept.event_uid, kept.kind), (2, "r-1", "event"))
        self.assertEqual(json.loads(kept.body), other)

    def test_order_tolerance_a_stop_before_its_start_is_stored(self):
        login = event("o-1", "pc_login", self.minutes(NOW, -60))
        logout = event("o-2", "pc_logout", self.minutes(NOW, -30))
        with patch(f"{SESSIONS}._rebuild", autospec=True, return_value=True) as rebuild:
            self.assertEqual(self.receive([logout], self.minutes(NOW, -29))[1]["accepted"], 1)
            self.assertEqual(self.receive([login], NOW)[1]["accepted"], 1)
            # a batch of duplicates changes nothing: the sessions are not rebuilt
            self.assertEqual(self.receive([login, logout], NOW)[1]["duplicate"], 2)
        self.assertEqual(rebuild.call_count, 2)
        for call in rebuild.call_args_list:
            self.assertEqual(call.args[1], self.box)
        self.assertEqual(rebuild.call_args.kwargs["now"], NOW)
        # the rebuild is told exactly what was inserted: the login, not a heartbeat
        self.assertEqual(rebuild.call_args.kwargs["fresh"].first, self.minutes(NOW, -60))
        self.assertEqual(self.stored().mapped("uid"), ["o-1", "o-2"])  # by time: start first

    def test_the_event_is_kept_whole_with_unknown_fields(self):
        sent = {
            "id": "u-1",
            "type": "power_on",
            "ts": "2041-03-06T09:55:00+08:00",
            "payload": {"watts": 412.5, "备注": "开机"},
            "snapshot": "cam1/2041/03/06/095500.jpg",
            "firmware": "2.4.1",
            "extra": {"door": None, "list": [1, "二"]},
        }
        _status, answer = self.receive([sent], NOW)
        self.assertEqual(answer["accepted"], 1)
        stored = self.stored()
        self.assertEqual(stored.raw, sent)
        self.assertEqual(stored.payload, {"watts": 412.5, "备注": "开机"})
        self.assertEqual(stored.ts, self.minutes(NOW, -5))
        self.assertEqual(stored.snapshot, "cam1/2041/03/06/095500.jpg")
        self.assertIn('"firmware": "2.4.1"', stored.raw_text)

    def test_the_batch_may_be_an_object_with_events(self):
        _status, answer = self.receive({"events": self.login_logout()}, NOW)
        self.assertEqual(answer["accepted"], 3)

    def test_bad_events_are_rejected_with_their_reason_and_kept(self):
        batch = [
            event("b-1", "pc_login", self.minutes(NOW, -5)),
            event("b-2", "pc_logon", self.minutes(NOW, -4)),  # unknown type
            {"id": "b-3", "type": "pc_logout", "ts": "2041-02-30T10:00:00+08:00"},  # no such day
            event("b-4", "pc_logout", self.minutes(NOW, 60)),  # in the future
            {"id": "b-5", "type": "heartbeat", "ts": "2041-03-06T10:00:00"},  # no offset
            "b-6",  # not an object
            event("b-7", "heartbeat", NOW, payload={"note": "nul\u0000"}),  # unstorable text
            {"type": "heartbeat", "ts": 2245543200},  # no id
        ]
        status, answer = self.receive(batch, NOW)
        self.assertEqual(status, 200)
        self.assertEqual(
            self.outcomes(answer),
            [
                ("b-1", "accepted", None),
                ("b-2", "rejected", "unknown_type"),
                ("b-3", "rejected", "bad_time"),
                ("b-4", "rejected", "future_time"),
                ("b-5", "rejected", "bad_time"),
                (None, "rejected", "not_an_object"),
                ("b-7", "rejected", "bad_text"),
                (None, "rejected", "bad_id"),
            ],
        )
        self.assertEqual((answer["accepted"], answer["rejected"]), (1, 7))
        self.assertEqual(self.stored().mapped("uid"), ["b-1"])
        kept = self.kept(box_id=self.box.id)
        self.assertEqual(len(kept), 7)
        self.assertEqual(set(kept.mapped("kind")), {"event"})
        self.assertEqual(set(kept.mapped("status_code")), {200})
        unknown = kept.filtered(lambda k: k.reason == "unknown_type")
        self.assertEqual(json.loads(unknown.body), batch[1])
        self.assertEqual((unknown.event_uid, unknown.serial), ("b-2", "SPIRIT-BOX-1"))
        # the NUL is kept as its JSON escape: the same event once decoded
        unstorable = kept.filtered(lambda k: k.reason == "bad_text")
        self.assertEqual(json.loads(unstorable.body), batch[6])

    def test_no_secret_in_answers_quarantine_or_log(self):
        body = json.dumps(self.login_logout()).encode()
        timestamp, good = self.sign(body, NOW)
        with self.assertLogs(LOGGER, logging.INFO) as logs:
            self.Event._receive("SPIRIT-BOX-1", timestamp, good, body, Channel.HTTP, now=NOW)
            self.Event._receive("SPIRIT-BOX-1", timestamp, "f" * 64, body, Channel.HTTP, now=NOW)
        shown = "\n".join(logs.output)
        self.assertEqual(len(logs.output), 2)  # one line per request
        self.assertRegex(logs.output[0], r"box='SPIRIT-BOX-1' channel=http status=200 accepted=3")
        self.assertRegex(logs.output[0], r"duplicate=0 rejected=0 ms=\d")
        self.assertRegex(logs.output[1], r"status=401 error=bad_signature")
        for secret in (SECRET, self.key, good, "e-1", "04A1B2C3"):
            self.assertNotIn(secret, shown)
        kept = self.kept(reason="bad_signature")
        for field in ("body", "original_body", "detail", "request_timestamp", "serial"):
            for secret in (SECRET, self.key, good):
                self.assertNotIn(secret, kept[field] or "")


@tagged("post_install", "-at_install")
class TestIntakeRefusals(IntakeCase):
    """Every bad-input class: its status, its reason, and its body in the quarantine."""

    def assertRefused(self, result, status, error, body, **kept):
        got_status, answer = result
        self.assertEqual((got_status, answer.get("error")), (status, error), answer)
        self.assertTrue(answer.get("message"))
        record = self.kept(reason=error)
        self.assertEqual(len(record), 1)
        self.assertEqual(record.status_code, status)
        self.assertEqual(record.channel, kept.pop("channel", "http"))
        self.assertEqual(record.kind, "request")
        self.assertEqual(record.state, QuarantineState.NEW)
        self.assertEqual(record.original_body, body.decode("utf-8", "backslashreplace"))
        self.assertEqual(record.body, record.original_body)
        self.assertEqual(record.received_at, NOW)
        self.assertEqual(record.detail, answer["message"][:500])
        for field, value in kept.items():
            self.assertEqual(record[field], value, field)
        self.assertFalse(self.stored())
        return answer

    def post(self, body, serial="SPIRIT-BOX-1", timestamp=None, signature=None, now=NOW):
        signed_ts, signed = self.sign(body, now)
        timestamp = signed_ts if timestamp is None else timestamp
        signature = signed if signature is None else signature
        return self.Event._receive(serial, timestamp, signature, body, Channel.HTTP, now=now)

    def test_malformed_json_is_400_with_the_parse_error(self):
        body = b'[{"id": "m-1", "type": "pc_login",}]'
        answer = self.assertRefused(
            self.post(body), 400, "malformed_json", body, box_id=self.box, serial="SPIRIT-BOX-1"
        )
        self.assertRegex(answer["message"], r"^Expecting property name .*: line 1 column \d+")

    def test_not_utf8_and_nan_are_malformed(self):
        answer = self.assertRefused(self.post(b"[\xff]"), 400, "malformed_json", b"[\xff]")
        self.assertIn("not UTF-8", answer["message"])
        self.assertEqual(self.kept(reason="malformed_json").body, "[\\xff]")
        status, answer = self.post(b'[{"id": "n", "payload": {"x": NaN}}]')
        self.assertEqual((status, answer["message"]), (400, "NaN is not valid JSON"))

    def test_not_a_list_is_400(self):
        body = b'{"id": "x-1", "type": "pc_login"}'
        self.assertRefused(self.post(body), 400, "not_a_list", body, box_id=self.box)

    def test_too_many_events_is_400(self):
        events = [event(f"t-{n}", "heartbeat", NOW) for n in range(MAX_BATCH + 1)]
        body = json.dumps(events).encode()
        answer = self.assertRefused(self.post(body), 400, "too_many", body)
        self.assertEqual(answer["message"], "501 events in one batch, at most 500")
        # exactly the limit is taken
        body = json.dumps(events[:MAX_BATCH]).encode()
        self.assertEqual(self.post(body)[1]["accepted"], MAX_BATCH)

    def test_more_than_a_mebibyte_is_413(self):
        filler = "x" * 3000
        events = [event(f"l-{n}", "heartbeat", NOW, payload={"f": filler}) for n in range(400)]
        body = json.dumps(events).encode()
        self.assertGreater(len(body), MAX_BODY_BYTES)
        status, answer = self.post(body)
        self.assertEqual((status, answer["error"]), (413, "too_large"))
        record = self.kept(reason="too_large")
        self.assertEqual((record.status_code, record.box_id), (413, self.box))
        # refused before the signature was checked: its start, its size and its hash are kept
        self.assertFalse(record.authenticated)
        self.assertEqual(len(record.original_body), UNAUTHENTICATED_KEEP_BYTES)
        self.assertEqual((record.body_size, record.body_truncated), (len(body), True))
        self.assertEqual(record.body_hash, hashlib.sha256(body).hexdigest())
        self.assertFalse(self.stored())
        # 1 MiB exactly is read
        status, answer = self.post(b" " * (MAX_BODY_BYTES - 2) + b"[]")
        self.assertEqual((status, answer["accepted"]), (200, 0))

    def test_unknown_box_is_401(self):
        body = json.dumps(self.login_logout()).encode()
        answer = self.assertRefused(
            self.post(body, serial="NO-SUCH-BOX"),
            401,
            "unknown_box",
            body,
            serial="NO-SUCH-BOX",
            box_id=self.env["facility.box"],
        )
        self.assertEqual(answer["message"], "no registered box has this serial")

    def test_a_retired_box_is_an_unknown_box(self):
        self.box.sudo()._write_guarded({"state": "retired"})
        body = json.dumps(self.login_logout()).encode()
        self.assertRefused(self.post(body), 401, "unknown_box", body, serial="SPIRIT-BOX-1")

    def test_bad_signature_is_401(self):
        body = json.dumps(self.login_logout()).encode()
        other_key = signing.secret_hash("another secret")
        _ts, forged = self.sign(body, NOW, key=other_key)
        answer = self.assertRefused(
            self.post(body, signature=forged),
            401,
            "bad_signature",
            body,
            box_id=self.box,
            request_timestamp=str(epoch(NOW)),
        )
        self.assertEqual(answer["message"], "the signature does not match the body and timestamp")
        # a body changed after signing
        signed_ts, signed = self.sign(body, NOW)
        status, answer = self.post(body + b" ", timestamp=signed_ts, signature=signed)
        self.assertEqual((status, answer["error"]), (401, "bad_signature"))

    def test_missing_or_non_integer_timestamp_is_401(self):
        body = json.dumps(self.login_logout()).encode()
        for timestamp in (None, "", "2245543200.0", "-1", " 2245543200", "soon"):
            with self.subTest(timestamp=timestamp):
                signature = signing.signature(self.key, timestamp or "", body)
                status, answer = self.Event._receive(
                    "SPIRIT-BOX-1", timestamp, signature, body, Channel.HTTP, now=NOW
                )
                self.assertEqual((status, answer["error"]), (401, "bad_timestamp"))
        record = self.kept(reason="bad_timestamp")
        self.assertEqual(len(record), 1)  # the same body: one record, counted
        self.assertEqual(record.repeat_count, 6)

    def test_the_replay_window_exactly(self):
        body = json.dumps(self.login_logout()).encode()
        window = signing.DEFAULT_WINDOW_S
        for shift, expected in (
            (-window, 200),
            (window, 200),
            (-window - 1, "stale_timestamp"),
            (window + 1, "future_timestamp"),
        ):
            with self.subTest(shift=shift):
                # signed by the box at its own clock
                timestamp = str(epoch(NOW) + shift)
                signature = signing.signature(self.key, timestamp, body)
                status, answer = self.Event._receive(
                    "SPIRIT-BOX-1", timestamp, signature, body, Channel.HTTP, now=NOW
                )
                self.assertEqual(status if status == 200 else answer["error"], expected)
        self.assertEqual(len(self.stored()), 3)
        stale = self.kept(reason="stale_timestamp")
        self.assertEqual(stale.request_timestamp, str(epoch(NOW) - window - 1))
        self.assertEqual(
            self.Event._auth_message("stale_timestamp"),
            "the timestamp is older than the replay window: check the clock",
        )

    def test_refusals_over_mqtt_are_kept_with_their_channel(self):
        body = json.dumps(self.login_logout()).encode()
        timestamp = str(epoch(NOW) - signing.DEFAULT_WINDOW_S - 60)
        signature = signing.signature(self.key, timestamp, body)
        status, answer = self.Event._receive(
            "SPIRIT-BOX-1", timestamp, signature, body, Channel.MQTT, now=NOW
        )
        self.assertEqual((status, answer["error"]), (401, "stale_timestamp"))
        self.assertEqual(self.kept(reason="stale_timestamp").channel, "mqtt")

    def test_the_same_refused_body_does_not_pile_up(self):
        body = b"[{oops"
        for minute in range(3):
            self.post(body, now=self.minutes(NOW, minute))
        record = self.kept(reason="malformed_json")
        self.assertEqual(len(record), 1)
        self.assertEqual(record.repeat_count, 3)
        self.assertEqual((record.received_at, record.last_received_at), (NOW, self.minutes(NOW, 2)))
        # another body, or the same body for another reason, is a record of its own
        self.post(b"[{oops!")
        self.post(body, serial="NO-SUCH-BOX")
        self.assertEqual(len(self.kept()), 3)

    def test_a_failing_intake_is_500_logged_and_kept(self):
        body = json.dumps(self.login_logout()).encode()
        with (
            patch.object(type(self.Event), "_take_batch", side_effect=RuntimeError("boom")),
            self.assertLogs(LOGGER, logging.ERROR) as logs,
        ):
            status, answer = self.post(body)
        self.assertEqual(
            (status, answer),
            (
                500,
                {
                    "error": "internal",
                    "message": "the server could not take the request; send it again later",
                },
            ),
        )
        self.assertIn("the intake failed on a request of box 'SPIRIT-BOX-1'", logs.output[0])
        record = self.kept(reason="internal")
        self.assertEqual((record.status_code, record.box_id), (500, self.box))
        self.assertEqual(record.original_body, body.decode())
        self.assertTrue(record.authenticated)  # it failed after the signature was checked
        self.assertFalse(self.stored())
        # sent again once the server is mended: taken
        self.assertEqual(self.post(body)[1]["accepted"], 3)

    def test_a_failing_session_rebuild_keeps_the_events(self):
        with (
            patch(f"{SESSIONS}._rebuild", side_effect=RuntimeError("rebuild broke")),
            mute_logger(LOGGER),
        ):
            status, answer = self.receive(self.login_logout(), NOW)
        self.assertEqual((status, answer["accepted"]), (200, 3))
        self.assertEqual(len(self.stored()), 3)

    def test_a_str_body_and_odd_headers_never_raise(self):
        status, _answer = self.Event._receive(None, None, None, None, Channel.MQTT, now=NOW)
        self.assertEqual(status, 401)
        status, _answer = self.Event._receive(
            ["not", "a", "serial"], 12, b"sig", "[]", Channel.MQTT, now=NOW
        )
        self.assertEqual(status, 401)
        self.assertEqual(self.kept(serial="['not', 'a', 'serial']").reason, "unknown_box")

    # -- review finding 3: numbers PostgreSQL cannot store ----------------------------------------

    def inf_body(self, prefix="inf"):
        """A batch whose first and third events hold numbers beyond a float (standard JSON)."""
        ts = iso(self.minutes(NOW, -5))
        return (
            f'[{{"id": "{prefix}-1", "type": "power_on", "ts": "{ts}", "card": "04A1B2C3", '
            f'"payload": {{"watts": 1e400}}}}, '
            f'{{"id": "{prefix}-2", "type": "heartbeat", "ts": "{ts}"}}, '
            f'{{"id": "{prefix}-3", "type": "heartbeat", "ts": "{ts}", "firmware_x": -1e999}}]'
        ).encode()

    def test_a_number_beyond_a_float_rejects_its_event_not_the_batch(self):
        body = self.inf_body()
        with self.assertNoLogs("odoo.sql_db", logging.ERROR):
            status, answer = self.post(body)
        self.assertEqual(status, 200, answer)
        self.assertEqual(
            self.outcomes(answer),
            [
                ("inf-1", "rejected", "bad_payload"),
                ("inf-2", "accepted", None),
                ("inf-3", "rejected", "bad_payload"),
            ],
        )
        self.assertEqual(self.stored().mapped("uid"), ["inf-2"])
        kept = self.kept(reason="bad_payload")
        self.assertEqual(sorted(kept.mapped("event_uid")), ["inf-1", "inf-3"])
        self.assertTrue(all(kept.mapped("authenticated")))
        # sent again: the same answer, never a 500
        status, answer = self.post(body)
        self.assertEqual((status, answer["duplicate"], answer["rejected"]), (200, 1, 2))

    def test_a_failing_insert_logs_neither_the_body_nor_its_cards(self):
        """Should a row still reach PostgreSQL unstorable, the failed statement is not logged
        (Odoo's "bad query" line would print every card and login of the batch)."""
        body = self.inf_body("leak")
        with (
            patch(f"{RULES}.unstorable_reason", return_value=None),
            self.assertLogs(level=logging.INFO) as logs,
        ):
            status, answer = self.post(body)
        self.assertEqual((status, answer["message"]), (500, INTERNAL_MESSAGE))
        shown = "\n".join(logs.output)
        self.assertIn("the intake failed on a request of box 'SPIRIT-BOX-1'", shown)
        for secret in ("04A1B2C3", "leak-1", "Infinity", "bad query"):
            self.assertNotIn(secret, shown)

    # -- review finding 4: what is kept of a body refused before authentication -----------------

    def big_body(self, size=100_000):
        events = [event("big-1", "heartbeat", NOW, payload={"f": "x" * 1000})] * (size // 1000)
        return json.dumps(events).encode()

    def test_an_unauthenticated_body_keeps_its_start_size_and_hash(self):
        body = self.big_body()
        for serial in ("SPIRIT-BOX-1", "NO-SUCH-BOX"):
            for _attempt in range(2):
                status, _answer = self.post(body, serial=serial, signature="0" * 64)
                self.assertEqual(status, 401)
        records = self.kept()
        self.assertEqual(len(records), 2)  # one per serial and reason, counted
        for record in records:
            self.assertEqual(record.repeat_count, 2)
            self.assertFalse(record.authenticated)
            self.assertEqual(len(record.body), UNAUTHENTICATED_KEEP_BYTES)
            self.assertEqual(len(record.original_body), UNAUTHENTICATED_KEEP_BYTES)
            self.assertEqual(record.body_size, len(body))
            self.assertTrue(record.body_truncated)
            self.assertEqual(record.body_hash, hashlib.sha256(body).hexdigest())
        # a small refused body is kept whole, still unauthenticated
        self.post(b"[]", signature="0" * 64)
        small = self.kept(reason="bad_signature", body_size=2)
        self.assertEqual(
            (small.body, small.body_truncated, small.authenticated), ("[]", False, False)
        )

    def test_an_authenticated_box_refused_body_is_kept_whole(self):
        body = self.big_body()[:-1]  # malformed JSON, signed by the box
        status, _answer = self.post(body)
        self.assertEqual(status, 400)
        record = self.kept(reason="malformed_json")
        self.assertTrue(record.authenticated)
        self.assertEqual(record.original_body, body.decode())
        self.assertEqual((record.body_size, record.body_truncated), (len(body), False))
