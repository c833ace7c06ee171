"""Pure tests of the intake's own rules: strict decoding, storable text, per-event outcomes and
the answer a box reads."""

import json
from datetime import datetime, timedelta

import pytest
from core_facility_iot.rules import events as ev
from core_facility_iot.rules import intake
from core_facility_iot.rules.codes import EventOutcome, EventType, RejectReason

NOW = datetime(2041, 3, 6, 2, 0)


def event(uid, kind=EventType.PC_LOGIN, minutes=0, card=None, user=None):
    return ev.Event(uid, kind, NOW + timedelta(minutes=minutes), card, user)


# -- decoding --------------------------------------------------------------------------------


def test_decode_body_takes_utf8_json():
    value, message = intake.decode_body('[{"id": "一"}]'.encode())
    assert (value, message) == ([{"id": "一"}], None)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"[{", "Expecting property name enclosed in double quotes"),
        (b"", "Expecting value: line 1 column 1"),
        (b"\xff\xfe[]", "the body is not UTF-8"),
        (b"[NaN]", "NaN is not valid JSON"),
        (b'{"x": Infinity}', "Infinity is not valid JSON"),
        (b"[-Infinity]", "-Infinity is not valid JSON"),
        ("\ufeff[]".encode(), "Unexpected UTF-8 BOM"),
    ],
)
def test_decode_body_gives_the_parse_error(body, expected):
    value, message = intake.decode_body(body)
    assert value is None
    assert message.startswith(expected)
    assert len(message) <= 300


def test_decode_body_limits_nesting():
    ok = b"[" * intake.MAX_DEPTH + b"]" * intake.MAX_DEPTH
    deep = b"[" * (intake.MAX_DEPTH + 1) + b"]" * (intake.MAX_DEPTH + 1)
    assert intake.decode_body(ok)[1] is None
    assert intake.decode_body(deep) == (None, "the JSON nests deeper than 64 levels")
    # far deeper than Python's recursion limit: still an answer, not a crash
    abyss = b"[" * 100000 + b"]" * 100000
    assert intake.decode_body(abyss)[0] is None


# -- what PostgreSQL can store ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"id": "a", "payload": {"note": "fine 中文"}}, False),
        ({"id": "a", "payload": {"note": "nul\x00"}}, True),
        ({"id": "a", "extra": ["x", {"k\x00": 1}]}, True),
        ({"id": "a", "extra": "\ud800"}, True),
        ({"id": "a", "extra": "\udfff"}, True),
        ({"id": "a", "extra": "\U0001f600"}, False),  # a real astral character is fine
        ([1, 2.5, None, True], False),
    ],
)
def test_unstorable(value, expected):
    assert intake.unstorable(value) is expected


def test_storable_text_escapes_only_what_postgres_refuses():
    assert intake.storable_text("ab") == "ab"
    assert intake.storable_text("a\x00b\ud800c中") == "a\\u0000b\\ud800c中"
    # kept inside a JSON string, the escape decodes to the original character
    assert json.loads('"' + intake.storable_text("a\x00b") + '"') == "a\x00b"


def test_body_text_keeps_invalid_bytes_as_escapes():
    assert intake.body_text(b"ok \xff\x00") == "ok \\xff\\u0000"


def test_body_hash_is_of_the_exact_bytes():
    assert intake.body_hash(b"[]") != intake.body_hash(b"[ ]")
    assert len(intake.body_hash(b"")) == 64


def test_event_text_is_readable_and_storable():
    assert intake.event_text({"id": "一", "x": "\x00"}) == '{"id": "一", "x": "\\u0000"}'


@pytest.mark.parametrize(
    ("raw", "expected"),
    [({"id": "b1"}, "b1"), ({"id": 7}, None), ("x", None), ({"id": "x" * 100}, "x" * 64)],
)
def test_raw_id(raw, expected):
    assert intake.raw_id(raw) == expected


# -- outcomes ---------------------------------------------------------------------------------


def test_classify_accepted_and_rejected():
    verdicts = [(0, event("a"), None), (1, None, RejectReason.UNKNOWN_TYPE), (2, event("b"), None)]
    assert intake.classify(verdicts, {"a", "b"}, {}) == [
        (0, "a", EventOutcome.ACCEPTED, None),
        (1, None, EventOutcome.REJECTED, RejectReason.UNKNOWN_TYPE),
        (2, "b", EventOutcome.ACCEPTED, None),
    ]


def test_classify_same_id_twice_in_a_batch_first_accepted_then_duplicate():
    verdicts = [(0, event("a"), None), (1, event("a"), None)]
    assert [r[2] for r in intake.classify(verdicts, {"a"}, {})] == [
        EventOutcome.ACCEPTED,
        EventOutcome.DUPLICATE,
    ]


def test_classify_already_stored_is_duplicate():
    stored = {"a": intake.fingerprint(EventType.PC_LOGIN, NOW)}
    verdicts = [(0, event("a"), None), (1, event("a"), None)]
    assert [r[2] for r in intake.classify(verdicts, set(), stored)] == [
        EventOutcome.DUPLICATE,
        EventOutcome.DUPLICATE,
    ]


def test_classify_reused_id_for_another_event_is_a_conflict():
    stored = {"a": intake.fingerprint(EventType.PC_LOGIN, NOW)}
    for other in (
        event("a", kind=EventType.PC_LOGOUT),
        event("a", minutes=1),
        event("a", card="04A1"),
        event("a", user="lina"),
    ):
        assert intake.classify([(0, other, None)], set(), stored) == [
            (0, "a", EventOutcome.REJECTED, intake.IntakeReason.ID_CONFLICT)
        ]
    # inside one batch: the first is taken, the different second is the conflict
    verdicts = [(0, event("b"), None), (1, event("b", minutes=5), None)]
    assert [r[2:] for r in intake.classify(verdicts, {"b"}, {})] == [
        (EventOutcome.ACCEPTED, None),
        (EventOutcome.REJECTED, intake.IntakeReason.ID_CONFLICT),
    ]


def test_fingerprint_ignores_microseconds_and_empty_values():
    assert intake.fingerprint("pc_login", NOW.replace(microsecond=5), "", None) == (
        intake.fingerprint(EventType.PC_LOGIN, NOW)
    )


# -- the answer -------------------------------------------------------------------------------


def test_answer_counts_and_shapes():
    results = [
        (0, "a", EventOutcome.ACCEPTED, None),
        (1, None, EventOutcome.REJECTED, RejectReason.BAD_TIME),
        (2, "a", EventOutcome.DUPLICATE, None),
    ]
    got = intake.answer("BOX-1", results, NOW.replace(microsecond=123), ids={1: "c"})
    assert got == {
        "box": "BOX-1",
        "received_at": "2041-03-06T02:00:00Z",
        "results": [
            {"index": 0, "id": "a", "outcome": "accepted"},
            {"index": 1, "id": "c", "outcome": "rejected", "reason": "bad_time"},
            {"index": 2, "id": "a", "outcome": "duplicate"},
        ],
        "accepted": 1,
        "duplicate": 1,
        "rejected": 1,
    }
    json.dumps(got)  # plain JSON values only


def test_answer_of_an_empty_batch():
    got = intake.answer("BOX-1", [], NOW)
    assert (got["results"], got["accepted"], got["duplicate"], got["rejected"]) == ([], 0, 0, 0)


# -- numbers PostgreSQL cannot store, and what the quarantine keeps ----------------------------


def test_a_number_beyond_a_float_is_read_as_infinity_and_refused_before_the_insert():
    value, message = intake.decode_body(b'[{"id": "a", "payload": {"w": 1e400}}]')
    assert message is None  # standard JSON: the event, not the body, is at fault
    assert value[0]["payload"]["w"] == float("inf")
    assert intake.non_finite(value[0])
    assert intake.unstorable_reason(value[0]) == RejectReason.BAD_PAYLOAD


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"id": "a", "payload": {"w": 412.5, "n": [1, -2e300]}}, None),
        ({"id": "a", "payload": {"w": float("inf")}}, RejectReason.BAD_PAYLOAD),
        ({"id": "a", "payload": {"deep": [{"x": float("-inf")}]}}, RejectReason.BAD_PAYLOAD),
        ({"id": "a", "extra": float("nan")}, RejectReason.BAD_PAYLOAD),
        ({"id": "a", "payload": {"note": "nul\x00"}}, intake.IntakeReason.BAD_TEXT),
        ({"id": "a", "payload": {"big": 10**300}}, None),  # an integer: jsonb takes it
    ],
)
def test_unstorable_reason(raw, expected):
    assert intake.unstorable_reason(raw) == expected


def test_nan_and_infinity_literals_refuse_the_whole_body():
    for body in (b'[{"payload": {"w": NaN}}]', b'[{"payload": {"w": -Infinity}}]'):
        assert intake.decode_body(body)[0] is None


def test_kept_body_bounds_an_unauthenticated_body_but_counts_all_of_it():
    body = b"x" * (intake.UNAUTHENTICATED_KEEP_BYTES + 10)
    kept, size, digest = intake.kept_body(body, authenticated=False)
    assert kept == body[: intake.UNAUTHENTICATED_KEEP_BYTES]
    assert size == len(body)
    assert digest == intake.body_hash(body)  # the whole body's hash: a repeat is counted
    assert intake.kept_body(body, authenticated=True) == (body, len(body), digest)
    small = b'[{"id": "a"}]'
    assert intake.kept_body(small, authenticated=False)[0] == small
