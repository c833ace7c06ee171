"""Scoring bands with explicit edges (core_facility_eval/rules/bands.py): the instrument table's
annual hours (seed 002 附件3, 7.2) at every edge, and the validation of gaps and overlaps."""

import pytest
from core_facility_eval.rules import bands as b

# 附件3 7.2 as the seed writes it: 机时 ≥ 1600 → 30 (fixed), then strict bands, 机时 = 0 → 0
AT_1600 = b.Band(1600, None, 30, low_closed=True)
ZERO = b.Band(0, 0, 0, low_closed=True, high_closed=True)
FIRST = b.Band(0, 200, 2, low_closed=False)  # 0 < 机时 < 200: 0 has its own band
SEED = [
    AT_1600,
    *b.seed_bands(
        [
            (1400, 1600, 28),
            (1200, 1400, 26),
            (1000, 1200, 24),
            (800, 1000, 22),
            (600, 800, 8),
            (400, 600, 6),
            (200, 400, 4),
        ]
    ),
    FIRST,
    ZERO,
]
DEFAULTS = b.close_low_edges(SEED, fixed=(AT_1600, FIRST, ZERO))


def test_the_seed_leaves_every_inner_edge_unassigned():
    problems = b.validate(SEED)
    assert [(p.kind, p.low, p.high) for p in problems] == [
        (b.GAP, edge, edge) for edge in (200, 400, 600, 800, 1000, 1200, 1400)
    ]


def test_the_defaults_cover_the_scale_once():
    assert b.validate(DEFAULTS) == []


@pytest.mark.parametrize(
    ("hours", "points"),
    [
        (1600, 30),
        (5000, 30),
        (1599.5, 28),
        (1400, 28),
        (1399.9, 26),
        (1000, 24),
        (800, 22),  # the example: the edge scores the band above
        (799, 8),
        (600, 8),
        (200, 4),
        (199.9, 2),
        (0.5, 2),
        (0, 0),
    ],
)
def test_hours_at_both_sides_of_every_edge(hours, points):
    assert b.score(hours, DEFAULTS) == points


def test_an_unassigned_edge_is_no_score():
    with pytest.raises(b.BandError):
        b.score(800, SEED)
    with pytest.raises(b.BandError):
        b.score(-1, DEFAULTS)


def test_a_missing_range_and_an_overlap_are_reported():
    # the fee bands of 附件3 skip 20k–30k
    fees = [
        b.Band(0, 10_000, 2),
        b.Band(10_000, 20_000, 4),
        b.Band(30_000, None, 8),
    ]
    assert b.validate(fees) == [b.Problem(b.GAP, 20_000, 30_000)]
    overlapping = [b.Band(0, 100, 1), b.Band(90, None, 2)]
    assert b.validate(overlapping) == [b.Problem(b.OVERLAP, 90, 100)]
    touching = [b.Band(0, 100, 1, high_closed=True), b.Band(100, None, 2)]
    assert b.validate(touching) == [b.Problem(b.OVERLAP, 100, 100)]
    with pytest.raises(b.BandError):
        b.score(100, touching)


def test_the_scale_ends():
    assert b.validate([b.Band(10, None, 1)]) == [b.Problem(b.GAP, 0.0, 10)]
    assert b.validate([b.Band(0, 50, 1)], ceiling=100) == [b.Problem(b.GAP, 50, 100)]
    assert b.validate([b.Band(0, 100, 1)], ceiling=100) == [b.Problem(b.GAP, 100, 100)]
    assert b.validate([b.Band(0, 100, 1, high_closed=True)], ceiling=100) == []
    assert b.validate([]) == [b.Problem(b.GAP, 0.0, None)]
