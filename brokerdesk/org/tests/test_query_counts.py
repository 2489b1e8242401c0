"""List pages and API lists run a constant number of queries whatever the row count.

Each list is requested once on the small ``org`` fixture and again after :func:`_grow` has
added 40 more staff, teams, outlets, agreements and some branches, every row pointing at
*different* related records, so a relation loaded lazily per row (an N+1) shows up as a
different count. The API is also compared across page sizes.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brokerdesk.org.models import Staff
from brokerdesk.org.tests.factories import (
    AgreementFactory,
    BankFactory,
    BranchFactory,
    OutletFactory,
    StaffFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

MORE = 40
# A ceiling as well as "the same count": a constant but needlessly large number of
# queries should not creep in unnoticed. Pages are measured beyond the layout's own
# queries (session, login, scope, navigation: see ``_layout``), so a change to the
# navigation does not move every figure here.
MAX_PAGE_QUERIES = 10  # a list page: its rows, counts and filter choices
# The workbench: seven count tiles, "me", recent hires, approvals, and the client-service tiles
# (tiers, key accounts due, overdue follow-ups, matters to acknowledge, unverified visit logs).
MAX_WORKBENCH_QUERIES = 16
MAX_API_QUERIES = 7  # session, login, scope (2), count, rows, and a prefetch (agreements: outlets)
LAYOUT_PAGE = "/password/"  # the base layout around a form that reads nothing

PAGES = [
    "/",
    "/org/staff/",
    "/org/staff/?q=E0",
    "/org/staff/?q=z",
    "/org/staff/?q=张",
    "/org/staff/?status=active&page=2",
    "/org/teams/",
    "/org/outlets/",
    "/org/agreements/",
    "/org/banks/",
    "/org/tree/",
]
API_LISTS = [
    "/api/staff/",
    "/api/staff/?q=E0",
    "/api/staff/?q=z",
    "/api/teams/",
    "/api/outlets/",
    "/api/agreements/",
]
WHO = ["manager", "channel"]


def _grow(org, n: int = MORE) -> None:
    """Add ``n`` of each listed record in branch 1 (the manager's), each with its own relations."""
    b1 = org.branches.b1
    branches = [BranchFactory(region=org.regions.r1) for _ in range(5)]
    banks = [BankFactory() for _ in range(n)]
    outlets = [OutletFactory(branch=b1, partner_bank=bank) for bank in banks]
    leads = [StaffFactory(branch=b1, position=Staff.Position.TEAM_LEAD) for _ in range(n)]
    teams = []
    for i, lead in enumerate(leads):
        team = TeamFactory(branch=branches[i % len(branches)] if i % 4 == 0 else b1, lead=None)
        if team.branch_id == b1.pk:
            team.lead = lead
            team.save(update_fields=["lead"])
        teams.append(team)
    b1_teams = [t for t in teams if t.branch_id == b1.pk]
    for i in range(n):
        StaffFactory(
            branch=b1,
            team=b1_teams[i % len(b1_teams)],
            outlet=outlets[i],
            level=org.levels[i % len(org.levels)],
            regional_manager=org.staff.rm if i % 2 else None,
            hired_on=dt.date(2025, 1, 1) + dt.timedelta(days=i),
            status=Staff.Status.PROBATION if i % 5 == 0 else Staff.Status.ACTIVE,
        )
    for i, bank in enumerate(banks):
        agreement = AgreementFactory(bank=bank, branch=b1, year=2026)
        agreement.outlets.set(outlets[i : i + 3])
        AgreementFactory(bank=bank, branch=branches[i % len(branches)], year=2025)


def _count(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url, headers=headers)
    assert resp.status_code == 200, (url, resp.status_code)
    return len(ctx.captured_queries)


def _counts(client, urls, **headers) -> dict[str, int]:
    # Every URL must match at least one row in both states: an empty page skips the rows
    # query altogether, which is a different count for a reason that is not an N+1.
    client.get(urls[0], headers=headers)  # warm-up: first-request caches (content types, …)
    return {url: _count(client, url, **headers) for url in urls}


def _layout(client) -> int:
    """Queries any logged-in page runs for the layout alone (session, login, scope, menu)."""
    client.get(LAYOUT_PAGE)
    return _count(client, LAYOUT_PAGE)


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("who", WHO)
def test_list_pages_run_the_same_queries_with_few_or_many_rows(org, client_for, who):
    client = client_for(getattr(org.users, who))
    few = _counts(client, PAGES)
    _grow(org)
    many = _counts(client, PAGES)
    assert many == few
    layout = _layout(client)
    for url, n in many.items():
        cap = MAX_WORKBENCH_QUERIES if url == "/" else MAX_PAGE_QUERIES
        assert n - layout <= cap, (url, n, layout, _queries(client, url))


@pytest.mark.parametrize("who", WHO)
def test_htmx_result_partials_run_the_same_queries_with_few_or_many_rows(org, client_for, who):
    client = client_for(getattr(org.users, who))
    partials = [
        "/org/staff/?q=E0",
        "/org/teams/?q=部",
        "/org/outlets/?q=长安街",
        "/org/agreements/?year=2026",
    ]
    few = _counts(client, partials, HX_Request="true")
    _grow(org)
    assert _counts(client, partials, HX_Request="true") == few


@pytest.mark.parametrize("who", WHO)
def test_api_lists_run_the_same_queries_with_few_or_many_rows(org, client_for, who):
    client = client_for(getattr(org.users, who))
    urls = [f"{url}{'&' if '?' in url else '?'}format=json" for url in API_LISTS]
    few = _counts(client, urls)
    _grow(org)
    many = _counts(client, urls)
    assert many == few
    for url, n in many.items():
        assert n <= MAX_API_QUERIES, (url, n, _queries(client, url))


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("endpoint", ["staff", "teams", "outlets", "agreements"])
def test_api_query_count_does_not_depend_on_page_size(org, client_for, who, endpoint):
    _grow(org)
    client = client_for(getattr(org.users, who))
    sizes = [1, 5, 30, 200]
    counts = _counts(client, [f"/api/{endpoint}/?format=json&page_size={n}" for n in sizes])
    assert len(set(counts.values())) == 1, counts
    body = client.get(f"/api/{endpoint}/?format=json&page_size=30").json()
    assert len(body["results"]) == min(30, body["count"])
    assert body["count"] > 30


def test_api_page_size_is_capped(org, client_for):
    _grow(org, n=MORE)
    StaffFactory.create_batch(200, branch=org.branches.b1)
    body = client_for(org.users.channel).get("/api/staff/?format=json&page_size=100000").json()
    assert body["count"] > 200
    assert len(body["results"]) == 200


@pytest.mark.parametrize("who", WHO)
def test_staff_list_page_and_api_query_counts(org, client_for, who):
    """The figures the benchmark reports, so a change to them is a visible decision.

    The page adds six queries to the layout's: the count, the rows, the branch, team and
    level drop-downs of the filter, and the personnel archive's flags (client managers
    without a valid contract or registration, one query for the page). The API runs six in all.
    """
    _grow(org)
    client = client_for(getattr(org.users, who))
    layout = _layout(client)
    page = {
        url: _count(client, url) - layout for url in ("/org/staff/", "/org/staff/?q=zs", "/org/staff/?page=2")
    }
    assert page == dict.fromkeys(page, 6), (layout, page)
    api = {url: _count(client, url) for url in ("/api/staff/?format=json", "/api/staff/?format=json&q=zs")}
    assert api == dict.fromkeys(api, 6), api
