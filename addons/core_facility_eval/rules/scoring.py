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

Decisions (the seeds leave them open; the README repeats them):

- Points are rounded to 2 decimals, half up, in decimal (:func:`round_points`): each
  criterion's points, each section's raw sum and weighted subtotal, the total.
- PER_ITEM counts whole ``per_quantity``: "1分/千元" gives 1 point per *complete* thousand CNY
  (70,000 → 70; 70,999 → 70): a part of a thousand earns nothing, like a part of a project.
- DEDUCTION: ``max_points − figure × points_per_item``, never below 0.
- AVERAGE: the mean of the instruments' points on ``source`` ÷ ``divisor`` (附件2 "÷ 3",
  "÷ 2"); AVERAGE_BAND / TOTAL_BAND: the band of the mean / total of ``figure``. A unit with no
  assessed instrument scores 0 on all of them.
- CASES: ``min(cases, max_points, 5) × points_per_item`` (up to 5 showcase cases, 1 point each).
- HOURS_RATIO: see :func:`hours_ratio_points` (no rated hours → 0; capped at the maximum).
- Exactly the fail threshold passes unless the table says otherwise: see :func:`fail_reasons`.
"""

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import bands as band_rules
from .bands import Band
from .codes import CASES_MAX, Figure, Method


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
    # True: exactly ``fail_below`` fails too (the legal reading of "以下", see fail_reasons)
    fail_at_threshold: bool = False


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


# The methods a unit table uses: they read the unit's instruments, not one instrument's figures.
UNIT_METHODS = frozenset({Method.AVERAGE, Method.AVERAGE_BAND, Method.TOTAL_BAND, Method.CASES})
# The methods that look a value up in the criterion's bands (and so need a figure and bands).
BAND_METHODS = frozenset({Method.BAND, Method.AVERAGE_BAND, Method.TOTAL_BAND})


def round_points(value):
    """``value`` rounded to 2 decimals, half up (2.675 → 2.68, 2.665 → 2.67): the decimal the
    forms print, not the float's binary approximation (``round(2.675, 2)`` gives 2.67)."""
    return float(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _clamp(value, criterion):
    return min(max(value, 0.0), criterion.max_points)


def _number(value):
    return 0.0 if value is None else float(value)


def _whole_units(figure, per_quantity):
    """How many whole ``per_quantity`` the figure holds (70,999 CNY at 1,000 → 70), counted in
    decimal so that 0.3 ÷ 0.1 is 3, not 2.99…."""
    if per_quantity <= 0:
        return 0.0
    return float(math.floor(Decimal(repr(float(figure))) / Decimal(repr(float(per_quantity)))))


def hours_ratio_points(criterion, effective, rated, special):
    """Seed 001 §3.4 machine hours: effective < rated: effective ÷ rated × 86; otherwise
    86 + (effective − rated) ÷ 150 (general purpose) or ÷ 130 (special purpose), capped at the
    criterion's maximum (100: the seed prints 100.0 for 3,800 h over 1,400 rated, 102 by the
    formula). No rated hours (0 or less: not recorded) scores 0 — the formula measures use
    against the rated hours and cannot be applied without them; the form shows the figure so the
    instrument's rated annual hours get recorded."""
    if rated <= 0 or effective <= 0:
        return 0.0
    if effective < rated:
        points = effective / rated * criterion.ratio_points
    else:
        surplus = criterion.surplus_special if special else criterion.surplus_general
        points = criterion.ratio_points + (effective - rated) / surplus
    return _clamp(points, criterion)


def _instrument_points(criterion, figures):
    """``(figure read, points)`` of one criterion for one instrument's ``figures``."""
    method = criterion.method
    if method == Method.MANUAL:
        value = _number(figures.get(criterion.code))
        return value, _clamp(value, criterion)
    value = _number(figures.get(criterion.figure)) if criterion.figure else 0.0
    if method == Method.BAND:
        return value, band_rules.score(value, criterion.bands)
    if method == Method.PER_ITEM:
        items = _whole_units(value, criterion.per_quantity)
        return value, _clamp(items * criterion.points_per_item, criterion)
    if method == Method.DEDUCTION:
        return value, _clamp(criterion.max_points - value * criterion.points_per_item, criterion)
    if method == Method.HOURS_RATIO:
        value = _number(figures.get(criterion.figure or Figure.HOURS))
        rated = _number(figures.get(Figure.RATED_HOURS))
        special = bool(_number(figures.get(Figure.SPECIAL_PURPOSE)))
        return value, hours_ratio_points(criterion, value, rated, special)
    raise ValueError(f"criterion {criterion.code}: {method} scores a unit, not an instrument")


def _unit_points(criterion, instruments, cases):
    """``(figure read, points)`` of one unit criterion over its assessed instruments."""
    method = criterion.method
    if method == Method.CASES:
        count = _number(cases.get(criterion.case_section))
        count = min(count, criterion.max_points, CASES_MAX)
        return count, _clamp(count * criterion.points_per_item, criterion)
    if method == Method.MANUAL:
        value = _number(cases.get(criterion.code))
        return value, _clamp(value, criterion)
    if not instruments:  # a unit with no assessed instrument scores nothing on its averages
        return 0.0, 0.0
    if method == Method.AVERAGE:
        values = [_number(points.get(criterion.source)) for _figures, points in instruments]
        mean = sum(values) / len(values)
        divisor = criterion.divisor or 1.0
        return mean, _clamp(mean / divisor, criterion)
    if method in (Method.AVERAGE_BAND, Method.TOTAL_BAND):
        values = [_number(figures.get(criterion.figure)) for figures, _points in instruments]
        value = sum(values)
        if method == Method.AVERAGE_BAND:
            value /= len(values)
        return value, band_rules.score(value, criterion.bands)
    raise ValueError(f"criterion {criterion.code}: {method} scores an instrument, not a unit")


def _result(table, read):
    """The :class:`Result` of ``table`` with ``read(criterion)`` → ``(figure, points)``:
    points rounded, section subtotals capped and weighted, the total."""
    result = Result()
    raw = {}
    for criterion in table.criteria:
        value, points = read(criterion)
        result.figures[criterion.code] = round_points(value) if value is not None else None
        result.points[criterion.code] = round_points(points)
        raw[criterion.section] = raw.get(criterion.section, 0.0) + result.points[criterion.code]
    sections = {section.code: section for section in table.sections}
    order = [*sections, *(code for code in raw if code not in sections)]
    for code in order:
        section = sections.get(code) or Section(code)
        total = round_points(raw.get(code, 0.0))
        subtotal = total if section.cap is None else min(total, float(section.cap))
        weighted = round_points(subtotal * section.weight / 100.0)
        result.sections[code] = SectionResult(total, subtotal, weighted)
    result.total = round_points(sum(s.weighted for s in result.sections.values()))
    return result


def score_instrument(table, figures):
    """Score one instrument: ``figures`` maps :class:`codes.Figure` values to numbers (a
    missing figure reads 0; MANUAL criteria read ``figures[criterion.code]``)."""
    return _result(table, lambda criterion: _instrument_points(criterion, figures))


def score_unit(table, instruments, cases):
    """Score one unit from its assessed instruments: ``instruments`` is a list of ``(figures,
    points)`` pairs (figures as for :func:`score_instrument`, points by instrument criterion
    code, in the column being scored); ``cases`` maps a case section to its number of cases.
    MANUAL unit criteria read ``cases`` too (by criterion code); none is 0."""
    instruments = list(instruments)
    cases = cases or {}
    return _result(table, lambda criterion: _unit_points(criterion, instruments, cases))


def fail_reasons(table, total, hours=None):
    """``[]`` or the reasons (``"points"``, ``"hours"``) ``total`` (and ``hours``) fail.

    Points: seed 002 第四条 says "得分70分以下" (unit) and "60分以下" (instrument), domain.md
    writes "< 70" / "< 60": exactly 70 (60) points passes by default. In Chinese legal usage
    "以下" includes the number itself (民法典 第1259条: "以上、以下、以内、届满，包括本数"), so a
    table may set ``fail_at_threshold`` (the scheme's "Fails at the Threshold") to fail exactly
    60 (70) too. Hours: "低于800小时" is strict either way — 800 h passes, 799 h fails."""
    reasons = []
    if table.fail_below is not None and (
        total < table.fail_below or (table.fail_at_threshold and total == table.fail_below)
    ):
        reasons.append("points")
    if hours is not None and table.hours_fail_below is not None and hours < table.hours_fail_below:
        reasons.append("hours")
    return reasons


def table_problems(table):
    """``[(criterion code, bands.Problem)]``: every gap and overlap of the band-scored criteria
    of ``table`` over the scale [0, ∞) (figures are never negative), in the table's order. An
    empty list: every value of every figure has exactly one band."""
    return [
        (criterion.code, problem)
        for criterion in table.criteria
        if criterion.method in BAND_METHODS
        for problem in band_rules.validate(criterion.bands, floor=0.0)
    ]
