"""The expert committee's week (seed 000, 第三章 第二条 2: 申请书每周五送审，一周返回评审结果) as
pure functions on plain values.

Every datetime here is *naive local time* in the facility's time zone (the ORM converts from UTC).
Weekdays are Python's: Monday 0 … Sunday 6.
"""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .codes import APPLICATION_PENDING, Vote

DAY = timedelta(days=1)

# kanban colours (Odoo's colour indexes): red when overdue, orange when due this week
COLOR_NONE, COLOR_OVERDUE, COLOR_DUE_SOON = 0, 1, 2


@dataclass(frozen=True)
class BatchDates:
    """One week's review batch: submissions up to ``cutoff`` (exclusive, local) are reviewed at
    the meeting on ``meeting`` and answered by ``deadline``."""

    meeting: date
    cutoff: datetime
    deadline: date


def batch_for(moment, cutoff_weekday, meeting_weekday, answer_days):
    """The batch an application submitted at ``moment`` (local) goes into.

    Applications submitted up to the end of the cut-off day go into that week's batch; the
    meeting is the first meeting day on or after the cut-off day; the answer is due
    ``answer_days`` after the meeting. Submitted after the cut-off: next week's batch.
    """
    day = moment.date()
    cutoff_day = day + timedelta(days=(cutoff_weekday - day.weekday()) % 7)
    meeting = cutoff_day + timedelta(days=(meeting_weekday - cutoff_day.weekday()) % 7)
    return BatchDates(
        meeting=meeting,
        cutoff=datetime.combine(cutoff_day + DAY, time()),
        deadline=meeting + timedelta(days=answer_days),
    )


def next_batch(dates, answer_days):
    """The batch a week after ``dates`` (when that week's batch is already in review)."""
    week = timedelta(days=7)
    meeting = dates.meeting + week
    return BatchDates(meeting, dates.cutoff + week, meeting + timedelta(days=answer_days))


def week_meeting(today, meeting_weekday):
    """The meeting day of ``today``'s week (Monday to Sunday): "this Friday"."""
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(days=meeting_weekday)


def meeting_has_come(meeting, today):
    return meeting <= today


def is_overdue(state, deadline, today):
    """Pending on the committee after the day its answer was due."""
    return bool(deadline) and state in APPLICATION_PENDING and today > deadline


def deadline_color(state, deadline, today):
    """Red when overdue, orange when the answer is due within the week, else none."""
    if not deadline or state not in APPLICATION_PENDING:
        return COLOR_NONE
    if today > deadline:
        return COLOR_OVERDUE
    if deadline - today <= timedelta(days=6):
        return COLOR_DUE_SOON
    return COLOR_NONE


def vote_counts(votes):
    """``{vote: count}`` for every vote code (``None`` for not voted yet)."""
    counts = Counter(v for v in votes if v)
    result = {code.value: counts.get(code.value, 0) for code in Vote}
    result[None] = sum(1 for v in votes if not v)
    return result


def opinion_required(vote):
    """A reasoned opinion is required to reject or to ask for changes."""
    return vote in (Vote.REJECT, Vote.APPROVE_CHANGES)


def missing_fields(values, required):
    """Names of ``required`` fields whose value in ``values`` is empty (HTML without text too)."""
    return [name for name in required if not _filled(values.get(name))]


def _filled(value):
    if isinstance(value, str):
        text = value
        if "<" in text:  # HTML: only the text counts
            text = re.sub(r"<[^>]*>", "", text).replace("&nbsp;", " ")
        return bool(text.strip())
    return bool(value)
