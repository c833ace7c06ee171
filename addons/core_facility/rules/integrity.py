"""The integrity (诚信) ledger of seed 000 附件4: pure functions, no Odoo import.

Every research group starts a year with ``start`` points (50 in the seed, 满分50分，每一年度为一
周期); every counted violation deducts its class's points (每人次减1/3/10/25分). At the year's end
the remaining points and the violations give the grade 优/良/中/差 through thresholds an
administrator edits (data); these functions only apply them.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from .codes import IntegrityGrade, ViolationTrack

# Used when no threshold matches (below the lowest one).
LOWEST_GRADE = IntegrityGrade.POOR


@dataclass(frozen=True)
class Threshold:
    """A grade reached with at least ``min_points`` remaining and, when ``no_serious``, no
    serious violation in the year. Thresholds are tried from the best grade down."""

    grade: str
    min_points: int
    no_serious: bool = False


@dataclass(frozen=True)
class Ledger:
    """A group's year: what remains, how many violations counted, how many were serious."""

    start: int
    deducted: int
    count: int
    serious: int

    @property
    def remaining(self):
        return self.start - self.deducted


def remaining_points(start, deductions):
    """Points left of ``start`` after the counted ``deductions`` (may go below zero)."""
    return start - sum(deductions)


def ledger(start, violations):
    """The :class:`Ledger` of ``violations``: pairs ``(points, track)`` of the counted ones."""
    violations = list(violations)
    return Ledger(
        start=start,
        deducted=sum(points for points, _track in violations),
        count=len(violations),
        serious=sum(1 for _points, track in violations if track == ViolationTrack.SERIOUS),
    )


def grade(remaining, serious_count, thresholds):
    """The grade of a year with ``remaining`` points and ``serious_count`` serious violations:
    the first of ``thresholds`` (best first: highest ``min_points`` first) that is met, else the
    lowest grade."""
    for threshold in sorted(thresholds, key=lambda t: -t.min_points):
        if remaining < threshold.min_points:
            continue
        if threshold.no_serious and serious_count:
            continue
        return threshold.grade
    return LOWEST_GRADE


def year_of(utc_moment, tz_name):
    """The calendar year of a naive UTC ``utc_moment`` in the zone ``tz_name`` (the facility's):
    a violation at 2025-12-31 17:00 UTC is in 2026 in Shanghai."""
    zone = ZoneInfo(tz_name or "Asia/Shanghai")
    return utc_moment.replace(tzinfo=UTC).astimezone(zone).year


def year_bounds(year, tz_name):
    """The first moment of ``year`` and of the next one in ``tz_name``, as naive UTC."""
    zone = ZoneInfo(tz_name or "Asia/Shanghai")

    def start(y):
        return datetime(y, 1, 1, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)

    return start(year), start(year + 1)
