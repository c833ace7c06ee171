"""Reconciliation (平账): compare the settled charge lines with their posted entries.

Plain values in, a list of differences out; the model turns each into a reconciliation line.

- every settled line belongs to a posted entry or invoice (``MISSING_ENTRY``, ``UNPOSTED_ENTRY``);
- every entry's facility total equals the sum of its lines to the fen (``TOTAL_MISMATCH``);
- no posted facility entry is without lines (``ENTRY_WITHOUT_LINES``).
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .money import round_fen, to_decimal, total


class DifferenceKind(StrEnum):
    MISSING_ENTRY = "missing_entry"  # a settled line has no entry nor invoice
    UNPOSTED_ENTRY = "unposted_entry"  # its entry or invoice is not posted
    TOTAL_MISMATCH = "total_mismatch"  # the entry's total differs from its lines
    ENTRY_WITHOUT_LINES = "entry_without_lines"  # a posted facility entry has no line


@dataclass(frozen=True)
class Line:
    """A settled charge line: its id, amount and the entry (or invoice) it is in, if any."""

    id: int
    amount: Decimal
    move_id: int | None


@dataclass(frozen=True)
class Entry:
    """A facility entry or invoice: its id, whether it is posted and its facility total (the
    amount the charges account for: for a settlement entry, its credits on the income account;
    for an invoice, its untaxed amount)."""

    id: int
    posted: bool
    amount: Decimal


@dataclass(frozen=True)
class Difference:
    kind: DifferenceKind
    line_id: int | None = None
    move_id: int | None = None
    expected: Decimal = Decimal(0)
    found: Decimal = Decimal(0)


def differences(lines, entries):
    """The differences between settled ``lines`` and facility ``entries`` (both iterables of
    the dataclasses above), lines first, then entries, each in id order."""
    found = []
    by_id = {entry.id: entry for entry in entries}
    lines_of = {}
    for line in sorted(lines, key=lambda x: x.id):
        amount = round_fen(line.amount)
        if not line.move_id:
            found.append(Difference(DifferenceKind.MISSING_ENTRY, line.id, None, amount))
            continue
        lines_of.setdefault(line.move_id, []).append(amount)
        entry = by_id.get(line.move_id)
        if entry is None or not entry.posted:
            found.append(Difference(DifferenceKind.UNPOSTED_ENTRY, line.id, line.move_id, amount))
    for entry in sorted(by_id.values(), key=lambda x: x.id):
        if not entry.posted:
            continue
        amounts = lines_of.get(entry.id)
        if not amounts:
            found.append(
                Difference(
                    DifferenceKind.ENTRY_WITHOUT_LINES, None, entry.id, Decimal(0), entry.amount
                )
            )
            continue
        expected = total(amounts)
        if expected != round_fen(entry.amount):
            found.append(
                Difference(
                    DifferenceKind.TOTAL_MISMATCH,
                    None,
                    entry.id,
                    expected,
                    round_fen(entry.amount),
                )
            )
    return found


def income_net(items):
    """The facility total of a settlement entry: credits − debits of its items on the income
    account, to the fen. ``items``: ``(debit, credit)`` pairs of those items only. An entry of a
    fund whose sum on one instrument is negative (a correction) debits the income account for
    that instrument: the net, not the sum of debits, is what its lines account for."""
    return round_fen(sum((to_decimal(c) - to_decimal(d) for d, c in items), Decimal(0)))
