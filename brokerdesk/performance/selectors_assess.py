"""Reads of the assessment area: the records a duty checklist is scored from, the figures and
targets of the performance score, and the scoped lists of assessments and level changes.

Every record read here is read for a whole group of people at once (GROUP BY person), so
scoring a branch takes the same number of queries whether it has five people or five hundred.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum

from brokerdesk.access import roles
from brokerdesk.access.scope import get_for_user, visible
from brokerdesk.attendance.rules import Status as DayStatus
from brokerdesk.attendance.selectors import month_sheet
from brokerdesk.clients.models import FollowUp, Visit
from brokerdesk.core.money import to_fen
from brokerdesk.meetings.models import Attendance as MeetingAttendance
from brokerdesk.org.models import Staff
from brokerdesk.performance import rules_assess as rules
from brokerdesk.performance.models import Assessment, DutyScore, LevelChange, ManagerMonth
from brokerdesk.performance.selectors import add_months
from brokerdesk.planning.models import PlanStatus, TargetShare
from brokerdesk.worklogs.models import Result, SpotCheckItem, WorkLog

# Working-day statuses of the attendance sheet: marked (a fault) or clean; leave is neither.
MARKED = {
    DayStatus.LATE: "late",
    DayStatus.EARLY: "early",
    DayStatus.LATE_AND_EARLY: "late",  # counted as late and as early
    DayStatus.MISSING_PUNCH: "missing_punch",
    DayStatus.ABSENT: "absent",
}
CLEAN = {DayStatus.ON_TIME, DayStatus.OUTING}


def _blank(source: str) -> dict:
    done, of = rules.SOURCE_COUNTS[source]
    return {done: 0, of: 0}


def duty_inputs(
    *, staff_ids: list[int], branch_id: int, start: dt.date, end: dt.date, today: dt.date
) -> dict[int, dict[str, dict]]:
    """{staff id: {source: counts}} for the automatic checklist items over ``start``–``end``.

    - worklogs: logs written on the person's working days (the branch calendar with holidays
      and 调休, from hire to leaving, days on approved leave excepted) / those working days;
    - attendance: working days without a late, early, missing-punch or absent mark / working
      days (approved leave left out of both);
    - spotchecks: the person's logs of the period drawn into a check and passed / recorded;
    - meetings: team meetings held in the period that the person attended / was listed at;
    - visits: the person's own visit logs done in the period and verified / done;
    - followups: follow-ups the person owns that fell due in the period and were closed by
      their due date / fell due.

    Queries: the attendance sheet's six per month, and one for each other source.
    """
    out: dict[int, dict[str, dict]] = {
        pk: {source: _blank(source) for source in rules.SOURCE_COUNTS} for pk in staff_ids
    }
    if not staff_ids:
        return out
    for pk in staff_ids:
        out[pk]["attendance"].update(
            {"late": 0, "early": 0, "missing_punch": 0, "absent": 0, "leave_days": 0}
        )
        out[pk]["worklogs"]["leave_days"] = 0
    # Working days and attendance marks, month by month, from the attendance sheet.
    required: set[tuple[int, dt.date]] = set()
    people = Staff.objects.filter(pk__in=staff_ids)
    for month in rules.period_months(start, end):
        sheet = month_sheet(people=people, month=month, branch_id=branch_id, today=today)
        for row in sheet.rows:
            att = out[row.staff.pk]["attendance"]
            logs = out[row.staff.pk]["worklogs"]
            for (day, _workday, _holiday), cell in zip(sheet.days, row.cells, strict=True):
                if day < start or day > end:
                    continue
                status = cell.status
                if status == DayStatus.LEAVE:
                    att["leave_days"] += 1
                    logs["leave_days"] += 1
                    continue
                if status in CLEAN:
                    att["clean"] += 1
                elif status in MARKED:
                    att[MARKED[status]] += 1
                    if status == DayStatus.LATE_AND_EARLY:
                        att["early"] += 1
                else:
                    continue  # rest day, holiday, not yet employed or no longer
                att["counted"] += 1
                required.add((row.staff.pk, day))
    for pk, _day in required:
        out[pk]["worklogs"]["required"] += 1
    for pk, day in WorkLog.objects.filter(staff_id__in=staff_ids, day__range=(start, end)).values_list(
        "staff_id", "day"
    ):
        if (pk, day) in required:
            out[pk]["worklogs"]["written"] += 1

    for row in (
        SpotCheckItem.objects.filter(log__staff_id__in=staff_ids, log__day__range=(start, end))
        .exclude(result="")
        .values("log__staff_id")
        .annotate(checked=Count("id"), passed=Count("id", filter=Q(result=Result.PASS)))
        .order_by()
    ):
        out[row["log__staff_id"]]["spotchecks"].update(checked=row["checked"], passed=row["passed"])

    for row in (
        MeetingAttendance.objects.filter(staff_id__in=staff_ids, meeting__held_on__range=(start, end))
        .values("staff_id")
        .annotate(held=Count("id"), attended=Count("id", filter=Q(present=True)))
        .order_by()
    ):
        out[row["staff_id"]]["meetings"].update(held=row["held"], attended=row["attended"])

    for row in (
        Visit.objects.filter(
            author_id__in=staff_ids, status=Visit.Status.DONE, visited_on__range=(start, end)
        )
        .values("author_id")
        .annotate(logged=Count("id"), verified=Count("id", filter=Q(verified_at__isnull=False)))
        .order_by()
    ):
        out[row["author_id"]]["visits"].update(logged=row["logged"], verified=row["verified"])

    on_time = Q(status=FollowUp.Status.CLOSED, closed_at__date__lte=F("due_on"))
    for row in (
        FollowUp.objects.filter(owner_id__in=staff_ids, due_on__range=(start, end))
        .values("owner_id")
        .annotate(due=Count("id"), on_time=Count("id", filter=on_time))
        .order_by()
    ):
        out[row["owner_id"]]["followups"].update(due=row["due"], on_time=row["on_time"])
    return out


def actuals(*, staff_ids: list[int], start: dt.date, end: dt.date) -> dict[int, dict]:
    """{staff id: figures} from the statistics of the current imports (every branch the
    person was credited in): clients developed and net revenue summed over the period, client
    assets at the end of the period and at the end of the month before it (no statistics
    that month: growth counts from zero, as plan progress does). One query."""
    months = rules.period_months(start, end)
    before = add_months(months[0], -1)
    last = months[-1]
    out = {
        pk: {
            "new_accounts": 0,
            "net_revenue": Decimal("0"),
            "assets_end": Decimal("0"),
            "assets_before": Decimal("0"),
            "months_with_figures": 0,
        }
        for pk in staff_ids
    }
    rows = (
        ManagerMonth.objects.filter(staff_id__in=staff_ids, month__in=[before, *months])
        .values("staff_id", "month")
        .annotate(new=Sum("new_accounts"), revenue=Sum("net_revenue"), assets=Sum("total_assets"))
        .order_by()
    )
    for row in rows:
        figures = out[row["staff_id"]]
        if row["month"] == before:
            figures["assets_before"] = row["assets"] or Decimal("0")
            continue
        figures["months_with_figures"] += 1
        figures["new_accounts"] += row["new"] or 0
        figures["net_revenue"] += row["revenue"] or Decimal("0")
        if row["month"] == last:
            figures["assets_end"] = row["assets"] or Decimal("0")
    for figures in out.values():
        for key in ("net_revenue", "assets_end", "assets_before"):
            figures[key] = to_fen(figures[key])  # SQLite's sums come back without the fen places
        figures["asset_growth"] = figures["assets_end"] - figures["assets_before"]
    return out


def target_shares(*, staff_ids: list[int], year: int) -> dict[int, list[rules.Share]]:
    """Each person's parts of the approved annual plans of ``year`` (any team). One query."""
    out: dict[int, list[rules.Share]] = defaultdict(list)
    rows = TargetShare.objects.filter(
        staff_id__in=staff_ids, plan__year=year, plan__status=PlanStatus.APPROVED
    )
    for r in rows.values(
        "staff_id", "plan__split_by", "period", "new_accounts", "net_revenue", "asset_growth"
    ):
        out[r["staff_id"]].append(
            rules.Share(
                split=r["plan__split_by"],
                period=r["period"],
                targets={m: Decimal(r[m]) for m in rules.METRICS},
            )
        )
    return out


def monthly_scores(*, staff_ids: list[int], months: list[dt.date]) -> dict[int, dict[dt.date, Decimal]]:
    """The performance scores of the people's monthly assessments of ``months``. One query."""
    out: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
    for staff_id, starts_on, value in Assessment.objects.filter(
        staff_id__in=staff_ids, period=Assessment.Period.MONTH, starts_on__in=months
    ).values_list("staff_id", "starts_on", "performance_score"):
        out[staff_id][starts_on] = value
    return out


# --- scoped lists ----------------------------------------------------------------------------


def assessment_list(*, user, filters: dict | None = None) -> QuerySet[Assessment]:
    """Assessments in the user's scope, newest period first."""
    f = filters or {}
    qs = visible(user, Assessment).select_related("staff", "team", "branch", "staff__level")
    if f.get("period"):
        qs = qs.filter(period=f["period"])
    if f.get("year"):
        qs = qs.filter(starts_on__year=f["year"])
    if f.get("month"):
        year = f.get("year")
        month = int(f["month"])
        if year:
            day = dt.date(int(year), month, 1)
            qs = qs.filter(starts_on__lte=day, ends_on__gte=day)
        else:  # the month of any year: the month itself, its quarter, the year
            quarter_start = (month - 1) // 3 * 3 + 1
            qs = qs.filter(
                Q(period=Assessment.Period.MONTH, starts_on__month=month)
                | Q(period=Assessment.Period.QUARTER, starts_on__month=quarter_start)
                | Q(period=Assessment.Period.YEAR)
            )
    if f.get("team"):
        qs = qs.filter(team=f["team"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("outcome"):
        qs = qs.filter(outcome=f["outcome"])
    if f.get("staff"):
        qs = qs.filter(staff=f["staff"])
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(Q(staff__name__icontains=q) | Q(staff__emp_no__icontains=q))
    return qs.order_by("-starts_on", "period", "team__code", "staff__emp_no", "pk")


def assessment_get(*, user, pk, perm: str = roles.VIEW) -> Assessment:
    qs = visible(user, Assessment, perm).select_related(
        "staff__level", "team", "branch", "confirmed_by__staff"
    )
    return get_for_user(user, qs, pk, perm)


def duty_rows(assessment: Assessment) -> list[DutyScore]:
    return list(DutyScore.objects.filter(assessment=assessment).select_related("item"))


def level_changes(*, user, staff: Staff | None = None) -> QuerySet[LevelChange]:
    qs = visible(user, LevelChange).select_related(
        "staff", "level", "previous", "assessment", "decided_by__staff"
    )
    if staff is not None:
        qs = qs.filter(staff=staff)
    return qs.order_by("-effective_from", "-id")


def level_change_for(assessment: Assessment) -> LevelChange | None:
    return (
        LevelChange.objects.filter(assessment=assessment)
        .select_related("level", "previous")
        .order_by("-id")
        .first()
    )
