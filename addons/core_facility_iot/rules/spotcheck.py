"""The monthly spot check (抽查, seed 002 第三条) of one instrument: booked time, the time the box
measured (machine-time collector, 机时采集器) and the time written in the manual usage ledger.

``compare(booked_h, measured_h, manual_h, tolerance, min_hours)`` returns the discrepancy codes
(:class:`SpotCheck`, in that enum's order). Two figures differ when their difference is *more*
than ``max(min_hours, tolerance × base)``; exactly that much is still in agreement (the absolute
floor keeps a 0.2 h difference on a 1 h month from being a finding). The codes:

* ``under_use`` — booked time not measured beyond the tolerance of the booked hours (booked time
  not used: a no-show the booking did not record, or a box that missed the use);
* ``unbooked`` — measured time outside the bookings beyond the tolerance of the booked hours (use
  without a booking, or overruns; with nothing booked, any measured time above ``min_hours``);
* ``manual_mismatch`` — |manual − measured| beyond the tolerance of the larger of the two;
* ``no_measurement`` — ``measured_h`` is None (no collector data for the month: a silent or
  missing box) while something was booked or logged by hand; the measured comparisons are skipped;
* ``no_manual_log`` — ``manual_h`` is None (no ledger for the month) while the instrument was used
  (measured, or else booked, above ``min_hours``).

A zero is a figure (nothing booked, nothing measured); None means the source is missing.

The two are gross figures: ``under_h`` (booked but not measured) and ``over_h`` (measured but not
booked), from the intervals by ``uncovered_hours``, so that ten hours booked and unused and ten
hours used without a booking are two findings, not a month that agrees. Without them the net
difference ``booked − measured`` stands in (it hides what cancels out).
"""

from .codes import SpotCheck

DEFAULT_TOLERANCE = 0.10
DEFAULT_MIN_HOURS = 0.5


def differs(difference, base, tolerance=DEFAULT_TOLERANCE, min_hours=DEFAULT_MIN_HOURS):
    """Whether ``difference`` (hours, positive) is beyond the tolerance of ``base`` hours."""
    return round(difference, 6) > round(max(min_hours, tolerance * base), 6)


def uncovered_hours(intervals, cover, start, stop):
    """Hours of the union of the ``(a, b)`` ``intervals`` inside ``[start, stop)`` that no
    interval of ``cover`` covers (a ``b`` of None is empty)."""

    def union(spans):
        out = []
        for a, b in sorted((max(a, start), min(b, stop)) for a, b in spans if b is not None):
            if b <= a:
                continue
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], b))
            else:
                out.append((a, b))
        return out

    covered = union(cover)
    seconds = 0.0
    for a, b in union(intervals):
        seconds += (b - a).total_seconds()
        for c, d in covered:
            seconds -= max((min(b, d) - max(a, c)).total_seconds(), 0)
    return seconds / 3600


def compare(
    booked_h,
    measured_h,
    manual_h,
    tolerance=DEFAULT_TOLERANCE,
    min_hours=DEFAULT_MIN_HOURS,
    under_h=None,
    over_h=None,
):
    """The discrepancy codes of one instrument-month; empty when the three sources agree.
    ``under_h``/``over_h``: booked-but-unmeasured and measured-but-unbooked hours (see the
    module doc)."""
    booked_h = booked_h or 0.0
    found = set()
    if measured_h is None:
        if booked_h > 0 or (manual_h or 0) > 0:
            found.add(SpotCheck.NO_MEASUREMENT)
    else:
        under = booked_h - measured_h if under_h is None else under_h
        over = measured_h - booked_h if over_h is None else over_h
        if differs(under, booked_h, tolerance, min_hours):
            found.add(SpotCheck.UNDER_USE)
        if differs(over, booked_h, tolerance, min_hours):
            found.add(SpotCheck.UNBOOKED)
        if manual_h is not None and differs(
            abs(manual_h - measured_h), max(manual_h, measured_h), tolerance, min_hours
        ):
            found.add(SpotCheck.MANUAL_MISMATCH)
    used = booked_h if measured_h is None else measured_h
    if manual_h is None and differs(used, 0, tolerance, min_hours):
        found.add(SpotCheck.NO_MANUAL_LOG)
    return [code for code in SpotCheck if code in found]
