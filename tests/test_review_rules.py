"""Pure tests of the committee's week (seed 000 第三章 第二条 2): batches at the cut-off edges."""

from datetime import date, datetime

import pytest

from core_facility.rules import review as r

THU, FRI = 3, 4


def batch(*moment, cutoff=THU, meeting=FRI, days=7):
    return r.batch_for(datetime(*moment), cutoff, meeting, days)


def test_thursday_evening_goes_into_this_friday():
    # Thursday 4 Dec 2025, 23:59 local: still this week's batch
    dates = batch(2025, 12, 4, 23, 59)
    assert dates.meeting == date(2025, 12, 5)
    assert dates.cutoff == datetime(2025, 12, 5, 0, 0)
    assert dates.deadline == date(2025, 12, 12)


def test_friday_midnight_goes_into_next_week():
    dates = batch(2025, 12, 5, 0, 0)
    assert dates.meeting == date(2025, 12, 12)
    assert dates.cutoff == datetime(2025, 12, 12, 0, 0)


@pytest.mark.parametrize(
    ("moment", "meeting"),
    [
        ((2025, 12, 1, 8, 0), date(2025, 12, 5)),  # Monday
        ((2025, 12, 3, 12, 0), date(2025, 12, 5)),  # Wednesday
        ((2025, 12, 6, 10, 0), date(2025, 12, 12)),  # Saturday
        ((2025, 12, 7, 23, 59), date(2025, 12, 12)),  # Sunday
    ],
)
def test_every_day_of_the_week(moment, meeting):
    assert batch(*moment).meeting == meeting


def test_cutoff_on_the_meeting_day_and_other_settings():
    # cut-off Friday, meeting Friday: Friday submissions are still reviewed that day
    assert batch(2025, 12, 5, 18, 0, cutoff=FRI).meeting == date(2025, 12, 5)
    assert batch(2025, 12, 6, 0, 0, cutoff=FRI).meeting == date(2025, 12, 12)
    # cut-off Tuesday, meeting Wednesday, answer within 10 days
    dates = batch(2025, 12, 2, 9, 0, cutoff=1, meeting=2, days=10)
    assert (dates.meeting, dates.deadline) == (date(2025, 12, 3), date(2025, 12, 13))
    assert batch(2025, 12, 3, 0, 0, cutoff=1, meeting=2).meeting == date(2025, 12, 10)


def test_next_batch():
    dates = r.next_batch(batch(2025, 12, 4, 10, 0), 7)
    assert dates == r.BatchDates(date(2025, 12, 12), datetime(2025, 12, 12), date(2025, 12, 19))


def test_week_meeting():
    assert r.week_meeting(date(2025, 12, 1), FRI) == date(2025, 12, 5)  # Monday
    assert r.week_meeting(date(2025, 12, 7), FRI) == date(2025, 12, 5)  # Sunday


@pytest.mark.parametrize(
    ("state", "today", "overdue", "color"),
    [
        ("in_review", date(2025, 12, 12), False, r.COLOR_DUE_SOON),  # due today
        ("in_review", date(2025, 12, 13), True, r.COLOR_OVERDUE),
        ("submitted", date(2025, 12, 13), True, r.COLOR_OVERDUE),
        ("in_review", date(2025, 12, 6), False, r.COLOR_DUE_SOON),  # 6 days left
        ("in_review", date(2025, 12, 5), False, r.COLOR_NONE),  # 7 days left
        ("approved", date(2025, 12, 20), False, r.COLOR_NONE),
        ("draft", date(2025, 12, 20), False, r.COLOR_NONE),
    ],
)
def test_overdue_and_colour(state, today, overdue, color):
    deadline = date(2025, 12, 12)
    assert r.is_overdue(state, deadline, today) is overdue
    assert r.deadline_color(state, deadline, today) == color
    assert r.is_overdue(state, None, today) is False


def test_vote_counts_and_opinions():
    counts = r.vote_counts(["approve", "approve", "reject", None, "approve_changes"])
    assert counts == {"approve": 2, "approve_changes": 1, "reject": 1, None: 1}
    assert r.opinion_required("reject") and r.opinion_required("approve_changes")
    assert not r.opinion_required("approve")


def test_missing_fields():
    values = {"a": "<p>  </p>", "b": "<p>Cryo-EM</p>", "c": "", "d": 3, "e": False}
    assert r.missing_fields(values, ["a", "b", "c", "d", "e"]) == ["a", "c", "e"]
