"""The working calendar: national holidays and 调休 (chinese_calendar) plus the
administrator's local exceptions (company-wide or per branch)."""

import datetime as dt

from django.db.models import Q

from brokerdesk.attendance.models import CalendarException
from brokerdesk.attendance.rules import working_day


def exceptions_for(branch_id: int | None, start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    """Local exceptions in a date range; a branch's own exception beats a company-wide one."""
    rows = CalendarException.objects.filter(
        Q(branch__isnull=True) | Q(branch_id=branch_id), day__range=(start, end)
    )
    result: dict[dt.date, bool] = {}
    for row in sorted(rows, key=lambda r: r.branch_id is not None):
        result[row.day] = row.is_workday
    return result


def working_days_between(start: dt.date, end: dt.date, exceptions: dict[dt.date, bool]) -> int:
    days = 0
    day = start
    while day <= end:
        if working_day(day, exceptions)[0]:
            days += 1
        day += dt.timedelta(days=1)
    return days
