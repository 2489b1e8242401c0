"""The attendance rules of 第八条 as pure functions: which days are working days, and what
one person's day resolves to. No database, no request."""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import chinese_calendar

WORKDAY_MINUTES = 8 * 60  # 第八条(二): 每天8小时工作制度，其他时间按自愿加班原则处理


def national_day(day: dt.date) -> tuple[bool, str | None]:
    """(is a working day, holiday name) from China's published calendar, 调休 included.

    For a year the calendar package does not know yet, Monday to Friday work.
    """
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        workday = chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5, None
    return workday, (str(name) if on_holiday and name else None)


def working_day(day: dt.date, exceptions: dict[dt.date, bool] | None = None) -> tuple[bool, str | None]:
    """National calendar, overridden by local exceptions (date → is a working day)."""
    if exceptions and day in exceptions:
        return exceptions[day], None
    return national_day(day)


class Status(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    EARLY = "early"
    LATE_AND_EARLY = "late_early"
    MISSING_PUNCH = "missing_punch"
    ABSENT = "absent"
    LEAVE = "leave"
    OUTING = "outing"
    REST = "rest"
    HOLIDAY = "holiday"
    PENDING = "pending"


# The one-character marks of a Chinese attendance sheet.
MARKS = {
    Status.ON_TIME: "√",
    Status.LATE: "迟",
    Status.EARLY: "早",
    Status.LATE_AND_EARLY: "迟早",
    Status.MISSING_PUNCH: "缺",
    Status.ABSENT: "旷",
    Status.LEAVE: "假",
    Status.OUTING: "外",
    Status.REST: "休",
    Status.HOLIDAY: "节",
    Status.PENDING: "",
}


@dataclass(frozen=True)
class DayResult:
    status: Status
    late_minutes: int = 0
    early_minutes: int = 0
    worked_minutes: int = 0
    overtime_minutes: int = 0
    leave_type: str = ""


def _minutes(a: dt.datetime, b: dt.datetime) -> int:
    return max(0, int((b - a).total_seconds() // 60))


def day_status(
    *,
    day: dt.date,
    today: dt.date,
    workday: bool,
    holiday: str | None,
    opens: dt.time,
    closes: dt.time,
    check_in: dt.datetime | None,
    check_out: dt.datetime | None,
    leave_type: str | None = None,
    outing: tuple[dt.datetime, dt.datetime] | None = None,
    grace_minutes: int = 0,
) -> DayResult:
    """What one person's day resolves to. Times are local (Asia/Shanghai), naive or aware alike.

    - Rest days and holidays stay so; any time worked on them is voluntary overtime.
    - Approved leave covers the day; an approved outing covers the part of the day it spans.
    - Late: checked in after opening + grace; early: checked out before closing − grace.
    - No punch at all on a past working day without leave or outing: absent.
    - Time worked beyond 8 hours is voluntary overtime (never late/early compensation).
    """
    worked = _minutes(check_in, check_out) if check_in and check_out else 0
    if not workday:
        status = Status.HOLIDAY if holiday else Status.REST
        return DayResult(status, worked_minutes=worked, overtime_minutes=worked)
    if leave_type:
        return DayResult(Status.LEAVE, worked_minutes=worked, leave_type=leave_type)
    if day > today:
        return DayResult(Status.PENDING)
    if check_in is None and check_out is None:
        if outing:
            return DayResult(Status.OUTING)
        return DayResult(Status.PENDING) if day == today else DayResult(Status.ABSENT)
    tz = (check_in or check_out).tzinfo
    start = dt.datetime.combine(day, opens, tzinfo=tz) + dt.timedelta(minutes=grace_minutes)
    end = dt.datetime.combine(day, closes, tzinfo=tz) - dt.timedelta(minutes=grace_minutes)
    # An approved outing spanning the opening (closing) time excuses arriving late (leaving
    # early): the person was out on business, with a form the lead can check.
    out_at_start = outing is not None and outing[0] <= start and outing[1] > start
    out_at_end = outing is not None and outing[1] >= end and outing[0] < end
    late = _minutes(start, check_in) if check_in and check_in > start and not out_at_start else 0
    early = _minutes(check_out, end) if check_out and check_out < end and not out_at_end else 0
    if check_in is None and not out_at_start:
        return DayResult(Status.MISSING_PUNCH, early_minutes=early)
    if check_out is None and not out_at_end:
        if day == today:
            # Still at work: the sheet shows today's arrival as it stands.
            return DayResult(Status.LATE if late else Status.ON_TIME, late_minutes=late)
        return DayResult(Status.MISSING_PUNCH, late_minutes=late)
    overtime = max(0, worked - WORKDAY_MINUTES)
    if late and early:
        status = Status.LATE_AND_EARLY
    elif late:
        status = Status.LATE
    elif early:
        status = Status.EARLY
    else:
        status = Status.ON_TIME
    return DayResult(status, late, early, worked, overtime)


def late_early_deduction(count: int, free: int, per_excess):
    """Late and early counts beyond the month's free quota, and what they cost."""
    from decimal import Decimal

    from brokerdesk.core.money import to_fen

    excess = max(0, count - free)
    return excess, to_fen(Decimal(per_excess) * excess)
