"""Demo data for the archive register: every branch files its monthly reports, plans, minutes,
approval records and confirmation-form batches of the last three months through the services
(gap-free serial numbers, batches, custody trail), the months before last are closed, last
month waits to be closed, a few originals are out with people, and the first branch has a
correction of a closed month's pay report. Deterministic for a seed and a date."""

import datetime as dt
import random

from django.contrib.auth import get_user_model

from brokerdesk.archives import services
from brokerdesk.archives.models_register import RegisterBatch, RegisterEntry
from brokerdesk.org.models import Branch, Staff

K = RegisterEntry.Kind
MONTHLY = [
    (K.PAY_REPORT, "{m}月客户经理薪酬月报", 6),
    (K.BUSINESS_REPORT, "{m}月营销团队业务月报（业务数据、分析说明、人员变动）", 14),
    (K.STATISTICS, "{m}月客户经理营销业绩统计表", 4),
    (K.CONFIRMATION_BATCH, "{m}月营销客户确认单（第1批）", 30),
    (K.MINUTES, "{m}月月度总结会会议纪要", 3),
]
OCCASIONAL = [
    (K.APPROVAL, "营销团队薪酬标准报批材料", 9),
    (K.APPROVAL, "新设营销团队报备材料", 7),
    (K.WORK_PLAN, "营销团队年度工作计划及营销方案", 12),
    (K.CONTRACT, "合作银行网点营销合作协议", 5),
    (K.OTHER, "客户经理岗前培训签到表", 2),
]


def _month_back(month: dt.date, n: int) -> dt.date:
    for _ in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def build(*, seed: int, today: dt.date) -> None:
    users = get_user_model().objects.in_bulk(["office", "trade"], field_name="username")
    office, trade = users.get("office"), users.get("trade")
    branches = list(Branch.objects.filter(is_active=True).order_by("pk"))  # [0]: the demo's first
    if not branches or (office is None and trade is None) or RegisterEntry.objects.exists():
        return
    rng = random.Random(seed + 18)
    this_month = today.replace(day=1)
    months = [_month_back(this_month, n) for n in (2, 1, 0)]
    first = branches[0]
    for branch in branches:
        actor = trade if (branch == first and trade is not None) else office
        if actor is None:
            continue
        people = list(Staff.objects.filter(branch=branch, status=Staff.Status.ACTIVE).order_by("pk")[:40])
        for month in months:
            plan = MONTHLY if month < this_month else MONTHLY[3:4]  # this month: forms so far
            plan = plan + rng.sample(OCCASIONAL, 2 if branch == first else 1)
            for kind, title, pages in plan:
                entry = services.entry_file(
                    actor=actor,
                    branch=branch,
                    kind=kind,
                    month=month,
                    title=title.format(m=month.month),
                    cabinet=f"档案柜{rng.randint(1, 4)}",
                    folder=f"{month:%Y%m}-{kind}",
                    pages=pages + rng.randint(0, 6),
                    today=today,
                )
                if people and rng.random() < 0.08:
                    holder = rng.choice(people)
                    services.custody_pass(actor=actor, entry=entry, to_staff=holder, note="借阅")
        for month in months[:1]:  # the month before last is archived; last month waits
            services.batch_close(
                actor=actor, batch=RegisterBatch.objects.get(branch=branch, month=month), today=today
            )
    _first_branch_story(first, trade or office, months, today)


def _first_branch_story(branch, actor, months, today) -> None:
    """The demo client manager holds an original; a closed month's pay report has a correction."""
    cm = Staff.objects.filter(user__username="cm").first()
    entry = RegisterEntry.objects.filter(branch=branch, month=months[1], kind=K.CONFIRMATION_BATCH).first()
    if cm is not None and entry is not None and entry.custodian_id is None and cm.branch_id == branch.pk:
        services.custody_pass(actor=actor, entry=entry, to_staff=cm, note="核对确认单原件")
    closed = RegisterEntry.objects.filter(branch=branch, month=months[0], kind=K.PAY_REPORT).first()
    if closed is not None:
        services.entry_file(
            actor=actor,
            branch=branch,
            kind=K.PAY_REPORT,
            month=months[2],
            title=f"{months[0].month}月客户经理薪酬月报（更正：补发绩效）",
            cabinet=closed.cabinet,
            folder=closed.folder,
            pages=2,
            corrects=closed,
            note="原月报已归档，差额随本月发放。",
            today=today,
        )
