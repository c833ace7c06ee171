"""Pure tests of the certification rules (seed 000, 附件1)."""

from datetime import date

import pytest

from core_facility.rules import certification as cert

# TEM scheme of 附件1: primary(1) <- intermediate(2) <- advanced/cryo(3) <- super(4)
PREREQ = {1: None, 2: 1, 3: 2, 4: 3}
SCOPE = {1: None, 2: "instrument", 3: "scheme", 4: "instrument"}


def test_prerequisite_cycle_detected():
    assert cert.prerequisite_cycle(1, {1: 2, 2: 3, 3: 1})
    assert not cert.prerequisite_cycle(4, PREREQ)


def test_implied_levels_follow_same_instrument_prerequisites_only():
    assert cert.implied_levels(2, PREREQ, SCOPE) == {1, 2}
    # advanced needs intermediate on *some* TEM, so it implies nothing below on this instrument
    assert cert.implied_levels(4, PREREQ, SCOPE) == {3, 4}
    assert cert.held_levels([2, 4], PREREQ, SCOPE) == {1, 2, 3, 4}


@pytest.mark.parametrize(
    ("level", "on_instrument", "in_scheme", "expected"),
    [
        (1, set(), set(), True),  # primary has no prerequisite
        (2, set(), set(), False),  # intermediate before primary
        (2, {1}, {1}, True),
        (2, set(), {1}, False),  # primary on another microscope does not count
        (3, set(), {1, 2}, True),  # cryo: intermediate on any TEM of the scheme
        (3, {1}, {1}, False),
        (4, {2}, {2, 3}, False),  # super needs advanced on this very instrument
        (4, {3}, {3}, True),
    ],
)
def test_prerequisite_met(level, on_instrument, in_scheme, expected):
    assert cert.prerequisite_met(level, PREREQ, SCOPE, on_instrument, in_scheme) is expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # primary: staff, or a same-group peer holding intermediate (level 2)
        (("staff", False, True, 2, set(), False), None),
        (("staff", False, False, 2, {1, 2}, True), None),
        (("staff", False, False, 2, {1}, True), "peer_not_certified"),
        (("staff", False, False, 2, {1, 2}, False), "peer_other_group"),
        # intermediate: the instrument manager only
        (("manager", True, True, None, set(), False), None),
        (("manager", False, True, None, {1, 2, 3}, True), "manager_only"),
        (("staff", False, False, None, {1, 2}, True), "staff_only"),
    ],
)
def test_trainer_refusal(args, expected):
    assert cert.trainer_refusal(*args) == expected


def test_assessment_results_per_instrument_with_common_item():
    spirit, t20 = 10, 20
    items = [(1, True), (2, True), (9, False)]  # item 9: safety, recorded once for all
    lines = [
        (1, spirit, "pass"),
        (2, spirit, "pass"),
        (1, t20, "pass"),
        (2, t20, "fail"),
        (9, None, "pass"),
    ]
    assert cert.assessment_results([spirit, t20], items, lines) == {spirit: "pass", t20: "fail"}
    lines[-1] = (9, None, None)
    assert cert.assessment_results([spirit], items, lines) == {spirit: "pending"}
    assert cert.assessment_results([spirit], [], []) == {spirit: "pending"}


@pytest.mark.parametrize(
    ("granted", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 15), 2, date(2026, 1, 15)),
        (date(2025, 6, 1), 24, date(2027, 6, 1)),
        (date(2025, 6, 1), 0, None),
    ],
)
def test_expiry_date(granted, months, expected):
    assert cert.expiry_date(granted, months) == expected


def test_is_current_edges():
    assert cert.is_current(date(2025, 1, 1), date(2025, 12, 31), date(2025, 12, 31))
    assert not cert.is_current(date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 1))
    assert not cert.is_current(date(2025, 1, 2), None, date(2025, 1, 1))
    assert cert.is_current(date(2025, 1, 1), None, date(2030, 1, 1))
