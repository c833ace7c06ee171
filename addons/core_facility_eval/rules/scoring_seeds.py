"""The three shipped scoring tables as the seeds write them, with the defaults that resolve what
they leave open: seed 002 附件3 (per instrument), 附件2 (per unit), seed 001 §3.4 (benefit).

``data/facility_eval_scheme_data.xml`` ships these tables as records (an administrator edits
them there); the Odoo tests check that the records give exactly :func:`table` of these, and the
pytest tests score every band of them at both edges. No Odoo import.

How the open edges are resolved (the seeds write "1400 < 机时 < 1600": exactly 1,400 h is in no
band): **the lower edge of the band above is closed** — an edge value scores the band above it,
so 800 h → 22 and 1,400 h → 28. A band built that way says so (``by_default``: the seed writes
its lower edge open). Edges the seed fixes are kept as written: 附件3 "机时 ≥ 1600" and
"培训时间 ≥ 20", the "≤" of 附件3 8.1 ("240 ≤ 机时 < 320") and 8.2 ("5万 ≤ 收费金额 < 10万"),
"机时 = 0" as the single point [0, 0]. The unit table's top bands ("机时 > 1600", "> 320",
"> 60万") and 附件3's "> 320" and "> 10万" are open below in the seed and closed by the same
default: 1,600 h → 15 in the unit table, 320 h → 15, 100,000 CNY → 5 in the instrument table.

附件3 8.2 has no band from 20,000 to 30,000 CNY (it jumps from "1万 ≤ 收费金额 < 2万: 2" to
"3万 ≤ 收费金额 < 5万: 3"): the default ``[20000, 30000) → 2`` is assumed (``assumed``) — the
band between the 2-point and the 3-point bands, scored like the lower one so that an instrument
earns the 3 points only where the seed grants them.

:func:`table` with ``as_written=True`` drops the assumed band and opens every defaulted edge
again: validating it lists exactly what the seed leaves unassigned.
"""

from dataclasses import dataclass

from .bands import Band
from .codes import CaseSection, Figure, Method, SchemeLevel
from .scoring import Criterion, Section, Table

INF = None  # an unbounded side


@dataclass(frozen=True)
class SeedBand:
    """A band with the seed's own condition and how its edges were resolved."""

    low: float | None
    high: float | None
    points: float
    text: str  # the seed's condition, e.g. "1400 < 机时 < 1600"
    low_closed: bool = True
    high_closed: bool = False
    by_default: bool = False  # the seed writes the lower edge open; the default closes it
    assumed: bool = False  # the band is not in the seed at all (附件3 8.2: 20k–30k)

    def band(self, as_written=False):
        low_closed = self.low_closed and not (as_written and self.by_default)
        return Band(self.low, self.high, self.points, low_closed, self.high_closed)


def fixed(low, high, points, text, low_closed=True, high_closed=False):
    """A band whose edges the seed fixes (≥, ≤, =)."""
    return SeedBand(low, high, points, text, low_closed, high_closed)


def open_low(low, high, points, text):
    """A band the seed writes "low < x < high" (or "x > low"): the default closes ``low``."""
    return SeedBand(low, high, points, text, by_default=True)


def strict(low, high, points, text):
    """ "low < x < high" where ``low`` is the single point of its own band (0 < x; x = 0)."""
    return SeedBand(low, high, points, text, low_closed=False)


def zero(text):
    return SeedBand(0, 0, 0, text, True, True)


@dataclass(frozen=True)
class SeedCriterion:
    code: str
    section: str
    name: str
    rule_text: str
    method: str
    max_points: float
    figure: str | None = None
    bands: tuple = ()
    points_per_item: float = 1.0
    per_quantity: float = 1.0
    divisor: float = 1.0
    source: str | None = None
    case_section: str | None = None
    note: str = ""


@dataclass(frozen=True)
class SeedSection:
    code: str
    name: str
    weight: float = 100.0
    cap: float | None = None


@dataclass(frozen=True)
class SeedTable:
    xmlid: str
    code: str
    level: str
    sections: tuple
    criteria: tuple
    fail_below: float | None = None
    hours_fail_below: float | None = None


def table(seed, as_written=False):
    """The :class:`scoring.Table` of ``seed``: the shipped defaults, or (``as_written``) the
    bands as the seed writes them (defaulted edges open, the assumed band left out)."""
    criteria = tuple(
        Criterion(
            code=c.code,
            section=c.section,
            method=c.method,
            max_points=c.max_points,
            figure=c.figure,
            bands=tuple(b.band(as_written) for b in c.bands if not (as_written and b.assumed)),
            points_per_item=c.points_per_item,
            per_quantity=c.per_quantity,
            divisor=c.divisor,
            source=c.source,
            case_section=c.case_section,
        )
        for c in seed.criteria
    )
    sections = tuple(Section(s.code, s.weight, s.cap) for s in seed.sections)
    return Table(
        level=seed.level,
        criteria=criteria,
        sections=sections,
        fail_below=seed.fail_below,
        hours_fail_below=seed.hours_fail_below,
    )


# -- 附件3: per instrument, 100 points -----------------------------------------------------------

RULES_BANDS = (
    fixed(0, 1, 0, "二级单位没有制定相关制度"),
    fixed(1, 2, 3, "二级单位制定了相关制度，机组没有落实制度"),
    fixed(2, INF, 5, "二级单位制定了相关制度，机组认真落实制度"),
)
FEE_STANDARD_BANDS = (
    fixed(0, 1, 0, "设备没有制定收费标准"),
    fixed(1, INF, 5, "设备制定了收费标准"),
)
TRAINING_BANDS = (
    fixed(20, INF, 5, "培训时间 ≥ 20 小时"),
    open_low(10, 20, 4, "10 小时 < 培训时间 < 20 小时"),
    open_low(5, 10, 3, "5 小时 < 培训时间 < 10 小时"),
    open_low(2, 5, 2, "2 小时 < 培训时间 < 5 小时"),
    open_low(1, 2, 1, "1 小时 < 培训时间 < 2 小时"),
    fixed(INF, 1, 0, "培训时间 < 1 小时"),
)
HOURS_BANDS = (
    fixed(1600, INF, 30, "机时 ≥ 1600"),
    open_low(1400, 1600, 28, "1400 < 机时 < 1600"),
    open_low(1200, 1400, 26, "1200 < 机时 < 1400"),
    open_low(1000, 1200, 24, "1000 < 机时 < 1200"),
    open_low(800, 1000, 22, "800 < 机时 < 1000"),
    open_low(600, 800, 8, "600 < 机时 < 800"),
    open_low(400, 600, 6, "400 < 机时 < 600"),
    open_low(200, 400, 4, "200 < 机时 < 400"),
    strict(0, 200, 2, "0 < 机时 < 200"),
    zero("机时 = 0"),
)
EXTERNAL_HOURS_BANDS = (
    open_low(320, INF, 15, "机时 > 320"),
    fixed(240, 320, 12, "240 ≤ 机时 < 320"),
    fixed(160, 240, 9, "160 ≤ 机时 < 240"),
    fixed(80, 160, 6, "80 ≤ 机时 < 160"),
    strict(0, 80, 3, "0 < 机时 < 80"),
    zero("机时 = 0"),
)
FEES_BANDS = (
    open_low(100_000, INF, 5, "收费金额 > 10万"),
    fixed(50_000, 100_000, 4, "5万 ≤ 收费金额 < 10万"),
    fixed(30_000, 50_000, 3, "3万 ≤ 收费金额 < 5万"),
    SeedBand(20_000, 30_000, 2, "（表中缺）2万 ≤ 收费金额 < 3万", by_default=True, assumed=True),
    fixed(10_000, 20_000, 2, "1万 ≤ 收费金额 < 2万"),
    strict(0, 10_000, 1, "0万 < 收费金额 < 1万"),
    zero("设备共享收费 0万"),
)

INSTRUMENT = SeedTable(
    xmlid="eval_scheme_instrument",
    code="instrument_annex3",
    level=SchemeLevel.INSTRUMENT,
    fail_below=60.0,
    hours_fail_below=800.0,
    sections=(
        SeedSection("rules", "1. Rules Implemented (5%)"),
        SeedSection("daily", "2. Daily Management (5%)"),
        SeedSection("fee_standard", "3. Fee Standard (5%)"),
        SeedSection("training", "4. Operating Skills Training (5%)"),
        SeedSection("outcomes", "5. Outcomes Supported (10%)"),
        SeedSection("platform", "6. Use of the University's Sharing Platform (10%)"),
        SeedSection("usage", "7. Utilisation (40%)"),
        SeedSection("sharing", "8. Sharing Results (20%)"),
    ),
    criteria=(
        SeedCriterion(
            "rules",
            "rules",
            "Rules for routine management, usage records, operator training and service quality",
            "1. The unit made the rules and the instrument's team applies them: 5 points; "
            "2. the unit made the rules, the team does not apply them: 3 points; "
            "3. the unit made no rules: 0 points.",
            Method.BAND,
            5,
            Figure.RULES_LEVEL,
            RULES_BANDS,
            note="Provide written material.",
        ),
        SeedCriterion(
            "daily",
            "daily",
            "Daily management of the instrument",
            "A person in charge, a usage ledger, an operating procedure, safety rules and a "
            "correct fixed-asset tag: 1 point off for each one missing.",
            Method.DEDUCTION,
            5,
            Figure.DAILY_MISSING,
            note="Provide written material.",
        ),
        SeedCriterion(
            "fee_standard",
            "fee_standard",
            "Fee standard of the instrument",
            "1. The instrument has a fee standard: 5 points; 2. it has none: 0 points.",
            Method.BAND,
            5,
            Figure.FEE_STANDARD,
            FEE_STANDARD_BANDS,
            note="According to the fee standards the university has approved.",
        ),
        SeedCriterion(
            "training",
            "training",
            "Operating skills training given by the instrument's staff, inside and outside the "
            "university",
            "Training hours ≥ 20: 5 points; 10–20: 4; 5–10: 3; 2–5: 2; 1–2: 1; under 1: 0.",
            Method.BAND,
            5,
            Figure.TRAINING_HOURS,
            TRAINING_BANDS,
            note="Provide the trainees' signed records.",
        ),
        SeedCriterion(
            "outcomes",
            "outcomes",
            "Outcomes the instrument directly supported: (1) research projects, (2) papers, "
            "(3) provincial or higher awards, (4) patents",
            "1 point for each item of (1)–(4), 10 points at most.",
            Method.PER_ITEM,
            10,
            Figure.OUTCOMES,
            note="Provide a copy of each item (the main pages suffice).",
        ),
        SeedCriterion(
            "platform",
            "platform",
            "Use of the university's instrument sharing platform",
            "1. Hours, training and maintenance recorded on the platform, complete and "
            "correct: 10 points; 2. recorded but incomplete or irregular: 2–5 points off; "
            "3. not recorded on the platform: 0 points.",
            Method.DEDUCTION,
            10,
            Figure.PLATFORM_DEDUCTION,
        ),
        SeedCriterion(
            "ledger",
            "usage",
            "7.1 Usage ledger",
            "1. Not the university's usage ledger and less information than it asks: 2 points "
            "off; 2. cover without unit, name, asset number, manager or location: 1 point off; "
            "3. entries without date, duration, unit or user: 1–3 points off; 4. external "
            "services without the client: 1–2 points off; 5. no usage ledger: 0 points.",
            Method.DEDUCTION,
            10,
            Figure.LEDGER_DEDUCTION,
            note="Provide the usage ledger (printed from the computer where kept there).",
        ),
        SeedCriterion(
            "hours",
            "usage",
            "7.2 Annual machine hours (h)",
            "Hours ≥ 1600: 30 points; 1400–1600: 28; 1200–1400: 26; 1000–1200: 24; "
            "800–1000: 22; 600–800: 8; 400–600: 6; 200–400: 4; 0–200: 2; 0: 0.",
            Method.BAND,
            30,
            Figure.HOURS,
            HOURS_BANDS,
            note="Newly bought this year: put on the books after 30 Sep, not assessed; on or "
            "before 30 Sep, hours logged × (12 ÷ full months since the books were opened).",
        ),
        SeedCriterion(
            "external_hours",
            "sharing",
            "8.1 Annual external service hours (h)",
            "Hours > 320: 15 points; 240–320: 12; 160–240: 9; 80–160: 6; 0–80: 3; 0: 0.",
            Method.BAND,
            15,
            Figure.EXTERNAL_HOURS,
            EXTERNAL_HOURS_BANDS,
            note="Hours served to users outside the university; a new instrument as in 7.2.",
        ),
        SeedCriterion(
            "fees",
            "sharing",
            "8.2 Shared fees charged (CNY)",
            "Fees > 100,000: 5 points; 50,000–100,000: 4; 30,000–50,000: 3; 10,000–20,000: 2; "
            "0–10,000: 1; none: 0.",
            Method.BAND,
            5,
            Figure.FEES,
            FEES_BANDS,
            note="Provide the fee records of the shared services (internal and external users).",
        ),
    ),
)

# -- 附件2: per unit, 100 points -----------------------------------------------------------------

UNIT_HOURS_BANDS = (
    open_low(1600, INF, 15, "机时 > 1600"),
    open_low(1400, 1600, 14, "1400 < 机时 < 1600"),
    open_low(1200, 1400, 13, "1200 < 机时 < 1400"),
    open_low(1000, 1200, 12, "1000 < 机时 < 1200"),
    open_low(800, 1000, 11, "800 < 机时 < 1000"),
    open_low(600, 800, 4, "600 < 机时 < 800"),
    open_low(400, 600, 3, "400 < 机时 < 600"),
    open_low(200, 400, 2, "200 < 机时 < 400"),
    strict(0, 200, 1, "0 < 机时 < 200"),
    zero("机时 = 0"),
)
UNIT_EXTERNAL_HOURS_BANDS = (
    open_low(320, INF, 5, "机时 > 320"),
    open_low(240, 320, 4, "240 < 机时 < 320"),
    open_low(160, 240, 3, "160 < 机时 < 240"),
    open_low(80, 160, 2, "80 < 机时 < 160"),
    strict(0, 80, 1, "0 < 机时 < 80"),
    zero("机时 = 0"),
)
UNIT_FEES_BANDS = (
    open_low(600_000, INF, 2.5, "收费金额 > 60万"),
    open_low(400_000, 600_000, 2, "40万 < 收费金额 < 60万"),
    open_low(200_000, 400_000, 1.5, "20万 < 收费金额 < 40万"),
    open_low(10_000, 200_000, 1, "1万 < 收费金额 < 20万"),
    strict(0, 10_000, 0.5, "0万 < 收费金额 < 1万"),
    zero("收费金额 0万"),
)


AVERAGED = {
    "rules": "rules-implemented",
    "daily": "daily-management",
    "fee_standard": "fee-standard",
    "training": "operating-skills-training",
    "outcomes": "outcomes",
    "platform": "sharing-platform",
    "ledger": "usage-ledger",
}


def _average(code, section, name, max_points, source=None, divisor=1.0, rule_text=None):
    return SeedCriterion(
        code,
        section,
        name,
        rule_text
        or f"The average of the {AVERAGED[code]} points of all the unit's assessed instruments.",
        Method.AVERAGE,
        max_points,
        source=source or code,
        divisor=divisor,
    )


UNIT = SeedTable(
    xmlid="eval_scheme_unit",
    code="unit_annex2",
    level=SchemeLevel.UNIT,
    fail_below=70.0,
    sections=(
        SeedSection("rules", "1. Rules and Their Implementation (5%)"),
        SeedSection("daily", "2. Daily Management (5%)"),
        SeedSection("fee_standard", "3. Fee Standards (5%)"),
        SeedSection("training", "4. Operating Skills Training (5%)"),
        SeedSection("outcomes", "5. Outcomes the Instruments Supported (10%)"),
        SeedSection("platform", "6. Use of the University's Sharing Platform (10%)"),
        SeedSection("usage", "7. Utilisation (40%)"),
        SeedSection("sharing", "8. Sharing Results (20%)"),
    ),
    criteria=(
        _average(
            "rules",
            "rules",
            "Supplementary rules the unit made in time after the national and university "
            "documents (routine management, usage records and reporting, operator training, "
            "service quality…)",
            5,
        ),
        _average("daily", "daily", "Daily management of the unit's instruments", 5),
        _average("fee_standard", "fee_standard", "Fee standards of the unit's instruments", 5),
        _average("training", "training", "Operating skills training of the unit's instruments", 5),
        _average(
            "outcomes",
            "outcomes",
            "Outcomes the unit's instruments supported: (1) research projects, (2) papers, "
            "(3) provincial or higher awards, (4) patents",
            10,
        ),
        _average(
            "platform",
            "platform",
            "Use of the university's instrument sharing platform by the unit",
            10,
        ),
        _average("ledger", "usage", "7.1 Usage ledgers", 10),
        _average(
            "hours_score",
            "usage",
            "7.2 Weighted average score of annual hours",
            10,
            source="hours",
            divisor=3.0,
            rule_text="The average of the annual-hours points of all the unit's assessed "
            "instruments ÷ 3.",
        ),
        SeedCriterion(
            "hours_average",
            "usage",
            "7.3 Average annual hours of all the unit's assessed instruments (h)",
            "Hours > 1600: 15 points; 1400–1600: 14; 1200–1400: 13; 1000–1200: 12; "
            "800–1000: 11; 600–800: 4; 400–600: 3; 200–400: 2; 0–200: 1; 0: 0.",
            Method.AVERAGE_BAND,
            15,
            Figure.HOURS,
            UNIT_HOURS_BANDS,
        ),
        SeedCriterion(
            "cases_usage",
            "usage",
            "7.4 How the unit's large instruments support its own work",
            "Up to 5 showcase cases (major national research tasks, representative results "
            "and international impact, contribution to the economy and society, civil-military "
            "integration, instruments developed or upgraded), 1 point each.",
            Method.CASES,
            5,
            case_section=CaseSection.USAGE,
        ),
        _average(
            "external_score",
            "sharing",
            "8.1 Weighted average score of external service hours",
            5,
            source="external_hours",
            divisor=3.0,
            rule_text="The average of the external-service-hours points of all the unit's "
            "assessed instruments ÷ 3.",
        ),
        SeedCriterion(
            "external_average",
            "sharing",
            "8.2 Average annual external service hours of all the unit's assessed instruments (h)",
            "Hours > 320: 5 points; 240–320: 4; 160–240: 3; 80–160: 2; 0–80: 1; 0: 0.",
            Method.AVERAGE_BAND,
            5,
            Figure.EXTERNAL_HOURS,
            UNIT_EXTERNAL_HOURS_BANDS,
        ),
        _average(
            "fees_score",
            "sharing",
            "8.3 Average score of shared fees",
            2.5,
            source="fees",
            divisor=2.0,
            rule_text="The average of the shared-fees points of all the unit's assessed "
            "instruments ÷ 2.",
        ),
        SeedCriterion(
            "fees_total",
            "sharing",
            "8.4 Total shared fees of all the unit's assessed instruments (CNY)",
            "Fees > 600,000: 2.5 points; 400,000–600,000: 2; 200,000–400,000: 1.5; "
            "10,000–200,000: 1; 0–10,000: 0.5; none: 0.",
            Method.TOTAL_BAND,
            2.5,
            Figure.FEES,
            UNIT_FEES_BANDS,
        ),
        SeedCriterion(
            "cases_sharing",
            "sharing",
            "8.5 Shared services of the unit's large instruments to users outside the unit",
            "Up to 5 showcase cases (regional innovation, international cooperation, sharing "
            "of scientific data, science communication and popularisation), 1 point each.",
            Method.CASES,
            5,
            case_section=CaseSection.SHARING,
        ),
    ),
)

# -- seed 001 §3.4: the benefit evaluation, weighted subtotals capped at 100 ----------------------


def _per_item(code, section, name, rule_text, points, per_quantity=1.0, figure=None):
    return SeedCriterion(
        code,
        section,
        name,
        rule_text,
        Method.PER_ITEM,
        100,
        figure or code,
        points_per_item=points,
        per_quantity=per_quantity,
    )


BENEFIT = SeedTable(
    xmlid="eval_scheme_benefit",
    code="benefit_seed001",
    level=SchemeLevel.BENEFIT,
    sections=(
        SeedSection("hours", "Machine Hours (35%)", 35, 100),
        SeedSection("public_service", "Public Service (30%)", 30, 100),
        SeedSection("outcomes", "Users' Outcomes (15%)", 15, 100),
        SeedSection("training", "Technical Training (20%)", 20, 100),
    ),
    criteria=(
        SeedCriterion(
            "machine_hours",
            "hours",
            "Effective machine hours",
            "Effective hours < rated hours: effective ÷ rated × 86; effective ≥ rated: "
            "general purpose 86 + (effective − rated) ÷ 150, special purpose "
            "86 + (effective − rated) ÷ 130. Under 150 effective hours: explain in writing.",
            Method.HOURS_RATIO,
            100,
            Figure.HOURS,
        ),
        _per_item(
            "normal_projects",
            "public_service",
            "Normal research projects supported",
            "1 point per project",
            1,
        ),
        _per_item(
            "key_projects",
            "public_service",
            "Key research projects supported",
            "2 points per project",
            2,
        ),
        _per_item(
            "departments", "public_service", "Departments supported", "2 points per department", 2
        ),
        _per_item(
            "researchers", "public_service", "Researchers supported", "1 point per researcher", 1
        ),
        _per_item(
            "external_fees",
            "public_service",
            "Fees for external testing (CNY)",
            "1 point per thousand CNY",
            1,
            per_quantity=1000,
        ),
        _per_item(
            "national_awards",
            "outcomes",
            "International and national awards",
            "80 points per award",
            80,
        ),
        _per_item(
            "provincial_awards",
            "outcomes",
            "Provincial and ministerial awards",
            "50 points per award",
            50,
        ),
        _per_item("sci_papers", "outcomes", "Papers indexed by SCI", "2 points per paper", 2),
        _per_item("core_papers", "outcomes", "Papers in core journals", "1 point per paper", 1),
        _per_item("patents", "outcomes", "Patents", "2 points per patent", 2),
        _per_item("trainings", "training", "Technical trainings", "5 points per training", 5),
    ),
)

SEEDS = (INSTRUMENT, UNIT, BENEFIT)
