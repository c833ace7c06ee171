"""Pure tests of the annual pools of committee hours (seed 000 附件2 §4, Titan Krios): each pool
just inside and just outside."""

import pytest

from core_facility.rules import allocation_pool as p

# Titan: 4,000 rated hours; external groups at most 15 % (600 h); 30 % reserved (1,200 h)
TITAN = p.PoolPolicy(rated_hours=4000, external_share=0.15, reserved_share=0.30)


def pools(violations):
    return [v.pool for v in violations]


@pytest.mark.parametrize(("asked", "refused"), [(40, False), (40.01, True), (60, True)])
def test_external_pool_edges(asked, refused):
    usage = p.PoolUsage(external=560, general=560)
    violations = p.check_grant(TITAN, usage, p.Grant(asked, external=True))
    assert pools(violations) == ([p.EXTERNAL] if refused else [])


def test_external_refusal_carries_the_figures():
    usage = p.PoolUsage(external=560, general=560)
    (violation,) = p.check_grant(TITAN, usage, p.Grant(60, external=True))
    assert violation == p.PoolFigures(p.EXTERNAL, 0.15, 600, 560, 40, 60)


def test_internal_grant_ignores_the_external_pool():
    usage = p.PoolUsage(external=600, general=600)
    assert p.check_grant(TITAN, usage, p.Grant(100)) == []


@pytest.mark.parametrize(("asked", "refused"), [(100, False), (100.5, True)])
def test_general_pool_edges(asked, refused):
    # 2,800 h general pool, 2,700 h granted
    usage = p.PoolUsage(general=2700)
    assert pools(p.check_grant(TITAN, usage, p.Grant(asked))) == ([p.GENERAL] if refused else [])


def test_external_and_general_pools_both_reported():
    usage = p.PoolUsage(external=590, general=2795)
    violations = p.check_grant(TITAN, usage, p.Grant(20, external=True))
    assert pools(violations) == [p.EXTERNAL, p.GENERAL]


def test_others_cannot_take_the_reserved_share_even_when_pilots_used_none():
    usage = p.PoolUsage(general=2800, pilot=0)
    (violation,) = p.check_grant(TITAN, usage, p.Grant(1))
    assert violation.pool == p.GENERAL
    assert violation.remaining == 0


@pytest.mark.parametrize(
    ("pilot_used", "general_used", "asked", "refused"),
    [
        (1100, 0, 100, False),  # within the reserved 1,200 h
        (1100, 0, 2900, False),  # reserved rest 100 h + the whole general pool 2,800 h
        (1100, 0, 2900.5, True),
        (1100, 2000, 900, False),  # reserved rest 100 h + general rest 800 h
        (1100, 2000, 901, True),
    ],
)
def test_pilots_may_use_the_general_pool_too(pilot_used, general_used, asked, refused):
    usage = p.PoolUsage(general=general_used, pilot=pilot_used)
    violations = p.check_grant(TITAN, usage, p.Grant(asked, pilot=True))
    assert pools(violations) == ([p.RESERVED] if refused else [])


def test_pilot_overflow_counts_against_the_general_pool():
    # pilots were granted 1,500 h: 300 h beyond the reserved share came from the general pool
    usage = p.PoolUsage(general=2400, pilot=1500)
    assert p.check_grant(TITAN, usage, p.Grant(100)) == []
    (violation,) = p.check_grant(TITAN, usage, p.Grant(101))
    assert (violation.granted, violation.remaining) == (2700, 100)


def test_external_pilot_grant_is_within_the_external_pool_too():
    usage = p.PoolUsage(external=600)
    violations = p.check_grant(TITAN, usage, p.Grant(10, external=True, pilot=True))
    assert pools(violations) == [p.EXTERNAL]


def test_without_a_reserved_share_pilots_use_the_general_pool():
    policy = p.PoolPolicy(rated_hours=1000)
    usage = p.PoolUsage(general=900, pilot=50)
    assert p.check_grant(policy, usage, p.Grant(50, pilot=True)) == []
    assert pools(p.check_grant(policy, usage, p.Grant(51, pilot=True))) == [p.GENERAL]
    assert pools(p.check_grant(policy, usage, p.Grant(51))) == [p.GENERAL]


@pytest.mark.parametrize("rated", [0, -1])
def test_no_rated_hours_no_pools(rated):
    policy = p.PoolPolicy(rated_hours=rated, external_share=0.15, reserved_share=0.3)
    assert p.pool_status(policy, p.PoolUsage()) == []
    assert p.check_grant(policy, p.PoolUsage(), p.Grant(10_000, external=True)) == []


def test_nothing_asked_is_never_refused():
    assert p.check_grant(TITAN, p.PoolUsage(external=700, general=3000), p.Grant(0, True)) == []


def test_pool_status_for_display():
    usage = p.PoolUsage(external=192, general=1344, pilot=576)
    external, general, reserved = p.pool_status(TITAN, usage)
    assert external == p.PoolFigures(p.EXTERNAL, 0.15, 600, 192, 408)
    assert general == p.PoolFigures(p.GENERAL, 0.7, 2800, 1344, 1456)
    # pilot projects may still be granted the reserved rest (624 h) and the general rest
    assert reserved == p.PoolFigures(p.RESERVED, 0.3, 1200, 576, 624 + 1456)


def test_pool_status_without_external_share_or_reserve():
    (general,) = p.pool_status(p.PoolPolicy(rated_hours=1600), p.PoolUsage(general=100))
    assert general == p.PoolFigures(p.GENERAL, 1, 1600, 100, 1500)
