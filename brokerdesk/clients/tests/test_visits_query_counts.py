"""Visit and follow-up lists run a constant number of queries whatever the number of rows: each
page is requested with a few visits and matters, then again after many more are added (more
clients, managers, co-visitors, overlaps, verified logs and follow-ups)."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brokerdesk.clients import services_visits as sv
from brokerdesk.clients.models import FollowUp
from brokerdesk.clients.tests.factories import make_client
from brokerdesk.org.models import Department, Staff
from brokerdesk.org.tests.factories import StaffFactory, login

pytestmark = pytest.mark.django_db

PAGES = [
    "/clients/visits/",
    "/clients/visits/?whose=all",
    "/clients/visits/?whose=team&verified=no",
    "/clients/followups/",
    "/clients/followups/?tab=all",
    "/clients/followups/?tab=all&status=overdue",
    "/clients/visits/overlaps/",
]
VERIFY = ["/clients/visits/verify/", "/clients/visits/verify/?unverified=1"]
API = ["/api/clients/visits/?format=json", "/api/clients/followups/?format=json"]
_n = itertools.count(1)


def _grow(org, people: int, visits_each: int) -> None:
    today = timezone.localdate()
    dept = Department.objects.filter(name="人力资源部").first()
    managers = [org.staff.cm] + [
        StaffFactory(branch=org.branches.b1, team=org.teams.a, position=Staff.Position.CLIENT_MANAGER)
        for _ in range(people)
    ]
    for person in managers[1:]:
        login(f"grow{next(_n)}", "client_manager", person)
    for person in managers:
        client = make_client(person.user, name=f"客户{next(_n)}")
        for i in range(visits_each):
            visit = sv.visit_log(
                actor=person.user,
                client=client,
                visited_on=today - dt.timedelta(days=i),
                content="走访记录",
                visitors=[org.staff.cm_peer],
                acknowledge_overlap=True,
            )
            # The lead visits the same client: an overlap on every other visit.
            if i % 2:
                sv.visit_log(
                    actor=org.users.lead,
                    client=client,
                    visited_on=today - dt.timedelta(days=i),
                    content="陪访",
                    acknowledge_overlap=True,
                )
            fu = sv.followup_raise(
                actor=person.user, visit=visit, category="service", matter="问题", department=dept
            )
            if i % 2:
                FollowUp.objects.filter(pk=fu.pk).update(due_on=today - dt.timedelta(days=1))
            if i % 3 == 0:
                sv.verify_visit(actor=org.users.lead, visit=visit, opinion="同意")


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
def test_visit_and_followup_lists_keep_a_constant_query_count(org, client_for, who):
    _grow(org, people=1, visits_each=2)
    user = getattr(org.users, who)
    urls = PAGES + API + (VERIFY if who != "cm" else [])
    client = client_for(user)
    few = _counts(client, urls)
    _grow(org, people=6, visits_each=4)
    many = _counts(client, urls)
    assert many == few


def test_a_managers_visit_list_keeps_a_constant_query_count(org, client_for):
    """A manager's visit list keeps a constant query count with few or many visits."""
    _grow(org, people=0, visits_each=1)
    client = client_for(org.users.manager)
    few = _counts(client, ["/clients/visits/?whose=all"])
    _grow(org, people=10, visits_each=3)
    many = _counts(client, ["/clients/visits/?whose=all"])
    assert many == few
