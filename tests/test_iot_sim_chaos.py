"""Pure tests of the simulator's chaos (tools/sim.py): duplicates, reordering, corruption and
network loss change how events travel, never which events finally arrive uncorrupted; the
signed request of each kind of corruption fails the way the intake must refuse it."""

import json
import random
from collections import Counter
from datetime import datetime, timedelta

import pytest
from core_facility_iot.rules import signing
from core_facility_iot.rules.codes import AuthReason
from core_facility_iot.tools import sim

KEY = signing.secret_hash("demo-SIM-1")
T0 = datetime(2026, 11, 30, 1, 0)
NOW = 1_795_000_000


def sends(count=40, per=3):
    return [
        sim.Send(
            "SIM-1",
            T0 + timedelta(minutes=5 * k),
            tuple({"id": f"e{k}-{j}", "type": "heartbeat", "ts": sim.iso(T0)} for j in range(per)),
        )
        for k in range(count)
    ]


def clean_ids(result):
    return Counter(e["id"] for s in result if s.corruption is None for e in s.events)


def all_ids(result):
    return {e["id"] for s in result for e in s.events}


@pytest.mark.parametrize(
    "chaos",
    [
        sim.Chaos(),
        sim.Chaos(duplicate=0.5),
        sim.Chaos(reorder=0.5),
        sim.Chaos(corrupt=0.5),
        sim.Chaos(drop_network=0.3),
        sim.Chaos(duplicate=0.3, reorder=0.3, corrupt=0.3, drop_network=0.3),
    ],
)
def test_every_event_still_arrives_uncorrupted_at_least_once(chaos):
    original = sends()
    for seed in range(20):
        result = sim.apply_chaos(original, chaos, random.Random(seed))
        counted = clean_ids(result)
        assert set(counted) == all_ids(original)
        assert all_ids(result) == all_ids(original)


def test_no_chaos_changes_nothing():
    original = sends()
    assert sim.apply_chaos(original, sim.Chaos(), random.Random(1)) == original


def test_duplicate_sends_a_batch_twice_in_a_row():
    result = sim.apply_chaos(sends(5), sim.Chaos(duplicate=1.0), random.Random(1))
    assert len(result) == 10
    for first, second in zip(result[::2], result[1::2], strict=True):
        assert first.events == second.events and second.note == "duplicate"


def test_corrupt_sends_a_corrupted_copy_before_the_real_one():
    result = sim.apply_chaos(sends(40), sim.Chaos(corrupt=1.0), random.Random(1))
    assert len(result) == 80
    for bad, good in zip(result[::2], result[1::2], strict=True):
        assert bad.corruption in sim.CORRUPTIONS and good.corruption is None
        assert bad.events == good.events
    assert {s.corruption for s in result[::2]} == set(sim.CORRUPTIONS)


def test_reorder_swaps_neighbours_so_a_later_batch_arrives_first():
    original = sends(2)
    result = sim.apply_chaos(original, sim.Chaos(reorder=1.0), random.Random(1))
    assert result[0].events == original[1].events
    assert Counter(e["id"] for e in result[1].events) == Counter(
        e["id"] for e in original[0].events
    )
    assert [s.at for s in result] == [s.at for s in original]  # still sent at the send times


def test_network_loss_holds_events_back_and_sends_them_later_together():
    original = sends(40)
    result = sim.apply_chaos(original, sim.Chaos(drop_network=0.2), random.Random(3))
    assert len(result) < len(original)
    buffered = [s for s in result if s.note == "buffered"]
    assert buffered
    sent_at = {e["id"]: s.at for s in result for e in s.events}
    for send in original:
        for event in send.events:
            assert sent_at[event["id"]] >= send.at  # never earlier than the box had it


def test_network_loss_at_the_end_still_sends_what_was_kept():
    result = sim._drop_network(sends(3), 1.0, random.Random(1))
    assert all_ids(result) == all_ids(sends(3))


def test_signed_request_verifies_like_a_box_request():
    send = sends(1)[0]
    timestamp, signature, body = sim.signed_request(send, KEY, NOW)
    assert timestamp == str(NOW)
    assert signing.verify(KEY, timestamp, body, signature)
    assert json.loads(body) == list(send.events)


@pytest.mark.parametrize(
    ("corruption", "expected"),
    [
        ("json", "malformed_json"),
        ("signature", AuthReason.BAD_SIGNATURE),
        ("stale", AuthReason.STALE_TIMESTAMP),
        ("event", "unknown_type"),
    ],
)
def test_each_corruption_fails_as_the_intake_refuses_it(corruption, expected):
    plain = sends(1)[0]
    send = sim.Send(plain.serial, plain.at, plain.events, corruption)
    timestamp, signature, body = sim.signed_request(send, KEY, NOW)
    valid = signing.verify(KEY, timestamp, body, signature)
    stale = signing.check_timestamp(timestamp, NOW)
    if expected == AuthReason.BAD_SIGNATURE:
        assert not valid and stale is None
    elif expected == AuthReason.STALE_TIMESTAMP:
        assert valid and stale == AuthReason.STALE_TIMESTAMP
    elif expected == "malformed_json":
        assert valid
        with pytest.raises(ValueError):
            json.loads(body)
    else:
        assert valid and json.loads(body)[0]["type"] == "teleport"


def test_tally_counts_outcomes_and_what_was_delivered():
    tally = sim.Tally()
    tally.plan("B", [{"id": "a"}, {"id": "b"}, {"id": "c"}])
    tally.answer(
        "B",
        200,
        {
            "accepted": 1,
            "duplicate": 1,
            "rejected": 1,
            "results": [
                {"id": "a", "outcome": "accepted"},
                {"id": "b", "outcome": "duplicate"},
                {"id": "c", "outcome": "rejected", "reason": "bad_time"},
            ],
        },
        events=3,
    )
    tally.answer("B", 401, {"error": "bad_signature"}, events=3)
    tally.answer("B", None, {}, events=3)
    lines = dict(line.split("=") for line in tally.lines())
    assert lines["requests"] == "3" and lines["sent_events"] == "9"
    assert (lines["accepted"], lines["duplicate"], lines["rejected"]) == ("1", "1", "1")
    assert (lines["status_200"], lines["status_401"], lines["network_errors"]) == ("1", "1", "1")
    assert (lines["delivered_events"], lines["undelivered_events"]) == ("2", "1")
