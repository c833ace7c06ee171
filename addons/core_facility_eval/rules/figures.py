"""Who takes part in a campaign and the window its figures are read in (seed 002 附件3, remark of
7.2 and note (2)). Plain values, standard library only.

* :func:`status` — assessed, not assessed (account opened after 30 September of the year) or
  excluded (a scrap application filed in the year; an instrument marked scrapped with no date
  recorded is excluded too: it cannot be assessed on its use, and counting it would pull its
  unit's averages down). The scrap application is checked first: an instrument opened in October
  and scrapped in November is excluded.
* :func:`in_campaign` — an instrument opened after the campaign's last day, or whose scrap
  application was filed before its first day, is not in the campaign at all (no form).
* :func:`utc_bounds` — the campaign's local dates (the facility's zone, Asia/Shanghai) as the
  naive UTC datetimes the bookings are stored in: ``[date_from 00:00, date_to + 1 day 00:00)``.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from . import proration
from .codes import SheetStatus

# why an instrument is not assessed (the model turns these into translated sentences)
OPENED_LATE = "opened_late"
SCRAP_APPLIED = "scrap_applied"
SCRAPPED_UNDATED = "scrapped_undated"


def status(year, account_date=None, scrap_applied_date=None, scrapped=False, late_rule=True):
    """``(codes.SheetStatus, reason code or None)`` of an instrument in ``year``.
    ``late_rule``: 附件3's "opened after 30 Sep is not assessed" applies (seed 002's tables;
    seed 001's benefit evaluation has no such rule)."""
    if scrap_applied_date is not None and scrap_applied_date.year == year:
        return SheetStatus.EXCLUDED, SCRAP_APPLIED
    if scrapped and scrap_applied_date is None:
        return SheetStatus.EXCLUDED, SCRAPPED_UNDATED
    if late_rule and not proration.assessed(account_date, year):
        return SheetStatus.NOT_ASSESSED, OPENED_LATE
    return SheetStatus.ASSESSED, None


def in_campaign(date_from, date_to, account_date=None, scrap_applied_date=None):
    """Whether an instrument has a form in a campaign running ``date_from``..``date_to``."""
    if account_date is not None and account_date > date_to:
        return False
    return scrap_applied_date is None or scrap_applied_date >= date_from


def utc_bounds(date_from, date_to, tz_name):
    """``(start, stop)``: naive UTC datetimes of local ``date_from`` 00:00 and of the day after
    ``date_to`` 00:00 in ``tz_name`` (a half-open window: ``start <= t < stop``)."""
    zone = ZoneInfo(tz_name)
    return tuple(
        datetime.combine(day, time.min, zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
        for day in (date_from, date_to + timedelta(days=1))
    )


def figures(hours_logged, external_hours_logged, account_date, year):
    """The hours as the evaluation counts them: ``{"full_months", "hours", "external_hours"}``
    (prorated ×12 ÷ full months for an account opened in the year; an instrument not assessed
    keeps its logged hours, 12 months)."""
    if not proration.assessed(account_date, year):
        return {"full_months": 12, "hours": hours_logged, "external_hours": external_hours_logged}
    return {
        "full_months": proration.full_months(account_date, year),
        "hours": proration.prorated(hours_logged, account_date, year),
        "external_hours": proration.prorated(external_hours_logged, account_date, year),
    }
