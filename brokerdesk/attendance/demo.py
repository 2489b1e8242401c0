"""Demo attendance: the first branch's field staff this month (and last), with a few late
mornings, an absence, leave and outing forms through the real approval route, and requests
waiting for the demo team lead."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from brokerdesk.approvals import services as approvals
from brokerdesk.attendance import services
from brokerdesk.attendance.models import DailyRecord, LeaveType
from brokerdesk.attendance.rules import working_day
from brokerdesk.org.models import Branch, Staff

FIELD = (Staff.Position.CLIENT_MANAGER, Staff.Position.REGIONAL_MANAGER, Staff.Position.TEAM_LEAD)


def build(*, seed: int, today: dt.date) -> None:
    rng = random.Random(seed + 2)
    branch = Branch.objects.order_by("pk").first()
    people = list(
        Staff.objects.filter(branch=branch, position__in=FIELD, status=Staff.Status.ACTIVE).select_related(
            "outlet"
        )
    )
    tz = timezone.get_current_timezone()
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    records = []
    day = first
    while day < today:
        if working_day(day)[0]:
            for person in people:
                roll = rng.random()
                if roll < 0.02:
                    continue  # absent
                opens = person.outlet.opens_at if person.outlet else dt.time(9)
                closes = person.outlet.closes_at if person.outlet else dt.time(17)
                # Mostly on time; about 6 % late arrivals, 3 % early departures.
                late = rng.randint(3, 25) if roll < 0.08 else -rng.randint(2, 15)
                stay = -rng.randint(10, 40) if 0.08 <= roll < 0.11 else rng.randint(0, 90)
                cin = dt.datetime.combine(day, opens, tzinfo=tz) + dt.timedelta(minutes=late)
                cout = dt.datetime.combine(day, closes, tzinfo=tz) + dt.timedelta(minutes=stay)
                records.append(
                    DailyRecord(
                        staff=person,
                        day=day,
                        outlet=person.outlet,
                        check_in=cin,
                        check_out=cout if roll > 0.03 else None,
                    )
                )
        day += dt.timedelta(days=1)
    DailyRecord.objects.bulk_create(records, batch_size=1000)

    User = get_user_model()
    lead = User.objects.filter(username="lead").first()
    cm = User.objects.filter(username="cm").first()
    if not (lead and cm):
        return
    personal = LeaveType.objects.get(code="personal")
    # Approved leave earlier this month, and a request waiting for the lead.
    start = today.replace(day=1)
    while not working_day(start)[0]:
        start += dt.timedelta(days=1)
    if start < today:
        leave = services.leave_request(
            actor=cm, leave_type=personal, starts_on=start, ends_on=start, reason="家中有事"
        )
        approvals.task_act(
            actor=lead, task=approvals.inbox(lead).get(request=leave.approval), decision="approve"
        )
    upcoming = today + dt.timedelta(days=3)
    while not working_day(upcoming)[0]:
        upcoming += dt.timedelta(days=1)
    services.leave_request(
        actor=cm,
        leave_type=LeaveType.objects.get(code="annual"),
        starts_on=upcoming,
        ends_on=upcoming,
        reason="带孩子体检",
    )
    departure = dt.datetime.combine(upcoming, dt.time(14), tzinfo=tz)
    services.outing_submit(
        actor=cm,
        destination="招商银行北京西单大街支行",
        person_visited="刘行长",
        contact="010-66000000",
        purpose="洽谈代发工资客户的开户服务",
        starts_at=departure,
        ends_at=departure + dt.timedelta(hours=2),
    )
