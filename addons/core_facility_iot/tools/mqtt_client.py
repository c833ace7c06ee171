"""A small MQTT 3.1.1 client in the standard library (OASIS MQTT Version 3.1.1, Plus Errata 01).

Why our own: the bridge and the box simulator need only a fraction of MQTT, and the project adds
no dependency beyond Odoo's own requirements. What it does, with the sections of the standard:

* CONNECT with a client id, ``clean_session`` (0 keeps the session: subscriptions and the QoS 1
  messages not yet acknowledged survive a disconnection, and a broker restart when the broker
  persists its sessions), keep alive, optional user name and password (3.1); CONNACK and its
  return codes, ``session present`` (3.2).
* PUBLISH at QoS 0 and 1 (3.3): a QoS 1 message stays *in flight* until its PUBACK (3.4); after a
  reconnection every message still in flight is sent again with DUP set and its original packet
  identifier (4.4). A message published while disconnected waits in flight and goes out on the
  next connection. QoS 2 is not supported (the broker never sends it to a QoS 1 subscription).
* Received QoS 1 messages are acknowledged by PUBACK in the order they arrived (4.6), either at
  once (``auto_ack``) or when the application calls :meth:`MqttClient.ack` — the bridge acks only
  after its transaction committed, so a crash before the ack makes the broker deliver again.
* SUBSCRIBE and SUBACK (3.8, 3.9): subscriptions are remembered and sent again on every
  reconnection (harmless when the broker kept the session, necessary when it did not).
* PINGREQ after half the keep alive without sending anything; a connection that stays silent a
  whole keep alive after that is taken as dead (3.1.2.10, 3.12, 3.13).
* Reconnection with exponential back-off and jitter (:meth:`MqttClient.reconnect`).

One thread drives a client: the methods are not thread-safe. Nothing here logs a payload.
"""

import contextlib
import logging
import random
import select
import socket
import struct
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, replace

_logger = logging.getLogger(__name__)

CONNECT = 1
CONNACK = 2
PUBLISH = 3
PUBACK = 4
PUBREC = 5
PUBREL = 6
PUBCOMP = 7
SUBSCRIBE = 8
SUBACK = 9
UNSUBSCRIBE = 10
UNSUBACK = 11
PINGREQ = 12
PINGRESP = 13
DISCONNECT = 14

PROTOCOL_NAME = "MQTT"
PROTOCOL_LEVEL = 4  # 3.1.1
MAX_REMAINING_LENGTH = 268_435_455  # four bytes of seven bits
DEFAULT_MAX_PACKET = 4 * 1024 * 1024  # what we accept from a broker; the intake takes 1 MB
SUBACK_FAILURE = 0x80

CONNACK_REASONS = {
    1: "unacceptable protocol version",
    2: "client identifier rejected",
    3: "server unavailable",
    4: "bad user name or password",
    5: "not authorized",
}


class MqttError(Exception):
    """Anything that ends a connection."""


class ProtocolError(MqttError):
    """The peer sent something MQTT 3.1.1 does not allow."""


class ConnectionLost(MqttError):
    """The connection closed, failed or timed out."""


class ConnectRefused(MqttError):
    """The broker answered CONNACK with a non-zero return code."""

    def __init__(self, code):
        super().__init__(f"connection refused: {CONNACK_REASONS.get(code, f'code {code}')}")
        self.code = code


# -- encoding -------------------------------------------------------------------------------------


def encode_remaining_length(value):
    """The Remaining Length field (2.2.3): seven bits a byte, least significant first, the top
    bit saying another byte follows; one to four bytes."""
    if not isinstance(value, int) or not 0 <= value <= MAX_REMAINING_LENGTH:
        raise ValueError(f"remaining length {value!r} out of 0..{MAX_REMAINING_LENGTH}")
    out = bytearray()
    while True:
        digit, value = value % 128, value // 128
        out.append(digit | (0x80 if value else 0))
        if not value:
            return bytes(out)


def decode_remaining_length(data, offset=1):
    """``(value, offset after the field)`` read from ``data`` at ``offset``, or None when the
    field is not complete yet; :class:`ProtocolError` for a fifth byte."""
    value, multiplier = 0, 1
    for index in range(4):
        if offset + index >= len(data):
            return None
        byte = data[offset + index]
        value += (byte & 0x7F) * multiplier
        if not byte & 0x80:
            return value, offset + index + 1
        multiplier *= 128
    raise ProtocolError("remaining length longer than four bytes")


def encode_string(value):
    """A UTF-8 string (1.5.3): two bytes of length, then the bytes."""
    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    if len(data) > 0xFFFF:
        raise ValueError("an MQTT string holds at most 65535 bytes")
    return struct.pack("!H", len(data)) + data


def decode_string(data, offset):
    """``(text, offset after it)`` of the UTF-8 string at ``offset``."""
    if offset + 2 > len(data):
        raise ProtocolError("string length beyond the packet")
    (length,) = struct.unpack_from("!H", data, offset)
    end = offset + 2 + length
    if end > len(data):
        raise ProtocolError("string beyond the packet")
    try:
        return bytes(data[offset + 2 : end]).decode("utf-8"), end
    except UnicodeDecodeError as error:
        raise ProtocolError("string is not UTF-8") from error


def packet(kind, flags, body=b""):
    """A control packet: fixed header (type, flags, remaining length) and ``body``."""
    return bytes([(kind << 4) | (flags & 0x0F)]) + encode_remaining_length(len(body)) + body


def connect_packet(
    client_id, clean_session=False, keepalive=60, username=None, password=None, will=None
):
    """CONNECT (3.1). ``will`` is ``(topic, payload, qos, retain)`` or None."""
    if not 0 <= keepalive <= 0xFFFF:
        raise ValueError("keep alive is 0..65535 seconds")
    flags = 0x02 if clean_session else 0
    payload = encode_string(client_id)
    if will:
        topic, message, qos, retain = will
        flags |= 0x04 | (qos << 3) | (0x20 if retain else 0)
        payload += encode_string(topic) + encode_string(message)
    if username is not None:
        flags |= 0x80
        payload += encode_string(username)
        if password is not None:
            flags |= 0x40
            payload += encode_string(password)
    header = encode_string(PROTOCOL_NAME) + bytes([PROTOCOL_LEVEL, flags])
    return packet(CONNECT, 0, header + struct.pack("!H", keepalive) + payload)


def publish_packet(topic, payload, qos=0, packet_id=None, dup=False, retain=False):
    """PUBLISH (3.3): flags DUP (bit 3), QoS (bits 2-1), RETAIN (bit 0); a packet identifier
    only at QoS 1 and 2."""
    if qos not in (0, 1):
        raise ValueError("QoS 0 or 1")
    if not topic or any(c in topic for c in "+#\x00"):
        raise ValueError("a topic name is not empty and holds no wildcard")
    flags = (0x08 if dup and qos else 0) | (qos << 1) | (0x01 if retain else 0)
    body = encode_string(topic)
    if qos:
        if not 1 <= (packet_id or 0) <= 0xFFFF:
            raise ValueError("QoS 1 needs a packet identifier 1..65535")
        body += struct.pack("!H", packet_id)
    return packet(PUBLISH, flags, body + bytes(payload))


def puback_packet(packet_id):
    return packet(PUBACK, 0, struct.pack("!H", packet_id))


def subscribe_packet(packet_id, filters):
    """SUBSCRIBE (3.8, fixed-header flags 0010): ``filters`` is a list of (filter, max QoS)."""
    if not filters:
        raise ValueError("SUBSCRIBE needs at least one topic filter")
    body = struct.pack("!H", packet_id)
    for topic_filter, qos in filters:
        body += encode_string(topic_filter) + bytes([qos])
    return packet(SUBSCRIBE, 0x02, body)


PINGREQ_PACKET = packet(PINGREQ, 0)
DISCONNECT_PACKET = packet(DISCONNECT, 0)


# -- decoding -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """An application message received (or to publish)."""

    topic: str
    payload: bytes
    qos: int = 0
    dup: bool = False
    retain: bool = False
    packet_id: int | None = None
    truncated: int = 0  # the payload's real size when it was over the reader's limit (0: whole)


def parse_publish(flags, body):
    """The :class:`Message` of a PUBLISH packet's flags and body."""
    qos = (flags >> 1) & 0x03
    if qos == 3:
        raise ProtocolError("PUBLISH with QoS 3")
    topic, offset = decode_string(body, 0)
    packet_id = None
    if qos:
        if offset + 2 > len(body):
            raise ProtocolError("PUBLISH without its packet identifier")
        (packet_id,) = struct.unpack_from("!H", body, offset)
        offset += 2
    return Message(
        topic, bytes(body[offset:]), qos, bool(flags & 0x08), bool(flags & 0x01), packet_id
    )


def parse_connack(body):
    """``(session_present, return_code)`` of a CONNACK."""
    if len(body) != 2:
        raise ProtocolError("CONNACK has two bytes")
    return bool(body[0] & 0x01), body[1]


def parse_packet_id(body):
    if len(body) < 2:
        raise ProtocolError("packet identifier missing")
    return struct.unpack_from("!H", body, 0)[0]


class PacketReader:
    """Splits a byte stream into ``(type, flags, body)`` packets, whatever the chunks.

    A packet longer than ``max_packet`` is not kept whole: its first ``head`` bytes are kept
    (topic, packet identifier, the start of a PUBLISH's payload), the rest is dropped as it comes,
    and :attr:`truncated` gives its real length when it is returned. So one oversized message
    can be answered and acknowledged instead of filling the memory, or being delivered again
    and again to a client that cannot read it."""

    def __init__(self, max_packet=DEFAULT_MAX_PACKET, head=64 * 1024):
        self.buffer = bytearray()
        self.max_packet = max_packet
        self.head = min(head, max_packet)
        self.truncated = 0  # the real length of the packet last returned, when truncated
        self._skip = 0  # bytes of an oversized packet still to drop
        self._held = None  # the head of an oversized packet, until its end went by

    def feed(self, data):
        if self._skip:
            dropped = min(self._skip, len(data))
            self._skip -= dropped
            data = data[dropped:]
        self.buffer += data

    def next_packet(self):
        """The next complete packet, or None."""
        self.truncated = 0
        if self._held is not None:
            if self._skip:
                return None
            (*found, self.truncated), self._held = self._held, None
            return tuple(found)
        if len(self.buffer) < 2:
            return None
        decoded = decode_remaining_length(self.buffer, 1)
        if decoded is None:
            return None
        length, start = decoded
        first = self.buffer[0]
        if length > self.max_packet:
            if len(self.buffer) < start + self.head:
                return None
            head = bytes(self.buffer[start : start + self.head])
            taken = min(len(self.buffer) - start, length)
            del self.buffer[: start + taken]
            self._skip = length - taken
            self._held = (first >> 4, first & 0x0F, head, length)
            return self.next_packet()
        if len(self.buffer) < start + length:
            return None
        body = bytes(self.buffer[start : start + length])
        del self.buffer[: start + length]
        return first >> 4, first & 0x0F, body


def topic_matches(topic_filter, topic):
    """Whether ``topic`` matches ``topic_filter`` with ``+`` (one level) and ``#`` (the rest)
    (4.7); topics starting with ``$`` match no wildcard at the first level."""
    filter_parts, topic_parts = topic_filter.split("/"), topic.split("/")
    if topic.startswith("$") and filter_parts[0] in ("+", "#"):
        return False
    for index, part in enumerate(filter_parts):
        if part == "#":
            return True
        if index >= len(topic_parts) or (part != "+" and part != topic_parts[index]):
            return False
    return len(filter_parts) == len(topic_parts)


# -- the client -----------------------------------------------------------------------------------


@dataclass
class _InFlight:
    topic: str
    payload: bytes
    qos: int
    retain: bool
    sent: bool = False  # sent at least once: a later send sets DUP


class MqttClient:
    """An MQTT 3.1.1 client over TCP, driven by :meth:`loop` from one thread.

    ``on_message(client, message)`` is called for every received PUBLISH; without it, messages
    collect in :attr:`inbox`. With ``auto_ack`` a QoS 1 message is acknowledged once the
    callback returned; without it, the application calls :meth:`ack`. When the callback raises,
    the message is not acknowledged and the exception leaves :meth:`loop`.
    """

    def __init__(
        self,
        host="127.0.0.1",
        port=1883,
        client_id="",
        clean_session=False,
        keepalive=60,
        username=None,
        password=None,
        on_message=None,
        auto_ack=True,
        timeout=10.0,
        backoff=(0.5, 30.0),
        max_packet=DEFAULT_MAX_PACKET,
        logger=None,
    ):
        self.host, self.port = host, int(port)
        self.client_id = client_id
        self.clean_session = clean_session
        self.keepalive = keepalive
        self.username, self.password = username, password
        self.on_message = on_message
        self.auto_ack = auto_ack
        self.timeout = timeout
        self.backoff = backoff
        self.max_packet = max_packet
        self.logger = logger or _logger
        self.subscriptions = OrderedDict()  # topic filter -> max QoS, sent on every connection
        self.granted = {}  # topic filter -> QoS the broker granted (or 0x80: refused)
        self.inflight = OrderedDict()  # packet id -> _InFlight, until the PUBACK
        self.inbox = deque()
        self.session_present = False
        self.connections = 0  # successful CONNECTs so far
        self._sock = None
        self._reader = None
        self._pending_subs = {}  # packet id -> list of filters
        self._next_id = 0
        self._last_sent = 0.0
        self._ping_sent = None

    # -- connection ------------------------------------------------------------------------------

    @property
    def connected(self):
        return self._sock is not None

    def connect(self, timeout=None):
        """Open the connection, CONNECT and wait for CONNACK; then send again what is in flight
        and the subscriptions. Returns ``session_present``; raises :class:`ConnectRefused` or
        :class:`ConnectionLost` (``OSError`` included)."""
        timeout = self.timeout if timeout is None else timeout
        self.close()
        try:
            sock = socket.create_connection((self.host, self.port), timeout=timeout)
        except OSError as error:
            raise ConnectionLost(f"cannot connect to {self.host}:{self.port}: {error}") from error
        sock.settimeout(timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock, self._reader = sock, PacketReader(self.max_packet)
        self._ping_sent = None
        try:
            self._send(
                connect_packet(
                    self.client_id,
                    self.clean_session,
                    self.keepalive,
                    self.username,
                    self.password,
                )
            )
            deadline = time.monotonic() + timeout
            while True:
                found = self._reader.next_packet()
                if found:
                    break
                self._receive_some(deadline - time.monotonic())
                if time.monotonic() > deadline:
                    raise ConnectionLost("no CONNACK in time")
            kind, _flags, body = found
            if kind != CONNACK:
                raise ProtocolError(f"the broker sent packet type {kind} before CONNACK")
            self.session_present, code = parse_connack(body)
            if code:
                raise ConnectRefused(code)
        except Exception:
            self.close()
            raise
        self.connections += 1
        self._pending_subs.clear()
        for packet_id, item in self.inflight.items():
            self._send_publish(packet_id, item)
        if self.subscriptions:
            self._send_subscribe(list(self.subscriptions.items()))
        return self.session_present

    def reconnect(self, stop=None, attempts=None):
        """Connect, retrying with exponential back-off (``backoff`` = first and longest wait,
        with jitter) until it works, ``stop`` (a ``threading.Event``) is set or ``attempts`` ran
        out. Returns whether the client is connected."""
        first, longest = self.backoff
        wait, tried = first, 0
        while not (stop and stop.is_set()):
            tried += 1
            try:
                self.connect()
                if tried > 1:
                    self.logger.info(
                        "MQTT: connected to %s:%s after %s attempts", self.host, self.port, tried
                    )
                return True
            except (MqttError, OSError) as error:
                log = self.logger.warning if tried == 1 else self.logger.info
                log("MQTT: %s; retrying in %.1f s", error, wait)
            if attempts is not None and tried >= attempts:
                return False
            pause = wait * random.uniform(0.8, 1.2)
            if stop is not None:
                stop.wait(pause)
            else:
                time.sleep(pause)
            wait = min(longest, wait * 2)
        return False

    def disconnect(self):
        """DISCONNECT politely, then close. The broker keeps a ``clean_session=False`` session."""
        if self._sock is not None:
            with contextlib.suppress(MqttError):
                self._send(DISCONNECT_PACKET)
        self.close()

    def close(self):
        """Drop the connection at once, as a crash would (no DISCONNECT)."""
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()

    # -- publishing and subscribing --------------------------------------------------------------

    def publish(self, topic, payload, qos=0, retain=False):
        """Publish ``payload`` (bytes or text). At QoS 1 the message stays in flight (kept for a
        later connection when none is open, or the send fails) until its PUBACK; returns its
        packet identifier. At QoS 0 it is sent now or never (returns None)."""
        payload = payload.encode() if isinstance(payload, str) else bytes(payload)
        if qos == 0:
            if self._sock is not None:
                with contextlib.suppress(ConnectionLost):  # QoS 0: at most once
                    self._send(publish_packet(topic, payload, 0, retain=retain))
            return None
        publish_packet(topic, payload, qos, 1, retain=retain)  # validate before keeping it
        packet_id = self._new_packet_id()
        item = _InFlight(topic, payload, qos, retain)
        self.inflight[packet_id] = item
        if self._sock is not None:
            try:
                self._send_publish(packet_id, item)
            except ConnectionLost as error:
                self.logger.info("MQTT: %s; the message waits for the next connection", error)
        return packet_id

    def subscribe(self, topic_filter, qos=1, timeout=None):
        """Subscribe (remembered for every later connection); when connected, wait for the
        SUBACK and return the granted QoS (0x80: refused). Messages arriving meanwhile are
        handled as usual."""
        self.subscriptions[topic_filter] = qos
        if self._sock is None:
            return None
        packet_id = self._send_subscribe([(topic_filter, qos)])
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while packet_id in self._pending_subs:
            if time.monotonic() > deadline:
                raise ConnectionLost("no SUBACK in time")
            self.loop(deadline - time.monotonic())
        return self.granted.get(topic_filter)

    def ack(self, message):
        """PUBACK a received QoS 1 message (no-op for QoS 0, or when the connection is gone: the
        broker then delivers the message again)."""
        if message.qos == 1 and self._sock is not None:
            self._send(puback_packet(message.packet_id))

    def wait_published(self, packet_ids=None, timeout=None):
        """Drive the loop until the given QoS 1 messages (default: all in flight) are
        acknowledged; returns whether they all are. Raises :class:`ConnectionLost`."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)

        def waiting():
            if packet_ids is None:
                return bool(self.inflight)
            return any(pid in self.inflight for pid in packet_ids)

        while waiting():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.loop(min(left, 1.0))
        return True

    # -- the loop --------------------------------------------------------------------------------

    def loop(self, timeout=1.0):
        """Handle what the broker sent, waiting at most ``timeout`` seconds for it; keep the
        connection alive. Returns the number of packets handled. Raises
        :class:`ConnectionLost` (the client is then disconnected) or what ``on_message`` raised."""
        if self._sock is None:
            raise ConnectionLost("not connected")
        self._keep_alive()
        handled = self._handle_buffered()
        if handled:
            return handled
        self._receive_some(timeout)
        return self._handle_buffered()

    def loop_until(self, predicate, timeout):
        """Drive :meth:`loop` until ``predicate()`` holds or ``timeout`` seconds passed; returns
        the predicate's last value."""
        deadline = time.monotonic() + timeout
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0:
                return predicate()
            self.loop(min(left, 0.5))
        return True

    def _handle_buffered(self):
        handled = 0
        while self._sock is not None:
            try:
                found = self._reader.next_packet()
            except ProtocolError as error:
                self.close()
                raise ConnectionLost(f"protocol error: {error}") from error
            if found is None:
                break
            handled += 1
            self._ping_sent = None  # anything received proves the connection alive
            kind, flags, body = found
            truncated = self._reader.truncated
            if kind == PUBLISH:
                try:
                    message = parse_publish(flags, body)
                except ProtocolError as error:
                    self.close()
                    raise ConnectionLost(f"protocol error: {error}") from error
                if truncated:  # the payload's real size: the packet's less topic and id
                    header = len(body) - len(message.payload)
                    message = replace(message, truncated=truncated - header)
                self._deliver(message)
            elif truncated:
                self.close()
                raise ConnectionLost(f"a packet of type {kind} and {truncated} bytes")
            else:
                self._dispatch(kind, body)
        return handled

    def _deliver(self, message):
        if message.qos > 1:
            self.close()
            raise ConnectionLost("QoS 2 is not supported")
        if self.on_message is None:
            self.inbox.append(message)
        else:
            self.on_message(self, message)
        if self.auto_ack:
            self.ack(message)

    def _dispatch(self, kind, body):
        if kind == PUBACK and len(body) == 2:
            self.inflight.pop(parse_packet_id(body), None)
        elif kind == SUBACK and len(body) >= 3:
            packet_id = parse_packet_id(body)
            filters = self._pending_subs.pop(packet_id, [])
            for topic_filter, code in zip(filters, body[2:], strict=False):
                self.granted[topic_filter] = code
                if code == SUBACK_FAILURE:
                    self.logger.warning(
                        "MQTT: the broker refused the subscription %s", topic_filter
                    )
        elif kind not in (PINGRESP, UNSUBACK):
            self.close()
            raise ConnectionLost(f"unexpected packet type {kind} from the broker")

    def _keep_alive(self):
        if not self.keepalive:
            return
        now = time.monotonic()
        if self._ping_sent is not None and now - self._ping_sent > self.keepalive:
            self.close()
            raise ConnectionLost("no answer to PINGREQ within the keep alive")
        if self._ping_sent is None and now - self._last_sent >= self.keepalive / 2:
            self._send(PINGREQ_PACKET)
            self._ping_sent = now

    # -- plumbing --------------------------------------------------------------------------------

    def _new_packet_id(self):
        for _attempt in range(0xFFFF):
            self._next_id = self._next_id % 0xFFFF + 1
            if self._next_id not in self.inflight and self._next_id not in self._pending_subs:
                return self._next_id
        raise MqttError("65535 messages in flight")

    def _send_publish(self, packet_id, item):
        data = publish_packet(
            item.topic, item.payload, item.qos, packet_id, dup=item.sent, retain=item.retain
        )
        item.sent = True
        self._send(data)

    def _send_subscribe(self, filters):
        packet_id = self._new_packet_id()
        self._pending_subs[packet_id] = [topic_filter for topic_filter, _qos in filters]
        self._send(subscribe_packet(packet_id, filters))
        return packet_id

    def _send(self, data):
        if self._sock is None:
            raise ConnectionLost("not connected")
        try:
            self._sock.sendall(data)
        except OSError as error:
            self.close()
            raise ConnectionLost(f"send failed: {error}") from error
        self._last_sent = time.monotonic()

    def _receive_some(self, timeout):
        """Read what is there (waiting at most ``timeout``) into the packet reader."""
        sock = self._sock
        if sock is None:
            raise ConnectionLost("not connected")
        try:
            ready, _w, _x = select.select([sock], [], [], max(0.0, timeout or 0.0))
            if not ready:
                return
            data = sock.recv(65536)
        except (OSError, ValueError) as error:
            self.close()
            raise ConnectionLost(f"receive failed: {error}") from error
        if not data:
            self.close()
            raise ConnectionLost("the broker closed the connection")
        self._reader.feed(data)
