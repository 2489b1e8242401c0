"""The workbench's client-service tiles: key accounts due, overdue follow-ups, matters to
acknowledge (late ones counted), unverified visit logs for the head."""

import datetime as dt

import pytest
from django.utils import timezone

from brokerdesk.clients.models import Client, Tier, Visit
from brokerdesk.clients.tests.factories import make_client, make_followup, make_important_matter
from brokerdesk.clients.workbench import service_counts

pytestmark = pytest.mark.django_db


def _setup(org):
    today = timezone.localdate()
    gold = Tier.objects.get(code="gold")  # a visit every 60 days
    never = make_client(org.users.cm, name="从未走访")
    recent = make_client(org.users.cm, name="刚走访")
    stale = make_client(org.users.cm, name="久未走访")
    peer = make_client(org.users.cm_peer, name="同事客户")
    Client.objects.filter(pk__in=[never.pk, recent.pk, stale.pk, peer.pk]).update(
        tier=gold, tier_manual=True, tier_reason="测试"
    )
    Client.objects.filter(pk=recent.pk).update(last_visit_on=today - dt.timedelta(days=10))
    Client.objects.filter(pk=stale.pk).update(last_visit_on=today - dt.timedelta(days=60))
    visit = Visit.objects.create(
        client=stale,
        author=org.staff.cm,
        branch=org.branches.b1,
        team=org.teams.a,
        status="done",
        visited_on=today.replace(day=1) - dt.timedelta(days=3),
        content="走访",
        created_by=org.users.cm,
    )
    make_followup(org, stale, visit=visit, matter="转账慢", due_on=today - dt.timedelta(days=1))
    make_followup(org, stale, visit=visit, matter="未到期", due_on=today + dt.timedelta(days=3))
    make_important_matter(org, acknowledge_in_hours=-1)
    make_important_matter(org, acknowledge_in_hours=3)


def test_a_client_manager_sees_their_own_due_overdue_and_waiting(org):
    _setup(org)
    counts = service_counts(user=org.users.cm, staff=org.staff.cm)
    assert counts["visits_due"] == 2  # never visited, and 60 days ago under a 60-day standard
    assert counts["followups_overdue"] == 1
    assert (counts["inquiries_waiting"], counts["inquiries_late"]) == (2, 1)
    assert "visits_unverified" not in counts


def test_the_head_sees_the_team_and_unverified_logs(org):
    _setup(org)
    counts = service_counts(user=org.users.lead, staff=org.staff.lead)
    assert counts["followups_overdue"] == 1
    assert counts["visits_unverified"] == 1
    other = service_counts(user=org.users.outsider, staff=org.staff.outsider)
    assert other["visits_due"] == 0 and other["followups_overdue"] == 0


def test_the_workbench_shows_the_tiles(org, client_for):
    _setup(org)
    html = client_for(org.users.cm).get("/").content.decode()
    assert 'id="service-tiles"' in html
