"""Pure tests of the booking rules of seed 000 附件2: each rule just inside and just outside."""

from datetime import date, datetime, timedelta

import pytest

from core_facility.rules import booking as b

NOW = datetime(2025, 12, 10, 9, 0)  # Wednesday 10 Dec 2025, 09:00 local
TALOS_SLOTS = (b.Slot("first", 8 * 60 + 30, 17 * 60), b.Slot("second", 18 * 60, 8 * 60))
TITAN_SLOTS = (b.Slot("first", 8 * 60 + 30, 18 * 60), b.Slot("second", 18 * 60, 8 * 60 + 30))


def codes(policy, **kw):
    kw.setdefault("now", NOW)
    return [v.code for v in b.evaluate(policy, b.Request(**kw))]


def dt(*args):
    return datetime(*args)


def working_hours(day_from, days):
    """Mon-Fri 08:30-17:00 around the requests."""
    out = []
    for i in range(days):
        d = day_from + timedelta(days=i)
        if d.weekday() < 5:
            out.append(
                (
                    datetime.combine(d, datetime.min.time()) + timedelta(hours=8.5),
                    datetime.combine(d, datetime.min.time()) + timedelta(hours=17),
                )
            )
    return out


# -- horizon in natural weeks (Spirit / Tecnai 20) --------------------------------------------
TEM = b.Policy(horizon_unit="weeks", horizon_internal=3, horizon_external=2)


def test_natural_week_horizon_edges():
    # the example: today in the week of Mon 1 Dec 2025
    now = dt(2025, 12, 3, 9)
    assert b.horizon_last_day(now.date(), "weeks", 2) == date(2025, 12, 14)
    assert b.horizon_last_day(now.date(), "weeks", 3) == date(2025, 12, 21)
    ext = dict(now=now, category="external")
    # external: until Sun 14 Dec; 23:00 that Sunday is inside, Mon 15 Dec is outside
    assert codes(TEM, start=dt(2025, 12, 14, 23), stop=dt(2025, 12, 15, 1), **ext) == []
    assert codes(TEM, start=dt(2025, 12, 15, 9), stop=dt(2025, 12, 15, 10), **ext) == [
        "horizon_weeks"
    ]
    assert codes(TEM, now=now, start=dt(2025, 12, 21, 9), stop=dt(2025, 12, 21, 10)) == []
    assert codes(TEM, now=now, start=dt(2025, 12, 22, 9), stop=dt(2025, 12, 22, 10)) == [
        "horizon_weeks"
    ]


def test_current_week_is_the_first_on_sunday_too():
    sunday = dt(2025, 12, 14, 20)
    assert b.horizon_last_day(sunday.date(), "weeks", 2) == date(2025, 12, 21)


def test_past_and_order():
    assert codes(TEM, start=dt(2025, 12, 10, 8, 59), stop=dt(2025, 12, 10, 10)) == ["past"]
    assert codes(TEM, start=dt(2025, 12, 10, 9), stop=dt(2025, 12, 10, 10)) == []
    assert codes(TEM, start=dt(2025, 12, 10, 11), stop=dt(2025, 12, 10, 10)) == ["order"]


# -- light microscopes: 7 days, reopening on 16 May / 16 Nov, 8 h/week/group at peak ----------
LIGHT = b.Policy(
    horizon_unit="days",
    horizon_internal=7,
    horizon_external=7,
    reopen_dates=((5, 16), (11, 16)),
    quotas=(b.Quota("group", "week", "hours", 8),),
)


def test_seven_day_horizon():
    assert codes(LIGHT, start=dt(2025, 12, 17, 23), stop=dt(2025, 12, 17, 23, 30)) == []
    assert codes(LIGHT, start=dt(2025, 12, 18, 0), stop=dt(2025, 12, 18, 1)) == ["horizon_days"]


def test_reopening_after_billing_cutoff():
    now = dt(2025, 11, 12, 10)
    assert codes(LIGHT, now=now, start=dt(2025, 11, 15, 14), stop=dt(2025, 11, 15, 16)) == []
    assert codes(LIGHT, now=now, start=dt(2025, 11, 16, 9), stop=dt(2025, 11, 16, 10)) == ["reopen"]
    # from the re-opening day on, the normal 7-day window applies
    now = dt(2025, 11, 16, 0, 1)
    assert codes(LIGHT, now=now, start=dt(2025, 11, 20, 9), stop=dt(2025, 11, 20, 10)) == []


def test_group_week_quota_in_hours():
    group = [(dt(2025, 12, 8, 9), dt(2025, 12, 8, 15))]  # 6 h on Monday
    ok = codes(LIGHT, start=dt(2025, 12, 11, 9), stop=dt(2025, 12, 11, 11), group_bookings=group)
    assert ok == []
    over = codes(
        LIGHT, start=dt(2025, 12, 11, 9), stop=dt(2025, 12, 11, 11, 30), group_bookings=group
    )
    assert over == ["quota"]
    # last week's bookings do not count in this week
    old = [(dt(2025, 12, 5, 9), dt(2025, 12, 5, 17))]
    assert (
        codes(LIGHT, start=dt(2025, 12, 11, 9), stop=dt(2025, 12, 11, 17), group_bookings=old) == []
    )


# -- Talos and Titan: slots, whole days, monthly opening --------------------------------------
TALOS = b.Policy(
    slots=TALOS_SLOTS,
    restricted_slot_codes=("first",),
    restricted_workdays_only=True,
    whole_day_rule=True,
    monthly_opening=True,
)


def test_talos_slots_and_overnight_slot():
    assert (
        codes(
            TALOS,
            start=dt(2025, 12, 11, 8, 30),
            stop=dt(2025, 12, 11, 17),
            has_whole_day_level=True,
        )
        == []
    )
    # the second slot ends at 08:00 the next day and belongs to the day it starts
    assert (
        codes(TALOS, start=dt(2025, 12, 11, 18), stop=dt(2025, 12, 12, 8), has_whole_day_level=True)
        == []
    )
    assert codes(
        TALOS, start=dt(2025, 12, 11, 18), stop=dt(2025, 12, 12, 8, 30), has_whole_day_level=True
    ) == ["slots"]
    assert codes(
        TALOS, start=dt(2025, 12, 11, 9), stop=dt(2025, 12, 11, 17), has_whole_day_level=True
    ) == ["slots"]
    # whole day 08:30 -> 08:00, and two whole days
    assert b.match_slots(dt(2025, 12, 11, 8, 30), dt(2025, 12, 12, 8), TALOS_SLOTS) == (
        "whole_day",
        1,
    )
    assert b.match_slots(dt(2025, 12, 11, 8, 30), dt(2025, 12, 13, 8), TALOS_SLOTS) == (
        "whole_day",
        2,
    )


def test_talos_uncertified_users_get_the_first_slot_on_workdays_only():
    thursday_first = dict(start=dt(2025, 12, 11, 8, 30), stop=dt(2025, 12, 11, 17))
    assert codes(TALOS, **thursday_first) == []
    assert codes(TALOS, start=dt(2025, 12, 11, 18), stop=dt(2025, 12, 12, 8)) == ["restricted_slot"]
    assert codes(TALOS, start=dt(2025, 12, 11, 8, 30), stop=dt(2025, 12, 12, 8)) == [
        "restricted_slot"
    ]
    assert codes(TALOS, start=dt(2025, 12, 13, 8, 30), stop=dt(2025, 12, 13, 17)) == [
        "restricted_slot"
    ]
    # long data collection may take the whole day
    assert (
        codes(TALOS, start=dt(2025, 12, 11, 8, 30), stop=dt(2025, 12, 12, 8), long_collection=True)
        == []
    )


def test_titan_whole_day_runs_0830_to_0830():
    assert b.match_slots(dt(2025, 12, 11, 8, 30), dt(2025, 12, 12, 8, 30), TITAN_SLOTS) == (
        "whole_day",
        1,
    )
    assert b.match_slots(dt(2025, 12, 11, 18), dt(2025, 12, 12, 8, 30), TITAN_SLOTS) == (
        "slot",
        "second",
    )


def test_monthly_opening_in_the_last_week():
    january = dict(start=dt(2026, 1, 5, 8, 30), stop=dt(2026, 1, 5, 17))
    assert codes(TALOS, now=dt(2025, 12, 24, 23, 59), **january) == ["monthly"]
    assert codes(TALOS, now=dt(2025, 12, 25, 0, 0), **january) == []
    assert b.monthly_open_date(date(2026, 1, 1), 7) == date(2025, 12, 25)
    # two months ahead stays closed
    february = dict(start=dt(2026, 2, 2, 8, 30), stop=dt(2026, 2, 2, 17))
    assert codes(TALOS, now=dt(2025, 12, 28, 10), **february) == ["monthly"]
    assert (
        codes(
            TALOS,
            now=dt(2025, 12, 10, 10),
            start=dt(2025, 12, 31, 8, 30),
            stop=dt(2025, 12, 31, 17),
        )
        == []
    )


# -- Spirit / T20: working hours unless intermediate or a certified companion -----------------
SPIRIT = b.Policy(horizon_unit="weeks", horizon_internal=3, horizon_external=2, offhours_rule=True)


def test_offhours_need_the_level_or_a_companion():
    working = working_hours(date(2025, 12, 8), 14)
    inside = dict(start=dt(2025, 12, 11, 8, 30), stop=dt(2025, 12, 11, 17), working=working)
    assert codes(SPIRIT, **inside) == []
    late = dict(start=dt(2025, 12, 11, 16), stop=dt(2025, 12, 11, 17, 1), working=working)
    assert codes(SPIRIT, **late) == ["offhours"]
    assert codes(SPIRIT, has_offhours_level=True, **late) == []
    assert codes(SPIRIT, companion_certified=True, **late) == []
    saturday = dict(start=dt(2025, 12, 13, 10), stop=dt(2025, 12, 13, 11), working=working)
    assert codes(SPIRIT, **saturday) == ["offhours"]


# -- sample preparation: whole-day runs (AFS2), set-up time (HPM, FC7) ------------------------
def test_afs2_runs_in_whole_days():
    afs2 = b.Policy(whole_days_only=True)
    assert codes(afs2, start=dt(2025, 12, 11), stop=dt(2025, 12, 14)) == []
    assert codes(afs2, start=dt(2025, 12, 11), stop=dt(2025, 12, 13, 23, 59)) == ["whole_days"]
    assert codes(afs2, start=dt(2025, 12, 11, 9), stop=dt(2025, 12, 12)) == ["whole_days"]


def test_setup_time_must_be_included():
    hpm = b.Policy(setup_minutes=30)
    assert codes(hpm, start=dt(2025, 12, 11, 9), stop=dt(2025, 12, 11, 9, 31)) == []
    assert codes(hpm, start=dt(2025, 12, 11, 9), stop=dt(2025, 12, 11, 9, 30)) == ["setup"]


# -- Helios: 5 workdays/month per user and group, adjacent weekend for certified users --------
HELIOS = b.Policy(
    weekend_rule=True,
    quotas=(b.Quota("user", "month", "workdays", 5), b.Quota("group", "month", "workdays", 5)),
)


def test_helios_workday_quota_per_user_and_group():
    four_days = [(dt(2025, 12, d, 9), dt(2025, 12, d, 12)) for d in (1, 2, 3, 4)]
    fifth = dict(start=dt(2025, 12, 11, 9), stop=dt(2025, 12, 11, 17))
    assert codes(HELIOS, user_bookings=four_days, group_bookings=four_days, **fifth) == []
    sixth = [*four_days, (dt(2025, 12, 5, 9), dt(2025, 12, 5, 10))]
    assert codes(HELIOS, user_bookings=sixth, group_bookings=sixth, **fifth) == ["quota", "quota"]
    # another member's days count for the group only
    assert codes(HELIOS, user_bookings=four_days, group_bookings=sixth, **fifth) == ["quota"]
    # two bookings on the same day count once; a whole day 09:00 -> 09:00 counts one day
    same_day = [*four_days, (dt(2025, 12, 11, 18), dt(2025, 12, 11, 20))]
    assert codes(HELIOS, user_bookings=same_day, group_bookings=same_day, **fifth) == []
    assert b.booked_days(dt(2025, 12, 11, 9), dt(2025, 12, 12, 9)) == [date(2025, 12, 11)]


def test_helios_weekend_for_certified_users_next_to_their_workdays():
    friday = [(dt(2025, 12, 12, 9), dt(2025, 12, 12, 17))]
    saturday = dict(start=dt(2025, 12, 13, 9), stop=dt(2025, 12, 13, 17))
    assert codes(HELIOS, user_bookings=friday, **saturday) == ["weekend_level"]
    assert codes(HELIOS, user_bookings=friday, has_weekend_level=True, **saturday) == []
    assert codes(HELIOS, has_weekend_level=True, **saturday) == ["weekend_adjacent"]
    monday = [(dt(2025, 12, 15, 9), dt(2025, 12, 15, 17))]
    sunday = dict(start=dt(2025, 12, 14, 9), stop=dt(2025, 12, 14, 17))
    assert codes(HELIOS, user_bookings=monday, has_weekend_level=True, **sunday) == []
    # the weekend does not count in the workday quota
    four = [(dt(2025, 12, d, 9), dt(2025, 12, d, 12)) for d in (1, 2, 3, 4, 12)]
    assert (
        codes(HELIOS, user_bookings=four, group_bookings=four, has_weekend_level=True, **saturday)
        == []
    )


def test_blackouts_block_and_touching_is_fine():
    maintenance = [(dt(2025, 12, 11, 0), dt(2025, 12, 13, 0), "Helios service")]
    inside = codes(
        b.Policy(), start=dt(2025, 12, 12, 9), stop=dt(2025, 12, 12, 10), blackouts=maintenance
    )
    assert inside == ["blackout"]
    after = codes(
        b.Policy(), start=dt(2025, 12, 13, 0), stop=dt(2025, 12, 13, 2), blackouts=maintenance
    )
    assert after == []


def test_all_violations_are_reported_at_once():
    found = codes(
        TEM,
        now=dt(2025, 12, 3, 9),
        start=dt(2025, 12, 22, 9),
        stop=dt(2025, 12, 22, 10),
        category="external",
        blackouts=[(dt(2025, 12, 22), dt(2025, 12, 23), "service")],
    )
    assert found == ["horizon_weeks", "blackout"]


@pytest.mark.parametrize(
    ("now", "start", "late"),
    [
        (dt(2025, 12, 11, 7), dt(2025, 12, 11, 9), False),
        (dt(2025, 12, 11, 7, 0, 1), dt(2025, 12, 11, 9), True),
    ],
)
def test_cancellation_notice(now, start, late):
    assert b.late_cancellation(start, now, 120) is late


def test_titan_annual_shares():
    titan = b.Policy(external_share=0.15, reserved_share=0.30)
    whole_day = dict(start=dt(2025, 12, 11, 8, 30), stop=dt(2025, 12, 12, 8, 30), annual_hours=1600)
    # external groups: at most 15 % of 1600 h = 240 h in the year
    assert codes(titan, category="external", year_external_hours=216, **whole_day) == []
    assert codes(titan, category="external", year_external_hours=216.5, **whole_day) == [
        "external_share"
    ]
    # 30 % reserved for pilot projects: other bookings share 1120 h
    assert codes(titan, year_unreserved_hours=1096, **whole_day) == []
    assert codes(titan, year_unreserved_hours=1096.5, **whole_day) == ["reserved_share"]
    assert codes(titan, year_unreserved_hours=1096.5, reserved_project=True, **whole_day) == []


# -- allocated hours (Talos, Titan, Helios) ---------------------------------------------------
ALLOCATED = b.Policy(allocation_rule=True, allocation_deadline_day=1)


def test_allocation_deadline_is_clamped_to_the_month():
    assert b.allocation_deadline(date(2026, 1, 1), 1) == date(2026, 1, 1)
    assert b.allocation_deadline(date(2026, 2, 1), 31) == date(2026, 2, 28)
    assert b.allocation_deadline(date(2026, 2, 1), 0) == date(2026, 2, 1)


def test_booking_needs_an_allocation_for_its_month():
    request = dict(now=dt(2025, 12, 26, 9), start=dt(2026, 1, 5, 8, 30), stop=dt(2026, 1, 5, 17))
    assert codes(ALLOCATED, **request) == ["allocation_missing"]
    assert codes(ALLOCATED, allocation=b.Allocation(8.5), **request) == []


def test_allocated_hours_just_inside_and_just_outside():
    # 24 h allocated for January, 16 h already booked: 8 h fit, 8.5 h do not
    request = dict(
        now=dt(2025, 12, 26, 9),
        allocation=b.Allocation(24.0),
        allocation_used_hours=16.0,
        start=dt(2026, 1, 5, 9),
    )
    assert codes(ALLOCATED, stop=dt(2026, 1, 5, 17), **request) == []
    [violation] = b.evaluate(ALLOCATED, b.Request(stop=dt(2026, 1, 5, 17, 30), **request))
    assert violation.code == "allocation"
    assert violation.params["used"] == 24.5
    assert violation.params["remaining"] == 8.0
    # second-round hours add to the allocation
    request["allocation"] = b.Allocation(24.0, second_round=0.5)
    assert codes(ALLOCATED, stop=dt(2026, 1, 5, 17, 30), **request) == []


def test_unbooked_hours_lapse_after_the_first_of_the_month():
    allocation = b.Allocation(24.0)
    request = dict(allocation=allocation, allocation_used_hours=16.0, start=dt(2026, 1, 20, 9))
    stop = dt(2026, 1, 20, 13)
    # on the 1st (the deadline day) the 8 unbooked hours can still be booked
    assert codes(ALLOCATED, now=dt(2026, 1, 1, 23, 59), stop=stop, **request) == []
    # from the 2nd they have lapsed, recorded or not
    [violation] = b.evaluate(ALLOCATED, b.Request(now=dt(2026, 1, 2, 0, 0), stop=stop, **request))
    assert violation.code == "allocation"
    assert violation.params["forfeited"] == 8.0
    assert violation.params["remaining"] == 0.0
    recorded = dict(request, allocation=b.Allocation(24.0, forfeited=8.0))
    assert codes(ALLOCATED, now=dt(2026, 1, 2), stop=stop, **recorded) == ["allocation"]
    # a group that cancels after the deadline may rebook the hours it held
    recorded["allocation_used_hours"] = 12.0
    assert codes(ALLOCATED, now=dt(2026, 1, 2), stop=stop, **recorded) == []
    # second-round hours, granted after the deadline, can be booked and do not lapse
    second = dict(request, allocation=b.Allocation(24.0, second_round=4.0, forfeited=8.0))
    assert codes(ALLOCATED, now=dt(2026, 1, 5), stop=stop, **second) == []
    only_second = dict(
        request, allocation=b.Allocation(0.0, second_round=4.0), allocation_used_hours=0
    )
    assert codes(ALLOCATED, now=dt(2026, 1, 5), stop=stop, **only_second) == []


def test_forfeitable_hours():
    assert b.forfeitable_hours(b.Allocation(24.0, second_round=6.0), 20.0) == 4.0
    assert b.forfeitable_hours(b.Allocation(0.0, second_round=6.0), 0.0) == 0.0
    assert b.forfeitable_hours(b.Allocation(24.0), 30.0) == 0.0


def test_helios_preparation_must_be_confirmed():
    helios = b.Policy(preparation_required=True)
    request = dict(start=dt(2025, 12, 11, 9), stop=dt(2025, 12, 11, 12))
    assert codes(helios, **request) == ["preparation"]
    assert codes(helios, preparation_done=True, **request) == []
    assert codes(b.Policy(), **request) == []


def test_candidate_times_follow_slots_whole_days_or_steps():
    start = datetime(2025, 12, 3, 9, 0)
    slots = (b.Slot("first", 510, 1020), b.Slot("second", 1080, 480))
    slotted = list(b.candidate_times(b.Policy(slots=slots), start, start + timedelta(days=1), 60))
    # the 3rd's first slot started already: second slot and... the 4th's slots and whole day
    assert slotted[0] == (datetime(2025, 12, 3, 18), datetime(2025, 12, 4, 8))
    assert (datetime(2025, 12, 4, 8, 30), datetime(2025, 12, 5, 8)) in slotted
    whole = list(
        b.candidate_times(b.Policy(whole_days_only=True), start, start + timedelta(days=2), 25 * 60)
    )
    assert whole == [
        (datetime(2025, 12, 4), datetime(2025, 12, 6)),
        (datetime(2025, 12, 5), datetime(2025, 12, 7)),
    ]
    free = list(b.candidate_times(b.Policy(), start, datetime(2025, 12, 4), 90, step_minutes=60))
    assert free[0] == (start, start + timedelta(minutes=90))
    assert len(free) == 15  # 09:00 ... 23:00
