"""The early warning's projection of an instrument's year (issue 13, item 7). Plain values.

A figure of the year (hours, external-service hours, fees) is projected as::

    projected = to_date + booked + pace × unbooked_days

* ``to_date``: what the records hold so far this year (done bookings' used hours; fees charged);
* ``booked``: the confirmed bookings still to come this year (their booked hours; no fees);
* ``pace``: the figure of the last :data:`PACE_DAYS` days ÷ the days of that window the
  instrument could be used (fewer when its account was opened less than 90 days ago; 0 days:
  no pace);
* ``unbooked_days``: the days of the year after the last day holding a confirmed booking (or
  after today when there is none) — the pace fills only the time no booking covers yet, so a
  booked week is not counted twice.

The projection is then prorated as the evaluation will prorate it (×12 ÷ full months for an
account opened in the year), and alerts when it falls below the fail rules (800 h, 60 points).
"""

from datetime import date

PACE_DAYS = 90
HOURS = "hours"
POINTS = "points"


def observed_days(today: date, account_date=None, window=PACE_DAYS):
    """Days of the pace window (the ``window`` days up to and including ``today``) the
    instrument existed in."""
    if account_date is None:
        return window
    return max(0, min(window, (today - account_date).days + 1))


def unbooked_days(today: date, year_end: date, horizon=None):
    """Days of the year after ``today`` and after ``horizon`` (the last day booked)."""
    start = max(today, horizon) if horizon else today
    return max(0, (year_end - start).days)


def project(to_date, booked, recent, observed, unbooked):
    """``to_date + booked + recent ÷ observed × unbooked`` (no pace without observed days)."""
    pace = recent / observed if observed > 0 else 0.0
    return to_date + booked + pace * unbooked


def alert_reasons(projected_hours, projected_points=None, hours_below=800.0, points_below=60.0):
    """``[]`` or the fail rules the projection heads for: :data:`HOURS` (strictly below
    ``hours_below``), :data:`POINTS` (strictly below ``points_below``; None: not scored)."""
    reasons = []
    if hours_below is not None and projected_hours < hours_below:
        reasons.append(HOURS)
    if (
        projected_points is not None
        and points_below is not None
        and projected_points < points_below
    ):
        reasons.append(POINTS)
    return reasons
