"""Approval pages and API lists run a constant number of queries whatever the row count.

Each case is requested once with a few requests in the database and again after
:func:`_grow` has added many more. Every request added has its own team, submitter (with
a staff record) and, in the head-office flow, its own countersigning departments, and the
requests stand at every point of their route: waiting at each step, at the countersign,
returned, approved, with their trails. A relation loaded lazily per row (an N+1) then
shows up as a different count.

A second flow puts a branch manager's step first, so a branch-scoped role (the inbox's
``request.branch`` filter) is measured too, and the office has a stand-in, so the
delegation part of the inbox is measured as well.
"""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brokerdesk.access.roles import Role
from brokerdesk.approvals import services
from brokerdesk.approvals.models import Delegation, Flow, Request, Step, Task
from brokerdesk.org.models import Department, Staff
from brokerdesk.org.tests.factories import StaffFactory, TeamFactory, login

pytestmark = pytest.mark.django_db

FEW = 6  # one request at each stage, so every inbox measured has rows in both states
MANY = 36
# Queries a page adds to the layout's own (session, login, scope, navigation counts): a
# ceiling as well as "the same count", so a constant but needless query is noticed.
MAX_PAGE_QUERIES = {
    "/approvals/": 4,  # the caller's delegations and role assignments, the count, the rows
    "/approvals/requests/": 2,  # the count and the rows
}
# Session, login; the inbox then reads the caller's delegations and role assignments, the
# request list the caller's grants (staff record, role assignments); the count; the rows.
# The same figures as benchmarks/approvals_inbox.py prints.
MAX_API_QUERIES = 6
LAYOUT_PAGE = "/password/"  # the base layout around a form that reads nothing
_seq = itertools.count(1)


@pytest.fixture
def people(flow_people):
    """``flow_people`` plus a branch-manager flow, and a stand-in for the office."""
    org = flow_people
    flow = Flow.objects.create(code="qc_leave", name="请假（测试）")
    Step.objects.create(flow=flow, order=1, name="营业部负责人审批", kind="role", role=Role.BRANCH_MANAGER)
    Step.objects.create(flow=flow, order=2, name="综合室备案", kind="role", role=Role.INTEGRATED_OFFICE)
    org.users.deputy = login("deputy", Role.DEPUTY_MANAGER, branch=org.branches.b2)
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=org.users.office,
        delegate=org.users.deputy,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=7),
    )
    return org


def _act(user, req, decision="approve", **kw):
    task = services.inbox(user).filter(request=req).first()
    assert task is not None, (user, req, req.status)
    return services.task_act(
        actor=user, task=task, decision=decision, opinion=kw.pop("opinion", "同意"), **kw
    )


def _submitter(org):
    """A new team in branch 1 with its own lead (a login with a staff record)."""
    n = next(_seq)
    team = TeamFactory(branch=org.branches.b1)
    lead = StaffFactory(branch=org.branches.b1, team=team, position=Staff.Position.TEAM_LEAD)
    return team, login(f"qc_lead{n}", Role.TEAM_LEAD, lead, team=team)


def _grow(org, n: int) -> list[Request]:
    """``n`` requests, each with its own team, submitter and departments, at every stage."""
    made = []
    for i in range(n):
        team, user = _submitter(org)
        if i % 6 == 5:  # the branch manager's flow: waiting for the manager, or passed on to the office
            req = services.request_submit(
                actor=user,
                flow_code="qc_leave",
                subject=team,
                title=f"请假{i}",
                branch=team.branch,
                team=team,
            )
            if i % 12 == 11:
                _act(org.users.manager, req)
            made.append(req)
            continue
        req = services.request_submit(
            actor=user,
            flow_code="team_document",
            subject=team,
            title=f"团队文件{i}",
            branch=team.branch,
            team=team,
            figures={"amount": i},
        )
        stage = i % 6  # 0: waits for the office; 1: for channel management; 2: returned;
        # 3: at the countersign of three departments; 4: approved, the whole route walked
        if stage >= 1:
            _act(org.users.office, req)
        if stage == 2:
            _act(org.users.channel, req, "return", opinion="请补充")
        elif stage >= 3:
            dept = Department.objects.create(kind=Department.Kind.HR, name=f"会签部门{next(_seq)}")
            dept_user = login(f"qc_dept{next(_seq)}", Role.COUNTERSIGN_DEPT, department=dept)
            _act(
                org.users.channel,
                req,
                countersign_departments=[org.departments.compliance, org.departments.finance, dept],
            )
            if stage == 4:
                for who in (org.users.compliance, org.users.finance, dept_user):
                    _act(who, req)
                for who in (org.users.office, org.users.vp, org.users.office):
                    _act(who, req)
        made.append(req)
    return made


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


# Whose inbox: the office (company role, and a delegator), channel management, a
# countersigning department, the branch manager (branch role), and the office's stand-in.
INBOX_OWNERS = ["office", "channel", "compliance", "manager", "deputy"]
LISTS = ["/approvals/", "/approvals/requests/", "/approvals/requests/?status=pending"]
API_LISTS = [
    "/api/approvals/inbox/?format=json",
    "/api/approvals/requests/?format=json",
    "/api/approvals/requests/?format=json&status=pending",
]


@pytest.mark.parametrize("who", INBOX_OWNERS)
def test_inbox_and_request_list_pages_run_the_same_queries_with_few_or_many_rows(people, client_for, who):
    org = people
    _grow(org, FEW)
    client = client_for(getattr(org.users, who))
    few = _counts(client, LISTS)
    _grow(org, MANY)
    many = _counts(client, LISTS)
    assert many == few
    layout = _layout(client)
    for url in ("/approvals/", "/approvals/requests/"):
        assert many[url] - layout <= MAX_PAGE_QUERIES[url], (url, many[url], layout, _queries(client, url))


@pytest.mark.parametrize("who", INBOX_OWNERS)
def test_api_lists_run_the_same_queries_with_few_or_many_rows(people, client_for, who):
    org = people
    _grow(org, FEW)
    client = client_for(getattr(org.users, who))
    few = _counts(client, API_LISTS)
    _grow(org, MANY)
    many = _counts(client, API_LISTS)
    assert many == few
    for url, n in many.items():
        assert n <= MAX_API_QUERIES, (url, n, _queries(client, url))


@pytest.mark.parametrize("who", ["office", "channel"])
def test_api_query_count_does_not_depend_on_page_size(people, client_for, who):
    org = people
    _grow(org, MANY)
    client = client_for(getattr(org.users, who))
    for base in API_LISTS[:2]:
        counts = _counts(client, [f"{base}&page_size={n}" for n in (1, 5, 200)])
        assert len(set(counts.values())) == 1, (base, counts)


def _detail_counts(client, reqs) -> set[int]:
    urls = [f"/approvals/requests/{r.pk}/" for r in reqs]
    api = [f"/api/approvals/requests/{r.pk}/?format=json" for r in reqs]
    return set(_counts(client, urls).values()), set(_counts(client, api).values())


def test_request_detail_runs_the_same_queries_whatever_its_trail(people, client_for):
    """A request just submitted and one far along (a long trail, several departments
    countersigning, a resubmitted round) cost the same number of queries."""
    org = people
    reqs = _grow(org, 6)
    short, far = reqs[0], reqs[3]  # waiting for the office; at the countersign of three departments
    # A longer trail on the far one: comments by several people.
    for user in (org.users.office, org.users.channel, org.users.compliance, org.users.manager):
        services.request_comment(actor=user, request=far, opinion="意见")
    assert Task.objects.filter(request=far, status=Task.Status.PENDING).count() == 3
    assert far.actions.count() > short.actions.count() + 5
    # Channel management sees both (company scope) and acts on neither: the same page shape.
    client = client_for(org.users.channel)
    pages, api = _detail_counts(client, [short, far])
    assert len(pages) == 1, pages
    assert len(api) == 1, api
    # A returned request, resubmitted: a second round on the trail.
    returned = reqs[2]
    submitter = returned.submitter
    services.request_resubmit(actor=submitter, request=Request.objects.get(pk=returned.pk))
    pages2, api2 = _detail_counts(client, [returned])
    assert pages2 == pages and api2 == api
