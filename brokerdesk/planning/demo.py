"""Demo plans: the first branch's teams walk the real approval route, so the demo shows
approved plans with trails, decomposed targets, monthly actuals and progress, and requests
waiting at each step of 第四条's route."""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model

from brokerdesk.access.models import RoleAssignment
from brokerdesk.access.roles import Role
from brokerdesk.approvals import services as approvals
from brokerdesk.approvals.models import Task
from brokerdesk.org.demo import DEMO_PASSWORD
from brokerdesk.org.models import Branch, Department
from brokerdesk.planning import services
from brokerdesk.planning.models import METRICS, AnnualPlan


def _act(user, plan, decision="approve", **kw):
    task = Task.objects.get(request=plan.approval, status=Task.Status.PENDING, **kw.pop("where", {}))
    approvals.task_act(actor=user, task=task, decision=decision, **kw)


def build(*, seed: int, today: dt.date) -> None:
    rng = random.Random(seed + 1)
    User = get_user_model()
    users = {
        u.username: u for u in User.objects.filter(username__in=["manager", "office", "channel", "hr", "vp"])
    }
    if len(users) < 5:
        return
    compliance = Department.objects.get(branch__isnull=True, kind=Department.Kind.COMPLIANCE)
    hr_dept = Department.objects.get(branch__isnull=True, kind=Department.Kind.HR)
    compliance_user = User.objects.create_user(username="compliance", password=DEMO_PASSWORD)
    RoleAssignment.objects.create(user=compliance_user, role=Role.COUNTERSIGN_DEPT, department=compliance)
    branch = Branch.objects.order_by("pk").first()
    teams = list(branch.teams.order_by("code"))
    manager, office, channel, hr, vp = (users[k] for k in ("manager", "office", "channel", "hr", "vp"))
    year = today.year

    def new_plan(team, plan_year, scale=1):
        accounts = rng.randint(30, 60) * scale
        return services.plan_save(
            actor=manager,
            plan=AnnualPlan(
                team=team,
                year=plan_year,
                split_by=AnnualPlan.Split.QUARTER,
                target_new_accounts=accounts,
                target_asset_growth=Decimal(accounts * 100_000),
                target_net_revenue=Decimal(accounts * 18_000),
                target_product_sales=Decimal(accounts * 30_000),
                marketing_plan=f"{team.name}：依托合作银行网点驻点营销，每月两场投资者教育讲座，重点开发代发工资客户与存量理财客户。",
                bank_cooperation_plan="与合作银行签订当年营销合作方案：网点驻点、客户转介、联合理财沙龙。",
            ),
        )

    def full_route(plan):
        plan = services.plan_submit(actor=manager, plan=plan)
        _act(office, plan, opinion="已受理")
        _act(channel, plan, opinion="请合规部、人力资源部会签", countersign_departments=[compliance, hr_dept])
        _act(compliance_user, plan, opinion="同意", where={"department": compliance})
        _act(hr, plan, opinion="同意", where={"department": hr_dept})
        _act(office, plan, opinion="已完成报备")
        _act(vp, plan, opinion="同意执行")
        _act(office, plan, opinion="会签意见已反馈营业部")
        plan.refresh_from_db()
        return plan

    # This year's plans: approved, decomposed, with actuals up to last month.
    for team in teams[:3]:
        plan = full_route(new_plan(team, year))
        people = list(services.share_candidates(plan))
        rows = []
        for metric in METRICS:
            total = plan.target(metric)
            weights = [rng.randint(1, 5) for _ in people]
            parts = [(total * w // sum(weights)) for w in weights]
            parts[0] += total - sum(parts)
            for person, part in zip(people, parts, strict=True):
                per_q = [part // 4] * 4
                per_q[0] += part - sum(per_q)
                for q in range(4):
                    row = next((r for r in rows if r["staff"] == person.pk and r["period"] == q + 1), None)
                    if row is None:
                        row = {"staff": person.pk, "period": q + 1}
                        rows.append(row)
                    row[metric] = per_q[q]
        services.shares_save(actor=manager, plan=plan, rows=rows)
        for month in range(1, today.month):
            month_rows = []
            for person in people:
                pace = Decimal(rng.choice([0.6, 0.8, 0.95, 1.05, 1.2]))
                mine = [r for r in rows if r["staff"] == person.pk]
                row = {"staff": person.pk}
                for metric in METRICS:
                    monthly = Decimal(sum(r[metric] for r in mine)) / 12
                    value = (monthly * pace).quantize(
                        Decimal("1") if metric == "new_accounts" else Decimal("0.01")
                    )
                    row[metric] = int(value) if metric == "new_accounts" else value
                month_rows.append(row)
            services.actuals_save(actor=manager, month=dt.date(year, month, 1), rows=month_rows)

    # Next year's plans waiting at different steps of the route, and one returned.
    nxt = [new_plan(team, year + 1) for team in teams]
    services.plan_submit(actor=manager, plan=nxt[0])  # waits for the integrated office
    at_channel = services.plan_submit(actor=manager, plan=nxt[1])
    _act(office, at_channel, opinion="已受理")
    if len(nxt) > 2:
        returned = services.plan_submit(actor=manager, plan=nxt[2])
        _act(office, returned, decision="return", opinion="目标开户数低于上年实际，请调整后重新报送")
    if len(nxt) > 3:
        countersign = services.plan_submit(actor=manager, plan=nxt[3])
        _act(office, countersign, opinion="已受理")
        _act(channel, countersign, opinion="请人力资源部会签", countersign_departments=[hr_dept])
