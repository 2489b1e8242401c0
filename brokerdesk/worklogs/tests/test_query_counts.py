"""Work-log lists run a constant number of queries whatever the number of rows: each page is
requested with a few logs and checks, then again after many more (more people, logs, checks
with recorded results) are added."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brokerdesk.org.models import Staff
from brokerdesk.org.tests.factories import StaffFactory
from brokerdesk.worklogs import services
from brokerdesk.worklogs.tests.helpers import days_ago, make_log

pytestmark = pytest.mark.django_db

PAGES = ["/worklogs/", "/worklogs/team/", "/worklogs/missing/", "/worklogs/spot-checks/"]
API_LISTS = ["/api/worklogs/logs/?format=json", "/api/worklogs/spot-checks/?format=json"]
_offset = itertools.count(1)


def _grow(org, people: int, days: int) -> None:
    """``people`` new client managers in team A, each with ``days`` logs; then a spot-check by
    the lead over them, with every other result recorded; and logs of 张三 for this month."""
    staff = [
        StaffFactory(branch=org.branches.b1, team=org.teams.a, position=Staff.Position.CLIENT_MANAGER)
        for _ in range(people)
    ]
    for i, person in enumerate(staff):
        for d in range(1, days + 1):
            make_log(person, days_ago(d), clients="" if (i + d) % 3 else "王先生", visited=bool(d % 2))
    start = next(_offset)
    if not org.staff.cm.worklogs.filter(day=days_ago(start)).exists():
        make_log(org.staff.cm, days_ago(start))
    check = services.spotcheck_create(
        actor=org.users.lead,
        team=org.teams.a,
        period_start=days_ago(days),
        period_end=days_ago(0),
        size=people,
    )
    for n, item in enumerate(check.items.all()):
        if n % 2:
            services.spotcheck_record(actor=org.users.lead, item=item, result="pass", comment="好")


def _counts(client, urls) -> dict[str, int]:
    client.get(urls[0])  # warm-up
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url)
        assert resp.status_code == 200, url
        counts[url] = len(ctx.captured_queries)
    return counts


@pytest.mark.parametrize("who", ["cm", "lead", "manager"])
def test_work_log_pages_and_api_lists_run_the_same_queries_with_few_or_many_rows(org, client_for, who):
    _grow(org, people=2, days=3)
    client = client_for(getattr(org.users, who))
    few = _counts(client, PAGES + API_LISTS)
    _grow(org, people=12, days=6)
    many = _counts(client, PAGES + API_LISTS)
    assert many == few


def test_spot_check_detail_costs_the_same_whatever_its_size(org, client_for):
    for i in range(1, 4):
        make_log(org.staff.cm, days_ago(i))
    small = services.spotcheck_create(
        actor=org.users.lead, team=org.teams.a, period_start=days_ago(3), period_end=days_ago(0), size=1
    )
    _grow(org, people=10, days=4)
    from brokerdesk.worklogs.models import SpotCheck

    big = SpotCheck.objects.latest("id")
    client = client_for(org.users.lead)
    counts = _counts(client, [f"/worklogs/spot-checks/{c.pk}/" for c in (small, big)])
    assert len(set(counts.values())) == 1, counts
