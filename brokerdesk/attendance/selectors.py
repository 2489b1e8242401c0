"""Reads of attendance, already scoped: a person's month and the monthly sheet."""

import calendar as pycal
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from brokerdesk.access import roles
from brokerdesk.access.scope import visible
from brokerdesk.attendance.calendar import exceptions_for
from brokerdesk.attendance.models import DailyRecord, LeaveRequest, Outing, Patrol, PunchCorrection
from brokerdesk.attendance.rules import (
    MARKS,
    DayResult,
    Status,
    day_status,
    late_early_deduction,
    working_day,
)
from brokerdesk.attendance.services import outings_between, people_on_leave, policy_for
from brokerdesk.org.models import Staff

FIELD_POSITIONS = (Staff.Position.CLIENT_MANAGER, Staff.Position.REGIONAL_MANAGER, Staff.Position.TEAM_LEAD)
DEFAULT_HOURS = (dt.time(9, 0), dt.time(17, 0))


@dataclass
class SheetRow:
    staff: Staff
    cells: list[DayResult] = field(default_factory=list)
    totals: Counter = field(default_factory=Counter)
    overtime_minutes: int = 0
    late_early: int = 0
    excess: int = 0
    deduction: Decimal = Decimal("0.00")

    @property
    def marks(self) -> list[str]:
        return [
            c.leave_type[:1] if c.status == Status.LEAVE and c.leave_type else MARKS[c.status]
            for c in self.cells
        ]

    @property
    def overtime_hours(self) -> Decimal:
        return (Decimal(self.overtime_minutes) / 60).quantize(Decimal("0.1"))


@dataclass
class Sheet:
    month: dt.date
    days: list[tuple[dt.date, bool, str | None]]
    rows: list[SheetRow]


def month_days(month: dt.date) -> list[dt.date]:
    last = pycal.monthrange(month.year, month.month)[1]
    return [dt.date(month.year, month.month, d) for d in range(1, last + 1)]


def _leave_days(ids, start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], str]:
    """(person, day) → the leave type of their approved leave covering that day."""
    leave_days: dict[tuple[int, dt.date], str] = {}
    for leave in people_on_leave(ids, start, end):
        d = max(leave.starts_on, start)
        while d <= min(leave.ends_on, end):
            leave_days[(leave.staff_id, d)] = leave.leave_type.name
            d += dt.timedelta(days=1)
    return leave_days


def _outings(
    ids, start: dt.date, end: dt.date, tz
) -> dict[tuple[int, dt.date], tuple[dt.datetime, dt.datetime]]:
    """(person, day) → the local start and end of their approved outing spanning that day."""
    outings: dict[tuple[int, dt.date], tuple[dt.datetime, dt.datetime]] = {}
    for outing in outings_between(ids, start, end):
        a, b = timezone.localtime(outing.starts_at, tz), timezone.localtime(outing.ends_at, tz)
        d = a.date()
        while d <= b.date():
            outings[(outing.staff_id, d)] = (a, b)
            d += dt.timedelta(days=1)
    return outings


def _day(
    pk: int,
    hired_on: dt.date | None,
    left_on: dt.date | None,
    day: dt.date,
    workday: bool,
    holiday: str | None,
    check_in: dt.datetime | None,
    check_out: dt.datetime | None,
    *,
    opens: dt.time,
    closes: dt.time,
    today: dt.date,
    tz,
    leave_days: dict,
    outings: dict,
    grace_minutes: int,
) -> DayResult:
    """One cell of the sheet: the person's day by the rules (pending outside their employment)."""
    if (hired_on and day < hired_on) or (left_on and day > left_on):
        return DayResult(Status.PENDING)
    return day_status(
        day=day,
        today=today,
        workday=workday,
        holiday=holiday,
        opens=opens,
        closes=closes,
        check_in=timezone.localtime(check_in, tz) if check_in else None,
        check_out=timezone.localtime(check_out, tz) if check_out else None,
        leave_type=leave_days.get((pk, day)),
        outing=outings.get((pk, day)),
        grace_minutes=grace_minutes,
    )


def month_sheet(
    *, people: QuerySet[Staff], month: dt.date, branch_id: int | None, today: dt.date | None = None
) -> Sheet:
    """Each person × each day of the month resolved by the rules, with totals.

    Six queries whatever the number of people: people, punches, leave, outings, local
    calendar exceptions, policy.
    """
    today = today or timezone.localdate()
    days = month_days(month)
    start, end = days[0], days[-1]
    exceptions = exceptions_for(branch_id, start, end)
    calendar = [(d, *working_day(d, exceptions)) for d in days]
    people = list(people.select_related("outlet", "team").order_by("team__code", "emp_no"))
    ids = [p.pk for p in people]
    records = {
        (r.staff_id, r.day): r for r in DailyRecord.objects.filter(staff_id__in=ids, day__range=(start, end))
    }
    tz = timezone.get_current_timezone()
    leave_days = _leave_days(ids, start, end)
    outings = _outings(ids, start, end, tz)
    policy = policy_for(branch_id)
    rows = []
    for person in people:
        opens, closes = (person.outlet.opens_at, person.outlet.closes_at) if person.outlet else DEFAULT_HOURS
        row = SheetRow(person)
        pk, hired_on, left_on = person.pk, person.hired_on, person.left_on
        for day, workday, holiday in calendar:
            rec = records.get((pk, day))
            result = _day(
                pk,
                hired_on,
                left_on,
                day,
                workday,
                holiday,
                rec.check_in if rec else None,
                rec.check_out if rec else None,
                opens=opens,
                closes=closes,
                today=today,
                tz=tz,
                leave_days=leave_days,
                outings=outings,
                grace_minutes=policy.grace_minutes,
            )
            row.cells.append(result)
            row.totals[result.status] += 1
            row.overtime_minutes += result.overtime_minutes
            if result.late_minutes:
                row.late_early += 1
            if result.early_minutes:
                row.late_early += 1
        row.excess, row.deduction = late_early_deduction(
            row.late_early, policy.free_late_early_per_month, policy.deduction_per_excess
        )
        rows.append(row)
    return Sheet(month, calendar, rows)


def late_early(
    *, staff_ids, month: dt.date, branch_id: int | None, today: dt.date | None = None
) -> dict[int, tuple[int, int, Decimal]]:
    """The month's late arrivals and early departures of many people, for the pay run:
    {staff_id: (late/early count, beyond the free ones, deduction)} for everyone with a punch.

    The same figures as ``month_sheet``'s rows, from the same cells (``_day``); but a day
    without a punch is never late or early, so only the days with a punch are resolved, and
    people without any punch in the month are left out (they have nothing to deduct). At most
    seven queries whatever the number of people; one when nobody punched.
    """
    today = today or timezone.localdate()
    days = month_days(month)
    start, end = days[0], days[-1]
    punched = (
        DailyRecord.objects.filter(staff_id__in=staff_ids, day__range=(start, end))
        .filter(Q(check_in__isnull=False) | Q(check_out__isnull=False))
        .order_by()
        .values_list("staff_id", "day", "check_in", "check_out")
    )
    records: dict[int, list[tuple[dt.date, dt.datetime | None, dt.datetime | None]]] = {}
    for staff_id, *punches in punched:
        records.setdefault(staff_id, []).append(punches)
    if not records:
        return {}
    ids = list(records)
    exceptions = exceptions_for(branch_id, start, end)
    calendar = {d: working_day(d, exceptions) for d in days}
    people = Staff.objects.filter(pk__in=ids).values_list(
        "pk", "hired_on", "left_on", "outlet_id", "outlet__opens_at", "outlet__closes_at"
    )
    tz = timezone.get_current_timezone()
    leave_days = _leave_days(ids, start, end)
    outings = _outings(ids, start, end, tz)
    policy = policy_for(branch_id)
    found = {}
    for pk, hired_on, left_on, outlet_id, opens_at, closes_at in people:
        opens, closes = (opens_at, closes_at) if outlet_id else DEFAULT_HOURS
        count = 0
        for day, check_in, check_out in records[pk]:
            result = _day(
                pk,
                hired_on,
                left_on,
                day,
                *calendar[day],
                check_in,
                check_out,
                opens=opens,
                closes=closes,
                today=today,
                tz=tz,
                leave_days=leave_days,
                outings=outings,
                grace_minutes=policy.grace_minutes,
            )
            if result.late_minutes:
                count += 1
            if result.early_minutes:
                count += 1
        excess, deduction = late_early_deduction(
            count, policy.free_late_early_per_month, policy.deduction_per_excess
        )
        found[pk] = (count, excess, deduction)
    return found


def sheet_people(*, user, team=None, branch=None, month: dt.date) -> QuerySet[Staff]:
    people = visible(user, Staff, roles.OUTING_CHECK) | visible(user, Staff, roles.ATTENDANCE_RECORD)
    people = Staff.objects.filter(pk__in=people.values("pk"), position__in=FIELD_POSITIONS)
    if team is not None:
        people = people.filter(team=team)
    if branch is not None:
        people = people.filter(branch=branch)
    first = month.replace(day=1)
    return people.exclude(left_on__lt=first).exclude(hired_on__gt=month_days(month)[-1])


def deductions(*, user, branch, month: dt.date) -> list[tuple[Staff, int, int, Decimal]]:
    """Late/early deductions of a branch's month, for the pay run: (person, count, excess, amount)."""
    sheet = month_sheet(
        people=sheet_people(user=user, branch=branch, month=month), month=month, branch_id=branch.pk
    )
    return [(r.staff, r.late_early, r.excess, r.deduction) for r in sheet.rows if r.deduction]


def my_leave(*, user) -> QuerySet[LeaveRequest]:
    return LeaveRequest.objects.filter(staff__user=user).select_related(
        "leave_type", "approval__current_step"
    )


def team_leave(*, user) -> QuerySet[LeaveRequest]:
    return visible(user, LeaveRequest, roles.OUTING_CHECK).select_related("leave_type", "staff", "approval")


def outing_list(*, user) -> QuerySet[Outing]:
    return visible(user, Outing).select_related("staff", "checked_by__staff", "approval")


def patrol_list(*, user) -> QuerySet[Patrol]:
    return visible(user, Patrol).select_related("lead", "outlet").prefetch_related("present")


def correction_list(*, user) -> QuerySet[PunchCorrection]:
    return visible(user, PunchCorrection).select_related("staff", "approval")
