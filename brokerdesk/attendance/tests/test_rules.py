"""The attendance rules, table first: calendar (holidays, 调休), and each day's status."""

import datetime as dt
from decimal import Decimal

import pytest

from brokerdesk.attendance.rules import Status, day_status, late_early_deduction, working_day

D = dt.date


@pytest.mark.parametrize(
    ("day", "workday", "holiday"),
    [
        (D(2026, 11, 30), True, False),  # an ordinary Monday
        (D(2026, 11, 28), False, False),  # an ordinary Saturday
        (D(2026, 10, 1), False, True),  # National Day
        (D(2026, 2, 17), False, True),  # Spring Festival
        (D(2026, 1, 1), False, True),  # New Year's Day
    ],
)
def test_national_calendar(day, workday, holiday):
    is_work, name = working_day(day)
    assert is_work is workday
    assert (name is not None) is holiday


def test_make_up_working_days_count_as_working_days():
    # 调休: find the weekend days the national calendar makes working days in 2026.
    import chinese_calendar

    weekend_workdays = [
        d for d in chinese_calendar.get_workdays(D(2026, 1, 1), D(2026, 12, 31)) if d.weekday() >= 5
    ]
    assert weekend_workdays, "2026 has make-up working days"
    for day in weekend_workdays:
        assert working_day(day) == (True, None)


def test_local_exceptions_override_the_national_calendar():
    assert working_day(D(2026, 11, 30), {D(2026, 11, 30): False}) == (False, None)
    assert working_day(D(2026, 11, 28), {D(2026, 11, 28): True}) == (True, None)


def test_unknown_year_falls_back_to_monday_to_friday():
    assert working_day(D(2031, 3, 3))[0] is True  # a Monday
    assert working_day(D(2031, 3, 8))[0] is False  # a Saturday


TZ = dt.timezone(dt.timedelta(hours=8))
DAY = D(2026, 11, 27)  # a Friday
TODAY = D(2026, 11, 29)


def at(h, m=0, day=DAY):
    return dt.datetime(day.year, day.month, day.day, h, m, tzinfo=TZ)


def status(check_in=None, check_out=None, **kw):
    args = {
        "day": DAY,
        "today": TODAY,
        "workday": True,
        "holiday": None,
        "opens": dt.time(9),
        "closes": dt.time(17),
        "check_in": check_in,
        "check_out": check_out,
    }
    args.update(kw)
    return day_status(**args)


@pytest.mark.parametrize(
    ("check_in", "check_out", "kw", "expected", "late", "early", "overtime"),
    [
        (at(8, 55), at(17, 5), {}, Status.ON_TIME, 0, 0, 10),  # 8 h 10 min worked
        (at(9, 0), at(17, 0), {}, Status.ON_TIME, 0, 0, 0),
        (at(9, 1), at(17, 0), {}, Status.LATE, 1, 0, 0),
        (at(9, 4), at(17, 0), {"grace_minutes": 5}, Status.ON_TIME, 0, 0, 0),
        (at(9, 10), at(17, 0), {"grace_minutes": 5}, Status.LATE, 5, 0, 0),
        (at(8, 50), at(16, 30), {}, Status.EARLY, 0, 30, 0),
        (at(9, 20), at(16, 40), {}, Status.LATE_AND_EARLY, 20, 20, 0),
        (at(8, 0), at(19, 0), {}, Status.ON_TIME, 0, 0, 180),  # 11 h: 3 h voluntary overtime
        (at(8, 55), None, {}, Status.MISSING_PUNCH, 0, 0, 0),
        (None, None, {}, Status.ABSENT, 0, 0, 0),
        (None, None, {"leave_type": "事假"}, Status.LEAVE, 0, 0, 0),
        (None, None, {"outing": (at(8, 30), at(18, 0))}, Status.OUTING, 0, 0, 0),
        (at(11, 0), at(17, 0), {"outing": (at(8, 30), at(10, 45))}, Status.ON_TIME, 0, 0, 0),
        (at(9, 0), at(15, 0), {"outing": (at(15, 10), at(18, 0))}, Status.ON_TIME, 0, 0, 0),
        (None, None, {"workday": False}, Status.REST, 0, 0, 0),
        (at(10, 0), at(14, 0), {"workday": False}, Status.REST, 0, 0, 240),  # rest-day work is overtime
        (None, None, {"workday": False, "holiday": "National Day"}, Status.HOLIDAY, 0, 0, 0),
    ],
)
def test_day_status(check_in, check_out, kw, expected, late, early, overtime):
    result = status(check_in, check_out, **kw)
    assert (result.status, result.late_minutes, result.early_minutes, result.overtime_minutes) == (
        expected,
        late,
        early,
        overtime,
    )


def test_today_is_not_absent_or_missing_before_it_ends():
    today = {"day": TODAY, "today": TODAY}
    assert status(None, None, **today).status == Status.PENDING
    assert status(at(8, 50, TODAY), None, **today).status == Status.ON_TIME
    assert status(at(9, 30, TODAY), None, **today).status == Status.LATE


def test_future_days_are_pending():
    assert status(None, None, day=D(2026, 12, 1)).status == Status.PENDING


@pytest.mark.parametrize(
    ("count", "free", "excess", "amount"), [(2, 3, 0, "0.00"), (5, 3, 2, "100.00"), (4, 0, 4, "200.00")]
)
def test_late_and_early_beyond_the_free_quota_become_a_deduction(count, free, excess, amount):
    assert late_early_deduction(count, free, Decimal("50")) == (excess, Decimal(amount))
