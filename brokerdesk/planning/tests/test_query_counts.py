"""Planning pages and API lists run a constant number of queries whatever the row count.

Each case is requested with a few plans in the database and again after :func:`_grow` has
added many more. Every plan added has its own team (with its own client managers) and
stands somewhere else on its way: a draft, waiting at the office or at channel management,
returned, approved with decomposed targets, monthly actuals and a review, or approved and
then revised (a superseded version and a new draft). A relation loaded lazily per row (an
N+1) then shows up as a different count.
"""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brokerdesk.approvals import services as approvals
from brokerdesk.org.models import Staff
from brokerdesk.org.tests.factories import StaffFactory, TeamFactory
from brokerdesk.planning import services
from brokerdesk.planning.models import METRICS, AnnualPlan
from brokerdesk.planning.tests.helpers import even_rows

pytestmark = pytest.mark.django_db

YEAR = 2026
FEW = 6  # one plan at each stage, so every list measured has rows in both states
MANY = 30
# Queries a page adds to the layout's own (session, login, scope, navigation counts): a
# ceiling as well as "the same count", so a constant but needless query is noticed.
MAX_PAGE_QUERIES = {
    "/planning/": 2,  # the count and the rows
    "/planning/progress/": 4,  # approved plans, targets, actuals, the branch drop-down
}
MAX_API_QUERIES = {
    "/api/planning/plans/": 6,  # session, login, grants (2), count, rows
    "/api/planning/progress/": 7,  # session, login, grants (2), approved plans, targets, actuals
}
LAYOUT_PAGE = "/password/"
_seq = itertools.count(1)
_years = itertools.count(YEAR)  # team A's plans: 2026, then one more year each

PAGES = [
    "/planning/",
    f"/planning/?year={YEAR}",
    "/planning/?status=approved",
    *[
        f"/planning/progress/?year={YEAR}&month=11&level={level}"
        for level in ("person", "team", "branch", "region")
    ],
]
API_LISTS = [
    "/api/planning/plans/?format=json",
    f"/api/planning/plans/?format=json&year={YEAR}",
    *[f"/api/planning/progress/?format=json&year={YEAR}&month=11&level={lv}" for lv in ("person", "team")],
]


def _act(user, plan, decision="approve", **kw):
    task = approvals.inbox(user).get(request_id=plan.approval_id)
    approvals.task_act(actor=user, task=task, decision=decision, opinion=kw.pop("opinion", "同意"), **kw)


def _approve(org, plan) -> AnnualPlan:
    plan = services.plan_submit(actor=org.users.manager, plan=plan)
    _act(org.users.office, plan)
    _act(org.users.channel, plan, countersign_departments=[org.departments.compliance])
    for user in (org.users.compliance, org.users.office, org.users.vp, org.users.office):
        _act(user, plan)
    plan.refresh_from_db()
    return plan


def _new_plan(org, team, year) -> AnnualPlan:
    n = next(_seq)
    return services.plan_save(
        actor=org.users.manager,
        plan=AnnualPlan(
            team=team,
            year=year,
            split_by=AnnualPlan.Split.MONTH if n % 2 else AnnualPlan.Split.QUARTER,
            # Multiples of 12, so ``even_rows`` splits them exactly by month or quarter.
            target_new_accounts=12 * (3 + n % 5),
            target_asset_growth=Decimal(12 * (300_000 + n)),
            target_net_revenue=Decimal(12 * (60_000 + n)),
            target_product_sales=Decimal(12 * (100_000 + n)),
            marketing_plan=f"营销方案{n}",
        ),
    )


def _decompose_and_report(org, plan, people, reviews: int = 1, actions: int = 1) -> None:
    services.shares_save(actor=org.users.manager, plan=plan, rows=even_rows(plan, people))
    for month in range(1, 11):
        rows = [{"staff": p.pk, **dict.fromkeys(METRICS, (i + month) * 10)} for i, p in enumerate(people)]
        services.actuals_save(actor=org.users.manager, month=dt.date(YEAR, month, 1), rows=rows)
    for r in range(reviews):
        services.review_create(
            actor=org.users.manager,
            plan=plan,
            held_on=dt.date(YEAR, 6, 1) + dt.timedelta(days=r),
            findings=f"第{r + 1}次检视",
            actions=[
                {"description": f"措施{a}", "owner": people[a % len(people)], "due_on": dt.date(YEAR, 12, 1)}
                for a in range(actions)
            ],
        )


def _team(org, people: int = 2):
    """A new team in branch 1 with its own client managers."""
    team = TeamFactory(branch=org.branches.b1)
    staff = [
        StaffFactory(branch=org.branches.b1, team=team, position=Staff.Position.CLIENT_MANAGER)
        for _ in range(people)
    ]
    return team, staff


STAGES = ["approved", "draft", "at office", "at channel", "returned", "revised"]


def _grow(org, n: int) -> None:
    """``n`` plans, at the stages of ``STAGES`` in turn. Every fourth one is another year of
    team A (the lead's: 2026 first, approved); the others each have a new team."""
    for i in range(n):
        if i % 4 == 0:
            team, people = org.teams.a, [org.staff.cm, org.staff.cm_peer]
            year = next(_years)
        else:
            (team, people), year = _team(org), YEAR
        plan = _new_plan(org, team, year)
        stage = STAGES[i % len(STAGES)]
        if stage == "draft":
            continue
        if stage in ("at office", "at channel", "returned"):
            plan = services.plan_submit(actor=org.users.manager, plan=plan)
            if stage != "at office":
                _act(org.users.office, plan)  # now waits for channel management
            if stage == "returned":
                _act(org.users.channel, plan, "return", opinion="请补充")
            continue
        plan = _approve(org, plan)
        _decompose_and_report(org, plan, people)
        if stage == "revised":  # the approved version and a new draft of it
            services.plan_revise(actor=org.users.manager, plan=plan)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return len(ctx.captured_queries)


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return [q["sql"] for q in ctx.captured_queries]


def _counts(client, urls) -> dict[str, int]:
    client.get(urls[0])  # warm-up: first-request caches (content types, …)
    return {url: _count(client, url) for url in urls}


def _layout(client) -> int:
    client.get(LAYOUT_PAGE)
    return _count(client, LAYOUT_PAGE)


WHO = ["manager", "channel", "lead"]


@pytest.mark.parametrize("who", WHO)
def test_plan_list_and_progress_pages_run_the_same_queries_with_few_or_many_rows(
    flow_people, client_for, who
):
    org = flow_people
    _grow(org, FEW)
    client = client_for(getattr(org.users, who))
    few = _counts(client, PAGES)
    _grow(org, MANY)
    many = _counts(client, PAGES)
    assert many == few
    layout = _layout(client)
    for url, n in many.items():
        ceiling = MAX_PAGE_QUERIES[url.split("?")[0]]
        assert n - layout <= ceiling, (url, n, layout, _queries(client, url))


@pytest.mark.parametrize("who", WHO)
def test_api_lists_run_the_same_queries_with_few_or_many_rows(flow_people, client_for, who):
    org = flow_people
    _grow(org, FEW)
    client = client_for(getattr(org.users, who))
    few = _counts(client, API_LISTS)
    _grow(org, MANY)
    many = _counts(client, API_LISTS)
    assert many == few
    for url, n in many.items():
        assert n <= MAX_API_QUERIES[url.split("?")[0]], (url, n, _queries(client, url))


def test_plan_api_query_count_does_not_depend_on_page_size(flow_people, client_for):
    org = flow_people
    _grow(org, MANY)
    client = client_for(org.users.channel)
    counts = _counts(client, [f"/api/planning/plans/?format=json&page_size={n}" for n in (1, 5, 200)])
    assert len(set(counts.values())) == 1, counts


@pytest.mark.parametrize("who", ["manager", "channel"])
def test_plan_detail_runs_the_same_queries_whatever_its_size(flow_people, client_for, who):
    """A plan with one person, one review and one action costs what a revised plan with
    many people, reviews and actions costs."""
    org = flow_people
    small_team, small_people = _team(org, people=1)
    small = _approve(org, _new_plan(org, small_team, YEAR))
    _decompose_and_report(org, small, small_people, reviews=1, actions=1)
    big_team, big_people = _team(org, people=8)
    first = _approve(org, _new_plan(org, big_team, YEAR))
    _decompose_and_report(org, first, big_people, reviews=2, actions=2)
    big = services.plan_revise(actor=org.users.manager, plan=first)
    big = _approve(org, big)
    _decompose_and_report(org, big, big_people, reviews=5, actions=4)
    assert big.supersedes_id == first.pk
    client = client_for(getattr(org.users, who))
    # (The superseded version shows no progress, people or review form: a page of another shape.)
    counts = _counts(client, [f"/planning/plans/{p.pk}/" for p in (small, big)])
    assert len(set(counts.values())) == 1, counts
    api = _counts(client, [f"/api/planning/plans/{p.pk}/?format=json" for p in (small, big, first)])
    assert len(set(api.values())) == 1, api
