"""The simulated box signs a batch again and re-sends it when it is answered 401
stale_timestamp (it waited in the broker longer than the replay window), as a real box should;
never a corrupted copy it sent on purpose."""

from datetime import datetime

from core_facility_iot.rules import mqtt as mqtt_rules
from core_facility_iot.rules import signing
from core_facility_iot.tools import sim

KEY = signing.secret_hash("sim-secret")
AT = datetime(2041, 3, 6, 2, 0)
EVENTS = ({"id": "heartbeat-1", "type": "heartbeat", "ts": "2041-03-06T02:00:00+00:00"},)
STALE = {"error": "stale_timestamp", "message": "the timestamp is older than the replay window"}


def signed(send, now=2_000_000_000):
    return sim.signed_request(send, KEY, now)


def test_a_stale_answer_gives_the_batch_back_to_sign_again():
    send = sim.Send("BOX-1", AT, EVENTS)
    outbox = sim.Outbox()
    _timestamp, signature, _body = signed(send)
    outbox.sent(send, signature)
    again = outbox.answered(401, {**STALE, "ref": mqtt_rules.ack_ref(signature)})
    assert again == (send, 1)
    # signed again later: a new timestamp and signature, the same events (same ids)
    timestamp2, signature2, body2 = signed(send, now=2_000_000_600)
    assert timestamp2 == "2000000600" and signature2 != signature
    assert body2 == signed(send)[2]
    assert len(outbox) == 0


def test_other_answers_close_the_message():
    send = sim.Send("BOX-1", AT, EVENTS)
    outbox = sim.Outbox()
    _timestamp, signature, _body = signed(send)
    for status, answer in ((200, {"accepted": 1}), (401, {"error": "bad_signature"})):
        outbox.sent(send, signature)
        assert outbox.answered(status, {**answer, "ref": mqtt_rules.ack_ref(signature)}) is None
    assert outbox.answered(401, STALE) is None  # no ref: names no message


def test_a_corrupted_copy_is_never_sent_again_and_resends_are_bounded():
    stale_copy = sim.Send("BOX-1", AT, EVENTS, corruption="stale")
    outbox = sim.Outbox(max_resends=2)
    _timestamp, signature, _body = signed(stale_copy)
    outbox.sent(stale_copy, signature)
    assert outbox.answered(401, {**STALE, "ref": mqtt_rules.ack_ref(signature)}) is None
    send = sim.Send("BOX-1", AT, EVENTS)
    outbox.sent(send, signature, resends=2)
    assert outbox.answered(401, {**STALE, "ref": mqtt_rules.ack_ref(signature)}) is None
    assert sim.resend(send, 401, STALE)
    assert not sim.resend(stale_copy, 401, STALE)
