"""bench/iot.py counts loss and duplication from the ids the boxes sent, not from the answers:
an event whose request got no answer and that is not stored is lost; an event answered
accepted twice is duplicated."""

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def load():
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_iot", BENCH / "iot.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


iot = load()


def ids(serial, first, count):
    return {(serial, f"{n:09d}") for n in range(first, first + count)}


def test_nothing_lost_nor_duplicated():
    sent = {"B-1": [(0, 3), (3, 3)]}
    accepted = {"B-1": [0, 1, 2, 3, 4, 5]}
    stored = ids("B-1", 0, 6)
    assert iot.tally_store(sent, accepted, stored, 6) == (6, 6, 0, 0)


def test_a_request_without_an_answer_whose_events_are_missing_is_loss():
    sent = {"B-1": [(0, 3), (3, 3)]}  # the second request got no answer
    accepted = {"B-1": [0, 1, 2]}
    stored = ids("B-1", 0, 4)  # one of its events got in anyway, two did not
    assert iot.tally_store(sent, accepted, stored, 4) == (6, 4, 2, 0)


def test_an_event_accepted_twice_is_duplicated():
    sent = {"B-1": [(0, 3), (0, 3)]}  # posted again after a lost answer
    accepted = {"B-1": [0, 1, 2, 1]}  # the server took event 1 twice
    stored = ids("B-1", 0, 3)
    assert iot.tally_store(sent, accepted, stored, 3) == (3, 3, 0, 1)
    # and a second row of one (box, id) counts too
    assert iot.tally_store(sent, {"B-1": [0, 1, 2]}, stored, 4) == (3, 3, 0, 1)
