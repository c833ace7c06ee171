"""Pure protocol tests of the standard-library MQTT 3.1.1 client (tools/mqtt_client.py): the
encodings at their edges, the packets byte by byte, and the client's behaviour against a scripted
broker on a local socket (no real broker needed here; the Odoo tests use Mosquitto)."""

import socket
import struct
import threading

import pytest
from core_facility_iot.tools import mqtt_client as m

# -- remaining length (2.2.3) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, b"\x00"),
        (127, b"\x7f"),
        (128, b"\x80\x01"),
        (321, b"\xc1\x02"),
        (16_383, b"\xff\x7f"),
        (16_384, b"\x80\x80\x01"),
        (2_097_151, b"\xff\xff\x7f"),
        (2_097_152, b"\x80\x80\x80\x01"),
        (268_435_455, b"\xff\xff\xff\x7f"),
    ],
)
def test_remaining_length_encodes_and_decodes_at_every_byte_boundary(value, encoded):
    assert m.encode_remaining_length(value) == encoded
    assert m.decode_remaining_length(b"\x30" + encoded) == (value, 1 + len(encoded))


@pytest.mark.parametrize("value", [-1, 268_435_456, 1.5, None])
def test_remaining_length_out_of_range_is_refused(value):
    with pytest.raises(ValueError):
        m.encode_remaining_length(value)


def test_remaining_length_incomplete_waits_and_a_fifth_byte_is_a_protocol_error():
    assert m.decode_remaining_length(b"\x30") is None
    assert m.decode_remaining_length(b"\x30\x80\x80") is None
    with pytest.raises(m.ProtocolError):
        m.decode_remaining_length(b"\x30\x80\x80\x80\x80\x01")


def test_strings_are_length_prefixed_utf8_and_at_most_65535_bytes():
    assert m.encode_string("MQTT") == b"\x00\x04MQTT"
    assert m.encode_string("仪器") == b"\x00\x06" + "仪器".encode()
    assert m.decode_string(b"\x00\x06" + "仪器".encode() + b"rest", 0) == ("仪器", 8)
    assert len(m.encode_string("x" * 65_535)) == 65_537
    with pytest.raises(ValueError):
        m.encode_string("x" * 65_536)
    with pytest.raises(m.ProtocolError):
        m.decode_string(b"\x00\x05abc", 0)
    with pytest.raises(m.ProtocolError):
        m.decode_string(b"\x00\x02\xff\xfe", 0)


# -- packets -------------------------------------------------------------------------------------


def test_connect_packet_persistent_session_with_keepalive():
    data = m.connect_packet("bridge", clean_session=False, keepalive=60)
    assert data == (
        b"\x10\x12"  # CONNECT, remaining length 18
        b"\x00\x04MQTT\x04"  # protocol name, level 4 (3.1.1)
        b"\x00"  # flags: clean session off, no will, no user
        b"\x00\x3c"  # keep alive 60 s
        b"\x00\x06bridge"
    )


def test_connect_packet_flags_clean_session_user_password_and_will():
    data = m.connect_packet(
        "c", clean_session=True, keepalive=0, username="u", password="p", will=("t", b"w", 1, True)
    )
    flags = data[2 + 6 + 1]
    assert flags == 0x80 | 0x40 | 0x20 | (1 << 3) | 0x04 | 0x02
    assert data.endswith(b"\x00\x01c\x00\x01t\x00\x01w\x00\x01u\x00\x01p")


def test_publish_packet_flags_and_packet_id():
    assert m.publish_packet("a/b", b"hi") == b"\x30\x07\x00\x03a/bhi"
    assert m.publish_packet("a/b", b"hi", qos=1, packet_id=10) == b"\x32\x09\x00\x03a/b\x00\x0ahi"
    assert m.publish_packet("a/b", b"", qos=1, packet_id=1, dup=True, retain=True)[0] == 0x3B
    assert m.publish_packet("a/b", b"", qos=0, dup=True)[0] == 0x30  # DUP only with QoS > 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"qos": 2, "packet_id": 1},
        {"qos": 1, "packet_id": 0},
        {"qos": 1, "packet_id": 65_536},
        {"qos": 1},
    ],
)
def test_publish_packet_refuses_qos2_and_bad_packet_ids(kwargs):
    with pytest.raises(ValueError):
        m.publish_packet("a", b"x", **kwargs)


@pytest.mark.parametrize("topic", ["", "a/+", "a/#", "a\x00b"])
def test_publish_packet_refuses_wildcards_in_topic_names(topic):
    with pytest.raises(ValueError):
        m.publish_packet(topic, b"x")


def test_subscribe_puback_ping_disconnect_packets():
    assert m.subscribe_packet(7, [("facility/+/events", 1)]) == (
        b"\x82\x16\x00\x07\x00\x11facility/+/events\x01"
    )
    assert m.puback_packet(300) == b"\x40\x02\x01\x2c"
    assert m.PINGREQ_PACKET == b"\xc0\x00"
    assert m.DISCONNECT_PACKET == b"\xe0\x00"
    with pytest.raises(ValueError):
        m.subscribe_packet(1, [])


def test_parse_publish_roundtrip_and_errors():
    data = m.publish_packet("x/y", b"\x00\x01body", qos=1, packet_id=513, dup=True)
    reader = m.PacketReader()
    reader.feed(data)
    kind, flags, body = reader.next_packet()
    assert kind == m.PUBLISH
    assert m.parse_publish(flags, body) == m.Message("x/y", b"\x00\x01body", 1, True, False, 513)
    with pytest.raises(m.ProtocolError):
        m.parse_publish(0x06, body)  # QoS 3
    with pytest.raises(m.ProtocolError):
        m.parse_publish(0x02, b"\x00\x01x")  # QoS 1 without its packet id


def test_packet_reader_reassembles_packets_fed_byte_by_byte():
    stream = m.puback_packet(1) + m.publish_packet("t", b"p" * 300, 1, 2) + m.PINGREQ_PACKET
    reader = m.PacketReader()
    found = []
    for byte in stream:
        reader.feed(bytes([byte]))
        while (item := reader.next_packet()) is not None:
            found.append(item)
    assert [kind for kind, _flags, _body in found] == [m.PUBACK, m.PUBLISH, m.PINGREQ]
    assert m.parse_publish(found[1][1], found[1][2]).payload == b"p" * 300
    assert reader.buffer == bytearray()


@pytest.mark.parametrize(
    ("topic_filter", "topic", "matches"),
    [
        ("facility/+/events", "facility/B1/events", True),
        ("facility/+/events", "facility/B1/ack", False),
        ("facility/+/events", "facility/B1/events/x", False),
        ("facility/+/events", "facility//events", True),
        ("facility/#", "facility/B1/events", True),
        ("facility/#", "facility", True),
        ("#", "$SYS/broker", False),
        ("+/x", "$SYS/x", False),
    ],
)
def test_topic_matches(topic_filter, topic, matches):
    assert m.topic_matches(topic_filter, topic) is matches


# -- the client against a scripted broker ----------------------------------------------------------


class ScriptedBroker:
    """A listening socket on localhost; each accepted connection is handed to the test's script
    (a function of the socket and a packet reader), one after the other, in a thread."""

    def __init__(self, *scripts):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.scripts = list(scripts)
        self.seen = []  # (connection index, kind, flags, body)
        self.errors = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            for index, script in enumerate(self.scripts):
                conn, _addr = self.server.accept()
                conn.settimeout(5)
                with conn:
                    script(self._Conn(self, index, conn))
        except Exception as error:
            self.errors.append(error)

    class _Conn:
        def __init__(self, broker, index, sock):
            self.broker, self.index, self.sock = broker, index, sock
            self.reader = m.PacketReader()

        def read(self):
            while (item := self.reader.next_packet()) is None:
                data = self.sock.recv(4096)
                if not data:
                    raise EOFError("client closed")
                self.reader.feed(data)
            self.broker.seen.append((self.index, *item))
            return item

        def send(self, data):
            self.sock.sendall(data)

    def close(self):
        self.thread.join(5)
        self.server.close()
        assert not self.errors, self.errors


def connack(session_present=False, code=0):
    return m.packet(m.CONNACK, 0, bytes([1 if session_present else 0, code]))


def test_client_connects_subscribes_and_acks_after_the_application():
    def script(conn):
        kind, _flags, body = conn.read()
        assert kind == m.CONNECT
        conn.send(connack(session_present=True))
        kind, flags, body = conn.read()
        assert (kind, flags) == (m.SUBSCRIBE, 0x02)
        packet_id = struct.unpack("!H", body[:2])[0]
        conn.send(m.packet(m.SUBACK, 0, struct.pack("!H", packet_id) + b"\x01"))
        conn.send(m.publish_packet("facility/B1/events", b"payload", 1, 77))
        kind, _flags, body = conn.read()
        assert (kind, body) == (m.PUBACK, b"\x00\x4d")
        assert conn.read()[0] == m.DISCONNECT

    broker = ScriptedBroker(script)
    received = []
    client = m.MqttClient(
        "127.0.0.1",
        broker.port,
        "bridge",
        auto_ack=False,
        on_message=lambda c, msg: received.append(msg),
    )
    assert client.connect() is True
    assert client.subscribe("facility/+/events", 1) == 1
    client.loop_until(lambda: received, 5)
    assert received[0].payload == b"payload" and received[0].packet_id == 77
    client.ack(received[0])
    client.disconnect()
    broker.close()


def test_unacknowledged_publish_is_sent_again_with_dup_and_the_same_id_after_reconnect():
    """4.4: after a reconnection with a persistent session, what is still in flight goes out
    again, DUP set, same packet identifier; what was published while offline follows."""

    def first(conn):
        conn.read()
        conn.send(connack())
        conn.read()  # the PUBLISH: no PUBACK, the connection drops

    def second(conn):
        conn.read()
        conn.send(connack(session_present=True))
        for _ in range(2):
            kind, flags, body = conn.read()
            assert kind == m.PUBLISH
            message = m.parse_publish(flags, body)
            conn.send(m.puback_packet(message.packet_id))
        conn.read()  # DISCONNECT

    broker = ScriptedBroker(first, second)
    client = m.MqttClient("127.0.0.1", broker.port, "box", backoff=(0.01, 0.05))
    client.connect()
    first_id = client.publish("facility/B1/events", b"one", qos=1)
    with pytest.raises(m.ConnectionLost):
        client.loop_until(lambda: False, 5)
    assert not client.connected and first_id in client.inflight
    second_id = client.publish("facility/B1/events", b"two", qos=1)  # offline: kept
    assert client.reconnect(attempts=3)
    assert client.wait_published(timeout=5)
    client.disconnect()
    broker.close()
    publishes = [
        (index, m.parse_publish(flags, body))
        for index, kind, flags, body in broker.seen
        if kind == m.PUBLISH
    ]
    assert [(i, p.payload, p.dup, p.packet_id) for i, p in publishes] == [
        (0, b"one", False, first_id),
        (1, b"one", True, first_id),
        (1, b"two", False, second_id),
    ]


def test_subscriptions_are_sent_again_on_every_connection():
    def script(conn):
        conn.read()
        conn.send(connack(session_present=False))
        kind, _flags, body = conn.read()
        assert kind == m.SUBSCRIBE and b"facility/+/events" in body
        conn.send(m.packet(m.SUBACK, 0, body[:2] + b"\x01"))
        conn.read()

    broker = ScriptedBroker(script)
    client = m.MqttClient("127.0.0.1", broker.port, "bridge")
    client.subscriptions["facility/+/events"] = 1  # remembered from a former connection
    client.connect()
    client.loop_until(lambda: client.granted.get("facility/+/events") == 1, 5)
    client.disconnect()
    broker.close()


def test_refused_connection_raises_with_the_reason():
    def script(conn):
        conn.read()
        conn.send(connack(code=5))

    broker = ScriptedBroker(script)
    client = m.MqttClient("127.0.0.1", broker.port, "x")
    with pytest.raises(m.ConnectRefused, match="not authorized"):
        client.connect()
    assert not client.connected
    broker.close()


def test_no_broker_gives_up_after_the_attempts_given():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed at once: nothing listens there
    client = m.MqttClient("127.0.0.1", port, "x", timeout=1, backoff=(0.01, 0.02))
    assert client.reconnect(attempts=2) is False


def test_keepalive_sends_pingreq_when_idle_and_gives_up_without_answer(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(m.time, "monotonic", lambda: clock[0])

    def script(conn):
        conn.read()
        conn.send(connack())
        assert conn.read()[0] == m.PINGREQ  # never answered
        try:
            conn.read()
        except (EOFError, OSError):
            pass

    broker = ScriptedBroker(script)
    client = m.MqttClient("127.0.0.1", broker.port, "x", keepalive=10)
    client.connect()
    clock[0] += 5  # half the keep alive without sending anything
    client.loop(0.05)
    clock[0] += 11
    with pytest.raises(m.ConnectionLost, match="PINGREQ"):
        client.loop(0.05)
    broker.close()


def test_packet_reader_keeps_the_head_of_an_oversized_packet_and_drops_the_rest():
    """One message over the limit is read as its start and its real size (the bridge answers
    it 413 and acknowledges it) instead of filling the memory or ending the connection."""
    big = m.publish_packet("facility/B1/events", b"x" * 5000, 1, 9)
    stream = big + m.puback_packet(3)
    reader = m.PacketReader(max_packet=1000, head=100)
    found = []
    for offset in range(0, len(stream), 333):
        reader.feed(stream[offset : offset + 333])
        while (item := reader.next_packet()) is not None:
            found.append((item, reader.truncated))
    (publish, truncated), (puback, after) = found
    assert truncated == len(big) - 3  # the remaining length of the PUBLISH
    message = m.parse_publish(publish[1], publish[2])
    assert (message.topic, message.packet_id) == ("facility/B1/events", 9)
    assert len(publish[2]) == 100
    assert puback == (m.PUBACK, 0, b"\x00\x03") and after == 0
    assert len(reader.buffer) == 0


def test_client_delivers_an_oversized_message_truncated_with_its_size():
    def script(conn):
        conn.read()
        conn.send(connack())
        conn.send(m.publish_packet("t/big", b"y" * 3000, 1, 5))
        kind, _flags, body = conn.read()
        assert (kind, body) == (m.PUBACK, b"\x00\x05")
        conn.read()

    broker = ScriptedBroker(script)
    client = m.MqttClient("127.0.0.1", broker.port, "bridge", max_packet=1024)
    client.connect()
    client.loop_until(lambda: client.inbox, 5)
    message = client.inbox.popleft()
    assert message.truncated == 3000 and len(message.payload) < 1024
    client.disconnect()
    broker.close()
