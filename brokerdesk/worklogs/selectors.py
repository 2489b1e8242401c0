"""Reads of work logs, already scoped: logs, missing days and spot-checks."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from brokerdesk.access.scope import get_for_user, visible
from brokerdesk.org.models import Staff
from brokerdesk.worklogs import rules
from brokerdesk.worklogs.models import SpotCheck, SpotCheckItem, WorkLog

# Who must write a log each working day (第五条(一): 客户经理).
LOG_POSITIONS = (Staff.Position.CLIENT_MANAGER, Staff.Position.REGIONAL_MANAGER)


def _checks():
    return Prefetch(
        "checks", queryset=SpotCheckItem.objects.select_related("checked_by__staff").order_by("id")
    )


def worklog_list(*, user, filters: dict | None = None) -> QuerySet[WorkLog]:
    """Logs in the user's scope, newest first, each with its check (if drawn)."""
    f = filters or {}
    qs = visible(user, WorkLog).select_related("staff__team").prefetch_related(_checks())
    if f.get("staff"):
        qs = qs.filter(staff=f["staff"])
    if f.get("team"):
        qs = qs.filter(staff__team=f["team"])
    if f.get("start"):
        qs = qs.filter(day__gte=f["start"])
    if f.get("end"):
        qs = qs.filter(day__lte=f["end"])
    if f.get("checked") == "yes":
        qs = qs.filter(checks__isnull=False)
    elif f.get("checked") == "no":
        qs = qs.filter(checks__isnull=True)
    return qs.order_by("-day", "staff__emp_no")


def worklog_get(*, user, pk) -> WorkLog:
    return get_for_user(
        user, visible(user, WorkLog).select_related("staff__team").prefetch_related(_checks()), pk
    )


@dataclass
class MissingRow:
    staff: Staff
    logged: int = 0
    missing: list[dt.date] = field(default_factory=list)


def missing_rows(*, people: list[Staff], start: dt.date, end: dt.date, today: dt.date) -> list[MissingRow]:
    """For each person: logs written and working days with no log from ``start`` to ``end``
    (today is not missing yet: the day is not over). One query whatever the number of people."""
    last = min(end, today - dt.timedelta(days=1))
    logged: dict[int, set[dt.date]] = defaultdict(set)
    for staff_id, day in WorkLog.objects.filter(
        staff__in=[p.pk for p in people], day__range=(start, end)
    ).values_list("staff_id", "day"):
        logged[staff_id].add(day)
    return [
        MissingRow(
            staff=p,
            logged=len(logged[p.pk]),
            missing=rules.missing_days(start, last, logged[p.pk], hired_on=p.hired_on, left_on=p.left_on),
        )
        for p in people
    ]


def log_writers(*, user, team=None) -> QuerySet[Staff]:
    """The people in scope who must write logs."""
    qs = (
        visible(user, Staff)
        .filter(position__in=LOG_POSITIONS)
        .exclude(status__in=[Staff.Status.LEFT, Staff.Status.CANDIDATE])
        .select_related("team")
    )
    if team is not None:
        qs = qs.filter(team=team)
    return qs.order_by("team__code", "emp_no")


def spotcheck_list(*, user) -> QuerySet[SpotCheck]:
    return (
        visible(user, SpotCheck)
        .select_related("team__branch", "created_by__staff")
        .annotate(n_items=Count("items"), n_recorded=Count("items", filter=~Q(items__result="")))
        .order_by("-created_at", "-id")
    )


def spotcheck_get(*, user, pk) -> SpotCheck:
    qs = (
        visible(user, SpotCheck)
        .select_related("team__branch", "created_by__staff")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=SpotCheckItem.objects.select_related("log__staff", "checked_by__staff").order_by(
                    "position"
                ),
            )
        )
    )
    return get_for_user(user, qs, pk)
