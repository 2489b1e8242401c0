"""The register's lists run a constant number of queries whatever the number of entries: each
page is requested with a few entries, then again after many more (other kinds and months,
originals out, withdrawn ones, corrections) are filed; the count is capped, never the table."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brokerdesk.archives import services
from brokerdesk.archives.models_register import RegisterEntry
from brokerdesk.archives.tests.factories import file_entry, last_month, office, this_month

pytestmark = pytest.mark.django_db

KINDS = list(RegisterEntry.Kind.values)


@pytest.fixture
def counter():
    return itertools.count()


def _grow(org, n: int, counter) -> None:
    """Entries in both branches, this month and last, every kind; from the second one on, every
    fourth original is out (the first with the client manager cm), every seventh withdrawn."""
    people = [org.staff.cm, org.staff.cm_peer, org.staff.lead]
    for _ in range(n):
        i = next(counter)
        branch = org.branches.b1 if i % 3 else org.branches.b2
        entry = file_entry(
            org,
            actor=office(org),
            branch=branch,
            kind=KINDS[i % len(KINDS)],
            month=this_month() if i % 2 else last_month(),
            title=f"工作计划{i}",
        )
        if i % 4 == 1 and branch == org.branches.b1:
            services.custody_pass(actor=office(org), entry=entry, to_staff=people[(i // 4) % 3])
        if i % 7 == 0:
            services.entry_withdraw(actor=office(org), entry=entry, reason="重复")


PAGES = [
    "/archives/",
    "/archives/?q=工作计划",
    "/archives/?serial=YB",
    "/archives/?kind=business_report&month_from=2020-01&month_to=2099-12",
    "/archives/?status=all&held=out",
    "/archives/mine/",
    "/archives/batches/",
]
API_LISTS = [
    "/api/archives/entries/?format=json",
    "/api/archives/entries/?format=json&q=工作计划&page_size=200",
    "/api/archives/batches/?format=json",
]


def _counts(client, urls) -> dict[str, int]:
    client.get(urls[0])  # warm-up
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url)
        assert resp.status_code == 200, url
        counts[url] = len(ctx.captured_queries)
    return counts


@pytest.mark.parametrize("who", ["trade", "lead", "cm", "office"])
def test_register_pages_and_api_run_the_same_queries_with_few_or_many_rows(org, client_for, counter, who):
    _grow(org, 3, counter)
    user = office(org) if who == "office" else getattr(org.users, who)
    web = client_for(user)
    few = _counts(web, PAGES + API_LISTS)
    _grow(org, 60, counter)
    many = _counts(web, PAGES + API_LISTS)
    assert many == few


def test_batch_detail_and_entry_detail_do_not_grow(org, client_for, counter):
    _grow(org, 3, counter)
    web = client_for(office(org))
    entry = RegisterEntry.objects.filter(branch=org.branches.b1, month=last_month()).first()
    urls = [
        f"/archives/batches/{entry.batch_id}/",
        f"/archives/batches/{entry.batch_id}/print/",
        f"/archives/{entry.pk}/",
    ]
    few = _counts(web, urls)
    _grow(org, 40, counter)
    for i in range(4):
        services.custody_pass(actor=office(org), entry=entry, to_staff=[org.staff.cm, None][i % 2])
    many = _counts(web, urls)
    assert many == few
