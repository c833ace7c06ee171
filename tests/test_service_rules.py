"""Pure tests of the entrusted-service rules of seed 000 第三章: flows, commitments, capacity."""

from datetime import date, datetime

import pytest

from core_facility.rules import service as s
from core_facility.rules.codes import CommitmentStart, ServiceFlow, ServiceStep

T = ServiceStep
EM, PREP = ServiceFlow.EM, ServiceFlow.PREP
APPROVAL, SAMPLE = CommitmentStart.APPROVAL, CommitmentStart.SAMPLE
D0 = date(2026, 3, 2)


# -- flows ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (T.REGISTERED, T.REVIEWED),
        (T.REVIEWED, T.SAMPLE_REQUESTED),
        (T.SAMPLE_REQUESTED, T.SAMPLE_RECEIVED),
        (T.SAMPLE_RECEIVED, T.PREPARATION),
        (T.PREPARATION, T.DELIVERED),
        (T.DELIVERED, T.CLOSED),
    ],
)
def test_prep_moves_one_step_at_a_time(current, expected):
    assert s.next_steps(PREP, current) == (expected, T.CANCELLED)


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (T.REVIEWED, T.SAMPLE_REQUESTED),
        (T.SAMPLE_RECEIVED, T.IMAGING),
        (T.IMAGING, T.DELIVERED),
        (T.DELIVERED, T.CLOSED),
    ],
)
def test_em_moves_one_step_at_a_time_and_books_until_imaging(current, expected):
    allowed = s.next_steps(EM, current)
    assert allowed[0] == expected
    assert (T.BOOKED in allowed) is (current in (T.REVIEWED, T.SAMPLE_RECEIVED))
    assert T.CANCELLED in allowed


def test_em_booking_is_recorded_once_and_not_after_imaging():
    assert T.BOOKED not in s.next_steps(EM, T.REVIEWED, done=(T.BOOKED,))
    assert T.BOOKED not in s.next_steps(EM, T.IMAGING)
    assert T.BOOKED not in s.next_steps(EM, T.DELIVERED)


def test_prep_has_no_imaging_and_em_no_preparation():
    assert T.IMAGING not in s.next_steps(PREP, T.SAMPLE_RECEIVED)
    assert T.PREPARATION not in s.next_steps(EM, T.SAMPLE_RECEIVED)


@pytest.mark.parametrize("finished", [T.CLOSED, T.CANCELLED])
def test_nothing_follows_a_finished_order(finished):
    assert s.next_steps(EM, finished) == ()
    assert s.next_steps(PREP, finished) == ()


def test_no_skipping_a_step():
    assert T.SAMPLE_RECEIVED not in s.next_steps(PREP, T.REVIEWED)
    assert T.DELIVERED not in s.next_steps(PREP, T.SAMPLE_RECEIVED)


def test_em_imaging_needs_the_instrument_time_booked():
    assert s.missing_before(EM, T.IMAGING, done=()) == (T.BOOKED,)
    assert s.missing_before(EM, T.IMAGING, done=(T.BOOKED,)) == ()
    assert s.missing_before(EM, T.DELIVERED, done=()) == ()
    assert s.missing_before(PREP, T.PREPARATION, done=()) == ()


def test_a_sample_not_qualified_returns_to_sample_requested():
    assert s.step_after_sample(True) == T.SAMPLE_RECEIVED
    assert s.step_after_sample(False) == T.SAMPLE_REQUESTED


# -- commitments ----------------------------------------------------------------------------------


def test_em_commitment_runs_from_approval():
    assert s.default_deadline(APPROVAL, 14, approved_on=D0) == date(2026, 3, 16)
    assert s.default_deadline(APPROVAL, 14, approved_on=None, sample_on=D0) is None


def test_prep_commitment_runs_from_the_qualified_sample():
    assert s.default_deadline(SAMPLE, 21, approved_on=D0, sample_on=None) is None
    assert s.default_deadline(SAMPLE, 21, approved_on=D0, sample_on=D0) == date(2026, 3, 23)


@pytest.mark.parametrize(
    ("category", "external_only", "expected"),
    [
        ("external", True, date(2026, 3, 16)),  # the EM commitment: external users
        ("internal", True, None),  # not for internal groups
        (None, True, None),  # a group without category is not external
        (False, True, None),
        ("internal", False, date(2026, 3, 16)),  # a commitment for every group
        ("external", False, date(2026, 3, 16)),
    ],
)
def test_em_commitment_for_external_users_only(category, external_only, expected):
    assert (
        s.default_deadline(
            APPROVAL, 14, approved_on=D0, category=category, external_only=external_only
        )
        == expected
    )


def test_external_only_needs_its_start_and_days():
    assert s.default_deadline(APPROVAL, 14, category="external", external_only=True) is None
    assert s.default_deadline(APPROVAL, 0, D0, category="external", external_only=True) is None
    assert s.default_deadline(SAMPLE, 21, D0, D0, "internal", external_only=True) is None


@pytest.mark.parametrize("days", [0, None, -3])
def test_no_days_no_commitment(days):
    assert s.default_deadline(APPROVAL, days, approved_on=D0) is None


def test_a_negotiated_deadline_applies_only_once_signed_off():
    default, negotiated = date(2026, 3, 23), date(2026, 4, 30)
    assert s.deadline(default, negotiated, negotiated_approved=False) == default
    assert s.deadline(default, negotiated, negotiated_approved=True) == negotiated
    assert s.deadline(default, None, negotiated_approved=True) == default


@pytest.mark.parametrize(
    ("today", "late", "left"),
    [
        (date(2026, 3, 22), False, 1),
        (date(2026, 3, 23), False, 0),  # the deadline day itself is still in time
        (date(2026, 3, 24), True, -1),  # the 22nd day after the sample
    ],
)
def test_late_the_day_after_the_deadline(today, late, left):
    deadline = s.default_deadline(SAMPLE, 21, sample_on=D0)
    assert s.is_late(deadline, today) is late
    assert s.days_left(deadline, today) == left


def test_done_in_time_is_never_late_and_done_late_stays_late():
    deadline = date(2026, 3, 23)
    assert s.is_late(deadline, date(2026, 5, 1), done_on=date(2026, 3, 23)) is False
    assert s.is_late(deadline, date(2026, 5, 1), done_on=date(2026, 3, 24)) is True
    assert s.is_late(None, date(2026, 5, 1)) is False
    assert s.days_left(None, date(2026, 5, 1)) is None


@pytest.mark.parametrize(
    ("today", "warn"),
    [
        (date(2026, 3, 19), False),  # 4 days before
        (date(2026, 3, 20), True),  # 3 days before
        (date(2026, 3, 23), True),  # the day itself
        (date(2026, 3, 24), False),  # late: escalated, not warned
    ],
)
def test_warning_window(today, warn):
    assert s.in_warning_window(date(2026, 3, 23), today, 3) is warn


def test_no_warning_once_done_or_without_deadline():
    assert not s.in_warning_window(date(2026, 3, 23), date(2026, 3, 22), 3, done_on=D0)
    assert not s.in_warning_window(None, date(2026, 3, 22), 3)


def test_to_date():
    assert s.to_date(datetime(2026, 3, 2, 23, 59)) == D0
    assert s.to_date(D0) == D0
    assert s.to_date(None) is None


# -- capacity and priority ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capacity", "open_external", "accepted", "left"),
    [
        (0, 50, True, None),  # no limit
        (3, 2, True, 1),
        (3, 3, False, 0),
        (3, 4, False, 0),
    ],
)
def test_external_capacity(capacity, open_external, accepted, left):
    assert s.accepts_external(capacity, open_external) is accepted
    assert s.external_capacity_left(capacity, open_external) == left


@pytest.mark.parametrize(
    ("capacity", "open_external", "adding", "accepted"),
    [
        (3, 1, 2, True),  # two orders at once, both fit
        (3, 2, 2, False),  # the second does not
        (3, 3, 0, True),  # nothing added
        (0, 9, 5, True),  # no limit
    ],
)
def test_external_capacity_for_several_orders(capacity, open_external, adding, accepted):
    assert s.accepts_external(capacity, open_external, adding) is accepted


def test_internal_groups_first():
    assert s.queue_priority("internal") > s.queue_priority("external")
