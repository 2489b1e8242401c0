"""Pay test data: schemes through the service (and walked through the approval route), and a
month of statistics ready for a pay run."""

import datetime as dt
from decimal import Decimal

from brokerdesk.approvals import services as approvals
from brokerdesk.performance import services_schemes as svc
from brokerdesk.performance.models import Assessment, PayLine, PayRun, PayScheme
from brokerdesk.performance.tests.factories import make_import, make_scheme, make_stat

SEPTEMBER = dt.date(2026, 9, 1)
AUGUST = dt.date(2026, 8, 1)
D = Decimal
BRACKETS = [
    {"lower": D(0), "upper": D(50000), "rate": D("0.10")},
    {"lower": D(50000), "upper": D(150000), "rate": D("0.15")},
    {"lower": D(150000), "upper": None, "rate": D("0.20")},
]


def base_rows(org, amounts=(3000, 4000, 5500)) -> list[dict]:
    return [
        {"level": level, "employment_type": "full_time", "amount": D(amount)}
        for level, amount in zip(org.levels, amounts, strict=True)
    ]


def draft(org, *, actor=None, team=None, brackets=None, base_pays=None, **values) -> PayScheme:
    fields = {
        "branch": org.branches.b1,
        "team": team,
        "name": "金融街营业部客户经理薪酬标准",
        "effective_from": dt.date(2026, 1, 1),
    }
    fields.update(values)
    return svc.scheme_save(
        actor=actor or org.users.accountant,
        scheme=PayScheme(**fields),
        brackets=BRACKETS if brackets is None else brackets,
        base_pays=base_rows(org) if base_pays is None else base_pays,
    )


def act(user, scheme, decision="approve", **kw):
    task = approvals.inbox(user).get(request_id=scheme.approval_id)
    return approvals.task_act(actor=user, task=task, decision=decision, **kw)


def approve(org, scheme: PayScheme, *, actor=None) -> PayScheme:
    """Submit and walk the team-standards route (needs the ``flow_people`` fixture)."""
    scheme = svc.scheme_submit(actor=actor or org.users.accountant, scheme=scheme)
    act(org.users.office, scheme)
    act(org.users.channel, scheme, countersign_departments=[org.departments.compliance])
    act(org.users.compliance, scheme)
    act(org.users.office, scheme)
    act(org.users.vp, scheme)
    act(org.users.office, scheme)
    scheme.refresh_from_db()
    return scheme


def month_ready(org, month=SEPTEMBER, **figures_by_person):
    """An import of branch 1's month with statistics: ``cm={"net_revenue": ...}``."""
    imp = make_import(org.branches.b1, month, org.users.accountant)
    stats = {}
    for key, figures in figures_by_person.items():
        stats[key] = make_stat(imp, getattr(org.staff, key), **figures)
    return imp, stats


def scheme(org, **extra) -> PayScheme:
    """An approved branch scheme (ORM) with the levels' base pay and the default brackets."""
    brackets = extra.pop("brackets", [(b["lower"], b["upper"], str(b["rate"])) for b in BRACKETS])
    return make_scheme(
        org.branches.b1,
        org.users.accountant,
        levels=list(zip(org.levels, (3000, 4000, 5500), strict=True)),
        brackets=brackets,
        **extra,
    )


def assess(staff, month, score, status=Assessment.Status.CONFIRMED) -> Assessment:
    from brokerdesk.performance.selectors import month_end

    return Assessment.objects.create(
        staff=staff,
        branch=staff.branch,
        team=staff.team,
        period=Assessment.Period.MONTH,
        starts_on=month,
        ends_on=month_end(month),
        performance_score=D(score),
        status=status,
    )


def sign(run: PayRun) -> PayRun:
    """Mark a run signed directly (the report area owns the real signing)."""
    PayRun.objects.filter(pk=run.pk).update(status=PayRun.Status.SIGNED)
    run.refresh_from_db()
    return run


def lines_of(run: PayRun, staff) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for component, amount in PayLine.objects.filter(run=run, staff=staff).values_list("component", "amount"):
        found[component] = found.get(component, D(0)) + amount
    return found
