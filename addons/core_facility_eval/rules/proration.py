"""Who is assessed in a year, and the proration of a newly bought instrument's hours (seed 002
附件3, remark of 7.2 and note (2)).

* An instrument whose account was opened (建账) after 30 September of the year is not assessed;
  one with a scrap application (报废申请) submitted that year is not assessed either; neither
  counts in any unit average or total.
* One opened in the year on or before 30 September has its logged hours — and its external-service
  hours — scaled by ``12 ÷ full months since its account was opened`` (建账完成整月数): the months
  of the year after the opening month, plus the opening month itself when the account was opened
  on its first day. Opened on 15 March: April–December, 9 months, so 900 h count as 1,200 h.
* One opened before the year is taken as logged (12 months).
"""

from datetime import date

LAST_ASSESSED_DAY = (9, 30)


def assessed(account_date, year, scrap_applied=False):
    """Whether the instrument takes part in the evaluation of ``year``."""
    if scrap_applied:
        return False
    if account_date is None:  # an old instrument whose account date was never recorded
        return True
    if account_date.year > year:
        return False
    return not (account_date.year == year and account_date > date(year, *LAST_ASSESSED_DAY))


def full_months(account_date, year):
    """Full months of ``year`` since the account was opened (12 for an older account)."""
    if account_date is None or account_date.year < year:
        return 12
    months = 12 - account_date.month
    if account_date.day == 1:
        months += 1
    return months


def prorated(hours, account_date, year):
    """``hours`` logged in ``year`` as the evaluation counts them (``assessed`` first)."""
    if not assessed(account_date, year):
        raise ValueError(f"an account opened on {account_date} is not assessed in {year}")
    return hours * 12 / full_months(account_date, year)
