"""Statistics of a campaign (core_facility_eval/rules/stats.py): the population mean and
standard deviation of seed 001 §4.3, rankings with ties, and the candidates of seed 002 第五条
(先进单位, 优秀机组, 先进个人) and the units facing reduced funding."""

import pytest
from core_facility_eval.rules import stats as s

U, INS = s.UnitResult, s.InstrumentResult


def kinds(candidates, kind):
    return [c.ref for c in candidates if c.kind == kind]


def test_mean_and_population_standard_deviation():
    assert s.mean_std([2, 4, 4, 4, 5, 5, 7, 9]) == (5.0, 2.0)  # a sample std would be 2.138
    mean, std = s.mean_std([800.0, 1600.0])
    assert (mean, std) == (1200.0, 400.0)


def test_mean_std_of_one_and_of_none():
    assert s.mean_std([1359.0]) == (1359.0, 0.0)
    assert s.mean_std([]) == (0.0, 0.0)
    assert s.mean_std(iter([])) == (0.0, 0.0)


def test_mean_std_non_integer():
    mean, std = s.mean_std([75.3, 48.2, 102.4])
    assert mean == pytest.approx(75.3)
    assert std == pytest.approx(27.1 * (2 / 3) ** 0.5)  # deviations −27.1, 0, +27.1


def test_rank_shares_a_place_and_skips_the_next():
    ranked = s.rank([("a", 90), ("b", 95), ("c", 90), ("d", 80)], key=lambda x: x[1])
    assert [(position, name) for position, (name, _) in ranked] == [
        (1, "b"),
        (2, "a"),
        (2, "c"),
        (4, "d"),
    ]


def test_rank_ascending():
    ranked = s.rank([3, 1, 2, 1], key=lambda x: x, reverse=False)
    assert ranked == [(1, 1), (1, 1), (3, 2), (4, 3)]


def test_top_keeps_every_tie_at_the_last_place():
    items = [("a", 9), ("b", 8), ("c", 8), ("d", 7)]
    assert [n for _, (n, _) in s.top(items, lambda x: x[1], 2)] == ["a", "b", "c"]
    assert [n for _, (n, _) in s.top(items, lambda x: x[1], 1)] == ["a"]
    assert s.top(items, lambda x: x[1], 0) == []


def test_a_failing_unit_is_in_reduced_funding_and_never_an_advanced_unit():
    # ``failed``: the form's own rule (附件2: under 70 points)
    units = [U(1, 95.0), U(2, 69.9, True), U(3, 88.0), U(4, 70.0), U(5, 99.0, failed=True)]
    found = s.award_candidates(units, [], unit_count=5)
    assert kinds(found, "unit") == [1, 3, 4]
    assert kinds(found, "reduced_funding") == [2, 5]
    assert not set(kinds(found, "unit")) & set(kinds(found, "reduced_funding"))


def test_exactly_70_passes_the_unit_table():
    assert not s.unit_fails(U(1, 70.0), fail_below=70)
    assert s.unit_fails(U(1, 69.99), fail_below=70)


def test_the_forms_own_rule_decides_not_a_constant():
    # a table whose threshold an administrator set to 65: 67 passes on its form
    assert not s.unit_fails(U(1, 67.0, False))
    found = s.award_candidates([U(1, 67.0, False), U(2, 64.0, True)], [], unit_count=5)
    assert kinds(found, "unit") == [1]
    assert kinds(found, "reduced_funding") == [2]
    # an instrument at 58 points and 500 h that passes its table (e.g. the benefit table)
    found = s.award_candidates([], [INS(1, 58.0, 500.0, managers=(10,))], instrument_count=5)
    assert kinds(found, "instrument") == [1]
    assert s.instrument_fails(INS(1, 58.0, 900.0), fail_below=60, hours_below=800)
    assert s.instrument_fails(INS(1, 60.0, 799.0), fail_below=60, hours_below=800)
    assert not s.instrument_fails(INS(1, 60.0, 800.0), fail_below=60, hours_below=800)


def test_advanced_units_top_three_with_ties():
    units = [U(1, 90.0), U(2, 85.0), U(3, 85.0), U(4, 85.0), U(5, 80.0)]
    found = s.award_candidates(units, [], unit_count=2)
    assert kinds(found, "unit") == [1, 2, 3, 4]
    assert [c.rank for c in found if c.kind == "unit"] == [1, 2, 2, 2]


def test_excellent_instruments_pass_both_rules():
    instruments = [
        INS(1, 98.0, 799.0, managers=(10,), failed=True),  # under 800 hours: fails
        INS(2, 59.0, 2000.0, managers=(20,), failed=True),  # under 60 points: fails
        INS(3, 60.0, 800.0, managers=(30,)),  # exactly at both edges: passes
        INS(4, 91.0, 1500.0, managers=(40, 41)),
        INS(5, 91.0, 1200.0, managers=(50,)),
        INS(6, 70.0, 1000.0, managers=(60,), failed=True),  # failed by its form
    ]
    found = s.award_candidates([], instruments, instrument_count=5)
    assert kinds(found, "instrument") == [4, 5, 3]  # same score: more hours first


def test_advanced_individuals_are_the_managers_of_the_best_instruments():
    instruments = [
        INS(1, 95.0, 1600.0, managers=(10, 11)),
        INS(2, 90.0, 1600.0, managers=(10,)),
        INS(3, 85.0, 1600.0, managers=(30,)),
        INS(4, 80.0, 1600.0, managers=(40,)),
    ]
    found = s.award_candidates([], instruments, instrument_count=5, person_count=2)
    people = [(c.ref, c.instrument_id) for c in found if c.kind == "person"]
    assert people == [(10, 1), (11, 1)]
    found = s.award_candidates([], instruments, instrument_count=5, person_count=3)
    people = [(c.ref, c.instrument_id) for c in found if c.kind == "person"]
    assert people == [(10, 1), (11, 1), (30, 3)]  # 10 once, on the best instrument


def test_advanced_individuals_come_only_from_proposed_instruments():
    instruments = [
        INS(1, 95.0, 1600.0, managers=(10,)),
        INS(2, 50.0, 1600.0, managers=(20,), failed=True),
    ]
    found = s.award_candidates([], instruments, person_count=5)
    assert kinds(found, "person") == [10]


def test_no_results_no_candidates():
    assert s.award_candidates([], []) == []
