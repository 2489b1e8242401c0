"""Reads of planning, already scoped: plans, decomposition grids and progress."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from brokerdesk.access.scope import get_for_user, visible
from brokerdesk.planning.models import (
    METRICS,
    MONEY_METRICS,
    AnnualPlan,
    CorrectiveAction,
    MonthlyActual,
    PlanReview,
    PlanStatus,
    TargetShare,
    TeamStandard,
)
from brokerdesk.planning.rules import Progress, progress


def plan_list(*, user) -> QuerySet[AnnualPlan]:
    return visible(user, AnnualPlan).select_related("team__branch", "approval__current_step")


def plan_detail(*, user, pk) -> AnnualPlan:
    qs = (
        plan_list(user=user)
        .select_related("partner_bank", "supersedes")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=PlanReview.objects.select_related("recorded_by__staff").prefetch_related(
                    Prefetch("actions", queryset=CorrectiveAction.objects.select_related("owner"))
                ),
            )
        )
    )
    return get_for_user(user, qs, pk)


def standard_list(*, user) -> QuerySet[TeamStandard]:
    return visible(user, TeamStandard).select_related("team__branch", "approval__current_step")


def share_grid(plan: AnnualPlan, *, user=None) -> dict[tuple[int, int], TargetShare]:
    """The plan's decomposition by (person, period); with ``user``, only the people in their
    scope (a client manager sees their own targets, not their colleagues')."""
    shares = plan.shares.all() if user is None else visible(user, plan.shares.all())
    return {(s.staff_id, s.period): s for s in shares}


@dataclass
class ProgressRow:
    key: int
    name: str
    url: str = ""
    team: str = ""
    metrics: dict[str, Progress] = field(default_factory=dict)

    @property
    def behind(self) -> bool:
        return any(p.behind for p in self.metrics.values())


def _metric_progress(
    targets: dict[str, dict[int, Decimal]],
    actuals: dict[str, dict[int, Decimal]],
    split: str,
    as_of_month: int,
) -> dict[str, Progress]:
    return {
        m: progress(targets.get(m, {}), actuals.get(m, {}), split, as_of_month, money=m in MONEY_METRICS)
        for m in METRICS
    }


def progress_rows(
    *,
    user,
    year: int,
    as_of_month: int,
    level: str,
    branch_id: int | None = None,
    team_id: int | None = None,
    staff_id: int | None = None,
) -> list[ProgressRow]:
    """Actual figures against targets per person, team, branch or regional HQ, in scope.

    Three queries whatever the number of rows: approved plans, decomposed targets grouped
    by person and period, actuals grouped by person and month.
    """
    from django.urls import reverse

    plans = visible(user, AnnualPlan).filter(year=year, status=PlanStatus.APPROVED)
    if branch_id:
        plans = plans.filter(team__branch_id=branch_id)
    if team_id:
        plans = plans.filter(team_id=team_id)
    plans = list(plans.select_related("team__branch__region"))
    plan_by_team = {p.team_id: p for p in plans}
    sums = {m: Sum(m) for m in METRICS}
    only_person = {"staff_id": staff_id} if staff_id else {}
    shares = (
        visible(user, TargetShare)
        .filter(plan__in=plans, **only_person)
        .values("staff_id", "staff__name", "staff__team_id", "plan__team_id", "period")
        .annotate(**{f"s_{m}": s for m, s in sums.items()})
        .order_by()
    )
    actual_rows = (
        visible(user, MonthlyActual)
        .filter(month__year=year, staff__team_id__in=plan_by_team, **only_person)
        .values("staff_id", "staff__name", "staff__team_id", "month")
        .annotate(**{f"s_{m}": s for m, s in sums.items()})
        .order_by()
    )
    # person -> metric -> period/month -> value
    person_targets: dict[int, dict[str, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    person_actuals: dict[int, dict[str, dict[int, Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Decimal))
    )
    person_info: dict[int, tuple[str, int]] = {}
    team_has_shares: set[int] = set()
    for row in shares:
        person_info[row["staff_id"]] = (row["staff__name"], row["plan__team_id"])
        team_has_shares.add(row["plan__team_id"])
        for m in METRICS:
            person_targets[row["staff_id"]][m][row["period"]] = Decimal(row[f"s_{m}"] or 0)
    for row in actual_rows:
        person_info.setdefault(row["staff_id"], (row["staff__name"], row["staff__team_id"]))
        for m in METRICS:
            person_actuals[row["staff_id"]][m][row["month"].month] += Decimal(row[f"s_{m}"] or 0)

    if level == "person":
        rows = []
        for staff_id, (name, team_id) in sorted(person_info.items(), key=lambda kv: (kv[1][1], kv[1][0])):
            plan = plan_by_team.get(team_id)
            if plan is None:
                continue
            row = ProgressRow(
                staff_id, name, reverse("org:staff-detail", args=[staff_id]), team=str(plan.team)
            )
            row.metrics = _metric_progress(
                person_targets[staff_id], person_actuals[staff_id], plan.split_by, as_of_month
            )
            rows.append(row)
        return rows

    # Team level: decomposed targets if there are any, else the plan's totals spread evenly.
    team_targets: dict[int, dict[str, dict[int, Decimal]]] = {}
    team_actuals: dict[int, dict[str, dict[int, Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Decimal))
    )
    for plan in plans:
        targets: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        if plan.team_id in team_has_shares:
            for staff_id, (_name, team_id) in person_info.items():
                if team_id == plan.team_id:
                    for m, by_period in person_targets[staff_id].items():
                        for period, v in by_period.items():
                            targets[m][period] += v
        else:
            periods = plan.periods()
            for m in METRICS:
                for period in periods:
                    targets[m][period] = Decimal(plan.target(m)) / len(periods)
        team_targets[plan.team_id] = targets
    for staff_id, (_name, team_id) in person_info.items():
        for m, by_month in person_actuals[staff_id].items():
            for month, v in by_month.items():
                team_actuals[team_id][m][month] += v

    def group_key(plan):
        if level == "team":
            return plan.team_id, str(plan.team), reverse("org:team-detail", args=[plan.team_id])
        if level == "branch":
            return (
                plan.team.branch_id,
                str(plan.team.branch),
                reverse("org:branch-detail", args=[plan.team.branch_id]),
            )
        return plan.team.branch.region_id, str(plan.team.branch.region), ""

    grouped: dict[int, dict] = {}
    for plan in plans:
        key, name, url = group_key(plan)
        g = grouped.setdefault(
            key,
            {
                "name": name,
                "url": url,
                "targets": defaultdict(lambda: defaultdict(Decimal)),
                "actuals": defaultdict(lambda: defaultdict(Decimal)),
                "splits": set(),
            },
        )
        # Groups mix month and quarter splits: bring every target to months first.
        for m, by_period in team_targets[plan.team_id].items():
            for period, v in by_period.items():
                if plan.split_by == "month":
                    g["targets"][m][period] += v
                else:
                    for month in range(3 * (period - 1) + 1, 3 * period + 1):
                        g["targets"][m][month] += v / 3
        for m, by_month in team_actuals[plan.team_id].items():
            for month, v in by_month.items():
                g["actuals"][m][month] += v
    rows = []
    for key, g in sorted(grouped.items(), key=lambda kv: kv[1]["name"]):
        row = ProgressRow(key, g["name"], g["url"])
        row.metrics = _metric_progress(g["targets"], g["actuals"], "month", as_of_month)
        rows.append(row)
    return rows
