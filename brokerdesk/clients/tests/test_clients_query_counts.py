"""Client lists run a constant number of queries whatever the number of rows: each page is
requested with a few clients, then again after many more (key accounts, overdue ones, other
managers) are added. The list never counts past the cap."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brokerdesk.clients import selectors
from brokerdesk.clients.models import Client, Tier
from brokerdesk.clients.tests.factories import make_client

pytestmark = pytest.mark.django_db

PAGES = ["/clients/", "/clients/?q=zs", "/clients/?tier=any", "/clients/due/", "/clients/tiers/"]
API_LISTS = ["/api/clients/clients/?format=json", "/api/clients/clients/?q=66&format=json"]
_n = itertools.count()


def _grow(org, n: int) -> None:
    tiers = list(Tier.objects.all())
    today = timezone.localdate()
    owners = [org.users.cm, org.users.cm_peer, org.users.cm_b]
    for _ in range(n):
        i = next(_n)
        client = make_client(
            owners[i % 3], name="张小" + "一二三四五六七八九十"[i % 10], client_no=f"66{i:07d}"
        )
        Client.objects.filter(pk=client.pk).update(
            tier=tiers[i % len(tiers)],
            last_visit_on=None if i % 4 == 0 else today - dt.timedelta(days=40 + i * 7),
        )


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
def test_client_pages_and_api_run_the_same_queries_with_few_or_many_rows(org, client_for, who):
    _grow(org, 3)
    web = client_for(getattr(org.users, who))
    few = _counts(web, PAGES + API_LISTS)
    _grow(org, 40)
    many = _counts(web, PAGES + API_LISTS)
    assert many == few
    due = web.get("/clients/due/").context["rows"]
    assert len(due) > 3 or who == "cm"


def test_the_list_counts_with_a_cap_not_the_whole_table(org, client_for, monkeypatch):
    monkeypatch.setattr(selectors.CappedPaginator, "cap", 5)
    monkeypatch.setattr(selectors, "COUNT_CAP", 5)
    _grow(org, 8)
    web = client_for(org.users.manager)
    with CaptureQueriesContext(connection) as ctx:
        resp = web.get("/clients/")
    html = resp.content.decode()
    assert 'id="row-count"' in html and "5+" in html
    counts = [
        q["sql"]
        for q in ctx.captured_queries
        if "COUNT(" in q["sql"].upper() and "clients_client" in q["sql"]
    ]
    assert len(counts) == 1 and "LIMIT 6" in counts[0].upper()
