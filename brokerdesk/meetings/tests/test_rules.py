"""The meeting rules, table first: working days (holidays, 调休, unknown years), periods, the
edit window, and which required meetings a team missed."""

import datetime as dt

import chinese_calendar
import pytest

from brokerdesk.meetings import rules
from brokerdesk.meetings.rules import MONTHLY, MORNING, WEEKLY, missed_meetings

D = dt.date


def test_the_calendar_dates_these_tests_rely_on():
    assert chinese_calendar.is_workday(D(2026, 1, 4))  # Sunday, 调休 for New Year
    assert chinese_calendar.is_workday(D(2026, 2, 14))  # Saturday, 调休 for Spring Festival
    assert chinese_calendar.is_workday(D(2026, 2, 28))  # Saturday, 调休 for Spring Festival
    assert not any(chinese_calendar.is_workday(D(2026, 2, d)) for d in range(16, 21))  # holiday week
    assert not chinese_calendar.is_workday(D(2026, 10, 1))


@pytest.mark.parametrize(
    "day, expected",
    [
        (D(2026, 11, 27), True),  # Friday
        (D(2026, 11, 28), False),  # Saturday
        (D(2026, 1, 1), False),  # New Year's Day, a Thursday
        (D(2026, 1, 4), True),  # a Sunday worked instead (调休)
        (D(2026, 2, 14), True),  # a Saturday worked instead
        (D(2026, 2, 18), False),  # Spring Festival, a Wednesday
        (D(2027, 3, 1), True),  # unknown year: Monday to Friday
        (D(2027, 3, 6), False),  # unknown year: Saturday
    ],
)
def test_working_days(day, expected):
    assert rules.is_working_day(day) is expected


def test_a_branch_exception_beats_the_national_calendar():
    assert rules.is_working_day(D(2026, 11, 28), {D(2026, 11, 28): True})
    assert not rules.is_working_day(D(2026, 11, 27), {D(2026, 11, 27): False})


@pytest.mark.parametrize(
    "kind, day, start",
    [
        (MORNING, D(2026, 11, 25), D(2026, 11, 25)),
        (WEEKLY, D(2026, 11, 25), D(2026, 11, 23)),  # Wednesday -> Monday
        (WEEKLY, D(2026, 11, 29), D(2026, 11, 23)),  # Sunday belongs to the same ISO week
        (WEEKLY, D(2027, 1, 1), D(2026, 12, 28)),  # the ISO week crosses the year
        (MONTHLY, D(2026, 11, 30), D(2026, 11, 1)),
    ],
)
def test_period_start(kind, day, start):
    assert rules.period_start(kind, day) == start


@pytest.mark.parametrize(
    "held_on, today, error",
    [
        (D(2026, 11, 29), D(2026, 11, 29), None),
        (D(2026, 11, 30), D(2026, 11, 29), "future"),
        (D(2026, 11, 22), D(2026, 11, 29), None),  # a week late is fine
        (D(2026, 11, 21), D(2026, 11, 29), "too_old"),
    ],
)
def test_held_on_error(held_on, today, error):
    assert rules.held_on_error(held_on, today) == error


@pytest.mark.parametrize(
    "recorded_on, today, is_recorder, editable",
    [
        (D(2026, 11, 27), D(2026, 11, 27), True, True),
        (D(2026, 11, 27), D(2026, 11, 28), True, False),  # locked the next day
        (D(2026, 11, 27), D(2026, 11, 27), False, False),  # only the recorder
    ],
)
def test_edit_window(recorded_on, today, is_recorder, editable):
    assert rules.is_editable(recorded_on=recorded_on, today=today, is_recorder=is_recorder) is editable


def weekdays(day):
    return day.weekday() < 5


def _every_day(start, end):
    return [(MORNING, start + dt.timedelta(days=i)) for i in range((end - start).days + 1)]


# (name, start, end, held, is_workday, morning, weekly, monthly)
CASES = [
    (
        "an ordinary week with everything held",
        D(2026, 11, 23),
        D(2026, 11, 29),
        [*_every_day(D(2026, 11, 23), D(2026, 11, 27)), (WEEKLY, D(2026, 11, 27))],
        None,
        [],
        [],
        [],
    ),
    (
        "two mornings and the weekly meeting missed",
        D(2026, 11, 23),
        D(2026, 11, 29),
        [(MORNING, D(2026, 11, 23)), (MORNING, D(2026, 11, 25)), (MORNING, D(2026, 11, 27))],
        None,
        [D(2026, 11, 24), D(2026, 11, 26)],
        [D(2026, 11, 23)],
        [],
    ),
    (
        "a week that is not over yet is not judged",
        D(2026, 11, 23),
        D(2026, 11, 26),
        _every_day(D(2026, 11, 23), D(2026, 11, 26)),
        None,
        [],
        [],
        [],
    ),
    (
        "the Spring Festival week needs no meeting; the 调休 Saturday needs a morning meeting",
        D(2026, 2, 14),
        D(2026, 2, 22),
        [(WEEKLY, D(2026, 2, 13))],  # the week of 9 Feb: its meeting on the Friday before
        None,
        [D(2026, 2, 14)],
        [],
        [],
    ),
    (
        "the 调休 Sunday of New Year is a working day; the week's meeting held before the range counts",
        D(2026, 1, 1),
        D(2026, 1, 4),
        [(WEEKLY, D(2025, 12, 29))],
        None,
        [D(2026, 1, 4)],
        [],
        [],
    ),
    (
        "a month is judged once over; a weekly meeting in another week does not count",
        D(2026, 10, 26),
        D(2026, 11, 1),
        [*_every_day(D(2026, 10, 26), D(2026, 10, 30)), (WEEKLY, D(2026, 11, 2))],
        None,
        [],
        [D(2026, 10, 26)],
        [D(2026, 10, 1)],
    ),
    (
        "the monthly meeting held in the month",
        D(2026, 10, 26),
        D(2026, 11, 1),
        [*_every_day(D(2026, 10, 26), D(2026, 10, 30)), (WEEKLY, D(2026, 10, 30)), (MONTHLY, D(2026, 10, 8))],
        None,
        [],
        [],
        [],
    ),
    (
        "an unknown year falls back to Monday to Friday",
        D(2027, 1, 4),
        D(2027, 1, 10),
        [(WEEKLY, D(2027, 1, 8))],
        None,
        [D(2027, 1, d) for d in range(4, 9)],
        [],
        [],
    ),
    (
        "a custom calendar",
        D(2026, 11, 23),
        D(2026, 11, 29),
        [],
        weekdays,
        [D(2026, 11, d) for d in range(23, 28)],
        [D(2026, 11, 23)],
        [],
    ),
    ("an empty range", D(2026, 11, 29), D(2026, 11, 28), [], None, [], [], []),
]


@pytest.mark.parametrize(
    "name, start, end, held, is_workday, morning, weekly, monthly", CASES, ids=[c[0] for c in CASES]
)
def test_missed_meetings(name, start, end, held, is_workday, morning, weekly, monthly):
    kwargs = {"is_workday": is_workday} if is_workday else {}
    missed = missed_meetings(start, end, held, **kwargs)
    assert missed.morning == morning
    assert missed.weekly == weekly
    assert missed.monthly == monthly
    assert missed.total == len(morning) + len(weekly) + len(monthly)


def test_each_kind_has_its_agenda():
    assert rules.agenda_codes(MORNING) == ["market", "directives", "progress", "cases", "morale"]
    assert len(rules.agenda_codes(WEEKLY)) == 4
    assert rules.agenda_codes(MONTHLY)[0] == "summary"
