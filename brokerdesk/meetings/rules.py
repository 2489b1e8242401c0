"""Pure rules of team meetings (第九条, 第十条): the agenda of each kind of meeting, the period a
meeting counts for, when minutes may still change, and which required meetings a team missed.
No database, no request.

第九条: 团队负责人必须每周召集一次工作例会，每月一次月度总结例会。
第十条: 营业部的营销团队必须每日召开晨会。
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

MORNING = "morning"
WEEKLY = "weekly"
MONTHLY = "monthly"
KINDS = (MORNING, WEEKLY, MONTHLY)

# The agenda parts of each kind, in order: (code, label). The minutes keep one text per part.
# 第十条 (一)–(五) for the morning meeting; 第九条 for the weekly and monthly meetings.
AGENDA: dict[str, list[tuple[str, object]]] = {
    MORNING: [
        ("market", _("Market news and outlook")),
        ("directives", _("Company directives, new products and tasks")),
        ("progress", _("Progress reports")),
        ("cases", _("Case study and lessons")),
        ("morale", _("Team morale")),
    ],
    WEEKLY: [
        ("progress", _("Progress review")),
        ("problems", _("Problems and how they were solved")),
        ("competitors", _("Competitors")),
        ("adjustments", _("Adjustments to working methods")),
    ],
    MONTHLY: [
        ("summary", _("Summary of the month")),
        ("progress", _("Progress review")),
        ("problems", _("Problems and how they were solved")),
        ("competitors", _("Competitors")),
        ("adjustments", _("Adjustments to working methods")),
    ],
}


def agenda_codes(kind: str) -> list[str]:
    return [code for code, _label in AGENDA[kind]]


# --- the working calendar ---------------------------------------------------------------------


def is_working_day(day: dt.date, exceptions: dict[dt.date, bool] | None = None) -> bool:
    """Weekdays minus Chinese public holidays, plus the make-up working days (调休).

    ``exceptions`` (date → is a working day) are the branch's own calendar exceptions and
    win. ``chinese_calendar`` only knows the years the State Council has published; for any
    other year it raises NotImplementedError and Monday to Friday are working days.
    """
    if exceptions and day in exceptions:
        return exceptions[day]
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


# --- periods ----------------------------------------------------------------------------------


def week_start(day: dt.date) -> dt.date:
    """Monday of the ISO week of ``day``."""
    return day - dt.timedelta(days=day.weekday())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def period_start(kind: str, day: dt.date) -> dt.date:
    """The first day of the period a meeting held on ``day`` counts for: the day itself for a
    morning meeting, the Monday of its ISO week for a weekly meeting, the first of its month
    for a monthly summary meeting. One meeting of each kind per team and period."""
    if kind == MORNING:
        return day
    if kind == WEEKLY:
        return week_start(day)
    if kind == MONTHLY:
        return month_start(day)
    raise ValueError(f"unknown meeting kind {kind!r}")


# --- what may be recorded and changed when -----------------------------------------------------

BACKFILL_DAYS = 7  # minutes may be recorded up to a week after the meeting


def held_on_error(held_on: dt.date, today: dt.date) -> str | None:
    """Why a meeting held on ``held_on`` cannot be recorded today (a code), or None."""
    if held_on > today:
        return "future"
    if (today - held_on).days > BACKFILL_DAYS:
        return "too_old"
    return None


def is_editable(*, recorded_on: dt.date, today: dt.date, is_recorder: bool) -> bool:
    """Minutes may be corrected by the person who recorded them, on the day they were recorded;
    after that they are the record and are locked."""
    return is_recorder and recorded_on == today


# --- missed meetings ---------------------------------------------------------------------------


@dataclass
class Missed:
    """The required meetings a team did not hold: morning meetings by day, weekly meetings by
    the Monday of their ISO week, monthly meetings by the first of their month."""

    morning: list[dt.date] = field(default_factory=list)
    weekly: list[dt.date] = field(default_factory=list)
    monthly: list[dt.date] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.morning) + len(self.weekly) + len(self.monthly)

    def __bool__(self) -> bool:
        return self.total > 0


def missed_meetings(
    start: dt.date,
    end: dt.date,
    held: Iterable[tuple[str, dt.date]],
    *,
    is_workday: Callable[[dt.date], bool] = is_working_day,
) -> Missed:
    """The required meetings missed from ``start`` to ``end`` (both included).

    ``held`` is (kind, date held) of the team's meetings; pass those of the whole weeks and
    months the range touches, since a weekly meeting held before ``start`` in the same week
    counts. The rules:

    - a morning meeting every working day in the range (第十条);
    - a weekly meeting in every ISO week that has a working day in the range (第九条);
    - a monthly summary meeting in every month that has a working day in the range.

    A week or month is judged only once it is over by ``end`` (its last day is on or before
    ``end``): until then the meeting may still be held. A week or month without any working
    day (the Spring Festival week, say) needs no meeting.
    """
    morning_days, weeks, months = set(), set(), set()
    for kind, day in held:
        if kind == MORNING:
            morning_days.add(day)
        elif kind == WEEKLY:
            weeks.add(week_start(day))
        elif kind == MONTHLY:
            months.add(month_start(day))
    missed = Missed()
    week_due: dict[dt.date, bool] = {}
    month_due: dict[dt.date, bool] = {}
    day = start
    while day <= end:
        if is_workday(day):
            if day not in morning_days:
                missed.morning.append(day)
            week_due.setdefault(week_start(day), True)
            month_due.setdefault(month_start(day), True)
        day += dt.timedelta(days=1)
    for monday in sorted(week_due):
        if monday + dt.timedelta(days=6) <= end and monday not in weeks:
            missed.weekly.append(monday)
    for first in sorted(month_due):
        if month_end(first) <= end and first not in months:
            missed.monthly.append(first)
    return missed
