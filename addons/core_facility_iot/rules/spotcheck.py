"""The monthly spot check (抽查, seed 002 第三条) of one instrument: booked time, the time the box
measured (machine-time collector, 机时采集器) and the time written in the manual usage ledger.

``compare(booked_h, measured_h, manual_h, tolerance, min_hours)`` returns the discrepancy codes
(:class:`SpotCheck`, in that enum's order). Two figures differ when their difference is *more*
than ``max(min_hours, tolerance × base)``; exactly that much is still in agreement (the absolute
floor keeps a 0.2 h difference on a 1 h month from being a finding). The codes:

* ``under_use`` — booked − measured beyond the tolerance of the booked hours (booked time not
  used: a no-show the booking did not record, or a box that missed the use);
* ``unbooked`` — measured − booked beyond the tolerance of the booked hours (use without a
  booking, or overruns; with nothing booked, any measured time above ``min_hours``);
* ``manual_mismatch`` — |manual − measured| beyond the tolerance of the larger of the two;
* ``no_measurement`` — ``measured_h`` is None (no collector data for the month: a silent or
  missing box) while something was booked or logged by hand; the measured comparisons are skipped;
* ``no_manual_log`` — ``manual_h`` is None (no ledger for the month) while the instrument was used
  (measured, or else booked, above ``min_hours``).

A zero is a figure (nothing booked, nothing measured); None means the source is missing.
"""

from .codes import SpotCheck

DEFAULT_TOLERANCE = 0.10
DEFAULT_MIN_HOURS = 0.5


def differs(difference, base, tolerance=DEFAULT_TOLERANCE, min_hours=DEFAULT_MIN_HOURS):
    """Whether ``difference`` (hours, positive) is beyond the tolerance of ``base`` hours."""
    return round(difference, 6) > round(max(min_hours, tolerance * base), 6)


def compare(
    booked_h, measured_h, manual_h, tolerance=DEFAULT_TOLERANCE, min_hours=DEFAULT_MIN_HOURS
):
    """The discrepancy codes of one instrument-month; empty when the three sources agree."""
    booked_h = booked_h or 0.0
    found = set()
    if measured_h is None:
        if booked_h > 0 or (manual_h or 0) > 0:
            found.add(SpotCheck.NO_MEASUREMENT)
    else:
        if differs(booked_h - measured_h, booked_h, tolerance, min_hours):
            found.add(SpotCheck.UNDER_USE)
        if differs(measured_h - booked_h, booked_h, tolerance, min_hours):
            found.add(SpotCheck.UNBOOKED)
        if manual_h is not None and differs(
            abs(manual_h - measured_h), max(manual_h, measured_h), tolerance, min_hours
        ):
            found.add(SpotCheck.MANUAL_MISMATCH)
    used = booked_h if measured_h is None else measured_h
    if manual_h is None and differs(used, 0, tolerance, min_hours):
        found.add(SpotCheck.NO_MANUAL_LOG)
    return [code for code in SpotCheck if code in found]
