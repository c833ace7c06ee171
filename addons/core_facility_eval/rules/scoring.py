"""Scoring of the evaluation tables (seed 002 附件3 per instrument, 附件2 per unit; seed 001 §3.4
benefit evaluation), over plain values: a :class:`Table` built from the scoring-table records and
the figures of one instrument (or the figures and points of a unit's instruments). No Odoo import.

The contract (the ORM layer and the early warning call these):

- :func:`score_instrument` (附件3 and the benefit table): points per criterion code, the section
  subtotals (capped, weighted), the total.
- :func:`score_unit` (附件2): the unit's figures (averages, totals) and points per criterion code
  from its assessed instruments' figures and points (one column at a time: computed, the unit's,
  the school's) and its showcase cases per section.
- :func:`fail_reasons`: why a total (and annual hours) fails the table's rules; empty: passes.
"""

from dataclasses import dataclass, field

from .bands import Band


@dataclass(frozen=True)
class Criterion:
    """One line of a table (考核内容) as the records say."""

    code: str
    section: str  # code of its section
    method: str  # codes.Method
    max_points: float
    figure: str | None = None  # codes.Figure the criterion reads
    bands: tuple[Band, ...] = ()
    points_per_item: float = 1.0
    per_quantity: float = 1.0  # e.g. 1,000 CNY for "1分/千元"
    divisor: float = 1.0  # 附件2 "÷ 3", "÷ 2"
    source: str | None = None  # unit AVERAGE: the instrument criterion code averaged
    case_section: str | None = None  # unit CASES: codes.CaseSection
    # HOURS_RATIO (seed 001): effective < rated: effective ÷ rated × ratio_points; otherwise
    # ratio_points + (effective − rated) ÷ surplus_general (or ÷ surplus_special)
    ratio_points: float = 86.0
    surplus_general: float = 150.0
    surplus_special: float = 130.0


@dataclass(frozen=True)
class Section:
    """A 考核大项: its weight (% of the total; benefit table) and the cap of its subtotal."""

    code: str
    weight: float = 100.0  # the weighted subtotal is subtotal × weight ÷ 100
    cap: float | None = None  # subtotal capped (seed 001: 100); None: no cap


@dataclass(frozen=True)
class Table:
    level: str  # codes.SchemeLevel
    criteria: tuple[Criterion, ...]
    sections: tuple[Section, ...] = ()
    fail_below: float | None = None  # total strictly below fails (exactly this passes)
    hours_fail_below: float | None = None  # annual hours strictly below fail (instrument table)


@dataclass(frozen=True)
class SectionResult:
    raw: float  # sum of its criteria's points
    subtotal: float  # raw capped at the section's cap
    weighted: float  # subtotal × weight ÷ 100 (equal to subtotal when weight is 100)


@dataclass
class Result:
    points: dict[str, float] = field(default_factory=dict)  # criterion code → points
    figures: dict[str, float | None] = field(default_factory=dict)  # criterion code → value read
    sections: dict[str, SectionResult] = field(default_factory=dict)
    total: float = 0.0


def score_instrument(table, figures):
    """Score one instrument: ``figures`` maps :class:`codes.Figure` values to numbers (a
    missing figure reads 0; MANUAL criteria read ``figures[criterion.code]``)."""
    raise NotImplementedError


def score_unit(table, instruments, cases):
    """Score one unit from its assessed instruments: ``instruments`` is a list of ``(figures,
    points)`` pairs (figures as for :func:`score_instrument`, points by instrument criterion
    code, in the column being scored); ``cases`` maps a case section to its number of cases.
    MANUAL unit criteria read ``cases`` too (by criterion code); none is 0."""
    raise NotImplementedError


def fail_reasons(table, total, hours=None):
    """``[]`` or the reasons (``"points"``, ``"hours"``) ``total`` (and ``hours``) fail."""
    raise NotImplementedError
