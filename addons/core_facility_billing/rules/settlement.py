"""How settled charges become accounting: the summary of a fund's entry and of an invoice.

A settlement posts, per fund, one journal entry summarised per instrument (the detail stays on
the charge lines): the sum of that fund's lines on that instrument, each line already rounded to
the fen, so the entry equals its lines to the fen. Plain values in and out, no Odoo import.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from .codes import InvoiceGrouping
from .money import round_fen, to_decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class EntryLine:
    """One instrument's pair of lines in a fund's entry: ``amount`` debited on the internal
    charges account (fund's distribution), credited on the income account (platform's)."""

    instrument_id: int
    amount: Decimal

    @property
    def debit(self):
        """What the charges account is debited (a negative sum, a correction, is a credit)."""
        return self.amount if self.amount > 0 else ZERO

    @property
    def credit(self):
        return -self.amount if self.amount < 0 else ZERO


def summarise(rows):
    """``rows``: (fund, instrument, amount) — one per line or already grouped — as
    ``{fund: (EntryLine, ...)}``, instruments in order; sums of zero make no line, and a fund
    whose lines sum to nothing on every instrument has no entry."""
    sums = defaultdict(lambda: defaultdict(lambda: ZERO))
    for fund, instrument, amount in rows:
        sums[fund][instrument] += round_fen(to_decimal(amount))
    entries = {}
    for fund in sorted(sums, key=_key):
        lines = tuple(
            EntryLine(instrument, amount)
            for instrument, amount in sorted(sums[fund].items(), key=lambda item: _key(item[0]))
            if amount != 0
        )
        if lines:
            entries[fund] = lines
    return entries


def posted_items(entries):
    """The (fund, instrument) pairs an entry of ``entries`` carries: only their lines are
    settled; lines of a pair that sums to zero stay confirmed (no entry records them)."""
    return {(fund, line.instrument_id) for fund, lines in entries.items() for line in lines}


def invoiceable(amount):
    """An invoice is made only for a positive total: a group whose lines sum to zero or less
    is left confirmed, to be corrected."""
    return round_fen(to_decimal(amount)) > 0


def entry_total(lines):
    """The total of a fund's entry: the sum of its instruments' lines, to the fen."""
    return sum((line.amount for line in lines), ZERO)


def invoice_key(grouping, group_id, origin, day):
    """Which invoice an external line goes on: per order (``origin``, e.g. ``booking:12``) or per
    research group and month."""
    if grouping == InvoiceGrouping.PER_ORIGIN:
        return (group_id, origin)
    return (group_id, f"{day.year:04d}-{day.month:02d}")


def _key(value):
    """Sort ``None`` (no instrument: a service type or manual line) first; a tuple (instrument,
    service type) element by element, so that booking lines (no service type) and service lines
    (no instrument) of one fund compare."""
    if isinstance(value, tuple):
        return tuple((v is not None, v or 0) for v in value)
    return (value is not None, value or 0)
