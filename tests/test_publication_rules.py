"""Pure tests of the outcome rules (seed 000, 附件3, 附件4): high quality, the sanction bounds, the
blacklist after malicious omissions."""

from datetime import date

import pytest

from core_facility.rules import publication as rules

SCI_IF10 = rules.QualityRule("sci", "paper", 12, indexing="sci", min_impact_factor=10.0)
TIER1 = rules.QualityRule("tier1", "paper", 6, max_tier=1)
NATIONAL = rules.QualityRule("award", "award", 12, award_level="national")
KEY = rules.QualityRule("key", "project", 12, project_level="key")
RULES = (SCI_IF10, TIER1, NATIONAL, KEY)


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (rules.Outcome("paper", "sci", 10.0), SCI_IF10),  # exactly at the threshold
        (rules.Outcome("paper", "sci", 9.99), None),
        (rules.Outcome("paper", "core", 15.0), None),  # not SCI
        (rules.Outcome("paper", "core", 0.0, tier=1), TIER1),
        (rules.Outcome("paper", "sci", 3.0, tier=2), None),
        (rules.Outcome("paper", "sci", 3.0, tier=0), None),  # tier unknown
        (rules.Outcome("award", award_level="international"), NATIONAL),
        (rules.Outcome("award", award_level="national"), NATIONAL),
        (rules.Outcome("award", award_level="provincial"), None),
        (rules.Outcome("award"), None),
        (rules.Outcome("project", project_level="key"), KEY),
        (rules.Outcome("project", project_level="normal"), None),
        (rules.Outcome("patent"), None),
        (rules.Outcome("thesis"), None),
    ],
)
def test_quality_rule(outcome, expected):
    assert rules.quality_rule(outcome, RULES) == expected


def test_first_rule_in_order_wins():
    both = rules.Outcome("paper", "sci", 12.0, tier=1)
    assert rules.quality_rule(both, RULES) == SCI_IF10
    assert rules.quality_rule(both, (TIER1, SCI_IF10)) == TIER1


def test_bonus_until_last_day():
    assert rules.bonus_until(date(2025, 3, 15), 12) == date(2026, 3, 14)
    assert rules.bonus_until(date(2025, 1, 31), 1) == date(2025, 2, 27)


@pytest.mark.parametrize(
    ("months", "bounds", "expected"),
    [
        (5, rules.USE_REFUSAL_MONTHS, False),
        (6, rules.USE_REFUSAL_MONTHS, True),
        (24, rules.USE_REFUSAL_MONTHS, True),
        (25, rules.USE_REFUSAL_MONTHS, False),
        (11, rules.SERVICE_REFUSAL_MONTHS, False),
        (12, rules.SERVICE_REFUSAL_MONTHS, True),
        (24, rules.SERVICE_REFUSAL_MONTHS, True),
        (25, rules.SERVICE_REFUSAL_MONTHS, False),
        (None, rules.SERVICE_REFUSAL_MONTHS, False),
    ],
)
def test_sanction_bounds(months, bounds, expected):
    assert rules.months_within(months, bounds) is expected


def test_blacklist_from_the_second_malicious_case():
    assert not rules.blacklists(0)
    assert not rules.blacklists(1)
    assert rules.blacklists(2)
    assert rules.blacklists(3)
