"""Demo work logs: the first team's client managers over the last three weeks, with a few
copied logs and unbacked visits for the spot-check to find, and a few missing days."""

import datetime as dt
import random

from brokerdesk.attendance.rules import working_day
from brokerdesk.org.models import Staff, Team
from brokerdesk.worklogs.models import WorkLog

WORK = [
    "上午在网点驻点，接待理财咨询客户{n}位，介绍两融业务与新发基金。",
    "参加晨会后到银行网点开展投资者教育讲座，现场登记意向客户{n}位。",
    "电话回访存量客户{n}位，提醒关注账户风险测评到期事项。",
    "协助{n}位客户完成预约开户材料准备，解答佣金与交易规则问题。",
]
CLIENTS = [
    "王先生：咨询科创板开通条件",
    "李女士：理财到期再投资",
    "陈总：企业年金合作意向",
    "赵女士：基金定投方案",
]
PLANS = ["继续驻点，跟进意向客户。", "拜访代发工资单位，洽谈联合营销。", "整理客户回访记录并提交团队负责人。"]


def build(*, seed: int, today: dt.date) -> None:
    rng = random.Random(seed + 3)
    team = Team.objects.order_by("pk").first()
    if team is None:
        return
    people = list(team.members.filter(position=Staff.Position.CLIENT_MANAGER, status=Staff.Status.ACTIVE))
    logs = []
    day = today - dt.timedelta(days=21)
    while day < today:
        if working_day(day)[0]:
            for person in people:
                if rng.random() < 0.1:
                    continue  # a missing day
                copied = rng.random() < 0.08 and logs and logs[-1].staff_id == person.pk
                text = logs[-1].work_done if copied else rng.choice(WORK).format(n=rng.randint(2, 9))
                logs.append(
                    WorkLog(
                        staff=person,
                        day=day,
                        work_done=text,
                        clients_contacted="" if rng.random() < 0.2 else "\n".join(rng.sample(CLIENTS, 2)),
                        visited=rng.random() < 0.15,
                        tomorrow_plan=rng.choice(PLANS),
                    )
                )
        day += dt.timedelta(days=1)
    WorkLog.objects.bulk_create(logs)
    # Written in the evening of their own day, not all at seeding time.
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    for d in {log.day for log in logs}:
        evening = dt.datetime.combine(d, dt.time(18, 30), tzinfo=tz)
        WorkLog.objects.filter(staff__in=people, day=d).update(created_at=evening, updated_at=evening)
