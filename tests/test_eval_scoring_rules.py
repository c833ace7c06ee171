"""Scoring of the evaluation tables (core_facility_eval/rules/scoring.py) on the shipped tables
(rules/scoring_seeds.py): every band of every table at both edges, the methods of the unit table
(averages, ÷ 3, ÷ 2, bands on the average and the total, cases), the benefit evaluation's worked
300 MHz NMR row of seed 001, the fail rules, the rounding, and what the seeds leave unassigned."""

import pytest
from core_facility_eval.rules import bands as b
from core_facility_eval.rules import scoring as s
from core_facility_eval.rules import scoring_seeds as seeds
from core_facility_eval.rules.codes import Figure, Method

INSTRUMENT = seeds.table(seeds.INSTRUMENT)
UNIT = seeds.table(seeds.UNIT)
BENEFIT = seeds.table(seeds.BENEFIT)


def points(table, code, figures):
    return s.score_instrument(table, figures).points[code]


def test_the_shipped_tables_have_no_gap_and_no_overlap():
    for seed in seeds.SEEDS:
        assert s.table_problems(seeds.table(seed)) == [], seed.code


def test_the_seeds_as_written_leave_exactly_these_edges_unassigned():
    """附件3: the hour bands 200…1,400, the training bands at 1, 2, 5, 10 h, exactly 320
    external hours, exactly 100,000 CNY and the missing 20k–30k band. 附件2 writes every band
    with a strict "<" on both sides: hours 200…1,600, external hours 80…320 and the total fees
    at 10k, 200k, 400k and 600k CNY."""

    def unassigned(seed):
        return [
            (code, p.kind, p.low, p.high)
            for code, p in s.table_problems(seeds.table(seed, as_written=True))
        ]

    def points_at(code, *edges):
        return [(code, b.GAP, edge, edge) for edge in edges]

    hours = (200, 400, 600, 800, 1000, 1200, 1400)
    assert unassigned(seeds.INSTRUMENT) == [
        *points_at("training", 1, 2, 5, 10),
        *points_at("hours", *hours),
        *points_at("external_hours", 320),
        ("fees", b.GAP, 20_000, 30_000),
        *points_at("fees", 100_000),
    ]
    assert unassigned(seeds.UNIT) == [
        *points_at("hours_average", *hours, 1600),
        *points_at("external_average", 80, 160, 240, 320),
        *points_at("fees_total", 10_000, 200_000, 400_000, 600_000),
    ]
    assert unassigned(seeds.BENEFIT) == []


def test_defaulted_and_assumed_bands_are_flagged():
    fees = {band.text: band for band in seeds.FEES_BANDS}
    gap = fees["（表中缺）2万 ≤ 收费金额 < 3万"]
    assert gap.assumed and (gap.low, gap.high, gap.points) == (20_000, 30_000, 2)
    assert not fees["5万 ≤ 收费金额 < 10万"].by_default  # the seed's ≤ is kept
    assert not seeds.HOURS_BANDS[0].by_default  # 机时 ≥ 1600 is the seed's
    assert seeds.HOURS_BANDS[1].by_default  # 1400 < 机时 < 1600: 1,400 closed by default


# -- 附件3, per instrument: every band at both edges -----------------------------------------------


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (5000, 30),
        (1600, 30),  # the acceptance
        (1599.5, 28),
        (1400, 28),
        (1399.99, 26),
        (1200, 26),
        (1199.99, 24),
        (1000, 24),
        (999.99, 22),
        (800, 22),  # the edge scores the band above
        (799.99, 8),
        (799, 8),
        (600, 8),
        (599.99, 6),
        (400, 6),
        (399.99, 4),
        (200, 4),
        (199.99, 2),
        (0.01, 2),
        (0, 0),
    ],
)
def test_instrument_annual_hours(hours, expected):
    assert points(INSTRUMENT, "hours", {Figure.HOURS: hours}) == expected


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (40, 5),
        (20, 5),  # 培训时间 ≥ 20: the seed's own edge
        (19.99, 4),
        (10, 4),
        (9.99, 3),
        (5, 3),
        (4.99, 2),
        (2, 2),
        (1.99, 1),
        (1, 1),
        (0.99, 0),
        (0, 0),
    ],
)
def test_instrument_training_hours(hours, expected):
    assert points(INSTRUMENT, "training", {Figure.TRAINING_HOURS: hours}) == expected


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (1000, 15),
        (320, 15),  # "> 320": exactly 320 closed by default
        (319.99, 12),
        (240, 12),  # "240 ≤ 机时": the seed's own edge
        (239.99, 9),
        (160, 9),
        (159.99, 6),
        (80, 6),
        (79.99, 3),
        (0.01, 3),
        (0, 0),
    ],
)
def test_instrument_external_hours(hours, expected):
    assert points(INSTRUMENT, "external_hours", {Figure.EXTERNAL_HOURS: hours}) == expected


@pytest.mark.parametrize(
    ("fees", "expected"),
    [
        (250_000, 5),
        (100_000, 5),  # "> 10万": exactly 100,000 closed by default
        (99_999.99, 4),
        (50_000, 4),
        (49_999.99, 3),
        (30_000, 3),
        (29_999.99, 2),  # the assumed 20k–30k band
        (25_000, 2),
        (20_000, 2),
        (19_999.99, 2),
        (10_000, 2),
        (9_999.99, 1),
        (0.01, 1),
        (0, 0),
    ],
)
def test_instrument_fees(fees, expected):
    assert points(INSTRUMENT, "fees", {Figure.FEES: fees}) == expected


@pytest.mark.parametrize(("level", "expected"), [(2, 5), (1, 3), (0, 0)])
def test_instrument_rules_implemented(level, expected):
    assert points(INSTRUMENT, "rules", {Figure.RULES_LEVEL: level}) == expected


@pytest.mark.parametrize(("standard", "expected"), [(1, 5), (0, 0)])
def test_instrument_fee_standard(standard, expected):
    assert points(INSTRUMENT, "fee_standard", {Figure.FEE_STANDARD: standard}) == expected


@pytest.mark.parametrize(("missing", "expected"), [(0, 5), (1, 4), (4, 1), (5, 0), (7, 0)])
def test_instrument_daily_management_one_point_per_missing_item(missing, expected):
    assert points(INSTRUMENT, "daily", {Figure.DAILY_MISSING: missing}) == expected


@pytest.mark.parametrize(("outcomes", "expected"), [(0, 0), (1, 1), (9, 9), (10, 10), (25, 10)])
def test_instrument_outcomes_one_point_each_ten_at_most(outcomes, expected):
    assert points(INSTRUMENT, "outcomes", {Figure.OUTCOMES: outcomes}) == expected


@pytest.mark.parametrize(("deduction", "expected"), [(0, 10), (2, 8), (5, 5), (10, 0), (12, 0)])
def test_instrument_platform_and_ledger_deductions(deduction, expected):
    assert points(INSTRUMENT, "platform", {Figure.PLATFORM_DEDUCTION: deduction}) == expected
    assert points(INSTRUMENT, "ledger", {Figure.LEDGER_DEDUCTION: deduction}) == expected


FULL = {
    Figure.RULES_LEVEL: 2,
    Figure.DAILY_MISSING: 0,
    Figure.FEE_STANDARD: 1,
    Figure.TRAINING_HOURS: 24,
    Figure.OUTCOMES: 12,
    Figure.PLATFORM_DEDUCTION: 0,
    Figure.LEDGER_DEDUCTION: 0,
    Figure.HOURS: 1700,
    Figure.EXTERNAL_HOURS: 400,
    Figure.FEES: 150_000,
}


def test_an_instrument_with_everything_scores_100_and_passes():
    result = s.score_instrument(INSTRUMENT, FULL)
    assert result.total == 100
    assert result.sections["usage"].raw == 40
    assert result.sections["sharing"].raw == 20
    assert s.fail_reasons(INSTRUMENT, result.total, FULL[Figure.HOURS]) == []


def test_missing_figures_read_zero():
    result = s.score_instrument(INSTRUMENT, {})
    # no deductions entered: daily 5, platform 10, ledger 10; everything else 0
    assert result.total == 25
    assert result.figures["hours"] == 0


# -- fail rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "hours", "reasons"),
    [
        (60, 800, []),  # exactly 60 points and exactly 800 h pass
        (59.99, 800, ["points"]),
        (60, 799, ["hours"]),  # the acceptance: 799 h fails the hours rule
        (60, 799.99, ["hours"]),
        (59, 0, ["points", "hours"]),
        (100, None, []),
    ],
)
def test_instrument_fail_rules(total, hours, reasons):
    assert s.fail_reasons(INSTRUMENT, total, hours) == reasons


def test_an_instrument_of_800_hours_scores_22_and_does_not_fail_on_hours():
    result = s.score_instrument(INSTRUMENT, dict(FULL, **{Figure.HOURS: 800}))
    assert result.points["hours"] == 22
    assert "hours" not in s.fail_reasons(INSTRUMENT, result.total, 800)
    assert "hours" in s.fail_reasons(INSTRUMENT, result.total, 799)


def test_failing_at_the_threshold_is_configurable():
    legal = s.Table(**{**INSTRUMENT.__dict__, "fail_at_threshold": True})
    assert s.fail_reasons(legal, 60, 800) == ["points"]
    assert s.fail_reasons(legal, 60.01, 800) == []
    unit_legal = s.Table(**{**UNIT.__dict__, "fail_at_threshold": True})
    assert s.fail_reasons(UNIT, 70) == []
    assert s.fail_reasons(unit_legal, 70) == ["points"]


def test_no_fail_rule_no_reason():
    assert s.fail_reasons(BENEFIT, 0, 0) == []


# -- 附件2, per unit -------------------------------------------------------------------------------


def instrument(hours=1000.0, external=100.0, fees=20_000.0, **figures):
    values = dict(FULL, **{Figure.HOURS: hours, Figure.EXTERNAL_HOURS: external}, **figures)
    values[Figure.FEES] = fees
    return values, s.score_instrument(INSTRUMENT, values).points


def test_unit_averages_and_the_divided_averages():
    # hours points 30 and 22 → mean 26 → ÷ 3 = 8.67; external 15 and 6 → 10.5 ÷ 3 = 3.5;
    # fees 5 and 2 → 3.5 ÷ 2 = 1.75
    unit = [
        instrument(hours=1700, external=400, fees=150_000),
        instrument(hours=900, external=100, fees=25_000),
    ]
    result = s.score_unit(UNIT, unit, {"usage": 3, "sharing": 7})
    assert result.points["rules"] == 5
    assert result.points["hours_score"] == 8.67
    assert result.figures["hours_score"] == 26
    assert result.points["external_score"] == 3.5
    assert result.points["fees_score"] == 1.75
    # average hours 1,300 → 13; average external 250 → 4; total fees 175,000 → 1
    assert result.figures["hours_average"] == 1300
    assert result.points["hours_average"] == 13
    assert result.points["external_average"] == 4
    assert result.figures["fees_total"] == 175_000
    assert result.points["fees_total"] == 1
    assert result.points["cases_usage"] == 3
    assert result.points["cases_sharing"] == 5  # at most 5 cases
    assert result.sections["usage"].raw == 10 + 8.67 + 13 + 3


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (1600, 15),  # "> 1600": exactly 1,600 closed by default
        (1599.99, 14),
        (1400, 14),
        (1399.99, 13),
        (1200, 13),
        (1000, 12),
        (999.99, 11),
        (800, 11),
        (799.99, 4),
        (600, 4),
        (599.99, 3),
        (400, 3),
        (399.99, 2),
        (200, 2),
        (199.99, 1),
        (0.01, 1),
        (0, 0),
    ],
)
def test_unit_average_hours_band(hours, expected):
    result = s.score_unit(UNIT, [instrument(hours=hours), instrument(hours=hours)], {})
    assert result.points["hours_average"] == expected


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (320, 5),
        (319.99, 4),
        (240, 4),
        (239.99, 3),
        (160, 3),
        (159.99, 2),
        (80, 2),
        (79.99, 1),
        (0.01, 1),
        (0, 0),
    ],
)
def test_unit_average_external_hours_band(hours, expected):
    result = s.score_unit(UNIT, [instrument(external=hours)], {})
    assert result.points["external_average"] == expected


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (600_000, 2.5),
        (599_999.98, 2),
        (400_000, 2),
        (399_999.98, 1.5),
        (200_000, 1.5),
        (199_999.98, 1),
        (10_000, 1),  # the seed's wide 1万..20万 band
        (9_999.98, 0.5),
        (0.02, 0.5),
        (0, 0),
    ],
)
def test_unit_total_fees_band(total, expected):
    # two instruments sharing the total: the band reads the sum, not the mean
    result = s.score_unit(UNIT, [instrument(fees=total / 2), instrument(fees=total / 2)], {})
    assert result.points["fees_total"] == expected


def test_a_unit_averaging_below_70_fails_exactly_70_passes():
    # instruments of 1,000 h, 100 external h, 20,000 CNY and no other credit than the
    # deductions spared: each scores 5+5+0+0+0+10+10+24+6+2 = 62
    weak = {
        Figure.DAILY_MISSING: 0,
        Figure.PLATFORM_DEDUCTION: 0,
        Figure.LEDGER_DEDUCTION: 0,
        Figure.HOURS: 1000,
        Figure.EXTERNAL_HOURS: 100,
        Figure.FEES: 20_000,
        Figure.RULES_LEVEL: 2,
    }
    pair = (weak, s.score_instrument(INSTRUMENT, weak).points)
    assert sum(pair[1].values()) == 62
    result = s.score_unit(UNIT, [pair, pair], {})
    # 5+5+0+0+0+10 + 10 + 24/3=8 + 12 + 0 + 6/3=2 + 2 + 2/2=1 + 1 (40,000 CNY) + 0 = 56
    assert result.total == 56
    assert s.fail_reasons(UNIT, result.total) == ["points"]
    # the most showcase cases (5 per section) add 10: 66, still failing
    assert s.score_unit(UNIT, [pair, pair], {"usage": 5, "sharing": 5}).total == 66
    assert s.fail_reasons(UNIT, 69.99) == ["points"]
    assert s.fail_reasons(UNIT, 70) == []


def test_a_unit_with_no_assessed_instrument_scores_only_its_cases():
    result = s.score_unit(UNIT, [], {"usage": 2})
    assert result.total == 2
    assert result.points["hours_average"] == 0


# -- seed 001 §3.4, the benefit evaluation ---------------------------------------------------------

NMR = {  # the worked 300 MHz NMR row; the seed does not print its rated hours: 1,400, general
    Figure.HOURS: 3800,
    Figure.RATED_HOURS: 1400,
    Figure.SPECIAL_PURPOSE: 0,
    Figure.NORMAL_PROJECTS: 16,
    Figure.KEY_PROJECTS: 4,
    Figure.DEPARTMENTS: 10,
    Figure.RESEARCHERS: 50,
    Figure.EXTERNAL_FEES: 70_000,
    Figure.NATIONAL_AWARDS: 0,
    Figure.PROVINCIAL_AWARDS: 0,
    Figure.SCI_PAPERS: 30,
    Figure.CORE_PAPERS: 0,
    Figure.PATENTS: 0,
    Figure.TRAININGS: 2,
}


def test_the_300_mhz_nmr_row_of_seed_001():
    result = s.score_instrument(BENEFIT, NMR)
    assert result.points["machine_hours"] == 100  # 86 + 2,400 ÷ 150 = 102, printed 100.0
    assert result.sections["hours"] == s.SectionResult(100, 100, 35.0)
    assert [result.points[c] for c in ("normal_projects", "key_projects", "departments")] == [
        16,
        8,
        20,
    ]
    assert result.points["researchers"] == 50
    assert result.points["external_fees"] == 70  # 1 point per thousand CNY
    assert result.sections["public_service"] == s.SectionResult(164, 100, 30.0)
    assert result.points["sci_papers"] == 60
    assert result.sections["outcomes"] == s.SectionResult(60, 60, 9.0)
    # 技术培训 5 per item is not in the outcomes subtotal: its own 20 % section
    assert result.points["trainings"] == 10
    assert result.sections["training"] == s.SectionResult(10, 10, 2.0)
    assert result.total == 76


@pytest.mark.parametrize(
    ("effective", "rated", "special", "expected"),
    [
        (700, 1400, 0, 43),  # 700 ÷ 1,400 × 86
        (1399, 1400, 0, 85.94),
        (1400, 1400, 0, 86),
        (1700, 1400, 0, 88),  # 86 + 300 ÷ 150
        (1700, 1400, 1, 88.31),  # 86 + 300 ÷ 130 = 88.307…
        (4000, 1400, 1, 100),  # capped at 100
        (0, 1400, 0, 0),
        (500, 0, 0, 0),  # no rated hours recorded: 0
    ],
)
def test_machine_hours_formula(effective, rated, special, expected):
    figures = {Figure.HOURS: effective, Figure.RATED_HOURS: rated, Figure.SPECIAL_PURPOSE: special}
    assert points(BENEFIT, "machine_hours", figures) == expected


@pytest.mark.parametrize(
    ("fees", "expected"), [(70_000, 70), (70_999.99, 70), (999.99, 0), (1000, 1), (500_000, 100)]
)
def test_one_point_per_complete_thousand(fees, expected):
    assert points(BENEFIT, "external_fees", {Figure.EXTERNAL_FEES: fees}) == expected


def test_a_section_subtotal_is_capped_before_weighting():
    result = s.score_instrument(BENEFIT, {Figure.NATIONAL_AWARDS: 1, Figure.PROVINCIAL_AWARDS: 1})
    assert result.sections["outcomes"] == s.SectionResult(130, 100, 15.0)


# -- the methods and the rounding on small tables --------------------------------------------------


def small(*criteria):
    return s.Table(level="instrument", criteria=criteria)


def test_manual_points_are_clamped():
    table = small(s.Criterion("extra", "x", Method.MANUAL, 5))
    assert s.score_instrument(table, {"extra": 3.5}).points["extra"] == 3.5
    assert s.score_instrument(table, {"extra": 9}).points["extra"] == 5
    assert s.score_instrument(table, {"extra": -2}).points["extra"] == 0
    assert s.score_instrument(table, {}).points["extra"] == 0


def test_points_round_half_up_in_decimal():
    assert s.round_points(2.675) == 2.68  # round(2.675, 2) gives 2.67
    assert s.round_points(2.665) == 2.67
    assert s.round_points(1.005) == 1.01
    assert s.round_points(26 / 3) == 8.67


def test_per_quantity_counts_in_decimal():
    table = small(s.Criterion("c", "x", Method.PER_ITEM, 10, figure="f", per_quantity=0.1))
    assert s.score_instrument(table, {"f": 0.3}).points["c"] == 3


def test_a_unit_method_on_an_instrument_is_refused():
    table = small(s.Criterion("avg", "x", Method.AVERAGE, 5, source="rules"))
    with pytest.raises(ValueError, match="avg"):
        s.score_instrument(table, {})


def test_a_value_in_no_band_is_refused():
    table = small(s.Criterion("c", "x", Method.BAND, 5, figure="f", bands=(b.Band(0, 10, 1),)))
    with pytest.raises(b.BandError):
        s.score_instrument(table, {"f": 10})


def test_sections_without_records_count_at_full_weight():
    table = small(
        s.Criterion("a", "one", Method.MANUAL, 50), s.Criterion("b", "two", Method.MANUAL, 50)
    )
    result = s.score_instrument(table, {"a": 10.005, "b": 20})
    assert result.points == {"a": 10.01, "b": 20}
    assert result.total == 30.01
