"""The MQTT bridge: boxes publish signed batches on ``facility/<serial>/events``, the bridge hands
each one to the same intake as HTTP (``facility.box.event._receive``) and publishes the answer on
``facility/<serial>/ack``. Run by ``scripts/mqtt-bridge`` (see the README, "IoT boxes").

Delivery is *at least once*, and the intake makes it *exactly once* in the store:

1. the bridge's session is persistent (fixed client id, ``clean_session=0``) and subscribes at
   QoS 1, so the broker keeps what arrives while the bridge is away (and across its own restart
   when it persists its sessions);
2. each message is taken in its own transaction, committed, and only **then** acknowledged
   (PUBACK): a crash in between makes the broker deliver the message again, and the intake's
   unique key (box, event id) answers the events of the second delivery ``duplicate``;
3. the answer ``{"status": N, ...}`` is published afterwards on the ack topic at QoS 1, with
   ``"ref"``: the first 16 characters of the signature of the message it answers, so that a box
   knows which of its messages it answers (MQTT has no request and response). A box answered
   401 ``stale_timestamp`` (its message waited in the broker longer than the replay window, e.g.
   while the bridge was down) signs that batch again with a fresh timestamp and publishes it
   again; its events keep their ids, so whatever was taken meanwhile is answered ``duplicate``.

A topic whose serial no box can have (``rules.boxes.serial_ok``: a line break, a space...) is
still taken (the intake answers ``unknown_box`` and keeps the body), but nothing is published on
its ack topic and the log shows the serial quoted (``%r``).

A payload without its two header lines (``rules.mqtt``) is answered 400 ``malformed_payload``, a
message larger than the client reads whole (4 MB; the intake itself takes 1 MB) 413
``too_large``, and both are kept in the quarantine like every refused body (the reason
*Malformed JSON* with the detail ``malformed_payload: ...``, or *Body too large* with the start
of the message). When the transaction fails (database down,
conflict retries exhausted) the message is not acknowledged: the bridge drops the connection,
waits (back-off) and reconnects, and the broker delivers the message again.

The handler takes a ``transact(work)`` callable that runs ``work(env)`` in a transaction and
returns its result: :func:`registry_transact` commits in a fresh cursor per message; the tests
pass one running on the test's own cursor. Nothing here logs a payload or a signature.
"""

import json
import logging

from odoo import SUPERUSER_ID, api
from odoo.service.model import retrying

from ..rules import boxes as box_rules
from ..rules import mqtt as mqtt_rules
from ..rules.codes import BatchError, Channel
from .mqtt_client import ConnectionLost, MqttClient, MqttError

_logger = logging.getLogger(__name__)

DEFAULT_CLIENT_ID = "core-facility-bridge"
DEFAULT_KEEPALIVE = 60


class HandlerFailed(Exception):
    """The message could not be taken (the transaction failed): it stays unacknowledged."""


def registry_transact(registry):
    """``transact(work)`` running ``work(env)`` as superuser in a fresh cursor of ``registry``,
    retried on serialization failures and committed (``odoo.service.model.retrying``)."""

    def transact(work):
        with registry.cursor() as cr:
            registry.check_signaling(cr)  # another process updated the modules: reload
            env = api.Environment(cr, SUPERUSER_ID, {})
            return retrying(lambda: work(env), env)

    return transact


def quarantine(env, serial, status, reason, body, detail, size=None):
    """Keep a message the intake never saw (its payload is not a signed batch, or too large
    to read whole) in the intake's quarantine, with the box its topic names, if there is one
    (the intake's own lookup, ``facility.box.event._box_named``). Not authenticated: only its
    start, size and hash are kept."""
    env["facility.box.quarantine"].sudo()._keep(
        None, serial, Channel.MQTT, status, reason, body, None, detail, size=size
    )


class Bridge:
    """Takes the messages an :class:`MqttClient` receives (set as its ``on_message``, with
    ``auto_ack`` off) and answers them; counts what it did in :attr:`stats`."""

    def __init__(self, transact, topic_filter=mqtt_rules.EVENTS_FILTER, logger=None):
        self.transact = transact
        self.topic_filter = topic_filter
        self.logger = logger or _logger
        self.stats = {"messages": 0, "malformed": 0, "refused": 0, "failed": 0, "ignored": 0}

    def handle(self, topic, payload, truncated=0):
        """``(serial, status, answer)`` for one message (``status`` None: not an events topic,
        nothing to answer); ``truncated`` is the real size of a payload too large for the client,
        which kept only its start. Raises :class:`HandlerFailed` when the transaction failed."""
        serial = mqtt_rules.topic_serial(topic)
        if serial is None:
            return None, None, None
        if truncated:
            message = f"the message has {truncated} bytes, more than the bridge takes"
            self._run(
                lambda env: quarantine(
                    env, serial, 413, BatchError.TOO_LARGE, payload, message, size=truncated
                )
            )
            return serial, 413, {"error": BatchError.TOO_LARGE, "message": message}
        try:
            timestamp, signature, body = mqtt_rules.parse_payload(payload)
        except mqtt_rules.MalformedPayload as error:
            message = str(error)
            detail = f"{mqtt_rules.MALFORMED_PAYLOAD}: {message}"
            self._run(
                lambda env: quarantine(env, serial, 400, BatchError.MALFORMED_JSON, payload, detail)
            )
            return serial, 400, {"error": mqtt_rules.MALFORMED_PAYLOAD, "message": message}
        status, answer = self._run(
            lambda env: (
                env["facility.box.event"]
                .sudo()
                ._receive(serial, timestamp, signature, body, Channel.MQTT)
            )
        )
        return serial, status, {**answer, "ref": mqtt_rules.ack_ref(signature)}

    def _run(self, work):
        try:
            return self.transact(work)
        except Exception as error:
            raise HandlerFailed(f"{type(error).__name__}: {error}") from error

    def on_message(self, client, message):
        """Take the message, commit, then PUBACK it, then publish the answer."""
        try:
            serial, status, answer = self.handle(message.topic, message.payload, message.truncated)
        except HandlerFailed:
            self.stats["failed"] += 1
            raise
        client.ack(message)
        self.stats["messages"] += 1
        if status is None:
            self.stats["ignored"] += 1
            return
        if status == 400 and answer.get("error") == mqtt_rules.MALFORMED_PAYLOAD:
            self.stats["malformed"] += 1
        elif status != 200:
            self.stats["refused"] += 1
        self.logger.info(
            "MQTT %r: %s%s%s",
            serial,
            status,
            " (redelivered)" if message.dup else "",
            _summary(answer),
        )
        if not box_rules.serial_ok(serial):
            return  # no box has this serial: nothing to answer on its (odd) ack topic
        reply = json.dumps({"status": status, **answer}, ensure_ascii=False).encode()
        client.publish(mqtt_rules.ack_topic(serial), reply, qos=1)


def _summary(answer):
    if "error" in answer:
        return f" {answer['error']}"
    return " accepted={} duplicate={} rejected={}".format(
        answer.get("accepted", 0), answer.get("duplicate", 0), answer.get("rejected", 0)
    )


def make_client(bridge, host, port, client_id=DEFAULT_CLIENT_ID, **options):
    """The bridge's client: persistent session, manual acknowledgements, subscribed at QoS 1
    to the bridge's topic filter on every connection."""
    client = MqttClient(
        host,
        port,
        client_id=client_id,
        clean_session=False,
        keepalive=options.pop("keepalive", DEFAULT_KEEPALIVE),
        on_message=bridge.on_message,
        auto_ack=False,
        **options,
    )
    client.subscriptions[bridge.topic_filter] = 1
    return client


def serve(client, bridge, stop, logger=None):
    """Run until ``stop`` (a ``threading.Event``) is set: connect (with back-off), take
    messages, reconnect after a lost connection or a failed transaction. Disconnects cleanly."""
    logger = logger or _logger
    failures = 0
    while not stop.is_set():
        if not client.connected:
            if not client.reconnect(stop):
                break
            logger.info(
                "MQTT bridge connected to %s:%s as %s (session %s), subscribed to %s",
                client.host,
                client.port,
                client.client_id,
                "resumed" if client.session_present else "new",
                bridge.topic_filter,
            )
        try:
            if client.loop(1.0):
                failures = 0
        except ConnectionLost as error:
            logger.warning("MQTT bridge: %s; reconnecting", error)
        except HandlerFailed as error:
            # not acknowledged: drop the connection so that the broker delivers it again
            failures += 1
            wait = min(client.backoff[1], client.backoff[0] * 2 ** min(failures, 16))
            logger.error(
                "MQTT bridge: a message could not be taken (%s); retrying in %.1f s", error, wait
            )
            client.close()
            stop.wait(wait)
        except MqttError as error:
            logger.warning("MQTT bridge: %s; reconnecting", error)
            client.close()
    client.disconnect()
    logger.info("MQTT bridge stopped: %s", bridge.stats)
