"""Setting up logs for tests: written straight to the table (any day, any author), so that the
behaviour under test goes through the service alone."""

import datetime as dt

from django.utils import timezone

from brokerdesk.attendance.models import Outing
from brokerdesk.worklogs.models import WorkLog

TEXTS = [
    "上午在工商银行金融街支行驻点，为三位客户讲解两融业务；下午整理潜在客户名单并电话回访。",
    "参加营业部晨会，学习新发行的集合资产管理计划；随后在网点开展投资者教育讲座。",
    "陪同客户办理基金定投，解答关于科创板开户条件的咨询，晚上整理客户资产配置建议。",
    "电话联系五位存量客户，了解持仓情况；与银行大堂经理沟通下周联合营销活动安排。",
    "为新开户客户讲解交易软件的使用方法，协助两位客户完成风险测评，更新客户档案。",
    "整理本周营销数据，准备周例会发言材料；在网点接待咨询客户四人，登记意向。",
    "参加总部组织的合规培训，学习适当性管理要求；下午在支行大厅开展理财沙龙。",
    "回访上月开户客户，收集产品需求；协助团队负责人准备季度业务分析报告的数据。",
]


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def make_log(
    staff, day: dt.date, text: str | None = None, *, clients: str = "王先生：咨询两融", **kw
) -> WorkLog:
    n = day.toordinal()
    return WorkLog.objects.create(
        staff=staff,
        day=day,
        work_done=text if text is not None else TEXTS[n % len(TEXTS)],
        clients_contacted=clients,
        tomorrow_plan=kw.pop("tomorrow_plan", "继续跟进意向客户。"),
        **kw,
    )


def make_outing(staff, day: dt.date, status: str = "approved") -> Outing:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(14, 0)))
    return Outing.objects.create(
        staff=staff,
        destination="某科技公司",
        person_visited="陈总",
        contact="010-12345678",
        purpose="介绍集合资产管理计划",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        status=status,
    )


def team_a_logs(org, days: int = 8) -> list[WorkLog]:
    """Logs of 张三 and 孙八 (team A) for the last ``days`` days, all different and naming clients."""
    logs = []
    for i in range(1, days + 1):
        logs.append(make_log(org.staff.cm, days_ago(i), TEXTS[i % len(TEXTS)] + f"（{i}）"))
        logs.append(make_log(org.staff.cm_peer, days_ago(i), TEXTS[(i + 3) % len(TEXTS)] + f"[{i}]"))
    return logs
