"""Pure tests of the reconciliation (平账): each kind of difference, and none when the entries
equal their lines to the fen."""

from decimal import Decimal

from core_facility_billing.rules import reconcile as r

D = Decimal
K = r.DifferenceKind


def test_consistent_entries_have_no_difference():
    lines = [r.Line(1, D("83.33"), 10), r.Line(2, D("83.33"), 10), r.Line(3, D("83.34"), 10)]
    assert r.differences(lines, [r.Entry(10, True, D("250.00"))]) == []


def test_many_awkward_lines_sum_to_the_fen():
    # 333.33 元/h × 0.25 h = 83.3325 → 83.33 per line; 400 lines → 33332.00
    lines = [r.Line(i, D("83.33"), 7) for i in range(1, 401)]
    assert r.differences(lines, [r.Entry(7, True, D("33332.00"))]) == []
    diff = r.differences(lines, [r.Entry(7, True, D("33333.00"))])
    assert diff == [r.Difference(K.TOTAL_MISMATCH, None, 7, D("33332.00"), D("33333.00"))]


def test_one_fen_off_is_a_difference():
    lines = [r.Line(1, D("100.00"), 5)]
    assert [d.kind for d in r.differences(lines, [r.Entry(5, True, D("100.01"))])] == [
        K.TOTAL_MISMATCH
    ]


def test_settled_line_without_entry():
    diff = r.differences([r.Line(4, D("12.50"), None)], [])
    assert diff == [r.Difference(K.MISSING_ENTRY, 4, None, D("12.50"))]


def test_line_of_unposted_or_unknown_entry():
    lines = [r.Line(1, D("10.00"), 8), r.Line(2, D("10.00"), 9)]
    diff = r.differences(lines, [r.Entry(8, False, D("10.00"))])
    assert [(d.kind, d.line_id, d.move_id) for d in diff] == [
        (K.UNPOSTED_ENTRY, 1, 8),
        (K.UNPOSTED_ENTRY, 2, 9),
    ]


def test_posted_entry_without_lines():
    diff = r.differences([], [r.Entry(3, True, D("50.00")), r.Entry(4, False, D("9.00"))])
    assert diff == [r.Difference(K.ENTRY_WITHOUT_LINES, None, 3, D(0), D("50.00"))]


def test_income_net_is_credits_less_debits_of_the_income_account():
    # a fund's entry: instrument A +300.00, instrument B −50.00 (a correction): the income
    # account is credited 300 and debited 50: the entry accounts for 250, not its debits (350)
    assert r.income_net([(D("0"), D("300.00")), (D("50.00"), D("0"))]) == D("250.00")
    assert r.income_net([]) == D("0.00")
    assert r.income_net([(0.0, 83.33), (0.0, 83.33), (0.0, 83.34)]) == D("250.00")
