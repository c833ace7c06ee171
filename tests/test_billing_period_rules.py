"""Pure tests of settlement periods (monthly, cut-off days) and of the settlement's summary."""

from datetime import date
from decimal import Decimal

import pytest
from core_facility_billing.rules import periods as p
from core_facility_billing.rules import settlement as s
from core_facility_billing.rules.codes import InvoiceGrouping, PeriodScheme
from core_facility_billing.rules.money import line_amount, total

MONTHLY, CUTOFF = PeriodScheme.MONTHLY, PeriodScheme.CUTOFF
SEED = "05-16,11-16"  # seed 000 附件2 §7


# -- months ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 1, 31), date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 28), date(2026, 2, 1), date(2026, 2, 28)),
        (date(2028, 2, 29), date(2028, 2, 1), date(2028, 2, 29)),
        (date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_month_of_a_day(day, start, end):
    assert p.period_of(day) == p.Period(start, end)
    assert p.period_of(day, MONTHLY, "not read") == p.Period(start, end)


def test_previous_month_crosses_the_year():
    assert p.previous_period(date(2027, 1, 5)) == p.Period(date(2026, 12, 1), date(2026, 12, 31))
    assert p.previous_period(date(2026, 3, 1)) == p.Period(date(2026, 2, 1), date(2026, 2, 28))


# -- cut-off days ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        # a cut-off is the last day of its period; the day after starts the next one
        (date(2026, 5, 16), date(2025, 11, 17), date(2026, 5, 16)),
        (date(2026, 5, 17), date(2026, 5, 17), date(2026, 11, 16)),
        (date(2026, 11, 16), date(2026, 5, 17), date(2026, 11, 16)),
        (date(2026, 11, 17), date(2026, 11, 17), date(2027, 5, 16)),
        # across new year
        (date(2026, 1, 1), date(2025, 11, 17), date(2026, 5, 16)),
        (date(2026, 12, 31), date(2026, 11, 17), date(2027, 5, 16)),
    ],
)
def test_seed_cutoffs(day, start, end):
    period = p.period_of(day, CUTOFF, SEED)
    assert period == p.Period(start, end)
    assert day in period


def test_previous_cutoff_period():
    assert p.previous_period(date(2026, 6, 1), CUTOFF, SEED) == p.Period(
        date(2025, 11, 17), date(2026, 5, 16)
    )


def test_one_cutoff_a_year():
    assert p.period_of(date(2026, 1, 1), CUTOFF, "12-31") == p.Period(
        date(2026, 1, 1), date(2026, 12, 31)
    )
    assert p.period_of(date(2026, 12, 31), CUTOFF, "12-31") == p.Period(
        date(2026, 1, 1), date(2026, 12, 31)
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05-16,11-16", ((5, 16), (11, 16))),
        (" 11-16 , 5-16 ", ((5, 16), (11, 16))),
        ("05-16,05-16", ((5, 16),)),
        ("02-28", ((2, 28),)),
        ("12-31", ((12, 31),)),
    ],
)
def test_cutoffs_read(text, expected):
    assert p.parse_cutoffs(text) == expected


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("", ""),
        (None, ""),
        ("16 May", "16 May"),
        ("05-16,13-01", "13-01"),
        ("04-31", "04-31"),
        ("02-29", "02-29"),  # not every year has it
        ("00-10", "00-10"),
        ("05/16", "05/16"),
        ("05-16;11-16", "05-16;11-16"),
    ],
)
def test_bad_cutoffs_are_refused_by_name(text, bad):
    with pytest.raises(p.PeriodError) as caught:
        p.parse_cutoffs(text)
    assert caught.value.value == bad
    with pytest.raises(p.PeriodError):
        p.period_of(date(2026, 5, 1), CUTOFF, text)


# -- the settlement's summary --------------------------------------------------------------------


def test_entry_is_the_sum_of_rounded_lines():
    # 333.33 CNY/h × 0.25 h = 83.3325 → 83.33 per line, 12 lines: 999.96 (not 999.99)
    rows = [(7, 1, line_amount(0.25, 333.33)) for _ in range(12)]
    entries = s.summarise(rows)
    assert entries == {7: (s.EntryLine(1, Decimal("999.96")),)}
    assert s.entry_total(entries[7]) == total(amount for _f, _i, amount in rows)


def test_one_entry_per_fund_one_line_pair_per_instrument():
    rows = [
        (2, 10, Decimal("100.00")),
        (1, 11, Decimal("0.01")),
        (1, 10, Decimal("50.50")),
        (2, 10, Decimal("0.05")),
        (1, 10, Decimal("49.50")),
    ]
    entries = s.summarise(rows)
    assert list(entries) == [1, 2]
    assert entries[1] == (s.EntryLine(10, Decimal("100.00")), s.EntryLine(11, Decimal("0.01")))
    assert entries[2] == (s.EntryLine(10, Decimal("100.05")),)


def test_corrections_net_out_and_a_negative_sum_is_a_credit():
    entries = s.summarise([(1, 10, "20.00"), (1, 10, "-20.00"), (1, 11, "-5.00"), (2, 3, "1")])
    assert entries[1] == (s.EntryLine(11, Decimal("-5.00")),)
    line = entries[1][0]
    assert (line.debit, line.credit) == (Decimal("0.00"), Decimal("5.00"))
    assert (entries[2][0].debit, entries[2][0].credit) == (Decimal("1.00"), Decimal("0.00"))
    # nothing left on a fund: no entry
    assert 3 not in s.summarise([(3, 1, "2.50"), (3, 1, "-2.50")])


def test_lines_without_instrument_come_first():
    entries = s.summarise([(1, 5, "1"), (1, None, "2")])
    assert [line.instrument_id for line in entries[1]] == [None, 5]


def test_booking_and_service_lines_of_one_fund_sort():
    # booking lines (instrument, no service type) next to service lines (no instrument)
    rows = [(1, (5, None), "10"), (1, (None, 7), "2"), (1, (5, 3), "1"), (1, (None, None), "4")]
    entries = s.summarise(rows)
    items = [line.instrument_id for line in entries[1]]
    assert items == [(None, None), (None, 7), (5, None), (5, 3)]
    assert s.entry_total(entries[1]) == Decimal("17.00")


def test_posted_items_leave_zero_sums_out():
    entries = s.summarise([(1, 10, "5"), (1, 11, "3"), (1, 11, "-3"), (2, 10, "1"), (2, 10, "-1")])
    assert s.posted_items(entries) == {(1, 10)}


@pytest.mark.parametrize(
    ("amount", "expected"), [("0.01", True), ("0", False), ("0.004", False), ("-5", False)]
)
def test_only_a_positive_total_is_invoiced(amount, expected):
    assert s.invoiceable(amount) is expected


def test_invoice_keys():
    day = date(2026, 3, 9)
    per_month = s.invoice_key(InvoiceGrouping.PER_MONTH, 4, "booking:12", day)
    assert per_month == (4, "2026-03")
    assert s.invoice_key(InvoiceGrouping.PER_MONTH, 4, "booking:13", date(2026, 3, 31)) == (
        per_month
    )
    assert s.invoice_key(InvoiceGrouping.PER_MONTH, 4, "x", date(2026, 4, 1)) != per_month
    assert s.invoice_key(InvoiceGrouping.PER_ORIGIN, 4, "booking:12", day) == (4, "booking:12")
