"""A client's latest figures: the CRM import no longer copies its months onto the client row
(``Client.assets`` & co. hold the hand figures only), so every page, the API, the export and
the tiers read the later of the hand figures and the current CRM month (``ClientMonth`` of the
import ``MonthVersion`` points at); on the same month the CRM's figures win, and a superseded
import's rows are never shown."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from brokerdesk.clients import selectors, services
from brokerdesk.clients.models import Client, Tier
from brokerdesk.clients.tests.factories import make_client
from brokerdesk.performance.models import ClientMonth
from brokerdesk.performance.tests.factories import make_import

pytestmark = pytest.mark.django_db

SEP = dt.date(2026, 9, 1)
OCT = dt.date(2026, 10, 1)
D = Decimal


def crm_row(client, imp, *, assets, revenue) -> ClientMonth:
    """The client's row of a CRM import (its month and branch are the import's)."""
    return ClientMonth.objects.create(
        crm_import=imp,
        month=imp.month,
        line=ClientMonth.objects.filter(crm_import=imp).count() + 2,
        client=client,
        branch=imp.branch,
        crm_manager=client.manager,
        manager=client.manager,
        net_revenue=D(revenue),
        avg_assets=D(assets),
        end_assets=D(assets),
    )


def hand(org, client, month, assets, revenue="0"):
    services.figures_save(actor=org.users.trade, client=client, month=month, assets=assets, revenue=revenue)


@pytest.fixture
def crm(org):
    """甲客户: hand figures of September; October imported twice, the second import current."""
    client = make_client(org.users.manager, org.staff.cm, name="甲客户", opened_on=dt.date(2026, 1, 5))
    hand(org, client, SEP, "100000", "800")
    old = make_import(org.branches.b1, OCT, org.users.manager)
    new = make_import(org.branches.b1, OCT, org.users.manager)  # MonthVersion now points here
    crm_row(client, new, assets="3500000", revenue="16000")
    # The superseded row written last: neither the newest import nor the newest row decides.
    crm_row(client, old, assets="9990000", revenue="99900")
    return client


def _latest(c) -> tuple:
    return (c.latest_month, c.latest_assets, c.latest_revenue)


OCT_CRM = (OCT, D("3500000.00"), D("16000.00"))


def test_the_list_shows_the_current_crm_month_over_an_older_hand_month(org, client_for, crm):
    web = client_for(org.users.manager)
    for url in ("/clients/", "/clients/?q=甲客户"):
        resp = web.get(url)
        (row,) = [r for r in resp.context["rows"] if r.pk == crm.pk]
        assert _latest(row) == OCT_CRM
        html = resp.content.decode()
        assert "¥3,500,000.00" in html and "¥9,990,000.00" not in html and "¥100,000.00" not in html
    crm.refresh_from_db()  # the client row still holds the hand figures only
    assert (crm.figures_month, crm.assets) == (SEP, D("100000.00"))


def test_the_detail_shows_the_latest_figures_and_merges_the_history(org, client_for, crm):
    resp = client_for(org.users.manager).get(reverse("clients:detail", args=[crm.pk]))
    assert _latest(resp.context["client"]) == OCT_CRM and resp.context["client"].latest_from_crm
    history = [(f["month"], f["assets"], f["revenue"], f["source"]) for f in resp.context["figures"]]
    assert history == [
        (OCT, D("3500000.00"), D("16000.00"), "crm"),
        (SEP, D("100000.00"), D("800.00"), "entry"),
    ]
    assert [f["bar"] for f in resp.context["figures"]] == [100, 2]
    html = resp.content.decode()
    assert "¥3,500,000.00" in html and "¥9,990,000.00" not in html


def test_the_api_shows_the_latest_figures(org, client_for, crm):
    web = client_for(org.users.manager)
    expected = {"assets": "3500000.00", "revenue": "16000.00", "figures_month": "2026-10-01"}
    one = web.get(f"/api/clients/clients/{crm.pk}/?format=json").json()
    assert {k: one[k] for k in expected} == expected
    listed = web.get("/api/clients/clients/?format=json&page_size=200").json()["results"]
    (row,) = [r for r in listed if r["id"] == crm.pk]
    assert {k: row[k] for k in expected} == expected
    patched = web.patch(
        f"/api/clients/clients/{crm.pk}/", {"address": "福州市"}, content_type="application/json"
    )
    assert patched.status_code == 200, patched.content
    assert {k: patched.json()[k] for k in expected} == expected
    # Read-only: the figures cannot be written through the client.
    web.patch(f"/api/clients/clients/{crm.pk}/", {"assets": "1"}, content_type="application/json")
    crm.refresh_from_db()
    assert crm.assets == D("100000.00")


def test_the_export_shows_the_latest_figures(org, client_for, crm):
    wb = load_workbook(BytesIO(client_for(org.users.manager).get(reverse("clients:export")).content))
    (row,) = [r for r in wb.active.iter_rows(min_row=2, values_only=True) if r[0] == crm.client_no]
    assert (D(str(row[9])), D(str(row[10])), row[11]) == (D("3500000"), D("16000"), "2026-10")


def test_a_superseded_imports_row_is_never_the_latest(org, client_for):
    client = make_client(org.users.manager, org.staff.cm, name="乙客户", opened_on=dt.date(2026, 1, 5))
    other = make_client(org.users.manager, org.staff.cm, name="丙客户", opened_on=dt.date(2026, 1, 5))
    hand(org, client, SEP, "100000", "800")
    old = make_import(org.branches.b1, OCT, org.users.manager)
    crm_row(client, old, assets="9990000", revenue="99900")
    new = make_import(org.branches.b1, OCT, org.users.manager)  # the corrected file lacks 乙客户
    crm_row(other, new, assets="5", revenue="5")
    web = client_for(org.users.manager)
    (row,) = [r for r in web.get("/clients/").context["rows"] if r.pk == client.pk]
    assert _latest(row) == (SEP, D("100000.00"), D("800.00")) and not row.latest_from_crm
    resp = web.get(reverse("clients:detail", args=[client.pk]))
    assert [f["month"] for f in resp.context["figures"]] == [SEP]
    assert "¥9,990,000.00" not in resp.content.decode()
    assert services.tier_recompute() == 0  # 9,990,000 would make it gold
    assert Client.objects.get(pk=client.pk).tier is None


def test_a_later_hand_month_wins_and_the_crm_wins_the_same_month(org, client_for):
    client = make_client(org.users.manager, org.staff.cm, name="丁客户", opened_on=dt.date(2026, 1, 5))
    crm_row(client, make_import(org.branches.b1, SEP, org.users.manager), assets="3500000", revenue="16000")
    hand(org, client, OCT, "100000", "800")
    web = client_for(org.users.manager)
    (row,) = [r for r in web.get("/clients/").context["rows"] if r.pk == client.pk]
    assert _latest(row) == (OCT, D("100000.00"), D("800.00"))
    history = web.get(reverse("clients:detail", args=[client.pk])).context["figures"]
    assert [(f["month"], f["source"]) for f in history] == [(OCT, "entry"), (SEP, "crm")]

    crm_row(client, make_import(org.branches.b1, OCT, org.users.manager), assets="200000", revenue="900")
    (row,) = [r for r in web.get("/clients/").context["rows"] if r.pk == client.pk]
    assert _latest(row) == (OCT, D("200000.00"), D("900.00"))
    history = web.get(reverse("clients:detail", args=[client.pk])).context["figures"]
    assert [(f["month"], f["assets"], f["source"]) for f in history] == [
        (OCT, D("200000.00"), "crm"),
        (SEP, D("3500000.00"), "crm"),
    ]


def test_without_the_annotation_the_properties_are_the_hand_figures(org, crm):
    plain = Client.objects.get(pk=crm.pk)
    assert _latest(plain) == (SEP, D("100000.00"), D("800.00")) and not plain.latest_from_crm
    annotated = selectors.with_latest_figures(Client.objects.all()).get(pk=crm.pk)
    assert _latest(annotated) == OCT_CRM


@pytest.mark.parametrize("chunk", [5000, 2])
def test_tier_recompute_uses_the_latest_figures(org, monkeypatch, chunk):
    monkeypatch.setattr(services, "TIER_CHUNK", chunk)
    tiers = {t.code: t for t in Tier.objects.all()}

    def new(name):
        return make_client(org.users.manager, org.staff.cm, name=name, opened_on=dt.date(2026, 1, 5))

    crm_later, hand_later, manual, superseded, untouched, same = (new(n) for n in "甲乙丙丁戊己")
    hand(org, crm_later, SEP, "100000")
    hand(org, hand_later, OCT, "12000000")  # diamond by hand
    hand(org, same, OCT, "12000000")  # diamond by hand, until the CRM's October comes
    hand(org, superseded, SEP, "100000")
    services.tier_set_manual(actor=org.users.trade, client=manual, tier=tiers["silver"], reason="战略客户")
    sep = make_import(org.branches.b1, SEP, org.users.manager)
    crm_row(hand_later, sep, assets="100000", revenue="0")
    old = make_import(org.branches.b1, OCT, org.users.manager)
    crm_row(superseded, old, assets="12000000", revenue="0")
    cur = make_import(org.branches.b1, OCT, org.users.manager)
    crm_row(crm_later, cur, assets="3500000", revenue="0")
    crm_row(manual, cur, assets="12000000", revenue="0")
    crm_row(untouched, cur, assets="0", revenue="16000")  # gold by revenue
    crm_row(same, cur, assets="100000", revenue="0")  # the same month: the CRM's figures win

    assert services.tier_recompute(Client.objects.filter(pk=crm_later.pk)) == 1
    assert Client.objects.get(pk=crm_later.pk).tier == tiers["gold"]
    assert services.tier_recompute() == 2  # 戊 and 己 still change
    codes = dict(Client.objects.values_list("pk", "tier__code"))
    assert codes[crm_later.pk] == "gold"
    assert codes[hand_later.pk] == "diamond"  # the hand month is later
    assert codes[manual.pk] == "silver"  # set by hand: kept
    assert codes[superseded.pk] is None  # the superseded import's 12,000,000 is not read
    assert codes[untouched.pk] == "gold"
    assert codes[same.pk] is None
    assert services.tier_recompute() == 0  # nothing to change: nothing written

    Tier.objects.filter(code="gold").update(min_assets=D("4000000"), min_revenue=D("20000"))
    assert services.tier_recompute() == 2
    codes = dict(Client.objects.values_list("pk", "tier__code"))
    assert (codes[crm_later.pk], codes[untouched.pk]) == ("silver", "silver")


def test_the_list_count_does_not_run_the_figures_subqueries(org, client_for, crm):
    with CaptureQueriesContext(connection) as ctx:
        assert client_for(org.users.manager).get("/clients/").status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and not [sql for sql in counts if "clientmonth" in sql.lower()]
    page = [q["sql"] for q in ctx.captured_queries if "clientmonth" in q["sql"].lower()]
    assert len(page) == 1  # the rows' query carries the figures: no query per row


def test_the_detail_runs_the_same_queries_with_few_or_many_months(org, client_for, crm):
    web = client_for(org.users.manager)
    url = reverse("clients:detail", args=[crm.pk])
    web.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert web.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(1, 9):
        month = dt.date(2025, i, 1)
        hand(org, crm, month, str(1000 * i))
        crm_row(
            crm,
            make_import(org.branches.b1, month.replace(year=2024), org.users.manager),
            assets="1",
            revenue="1",
        )
    assert count() == few


def test_later_pages_keep_the_order_and_carry_the_latest_figures(org, client_for, crm):
    for i in range(30):
        make_client(org.users.manager, org.staff.cm, name=f"戊{i}", opened_on=dt.date(2026, 2, 1 + i % 28))
    Client.objects.filter(pk=crm.pk).update(opened_on=dt.date(2025, 1, 1))  # the oldest: on page 2
    web = client_for(org.users.manager)
    expected = list(selectors.client_search(org.users.manager).values_list("pk", flat=True))
    resp = web.get("/clients/?page=2")
    rows = resp.context["rows"]
    assert [r.pk for r in rows] == expected[25:50] and rows[-1].pk == crm.pk
    assert _latest(rows[-1]) == OCT_CRM
    api = web.get("/api/clients/clients/?format=json&page=2&page_size=10").json()
    assert [r["id"] for r in api["results"]] == expected[10:20] and api["count"] == len(expected)
    last = web.get(f"/api/clients/clients/?format=json&page={(len(expected) + 9) // 10}&page_size=10").json()
    assert last["results"][-1]["id"] == crm.pk and last["results"][-1]["assets"] == "3500000.00"
