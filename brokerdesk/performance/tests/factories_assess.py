"""Test data for assessments: imported months with statistics, an approved plan with targets,
and the records a duty checklist is scored from (all through the ORM, no service rules)."""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from brokerdesk.attendance.models import DailyRecord
from brokerdesk.meetings.models import Attendance, Meeting
from brokerdesk.performance.models import Assessment, DutyItem
from brokerdesk.performance.selectors import add_months
from brokerdesk.performance.tests.factories import make_import, make_stat
from brokerdesk.planning.models import AnnualPlan, PlanStatus, TargetShare
from brokerdesk.worklogs.models import SpotCheck, SpotCheckItem, WorkLog

Q1 = dt.date(2026, 1, 1)
_seq = itertools.count(1)


def import_months(branch, first: dt.date, n: int, by) -> list:
    """Current imports of ``n`` months from ``first`` for the branch (no client rows)."""
    return [make_import(branch, add_months(first, i), by) for i in range(n)]


def approved_plan(team, by, *, year=2026, split=AnnualPlan.Split.MONTH) -> AnnualPlan:
    return AnnualPlan.objects.create(
        team=team,
        year=year,
        status=PlanStatus.APPROVED,
        target_new_accounts=120,
        target_asset_growth=Decimal("12000000"),
        target_net_revenue=Decimal("1200000"),
        target_product_sales=Decimal("0"),
        split_by=split,
        marketing_plan="银行网点驻点营销",
        created_by=by,
    )


def share(plan, staff, period: int, *, new_accounts=10, net_revenue="100000", asset_growth="1000000"):
    return TargetShare.objects.create(
        plan=plan,
        staff=staff,
        period=period,
        new_accounts=new_accounts,
        net_revenue=Decimal(str(net_revenue)),
        asset_growth=Decimal(str(asset_growth)),
    )


def punch(staff, day: dt.date, check_in=dt.time(8, 55), check_out=dt.time(17, 5)) -> DailyRecord:
    tz = timezone.get_current_timezone()
    return DailyRecord.objects.create(
        staff=staff,
        day=day,
        check_in=dt.datetime.combine(day, check_in, tzinfo=tz),
        check_out=dt.datetime.combine(day, check_out, tzinfo=tz),
    )


def log(staff, day: dt.date) -> WorkLog:
    return WorkLog.objects.create(staff=staff, day=day, work_done="拜访客户", tomorrow_plan="继续")


def spot_check(team, by, results: list[tuple[WorkLog, str]]) -> SpotCheck:
    days = [entry.day for entry, _r in results]
    check = SpotCheck.objects.create(
        team=team, period_start=min(days), period_end=max(days), size=len(results), seed=1, created_by=by
    )
    for position, (entry, result) in enumerate(results, start=1):
        SpotCheckItem.objects.create(
            spot_check=check,
            log=entry,
            position=position,
            weight=1,
            result=result,
            checked_by=by if result else None,
            checked_at=timezone.now() if result else None,
        )
    return check


def meeting(team, chair, by, day: dt.date, present: dict) -> Meeting:
    """A weekly meeting of ``team`` on ``day``; ``present`` is {staff: bool}."""
    from brokerdesk.meetings import rules

    m = Meeting.objects.create(
        team=team,
        kind=rules.WEEKLY,
        held_on=day,
        period_start=rules.period_start(rules.WEEKLY, day),
        chair=chair,
        minutes={},
        recorded_by=by,
    )
    for person, here in present.items():
        Attendance.objects.create(meeting=m, staff=person, present=here)
    return m


def lead_item() -> DutyItem:
    return DutyItem.objects.get(code="lead")


def monthly(staff, month: dt.date, performance_score, branch=None, status=Assessment.Status.CONFIRMED):
    """A monthly assessment with only its performance score (for the floor trigger)."""
    from brokerdesk.performance.selectors import month_end

    return Assessment.objects.create(
        staff=staff,
        branch=branch or staff.branch,
        team=staff.team,
        period=Assessment.Period.MONTH,
        starts_on=month,
        ends_on=month_end(month),
        performance_score=Decimal(str(performance_score)),
        status=status,
    )


__all__ = ["make_import", "make_stat"]
