from decimal import Decimal

from brokerdesk.approvals import services as approvals
from brokerdesk.planning import services
from brokerdesk.planning.models import AnnualPlan


def make_plan(org, *, team=None, year=2026, **overrides) -> AnnualPlan:
    fields = {
        "team": team or org.teams.a,
        "year": year,
        "split_by": AnnualPlan.Split.QUARTER,
        "target_new_accounts": 40,
        "target_asset_growth": Decimal("4000000.00"),
        "target_net_revenue": Decimal("800000.00"),
        "target_product_sales": Decimal("1200000.00"),
        "marketing_plan": "依托工商银行网点开展驻点营销，每月举办两场投资者教育活动。",
        "bank_cooperation_plan": "与工商银行金融街支行签订年度营销合作方案。",
    }
    fields.update(overrides)
    return services.plan_save(actor=org.users.lead, plan=AnnualPlan(**fields))


def act(user, plan, decision="approve", **kw):
    task = approvals.inbox(user).get(request=plan.approval)
    return approvals.task_act(actor=user, task=task, decision=decision, **kw)


def approve_plan(org, plan) -> AnnualPlan:
    plan = services.plan_submit(actor=org.users.lead, plan=plan)
    act(org.users.office, plan)
    act(org.users.channel, plan, countersign_departments=[org.departments.compliance])
    act(org.users.compliance, plan)
    act(org.users.office, plan)
    act(org.users.vp, plan)
    act(org.users.office, plan)
    plan.refresh_from_db()
    return plan


def even_rows(plan, people):
    """A decomposition that adds up: everything to the first person, spread over the periods."""
    periods = plan.periods()
    rows = []
    for person in people:
        for period in periods:
            row = {"staff": person.pk, "period": period}
            for metric in ("new_accounts", "asset_growth", "net_revenue", "product_sales"):
                total = plan.target(metric)
                row[metric] = (total / len(periods)) if person == people[0] else 0
            rows.append(row)
    return rows
