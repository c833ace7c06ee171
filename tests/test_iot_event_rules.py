"""Pure tests of event validation: every field on both sides of its edge, and batches."""

from datetime import datetime, timedelta

import pytest
from core_facility_iot.rules import events as ev
from core_facility_iot.rules.codes import BatchError, EventType, RejectReason

NOW = datetime(2025, 12, 10, 1, 0)  # naive UTC (09:00 in Beijing)
OK = {"id": "b1-1", "type": "pc_login", "ts": "2025-12-10T09:00:00+08:00"}


def check(**changes):
    raw = {**OK, **changes}
    raw = {k: v for k, v in raw.items() if v is not ...}
    return ev.validate_event(raw, NOW, max_age_days=30, max_future_s=300)


def test_valid_event_is_converted_to_naive_utc():
    event, reason = check(card=" 04a1b2c3 ", user="zhangsan", snapshot="cam/1.jpg", payload={})
    assert reason is None
    assert event == ev.Event("b1-1", EventType.PC_LOGIN, NOW, "04A1B2C3", "zhangsan", "cam/1.jpg")
    assert event.ts.tzinfo is None
    assert hash(event)  # events are hashable despite their payload dict


@pytest.mark.parametrize(
    "ts",
    ["2025-12-10T01:00:00Z", "2025-12-10T01:00:00+00:00", 1765328400, 1765328400.0],
)
def test_time_forms(ts):
    event, reason = check(ts=ts)
    assert reason is None and event.ts == NOW


def test_not_an_object():
    assert ev.validate_event([OK], NOW) == (None, RejectReason.NOT_AN_OBJECT)
    assert ev.validate_event("x", NOW) == (None, RejectReason.NOT_AN_OBJECT)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("a", None),
        ("x" * 64, None),
        ("x" * 65, RejectReason.BAD_ID),
        ("", RejectReason.BAD_ID),
        (42, RejectReason.BAD_ID),
        (" a", RejectReason.BAD_ID),
        ("a\n", RejectReason.BAD_ID),
        ("a\x00b", RejectReason.BAD_ID),
        (..., RejectReason.BAD_ID),
    ],
)
def test_id(value, reason):
    assert check(id=value)[1] == reason


@pytest.mark.parametrize("kind", [*list(EventType)])
def test_every_type_is_known(kind):
    assert check(type=str(kind))[1] is None


@pytest.mark.parametrize("kind", ["PC_LOGIN", "reboot", "", None, 3, ...])
def test_unknown_type(kind):
    assert check(type=kind)[1] == RejectReason.UNKNOWN_TYPE


@pytest.mark.parametrize(
    "ts",
    [
        "2025-12-10T09:00:00",  # no offset: ambiguous local time
        "2025-02-30T09:00:00+08:00",  # impossible date
        "2025-12-10T25:00:00+08:00",
        "yesterday",
        "",
        None,
        True,
        float("nan"),
        float("inf"),
        10**20,
        [2025, 12, 10],
        ...,
    ],
)
def test_bad_time(ts):
    assert check(ts=ts)[1] == RejectReason.BAD_TIME


def test_future_edge():
    assert check(ts=(NOW + timedelta(seconds=300)).isoformat() + "+00:00")[1] is None
    late = (NOW + timedelta(seconds=301)).isoformat() + "+00:00"
    assert check(ts=late)[1] == RejectReason.FUTURE_TIME


def test_age_edge():
    assert check(ts=(NOW - timedelta(days=30)).isoformat() + "Z")[1] is None
    old = (NOW - timedelta(days=30, seconds=1)).isoformat() + "Z"
    assert check(ts=old)[1] == RejectReason.TOO_OLD
    assert check(ts=0)[1] == RejectReason.TOO_OLD  # 1970: a box without a clock


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("card", "C" * 64, None),
        ("card", "C" * 65, RejectReason.BAD_CARD),
        ("card", "   ", RejectReason.BAD_CARD),
        ("card", 1234, RejectReason.BAD_CARD),
        ("card", None, None),
        ("user", "u" * 64, None),
        ("user", "u" * 65, RejectReason.BAD_USER),
        ("user", 7, RejectReason.BAD_USER),
        ("snapshot", "s" * 512, None),
        ("snapshot", "s" * 513, RejectReason.BAD_SNAPSHOT),
        ("snapshot", "", RejectReason.BAD_SNAPSHOT),
        ("payload", None, None),
        ("payload", {"watts": 412.5}, None),
        ("payload", [1], RejectReason.BAD_PAYLOAD),
        ("payload", "x", RejectReason.BAD_PAYLOAD),
        ("payload", {"x": "a" * (ev.MAX_PAYLOAD_BYTES - 8)}, None),  # exactly 4096 bytes
        ("payload", {"x": "a" * (ev.MAX_PAYLOAD_BYTES - 7)}, RejectReason.BAD_PAYLOAD),
    ],
)
def test_optional_fields(field, value, reason):
    assert check(**{field: value})[1] == reason


def test_unknown_keys_are_ignored():
    assert check(firmware="1.2.3")[1] is None


def test_first_failing_check_gives_the_reason():
    assert check(id="", type="nope", ts="bad")[1] == RejectReason.BAD_ID
    assert check(type="nope", ts="bad")[1] == RejectReason.UNKNOWN_TYPE
    assert check(ts="bad", card=5)[1] == RejectReason.BAD_TIME


def test_batch_verdicts_per_item_in_order():
    body = {"events": [OK, {**OK, "type": "x"}, 5, {**OK, "id": "b1-2"}, OK]}
    out = ev.validate_batch(body, NOW)
    assert [(i, r) for i, _e, r in out] == [
        (0, None),
        (1, RejectReason.UNKNOWN_TYPE),
        (2, RejectReason.NOT_AN_OBJECT),
        (3, None),
        (4, None),  # same id in one batch: the unique key makes it a duplicate
    ]
    assert ev.validate_batch([OK], NOW)[0][1].id == "b1-1"
    assert ev.validate_batch([], NOW) == []


@pytest.mark.parametrize("body", [None, "events", {"events": {}}, {"event": []}, 3, {}])
def test_batch_not_a_list(body):
    with pytest.raises(ev.BatchRefused) as caught:
        ev.validate_batch(body, NOW)
    assert caught.value.code == BatchError.NOT_A_LIST
    assert "list" in str(caught.value)


def test_batch_size_edge():
    assert len(ev.validate_batch([OK] * ev.MAX_BATCH, NOW)) == ev.MAX_BATCH
    with pytest.raises(ev.BatchRefused) as caught:
        ev.validate_batch([OK] * (ev.MAX_BATCH + 1), NOW)
    assert caught.value.code == BatchError.TOO_MANY
    assert "501" in str(caught.value)
