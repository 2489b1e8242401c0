"""The meeting list, the overview and the API lists run a constant number of queries whatever
the number of meetings, people and teams."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brokerdesk.meetings import rules
from brokerdesk.meetings.tests.helpers import days_ago, make_meeting
from brokerdesk.org.models import Staff
from brokerdesk.org.tests.factories import StaffFactory, TeamFactory

pytestmark = pytest.mark.django_db

URLS = [
    "/meetings/",
    "/meetings/missed/",
    "/api/meetings/meetings/?format=json",
    "/api/meetings/missed/?format=json",
]


def _grow(org, teams: int, people: int, days: int, offset: int) -> None:
    """More teams in branch 1, each with people and a few days of meetings; more meetings of A."""
    for _ in range(teams):
        team = TeamFactory(branch=org.branches.b1)
        for _ in range(people):
            StaffFactory(branch=org.branches.b1, team=team, position=Staff.Position.CLIENT_MANAGER)
        for d in range(days):
            make_meeting(team, days_ago(offset + d))
    for _ in range(people):
        StaffFactory(branch=org.branches.b1, team=org.teams.a, position=Staff.Position.CLIENT_MANAGER)
    for d in range(days):
        make_meeting(org.teams.a, days_ago(offset + d))
    make_meeting(org.teams.a, days_ago(offset * 40), rules.MONTHLY)


def _counts(client) -> dict[str, int]:
    client.get(URLS[0])  # warm-up
    counts = {}
    for url in URLS:
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url)
        assert resp.status_code == 200, url
        counts[url] = len(ctx.captured_queries)
    return counts


@pytest.mark.parametrize("who", ["cm", "lead", "manager"])
def test_meeting_pages_run_the_same_queries_with_few_or_many_rows(org, client_for, who):
    _grow(org, teams=1, people=1, days=2, offset=1)
    client = client_for(getattr(org.users, who))
    few = _counts(client)
    _grow(org, teams=5, people=4, days=6, offset=3)
    many = _counts(client)
    assert many == few


def test_meeting_detail_costs_the_same_whatever_its_size(org, client_for):
    small = make_meeting(org.teams.b, days_ago(1))
    for _ in range(8):
        StaffFactory(branch=org.branches.b1, team=org.teams.a, position=Staff.Position.CLIENT_MANAGER)
    big = make_meeting(org.teams.a, days_ago(1))
    client = client_for(org.users.manager)
    client.get(small.get_absolute_url())
    counts = []
    for m in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(m.get_absolute_url()).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
