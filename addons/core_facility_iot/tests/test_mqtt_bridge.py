"""The MQTT bridge against a real broker: Mosquitto at 127.0.0.1:1883 (``FACILITY_MQTT_BROKER``
may name another), and a Mosquitto of the test's own, restarted in the middle of a run.

The bridge takes its messages in the test's transaction (``transact`` runs the work on
``self.env``, committing nothing); the box publishes through the project's MQTT client. Without a
reachable broker (or a ``mosquitto`` binary) the tests are skipped with the reason, except under
CI (``CI`` set, as in ``scripts/_common.sh``), where that is a failure."""

import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import types
import uuid
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..controllers import main as http_controller
from ..rules import mqtt as mqtt_rules
from ..rules import signing
from ..rules.codes import AuthReason, BatchError, Channel, EventOutcome
from ..rules.intake import INTERNAL_MESSAGE
from ..tools import bridge as mqtt_bridge
from ..tools import sim
from ..tools.mqtt_client import MqttClient
from .common import SECRET, IotCase, event

MOSQUITTO = os.environ.get("FACILITY_MOSQUITTO", "/usr/sbin/mosquitto")
WAIT_S = 20  # the longest a step may take; a passing test takes well under a second a step


def is_ci():
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def broker_address():
    host, _sep, port = os.environ.get("FACILITY_MQTT_BROKER", "127.0.0.1:1883").rpartition(":")
    return host or "127.0.0.1", int(port or 1883)


def reachable(host, port, timeout=2.0):
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False


def free_port():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


class SimulatedCrash(Exception):
    """The bridge process dies between its commit and its PUBACK."""


class MqttCase(IotCase):
    """A box of its own (a serial unique to the run, so that runs sharing the broker never see
    each other's messages), a bridge and the box's own client, all cleaned up afterwards."""

    def require(self, condition, reason):
        if condition:
            return
        if is_ci():
            self.fail(f"{reason} (under CI the MQTT tests must run)")
        self.skipTest(f"{reason}: MQTT bridge tests skipped (they run under CI)")

    def setUp(self):
        super().setUp()
        self.tag = uuid.uuid4().hex[:10]
        self.mqtt_box = self.env["facility.box"].create(
            {"serial": f"MQTT-{self.tag}", "instrument_id": self.spirit.id, "control_pc": True}
        )
        self._give_secret(self.mqtt_box, SECRET)
        self.serial = self.mqtt_box.serial
        self.taken = []  # (serial, status, answer) of every message the bridge took

    def transact(self, work):
        """The bridge's transaction, in the test's: nothing committed."""
        return work(self.env)

    def start_bridge(self, host, port, topic_filter=None, **options):
        bridge = mqtt_bridge.Bridge(
            self.transact, topic_filter or mqtt_rules.events_topic(self.serial)
        )
        handle = bridge.handle

        def recording(*message):
            result = handle(*message)
            self.taken.append(result)
            return result

        bridge.handle = recording
        client = mqtt_bridge.make_client(
            bridge, host, port, client_id=f"test-bridge-{self.tag}", **options
        )
        self.addCleanup(self.forget_session, host, port, client.client_id)
        self.addCleanup(client.close)
        return bridge, client

    def start_box(self, host, port, **options):
        box = MqttClient(host, port, f"test-box-{self.tag}", clean_session=True, **options)
        box.connect()
        box.subscribe(mqtt_rules.ack_topic(self.serial), 1)
        self.addCleanup(box.close)
        return box

    @staticmethod
    def forget_session(host, port, client_id):
        """Remove a persistent session from the broker (clean session on, then off)."""
        client = MqttClient(host, port, client_id, clean_session=True, timeout=2)
        try:
            client.connect()
            client.disconnect()
        except Exception:
            client.close()

    def payload(self, events, key=None, body=None, timestamp=None):
        body = json.dumps(events).encode() if body is None else body
        timestamp = str(int(time.time())) if timestamp is None else timestamp
        sig = signing.signature(key or self.key, timestamp, body)
        return mqtt_rules.encode_payload(timestamp, sig, body)

    def batch(self, prefix, count, start=None):
        start = start or fields.Datetime.now() - timedelta(minutes=30)
        return [
            event(f"{prefix}-{k:03d}", "heartbeat", start + timedelta(seconds=k))
            for k in range(count)
        ]

    def acks(self, box, count):
        box.loop_until(lambda: len(box.inbox) >= count, WAIT_S)
        self.assertGreaterEqual(len(box.inbox), count, "the bridge's answers did not all arrive")
        return [json.loads(box.inbox.popleft().payload) for _ in range(count)]

    def stored(self, box=None):
        return self.env["facility.box.event"].search([("box_id", "=", (box or self.mqtt_box).id)])


@tagged("post_install", "-at_install")
class TestMqttBridge(MqttCase):
    """The shared broker: the bridge answers every kind of message as HTTP would."""

    def setUp(self):
        super().setUp()
        self.host, self.port = broker_address()
        self.require(reachable(self.host, self.port), f"no MQTT broker at {self.host}:{self.port}")
        self.bridge, self.client = self.start_bridge(self.host, self.port)
        self.client.connect()
        self.client.subscribe(self.bridge.topic_filter, 1)
        self.box = self.start_box(self.host, self.port)

    def publish(self, payload, serial=None):
        self.box.publish(mqtt_rules.events_topic(serial or self.serial), payload, qos=1)
        self.assertTrue(self.box.wait_published(timeout=WAIT_S))

    def take(self, count):
        self.client.loop_until(lambda: len(self.taken) >= count, WAIT_S)
        self.assertEqual(len(self.taken), count)

    def test_batch_is_stored_once_and_answered_per_event_on_the_ack_topic(self):
        payload = self.payload(self.batch("a", 3))
        self.publish(payload)
        self.publish(payload)  # the box did not hear the answer and sends the same bytes again
        self.take(2)
        first, second = self.acks(self.box, 2)
        self.assertEqual(first["status"], 200)
        self.assertEqual((first["accepted"], first["duplicate"], first["rejected"]), (3, 0, 0))
        self.assertEqual(first["box"], self.serial)
        self.assertEqual(
            [(r["index"], r["id"], r["outcome"]) for r in first["results"]],
            [(k, f"a-{k:03d}", EventOutcome.ACCEPTED) for k in range(3)],
        )
        self.assertEqual((second["status"], second["accepted"], second["duplicate"]), (200, 0, 3))
        events = self.stored()
        self.assertEqual(sorted(events.mapped("uid")), ["a-000", "a-001", "a-002"])
        self.assertEqual(set(events.mapped("channel")), {Channel.MQTT})
        self.assertEqual(self.bridge.stats["messages"], 2)

    def test_bad_signature_and_unknown_box_are_refused_401_and_quarantined(self):
        wrong = signing.secret_hash("not the secret")
        self.publish(self.payload(self.batch("b", 1), key=wrong))
        self.take(1)
        (answer,) = self.acks(self.box, 1)
        self.assertEqual(answer["status"], 401)
        self.assertEqual(answer["error"], AuthReason.BAD_SIGNATURE)
        self.assertNotIn(SECRET, json.dumps(answer))
        self.assertFalse(self.stored())
        kept = self.env["facility.box.quarantine"].search([("serial", "=", self.serial)])
        self.assertEqual(len(kept), 1)
        self.assertEqual(
            (kept.box_id, kept.channel, kept.status_code, kept.reason),
            (self.mqtt_box, Channel.MQTT, 401, AuthReason.BAD_SIGNATURE),
        )

        self.mqtt_box.sudo()._write_guarded({"state": "retired"})  # now unknown to the intake
        self.publish(self.payload(self.batch("c", 1)))
        self.take(2)
        (answer,) = self.acks(self.box, 1)
        self.assertEqual((answer["status"], answer["error"]), (401, AuthReason.UNKNOWN_BOX))

    def test_malformed_payload_is_refused_400_and_quarantined_as_sent(self):
        self.publish(b"garbage without the two header lines")
        self.take(1)
        (answer,) = self.acks(self.box, 1)
        self.assertEqual(answer["status"], 400)
        self.assertEqual(answer["error"], mqtt_rules.MALFORMED_PAYLOAD)
        self.assertIn("two header lines", answer["message"])
        kept = self.env["facility.box.quarantine"].search([("serial", "=", self.serial)])
        self.assertEqual(len(kept), 1)
        self.assertEqual(
            (kept.box_id, kept.channel, kept.status_code), (self.mqtt_box, "mqtt", 400)
        )
        self.assertEqual(kept.body, "garbage without the two header lines")
        self.assertIn(mqtt_rules.MALFORMED_PAYLOAD, kept.detail)

        # well-formed and signed, but the body is not JSON: the intake's own 400
        self.publish(self.payload(None, body=b'[{"id": "x",'))
        self.take(2)
        (answer,) = self.acks(self.box, 1)
        self.assertEqual((answer["status"], answer["error"]), (400, BatchError.MALFORMED_JSON))
        self.assertEqual(
            self.env["facility.box.quarantine"].search_count([("serial", "=", self.serial)]), 2
        )
        self.assertFalse(self.stored())

    def test_a_message_too_large_to_read_is_refused_413_quarantined_and_acknowledged(self):
        self.client.close()
        self.client.max_packet = 4096  # the bridge reads 4 MB whole; here 4 KB, to be quick
        self.assertTrue(self.client.reconnect(attempts=5))
        big = self.payload(self.batch("g", 80))  # about 6 KB
        self.assertGreater(len(big), 4096)
        self.publish(big)
        self.publish(self.payload(self.batch("h", 1)))
        self.take(2)
        too_large, after = self.acks(self.box, 2)
        self.assertEqual((too_large["status"], too_large["error"]), (413, BatchError.TOO_LARGE))
        self.assertIn(str(len(big)), too_large["message"])
        self.assertEqual((after["status"], after["accepted"]), (200, 1))
        kept = self.env["facility.box.quarantine"].search([("serial", "=", self.serial)])
        self.assertEqual((kept.status_code, kept.reason), (413, BatchError.TOO_LARGE))
        self.assertEqual(self.stored().mapped("uid"), ["h-000"])
        self.client.close()  # acknowledged: a new connection of the session gets nothing again
        self.assertTrue(self.client.reconnect(attempts=5))
        self.client.loop_until(lambda: False, 0.5)
        self.assertEqual(len(self.taken), 2)

    def test_a_crash_before_the_ack_redelivers_and_the_store_keeps_one(self):
        """At least once on the wire, once in the store: the bridge took the batch (committed)
        and died before its PUBACK; the broker delivers it again to the resumed session, DUP
        set, and the intake answers its events duplicate."""
        on_message = self.bridge.on_message
        delivered = []

        def crash_before_ack(client, message):
            delivered.append(message)
            if len(delivered) == 1:
                self.bridge.handle(message.topic, message.payload)
                client.close()  # the process dies here: no PUBACK, no answer
                raise SimulatedCrash
            on_message(client, message)

        self.client.on_message = crash_before_ack
        self.publish(self.payload(self.batch("d", 2)))
        # not assertRaises: its savepoint would roll back what the bridge took
        with contextlib.suppress(SimulatedCrash):
            self.client.loop_until(lambda: False, WAIT_S)
        self.assertEqual(len(delivered), 1)
        self.assertEqual(len(self.stored()), 2)
        self.assertTrue(self.client.reconnect(attempts=5))  # same id, persistent session
        self.assertTrue(self.client.session_present)
        self.client.loop_until(lambda: len(delivered) >= 2, WAIT_S)
        self.assertEqual(len(delivered), 2)
        self.assertTrue(delivered[1].dup)
        self.assertEqual(delivered[1].payload, delivered[0].payload)
        (answer,) = self.acks(self.box, 1)
        self.assertEqual((answer["accepted"], answer["duplicate"]), (0, 2))
        self.assertEqual(len(self.stored()), 2)

    def test_a_failed_transaction_leaves_the_message_unacknowledged(self):
        def broken(_work):
            raise RuntimeError("the database is gone")

        self.bridge.transact = broken
        self.publish(self.payload(self.batch("e", 1)))
        with self.assertRaises(mqtt_bridge.HandlerFailed):
            self.client.loop_until(lambda: False, WAIT_S)
        self.assertEqual(self.bridge.stats["failed"], 1)
        self.client.close()  # what serve() does: drop the connection and come back later
        self.bridge.transact = self.transact
        self.assertTrue(self.client.reconnect(attempts=5))
        self.take(1)
        (answer,) = self.acks(self.box, 1)
        self.assertEqual((answer["status"], answer["accepted"]), (200, 1))
        self.assertEqual(self.stored().mapped("uid"), ["e-000"])


@tagged("post_install", "-at_install")
class TestMqttBrokerRestart(MqttCase):
    """A Mosquitto of the test's own, persisting its sessions, stopped and started again in the
    middle of a run: the bridge (``serve``, as ``scripts/mqtt-bridge`` runs it) gets every
    message at least once, and the store holds every event exactly once."""

    def setUp(self):
        super().setUp()
        self.require(os.access(MOSQUITTO, os.X_OK), f"no mosquitto binary at {MOSQUITTO}")
        self.dir = tempfile.mkdtemp(prefix="facility-mqtt-")
        os.chmod(self.dir, 0o777)
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.port = free_port()
        self.config = os.path.join(self.dir, "mosquitto.conf")
        with open(self.config, "w", encoding="utf-8") as conf:
            conf.write(
                f"listener {self.port} 127.0.0.1\n"
                "allow_anonymous true\n"
                "persistence true\n"
                f"persistence_location {self.dir}/\n"
                f"log_dest file {self.dir}/mosquitto.log\n"
                "max_queued_messages 10000\n"
            )
        self.broker = None
        self.start_broker()
        self.addCleanup(self.stop_broker)

    def start_broker(self):
        self.broker = subprocess.Popen(
            [MOSQUITTO, "-c", self.config],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + WAIT_S
        while not reachable("127.0.0.1", self.port, 0.2):
            self.assertIsNone(self.broker.poll(), "mosquitto did not start")
            self.assertLess(time.monotonic(), deadline, "mosquitto did not listen in time")
            threading.Event().wait(0.05)

    def stop_broker(self):
        """SIGTERM, as a service restart does: Mosquitto saves its sessions and leaves."""
        if self.broker and self.broker.poll() is None:
            self.broker.send_signal(signal.SIGTERM)
            self.broker.wait(WAIT_S)

    def test_every_message_arrives_across_a_broker_restart_and_is_stored_once(self):
        bridge, client = self.start_bridge(
            "127.0.0.1", self.port, topic_filter=mqtt_rules.EVENTS_FILTER, backoff=(0.05, 0.5)
        )
        client.connect()
        client.subscribe(bridge.topic_filter, 1)
        box = MqttClient(
            "127.0.0.1", self.port, f"test-box-{self.tag}", clean_session=False, backoff=(0.05, 0.5)
        )
        box.connect()
        self.addCleanup(box.close)
        topic = mqtt_rules.events_topic(self.serial)
        before, after = 20, 20
        expected = {f"r-{k:03d}" for k in range(before + after)}
        start = fields.Datetime.now() - timedelta(minutes=30)
        payloads = [
            self.payload([event(f"r-{k:03d}", "heartbeat", start + timedelta(seconds=k))])
            for k in range(before + after)
        ]
        stop, progress, failures = threading.Event(), {}, []
        at_third, broker_down = threading.Event(), threading.Event()
        record = bridge.handle

        def third_waits_for_the_restart(*message):
            """The third message is taken, and the broker goes down before its PUBACK."""
            result = record(*message)
            if len(self.taken) == 3 and not at_third.is_set():
                at_third.set()
                broker_down.wait(WAIT_S)
            return result

        bridge.handle = third_waits_for_the_restart

        def handled_ids():
            return {
                result["id"]
                for _serial, status, answer in list(self.taken)
                if status == 200
                for result in answer["results"]
            }

        def box_and_operator():
            """The boxes publish, the broker restarts with messages queued for the bridge and
            in flight from the box, the boxes publish more, and the bridge catches up."""
            try:
                for payload in payloads[:before]:
                    box.publish(topic, payload, qos=1)
                box.wait_published(timeout=WAIT_S)
                at_third.wait(WAIT_S)  # the bridge is at work...
                progress["before_restart"] = len(self.taken)
                self.stop_broker()  # ...with most messages still queued for it
                box.close()
                broker_down.set()
                box.publish(topic, payloads[before], qos=1)  # offline: kept by the box
                self.start_broker()
                self.assertTrue(box.reconnect(attempts=50))
                for payload in payloads[before + 1 :]:
                    box.publish(topic, payload, qos=1)
                self.assertTrue(box.wait_published(timeout=WAIT_S))
                progress["after_restart"] = len(self.taken)
                wait_until(lambda: handled_ids() >= expected)
            except Exception as error:
                failures.append(error)
            finally:
                stop.set()

        def wait_until(predicate):
            deadline = time.monotonic() + 3 * WAIT_S
            while not predicate() and time.monotonic() < deadline:
                stop.wait(0.02)

        operator = threading.Thread(target=box_and_operator, daemon=True)
        operator.start()
        watchdog = threading.Timer(6 * WAIT_S, stop.set)
        watchdog.start()
        try:
            mqtt_bridge.serve(client, bridge, stop)  # the test's thread: the test's cursor
        finally:
            watchdog.cancel()
            operator.join(WAIT_S)
        self.assertFalse(failures, failures)
        self.assertLess(progress["before_restart"], before, "the restart came too late to matter")
        self.assertGreater(client.connections, 1, "the bridge never reconnected")
        self.assertEqual(handled_ids(), expected, "the bridge missed messages")
        self.assertGreaterEqual(len(self.taken), before + after)
        events = self.stored()
        self.assertEqual(len(events), before + after)
        self.assertEqual(set(events.mapped("uid")), expected)


class _Client:
    """What the bridge's on_message needs of a client: acknowledgements and publications."""

    def __init__(self):
        self.acked, self.published = [], []

    def ack(self, message):
        self.acked.append(message)

    def publish(self, topic, payload, qos=0):
        self.published.append((topic, json.loads(payload)))


@tagged("post_install", "-at_install")
class TestBridgeHandler(MqttCase):
    """The bridge's handler without a broker (the message as the client hands it over)."""

    def message(self, topic, payload):
        return types.SimpleNamespace(topic=topic, payload=payload, truncated=0, dup=False)

    def test_a_stale_message_is_answered_401_and_the_box_resends_it_signed_again(self):
        """Review finding 8: a message that waited in the broker longer than the replay window
        (the bridge was down) is answered 401 stale_timestamp, its answer names it by ``ref``,
        and the box (here the simulator's logic) signs it again: accepted."""
        bridge = mqtt_bridge.Bridge(self.transact)
        send = sim.Send(self.serial, fields.Datetime.now(), tuple(self.batch("st", 3)))
        outbox = sim.Outbox()
        queued_at = time.time() - signing.DEFAULT_WINDOW_S - 600  # the bridge was down 15 min
        timestamp, signature, body = sim.signed_request(send, self.key, queued_at)
        outbox.sent(send, signature)
        topic = mqtt_rules.events_topic(self.serial)
        _serial, status, answer = bridge.handle(
            topic, mqtt_rules.encode_payload(timestamp, signature, body)
        )
        self.assertEqual((status, answer["error"]), (401, AuthReason.STALE_TIMESTAMP))
        self.assertEqual(answer["ref"], signature[:16])
        self.assertFalse(self.stored())
        again, resends = outbox.answered(status, answer)
        self.assertEqual((again, resends), (send, 1))
        timestamp, signature, body = sim.signed_request(again, self.key, time.time())
        _serial, status, answer = bridge.handle(
            topic, mqtt_rules.encode_payload(timestamp, signature, body)
        )
        self.assertEqual((status, answer["accepted"], answer["ref"]), (200, 3, signature[:16]))
        self.assertIsNone(outbox.answered(status, answer))
        self.assertEqual(len(self.stored()), 3)

    def test_a_serial_no_box_can_have_is_kept_but_neither_answered_nor_logged_raw(self):
        """Review finding 20: a line break in the topic's serial reaches neither the log nor
        an ack topic."""
        bridge = mqtt_bridge.Bridge(self.transact)
        client = _Client()
        topic = "facility/FAKE\nINFO forged line/events"
        with self.assertLogs(mqtt_bridge._logger.name, logging.INFO) as logs:
            bridge.on_message(client, self.message(topic, self.payload(self.batch("z", 1))))
        self.assertEqual(len(client.acked), 1)  # taken: not delivered again
        self.assertEqual(client.published, [])
        self.assertNotIn("\n", "".join(logs.output))
        self.assertIn(repr("FAKE\nINFO forged line"), logs.output[0])
        kept = self.env["facility.box.quarantine"].search(
            [("serial", "=", "FAKE\nINFO forged line")]
        )
        self.assertEqual((kept.reason, kept.authenticated), (AuthReason.UNKNOWN_BOX, False))
        # a good serial is answered on its ack topic, with the message's ref
        payload = self.payload(self.batch("y", 1))
        bridge.on_message(client, self.message(mqtt_rules.events_topic(self.serial), payload))
        ((ack_topic, answer),) = client.published
        self.assertEqual(ack_topic, mqtt_rules.ack_topic(self.serial))
        self.assertEqual(
            (answer["status"], answer["ref"]), (200, payload.split(b"\n")[1][:16].decode())
        )

    def test_refusals_before_the_intake_use_its_box_lookup_and_messages(self):
        """Review finding 17: the bridge files a refused message with the intake's own box
        lookup, and a server failure reads the same over HTTP and MQTT."""
        bridge = mqtt_bridge.Bridge(self.transact)
        topic = mqtt_rules.events_topic(self.serial)
        with patch.object(
            type(self.env["facility.box.event"]),
            "_box_named",
            autospec=True,
            side_effect=lambda model, serial: model.env["facility.box"].browse(self.mqtt_box.id),
        ) as lookup:
            _serial, status, _answer = bridge.handle(topic, b"no header lines")
        self.assertEqual(status, 400)
        lookup.assert_called_once()
        kept = self.env["facility.box.quarantine"].search([("serial", "=", self.serial)])
        self.assertEqual((kept.box_id, kept.authenticated), (self.mqtt_box, False))
        self.assertEqual(http_controller.INTERNAL["message"], INTERNAL_MESSAGE)
        with (
            patch.object(
                type(self.env["facility.box.event"]), "_take_batch", side_effect=RuntimeError
            ),
            mute_logger("odoo.addons.core_facility_iot.models.facility_box_event"),
        ):
            _serial, status, answer = bridge.handle(topic, self.payload(self.batch("w", 1)))
        self.assertEqual((status, answer["message"]), (500, INTERNAL_MESSAGE))
