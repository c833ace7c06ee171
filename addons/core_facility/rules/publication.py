"""Outcomes that used the facility (papers, patents, awards, projects, theses; seed 000, 附件3
and 附件4): which are of high quality (they earn the group a booking-priority bonus), the bounds of
the sanctions for a missing acknowledgement, and when malicious cases blacklist a group. Nothing
here imports Odoo.
"""

from dataclasses import dataclass
from enum import StrEnum

from dateutil.relativedelta import relativedelta


class OutcomeKind(StrEnum):
    PAPER = "paper"
    PATENT = "patent"
    AWARD = "award"
    PROJECT = "project"
    THESIS = "thesis"


# Outcomes that carry an acknowledgement (论文、著作: 附件3); patents, awards and projects do not.
ACKNOWLEDGED_KINDS = (OutcomeKind.PAPER, OutcomeKind.THESIS)


class AcknowledgementState(StrEnum):
    NOT_CHECKED = "not_checked"
    FOUND = "found"
    MISSING = "missing"


class PublicationState(StrEnum):
    REGISTERED = "registered"  # registered by the group, not yet decided by staff
    ACCEPTED = "accepted"  # staff accepted it (acknowledgement found, or none needed)
    MISSING_RECORDED = "missing_recorded"  # staff recorded the missing acknowledgement


class Indexing(StrEnum):
    SCI = "sci"
    CORE = "core"  # 核心期刊
    OTHER = "other"


class AwardLevel(StrEnum):
    INTERNATIONAL = "international"
    NATIONAL = "national"
    PROVINCIAL = "provincial"  # provincial / ministerial (省部级)
    OTHER = "other"


# Award levels from the highest: a rule's level admits that level and every higher one.
AWARD_RANK = {
    AwardLevel.INTERNATIONAL: 1,
    AwardLevel.NATIONAL: 2,
    AwardLevel.PROVINCIAL: 3,
    AwardLevel.OTHER: 4,
}


class ProjectLevel(StrEnum):
    KEY = "key"
    NORMAL = "normal"


class RefusalScope(StrEnum):
    GROUP = "group"
    UNIT = "unit"


# 附件3 五: instrument use refused for half a year to two years; 附件4: technical-service
# applications refused for one to two years.
USE_REFUSAL_MONTHS = (6, 24)
SERVICE_REFUSAL_MONTHS = (12, 24)
# 附件3 五: two or more malicious omissions put the group on the blacklist.
MALICIOUS_CASES_TO_BLACKLIST = 2


@dataclass(frozen=True)
class Outcome:
    """The facts of an outcome the quality rules look at."""

    kind: str
    indexing: str = None
    impact_factor: float = 0.0
    tier: int = 0  # journal tier (分区): 1 is the best; 0 unknown
    award_level: str = None
    project_level: str = None


@dataclass(frozen=True)
class QualityRule:
    """A rule of high quality: an outcome of ``kind`` meeting every condition set (an unset
    condition is no condition) earns its group a bonus of ``bonus_months``."""

    key: object
    kind: str
    bonus_months: int
    indexing: str = None
    min_impact_factor: float = 0.0
    max_tier: int = 0
    award_level: str = None  # this level or higher
    project_level: str = None


def rule_admits(rule, outcome):
    """Whether ``outcome`` meets every condition of ``rule``."""
    if outcome.kind != rule.kind:
        return False
    if rule.indexing and outcome.indexing != rule.indexing:
        return False
    if rule.min_impact_factor and (outcome.impact_factor or 0.0) < rule.min_impact_factor:
        return False
    if rule.max_tier and not (outcome.tier and outcome.tier <= rule.max_tier):
        return False
    if rule.award_level:
        rank = AWARD_RANK.get(outcome.award_level)
        if rank is None or rank > AWARD_RANK[rule.award_level]:
            return False
    return not (rule.project_level and outcome.project_level != rule.project_level)


def quality_rule(outcome, rules):
    """The first of ``rules`` (in their order) that ``outcome`` meets, or ``None``."""
    return next((rule for rule in rules if rule_admits(rule, outcome)), None)


def bonus_until(decided_on, months):
    """The last day of a bonus of ``months`` granted on ``decided_on`` (a date)."""
    return decided_on + relativedelta(months=months, days=-1)


def months_within(months, bounds):
    """Whether a sanction of ``months`` lies within ``bounds`` (lowest, highest), both
    included."""
    low, high = bounds
    return months is not None and low <= months <= high


def blacklists(malicious_cases):
    """Whether a group with ``malicious_cases`` recorded malicious omissions is blacklisted."""
    return malicious_cases >= MALICIOUS_CASES_TO_BLACKLIST
