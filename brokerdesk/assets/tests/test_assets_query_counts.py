"""The asset pages and API lists run a constant number of queries whatever the row count:
each is requested with a few assets, then again after many more were registered, issued to
different people, moved between outlets, partly lost and charged (an N+1 shows as a
different count)."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brokerdesk.assets import services_assets as svc
from brokerdesk.assets.tests.factories_assets import register
from brokerdesk.org.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/assets/",
    "/assets/?q=ZC",
    "/assets/?status=issued",
    "/assets/?category=promotional",
    "/assets/ledger/",
    "/assets/incidents/",
    "/api/assets/assets/?format=json",
    "/api/assets/assets/?format=json&q=zs",
    "/api/assets/lines/?format=json",
    "/api/assets/incidents/?format=json",
]
_seq = itertools.count(1)


def _grow(org, n):
    keeper = org.users.keeper
    for _ in range(n):
        i = next(_seq)
        person = StaffFactory(
            branch=org.branches.b1, team=org.teams.a if i % 2 else org.teams.b, outlet=org.outlets.o1
        )
        laptop = register(org, team=org.teams.a if i % 3 else None, outlet=org.outlets.o1)
        svc.asset_pass(actor=keeper, asset=laptop, from_staff=None, to_staff=person)
        leaflets = register(org, quantity=50)
        svc.asset_pass(actor=keeper, asset=leaflets, from_staff=None, to_staff=person, quantity=5)
        svc.asset_pass(actor=keeper, asset=leaflets, from_staff=None, to_staff=org.staff.cm, quantity=3)
        printer = register(org, category="office", outlet=org.outlets.o1)
        svc.asset_move(actor=keeper, asset=printer, kind="transfer", to_outlet=org.outlets.o1b, reason="调整")
        svc.incident_record(
            actor=keeper,
            asset=leaflets,
            kind="loss",
            happened_on=dt.date(2026, 11, 1),
            description="遗失",
            quantity=1,
            responsible=person,
            amount=Decimal("8.50"),
            pay_month=dt.date(2026, 12, 1),
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["keeper", "lead", "cm", "channel"])
def test_lists_have_a_constant_query_count(org, client_for, who):
    _grow(org, 2)
    client = client_for(getattr(org.users, who))
    few = {url: _count(client, url) for url in PAGES}
    _grow(org, 12)
    many = {url: _count(client, url) for url in PAGES}
    assert many == few


def test_the_asset_list_adds_few_queries_to_the_layout(org, client_for):
    """Beyond the layout's own (session, login, grants, navigation): the person, the team and
    outlet drop-downs, the count and the rows."""
    _grow(org, 2)
    client = client_for(org.users.cm)
    layout = _count(client, "/password/")
    assert _count(client, "/assets/") - layout <= 5
