"""Attendance through its services: punches, hand entries, leave, corrections, outings,
patrols, and the monthly sheet they add up to."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from brokerdesk.access.roles import Role
from brokerdesk.approvals import services as approvals
from brokerdesk.approvals.models import Task
from brokerdesk.attendance import selectors, services
from brokerdesk.attendance.models import DailyRecord, LeaveRequest, LeaveType, Outing, Policy, PunchCorrection
from brokerdesk.org.models import Staff
from brokerdesk.org.tests.factories import login

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


def at(day, h, m=0):
    return dt.datetime(day.year, day.month, day.day, h, m, tzinfo=TZ)


def approve_all(user, subject):
    for task in approvals.inbox(user).filter(request=subject.approval):
        approvals.task_act(actor=user, task=task, decision="approve")


def test_check_in_twice_records_one_time_and_check_out_needs_a_check_in(org):
    with pytest.raises(ValidationError):
        services.check_out(actor=org.users.cm)
    today = timezone.localdate()
    first = services.check_in(actor=org.users.cm, now=at(today, 8, 50))
    again = services.check_in(actor=org.users.cm, now=at(today, 8, 51))
    assert again.pk == first.pk and again.check_in == at(today, 8, 50)
    assert DailyRecord.objects.filter(staff=org.staff.cm).count() == 1
    out = services.check_out(actor=org.users.cm, now=at(today, 17, 30))
    assert out.check_out == at(today, 17, 30) and out.outlet == org.staff.cm.outlet


def test_a_login_without_staff_record_cannot_punch(org):
    with pytest.raises(PermissionDenied):
        services.check_in(actor=org.users.channel)


def test_recorder_keeps_the_sheet_by_hand_with_the_trail(org):
    recorder = login("recorder", Role.ATTENDANCE_RECORDER, branch=org.branches.b1)
    day = timezone.localdate() - dt.timedelta(days=1)
    services.check_in(actor=org.users.cm, now=at(day, 9, 30))
    with pytest.raises(ValidationError):
        services.record_by_hand(
            actor=recorder, staff=org.staff.cm, day=day, check_in=dt.time(9), check_out=None, note=""
        )
    record = services.record_by_hand(
        actor=recorder,
        staff=org.staff.cm,
        day=day,
        check_in=dt.time(8, 58),
        check_out=dt.time(17, 2),
        note="网点停电，打卡机故障",
    )
    assert record.source == DailyRecord.Source.RECORDER
    history = list(record.history.order_by("history_date"))
    assert history[0].check_in == at(day, 9, 30)  # the original stays in the trail
    assert history[-1].history_user == recorder
    with pytest.raises(PermissionDenied):
        services.record_by_hand(
            actor=recorder, staff=org.staff.outsider, day=day, check_in=dt.time(9), check_out=None, note="x"
        )
    with pytest.raises(ValidationError):
        services.record_by_hand(
            actor=recorder, staff=org.staff.cm, day=day, check_in=dt.time(17), check_out=dt.time(9), note="x"
        )


def _personal():
    return LeaveType.objects.get(code="personal")


def test_leave_is_approved_by_the_lead_and_longer_leave_also_by_the_branch_manager(org):
    monday = dt.date(2026, 12, 7)
    short = services.leave_request(
        actor=org.users.cm,
        leave_type=_personal(),
        starts_on=monday,
        ends_on=monday + dt.timedelta(days=1),
        reason="家中有事",
    )
    assert short.days == Decimal("2") and short.status == "in_approval"
    approve_all(org.users.lead, short)
    short.refresh_from_db()
    assert short.status == "approved"
    long = services.leave_request(
        actor=org.users.cm_peer,
        leave_type=_personal(),
        starts_on=monday,
        ends_on=monday + dt.timedelta(days=4),
        reason="返乡",
    )
    assert long.days == 5
    approve_all(org.users.lead, long)
    long.refresh_from_db()
    assert long.status == "in_approval"
    approve_all(org.users.manager, long)
    long.refresh_from_db()
    assert long.status == "approved"


def test_a_team_leads_own_leave_goes_to_the_branch_manager(org):
    leave = services.leave_request(
        actor=org.users.lead,
        leave_type=_personal(),
        starts_on=dt.date(2026, 12, 7),
        ends_on=dt.date(2026, 12, 7),
        reason="体检",
    )
    assert not approvals.inbox(org.users.lead).exists()
    approve_all(org.users.manager, leave)
    leave.refresh_from_db()
    assert leave.status == "approved"


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (dt.date(2026, 12, 9), dt.date(2026, 12, 8), "ends_on"),  # ends before it starts
        (dt.date(2026, 12, 8), dt.date(2026, 12, 8), "starts_on"),  # overlaps the approved leave
        (dt.date(2026, 12, 12), dt.date(2026, 12, 13), "ends_on"),  # a weekend: no working day
    ],
)
def test_bad_leave_is_refused_and_nothing_saved(org, start, end, field):
    first = services.leave_request(
        actor=org.users.cm,
        leave_type=_personal(),
        starts_on=dt.date(2026, 12, 7),
        ends_on=dt.date(2026, 12, 8),
        reason="x",
    )
    approve_all(org.users.lead, first)
    with pytest.raises(ValidationError) as exc:
        services.leave_request(
            actor=org.users.cm, leave_type=_personal(), starts_on=start, ends_on=end, reason="y"
        )
    assert field in exc.value.message_dict
    assert LeaveRequest.objects.count() == 1


def test_leave_after_the_fact_is_allowed_but_marked_late(org):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    while yesterday.weekday() >= 5:
        yesterday -= dt.timedelta(days=1)
    leave = services.leave_request(
        actor=org.users.cm,
        leave_type=LeaveType.objects.get(code="sick"),
        starts_on=yesterday,
        ends_on=yesterday,
        reason="发烧",
    )
    assert leave.is_late


def test_annual_leave_balance_is_enforced(org):
    annual = LeaveType.objects.get(code="annual")  # 5 days a year
    services.leave_request(
        actor=org.users.cm,
        leave_type=annual,
        starts_on=dt.date(2027, 3, 1),
        ends_on=dt.date(2027, 3, 3),
        reason="旅游",
    )
    with pytest.raises(ValidationError) as exc:
        services.leave_request(
            actor=org.users.cm,
            leave_type=annual,
            starts_on=dt.date(2027, 4, 5),
            ends_on=dt.date(2027, 4, 9),
            reason="再旅游",
        )
    assert "leave_type" in exc.value.message_dict


def test_missed_punch_correction_is_limited_and_applied_with_the_original_kept(org):
    Policy.objects.create(branch=org.branches.b1, corrections_per_month=1)
    day = dt.date(2026, 11, 2)
    DailyRecord.objects.create(staff=org.staff.cm, day=day, check_in=at(day, 8, 55))
    correction = services.correction_request(
        actor=org.users.cm, day=day, kind="out", at=dt.time(17, 5), reason="忘记打卡"
    )
    with pytest.raises(ValidationError):
        services.correction_request(
            actor=org.users.cm, day=dt.date(2026, 11, 3), kind="in", at=dt.time(9), reason="又忘了"
        )
    approve_all(org.users.lead, correction)
    record = DailyRecord.objects.get(staff=org.staff.cm, day=day)
    assert record.check_out == at(day, 17, 5) and record.source == "correction"
    assert PunchCorrection.objects.get().status == "approved"
    assert record.history.count() >= 2


def test_outing_is_for_oneself_and_checked_by_the_lead_afterwards(org):
    start = timezone.now() - dt.timedelta(hours=5)
    outing = services.outing_submit(
        actor=org.users.cm,
        destination="工商银行西单支行",
        person_visited="王经理",
        contact="13900000000",
        purpose="对接代发工资客户",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    assert outing.staff == org.staff.cm
    with pytest.raises(ValidationError):
        services.outing_submit(
            actor=org.users.cm,
            destination="x",
            person_visited="x",
            contact="x",
            purpose="x",
            starts_at=start,
            ends_at=start - dt.timedelta(hours=1),
        )
    approve_all(org.users.lead, outing)
    seed, sample = services.outing_sample(actor=org.users.lead, size=3)
    assert [o.pk for o in sample] == [outing.pk]
    assert [o.pk for o in services.outing_sample(actor=org.users.lead, size=3, seed=seed)[1]] == [outing.pk]
    with pytest.raises(ValidationError):
        services.outing_check(actor=org.users.lead, outing=outing, result="not_confirmed", remark="")
    services.outing_check(actor=org.users.lead, outing=outing, result="confirmed", remark="电话核实")
    with pytest.raises(ValidationError):
        services.outing_check(
            actor=org.users.lead, outing=Outing.objects.get(), result="confirmed", remark=""
        )
    with pytest.raises(PermissionDenied):
        services.outing_check(actor=org.users.cm_b, outing=outing, result="confirmed", remark="")


def test_patrol_inside_scope_only(org):
    day = timezone.localdate()
    patrol = services.patrol_record(
        actor=org.users.lead,
        day=day,
        outlet=org.outlets.o1,
        present=[org.staff.cm],
        findings="张三在岗，网点秩序良好",
    )
    assert list(patrol.present.all()) == [org.staff.cm]
    with pytest.raises(PermissionDenied):
        services.patrol_record(actor=org.users.lead, day=day, outlet=org.outlets.o2, present=[], findings="x")
    with pytest.raises(ValidationError):
        services.patrol_record(
            actor=org.users.lead, day=day, outlet=org.outlets.o1, present=[org.staff.cm_b], findings="x"
        )


def test_monthly_sheet_adds_up_the_month(org):
    month = dt.date(2026, 11, 1)
    cm = org.staff.cm
    # 2 Nov on time, 3 Nov late, 4 Nov early, 5 Nov absent, 6 Nov approved leave, 9 Nov outing.
    DailyRecord.objects.create(
        staff=cm,
        day=dt.date(2026, 11, 2),
        check_in=at(dt.date(2026, 11, 2), 8, 55),
        check_out=at(dt.date(2026, 11, 2), 19, 0),
    )
    DailyRecord.objects.create(
        staff=cm,
        day=dt.date(2026, 11, 3),
        check_in=at(dt.date(2026, 11, 3), 9, 20),
        check_out=at(dt.date(2026, 11, 3), 17, 0),
    )
    DailyRecord.objects.create(
        staff=cm,
        day=dt.date(2026, 11, 4),
        check_in=at(dt.date(2026, 11, 4), 9, 0),
        check_out=at(dt.date(2026, 11, 4), 16, 0),
    )
    LeaveRequest.objects.create(
        staff=cm,
        leave_type=LeaveType.objects.get(code="sick"),
        starts_on=dt.date(2026, 11, 6),
        ends_on=dt.date(2026, 11, 6),
        days=1,
        reason="x",
        status="approved",
    )
    Outing.objects.create(
        staff=cm,
        destination="x",
        person_visited="x",
        contact="x",
        purpose="x",
        starts_at=at(dt.date(2026, 11, 9), 8, 30),
        ends_at=at(dt.date(2026, 11, 9), 18, 0),
        status="approved",
    )
    Policy.objects.create(
        branch=org.branches.b1, free_late_early_per_month=1, deduction_per_excess=Decimal("30")
    )
    people = Staff.objects.filter(pk=cm.pk)
    sheet = selectors.month_sheet(
        people=people, month=month, branch_id=org.branches.b1.pk, today=dt.date(2026, 12, 1)
    )
    row = sheet.rows[0]
    marks = dict(zip([d for d, _w, _h in sheet.days], row.marks, strict=True))
    assert [marks[dt.date(2026, 11, d)] for d in (1, 2, 3, 4, 5, 6, 9)] == [
        "休",
        "√",
        "迟",
        "早",
        "旷",
        "病",
        "外",
    ]
    assert row.late_early == 2 and row.excess == 1 and row.deduction == Decimal("30.00")
    assert row.overtime_hours == Decimal("2.1")  # 8:55–19:00 is 10 h 5 min
    assert row.totals["absent"] == 21 - 5  # November 2026 has 21 working days


def test_sheet_people_follow_scope(org):
    month = dt.date(2026, 11, 1)
    lead_people = set(selectors.sheet_people(user=org.users.lead, team=org.teams.a, month=month))
    assert org.staff.cm in lead_people and org.staff.cm_b not in lead_people
    assert not selectors.sheet_people(user=org.users.lead, team=org.teams.c, month=month).exists()
    assert not selectors.sheet_people(user=org.users.cm, team=org.teams.a, month=month).exists()
    assert Task.objects.count() == 0
