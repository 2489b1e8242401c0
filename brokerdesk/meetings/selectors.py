"""Reads of meetings, already scoped: meetings, the members of a team, and missed meetings."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from brokerdesk.access import roles
from brokerdesk.access.scope import get_for_user, grants_for, visible
from brokerdesk.attendance.models import CalendarException
from brokerdesk.meetings import rules
from brokerdesk.meetings.models import Attendance, Decision, Meeting
from brokerdesk.org.models import Staff, Team


def meeting_list(*, user, filters: dict | None = None) -> QuerySet[Meeting]:
    """Meetings in the user's scope, newest first, with the number present and absent."""
    f = filters or {}
    qs = visible(user, Meeting).select_related("team__branch", "chair")
    if f.get("team"):
        qs = qs.filter(team=f["team"])
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if f.get("start"):
        qs = qs.filter(held_on__gte=f["start"])
    if f.get("end"):
        qs = qs.filter(held_on__lte=f["end"])
    return qs.annotate(
        n_present=Count("attendance", filter=Q(attendance__present=True)),
        n_absent=Count("attendance", filter=Q(attendance__present=False)),
    ).order_by("-held_on", "team__code", "kind", "-id")


def meeting_get(*, user, pk, perm: str = roles.VIEW) -> Meeting:
    qs = (
        visible(user, Meeting, perm)
        .select_related("team__branch", "chair", "recorded_by__staff")
        .prefetch_related(
            Prefetch(
                "attendance", queryset=Attendance.objects.select_related("staff").order_by("staff__emp_no")
            ),
            Prefetch("decisions", queryset=Decision.objects.select_related("owner").order_by("position")),
        )
    )
    return get_for_user(user, qs, pk, perm)


def team_members(team: Team) -> QuerySet[Staff]:
    """Who belongs at the team's meetings: its current staff and its lead."""
    return (
        Staff.objects.filter(Q(team=team) | Q(pk=team.lead_id))
        .exclude(status__in=[Staff.Status.LEFT, Staff.Status.CANDIDATE])
        .order_by("emp_no")
    )


def recordable_teams(*, user) -> QuerySet[Team]:
    """Teams whose meetings the user may record: a lead's own, a branch manager's branch."""
    return (
        visible(user, Team, roles.MEETING_CHANGE)
        .filter(status=Team.Status.ACTIVE)
        .select_related("branch")
        .order_by("code")
    )


def own_team_ids(*, user) -> list[int]:
    """The teams the user leads or belongs to (not the branch's): whose missed meetings the
    meetings page shows them first."""
    return sorted({g.team_id for g in grants_for(user) if g.level <= roles.ScopeLevel.TEAM and g.team_id})


def overview_teams(*, user, team=None) -> QuerySet[Team]:
    """Teams in scope that must hold meetings (those in operation)."""
    qs = visible(user, Team).filter(status=Team.Status.ACTIVE).select_related("branch", "lead")
    if team is not None:
        qs = qs.filter(pk=team.pk)
    return qs.order_by("branch__code", "code")


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """From the first of last month to yesterday (today counts once it is over)."""
    end = today - dt.timedelta(days=1)
    start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return start, end


@dataclass
class MissedRow:
    team: Team
    start: dt.date
    end: dt.date
    missed: rules.Missed
    held: int


def _exceptions(branch_ids: set[int], start: dt.date, end: dt.date) -> dict[int | None, dict[dt.date, bool]]:
    """Local calendar exceptions by branch (None: company-wide), one query."""
    out: dict[int | None, dict[dt.date, bool]] = defaultdict(dict)
    for branch_id, day, is_workday in CalendarException.objects.filter(
        Q(branch__isnull=True) | Q(branch_id__in=branch_ids), day__range=(start, end)
    ).values_list("branch_id", "day", "is_workday"):
        out[branch_id][day] = is_workday
    return out


def missed_rows(*, teams: list[Team], start: dt.date, end: dt.date) -> list[MissedRow]:
    """Each team's missed meetings from ``start`` to ``end`` (not before the team was founded),
    on the branch's working calendar. Two queries whatever the number of teams."""
    since = rules.month_start(min(start, rules.week_start(start)))
    held: dict[int, list[tuple[str, dt.date]]] = defaultdict(list)
    for team_id, kind, day in Meeting.objects.filter(
        team__in=[t.pk for t in teams], held_on__range=(since, end)
    ).values_list("team_id", "kind", "held_on"):
        held[team_id].append((kind, day))
    exceptions = _exceptions({t.branch_id for t in teams}, start, end) if teams else {}
    rows = []
    for team in teams:
        local = {**exceptions.get(None, {}), **exceptions.get(team.branch_id, {})}
        first = max(start, team.founded_on) if team.founded_on else start
        missed = rules.missed_meetings(
            first, end, held[team.pk], is_workday=lambda d, local=local: rules.is_working_day(d, local)
        )
        in_range = sum(1 for _kind, day in held[team.pk] if start <= day <= end)
        rows.append(MissedRow(team=team, start=first, end=end, missed=missed, held=in_range))
    return rows
