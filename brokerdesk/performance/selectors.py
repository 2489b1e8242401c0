"""Shared lookups of the performance area: months, the current import, a person's level."""

import calendar
import datetime as dt

from brokerdesk.performance.models import CrmImport, LevelChange, MonthVersion


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def quarter_months(month: dt.date) -> list[dt.date]:
    """The three months of the quarter ``month`` falls in."""
    first = dt.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
    return [add_months(first, i) for i in range(3)]


def current_import(branch, month: dt.date) -> CrmImport | None:
    """The import version whose rows are the branch's figures of the month (None: not imported)."""
    version = (
        MonthVersion.objects.filter(branch=branch, month=month_start(month))
        .select_related("crm_import")
        .first()
    )
    return version.crm_import if version else None


def level_on(staff, day: dt.date):
    """The person's level on a day: the latest level change in force, else their current level."""
    change = (
        LevelChange.objects.filter(staff=staff, effective_from__lte=day)
        .select_related("level")
        .order_by("-effective_from", "-id")
        .first()
    )
    return change.level if change else staff.level


def levels_on(staff_ids, day: dt.date, current: dict[int, int | None] | None = None) -> dict[int, int | None]:
    """Level ids of many people on a day in two queries: {staff_id: level_id}. ``current``: their
    current levels ({staff_id: Staff.level_id}) when already read (one query less)."""
    from brokerdesk.org.models import Staff

    if current is None:
        current = dict(Staff.objects.filter(pk__in=staff_ids).values_list("pk", "level_id"))
    found = dict(current)
    changes = (
        LevelChange.objects.filter(staff_id__in=staff_ids, effective_from__lte=day)
        .order_by("staff_id", "effective_from", "id")
        .values_list("staff_id", "level_id")
    )
    for staff_id, level_id in changes:  # later rows win
        found[staff_id] = level_id
    return found
