"""The client registry API: the same services, scopes, search and masks as the pages."""

import datetime as dt
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import Workbook

from brokerdesk.access.models import SensitiveAccess
from brokerdesk.clients.models import Claim, Client, ConfirmationForm, Figure, Tier
from brokerdesk.clients.tests.factories import make_client
from brokerdesk.org.tests.factories import make_id_number

pytestmark = pytest.mark.django_db

API = "/api/clients/clients/"
TODAY = timezone.localdate()


def _payload(**extra):
    data = {
        "client_no": "660012345",
        "kind": "individual",
        "name": "王大锤",
        "id_number": make_id_number(77, area="110102"),
        "mobile": "13987654321",
        "opened_on": (TODAY - dt.timedelta(days=3)).isoformat(),
        "source": "referral",
    }
    data.update(extra)
    return data


@pytest.fixture
def book(org):
    return {
        "cm": make_client(org.users.cm, name="张三丰", client_no="660000001", mobile="13911112222"),
        "peer": make_client(org.users.cm_peer, name="孙悟空", client_no="660000002", mobile="13933334444"),
        "out": make_client(org.users.outsider, name="王维", client_no="770000004", mobile="13977778888"),
    }


def test_create_masks_the_output_and_issues_the_confirmation_form(org, client_for):
    resp = client_for(org.users.cm).post(API, _payload(), content_type="application/json")
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["mobile"] == "139****4321"
    assert data["id_number"] != _payload()["id_number"] and "*" in data["id_number"]
    assert data["manager"] == org.staff.cm.pk
    assert ConfirmationForm.objects.filter(client_id=data["id"]).exists()


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"id_number": "110101199001011234"}, "id_number"),
        ({"kind": "institution", "id_number": "91350100M000100Y44"}, "id_number"),
        ({"mobile": "12345"}, "mobile"),
        ({"client_no": "12ab"}, "client_no"),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_nothing_saved(org, client_for, bad, field):
    resp = client_for(org.users.cm).post(API, _payload(**bad), content_type="application/json")
    assert resp.status_code == 400
    assert field in resp.json()
    assert not Client.objects.exists()


def test_duplicate_number_is_a_400(org, client_for, book):
    resp = client_for(org.users.cm).post(
        API, _payload(client_no="770000004"), content_type="application/json"
    )
    assert resp.status_code == 400 and "client_no" in resp.json()
    assert Client.objects.count() == 3


def test_scope_search_and_404(org, client_for, book):
    cm = client_for(org.users.cm)
    assert {r["client_no"] for r in cm.get(API).json()["results"]} == {"660000001"}
    assert cm.get(f"{API}{book['peer'].pk}/").status_code == 404
    assert (
        cm.patch(f"{API}{book['peer'].pk}/", {"address": "x"}, content_type="application/json").status_code
        == 404
    )
    lead = client_for(org.users.lead)
    assert {r["client_no"] for r in lead.get(API, {"q": "zs"}).json()["results"]} == {"660000001"}
    assert {r["client_no"] for r in lead.get(API, {"q": "4444"}).json()["results"]} == {"660000002"}
    assert client_for(org.users.outsider).get(API, {"q": "6600"}).json()["results"] == []
    for row in lead.get(API).json()["results"]:
        assert "*" in row["mobile"] and "*" in row["id_number"]


def test_partial_update_goes_through_the_service(org, client_for, book):
    web = client_for(org.users.cm)
    url = f"{API}{book['cm'].pk}/"
    resp = web.patch(url, {"mobile": "123"}, content_type="application/json")
    assert resp.status_code == 400 and "mobile" in resp.json()
    resp = web.patch(url, {"name": "张君宝"}, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["name"] == "张君宝"
    assert Client.objects.get(pk=book["cm"].pk).pinyin_initials == "zjb"
    resp = web.patch(url, {"client_no": "660000009"}, content_type="application/json")
    assert resp.status_code == 400


def test_sensitive_endpoint_logs_and_refuses(org, client_for, book):
    url = f"{API}{book['cm'].pk}/sensitive/"
    assert client_for(org.users.lead).get(url).status_code == 403
    data = client_for(org.users.manager).get(url).json()
    assert data["mobile"] == "13911112222"
    assert SensitiveAccess.objects.filter(channel="api").count() == 2


def test_transfer_tier_and_ownership_history(org, client_for, book):
    client = book["cm"]
    web = client_for(org.users.manager)
    resp = web.post(
        f"{API}{client.pk}/transfer/",
        {"to": org.staff.cm_peer.pk, "note": ""},
        content_type="application/json",
    )
    assert resp.status_code == 400 and "note" in resp.json()
    assert (
        client_for(org.users.cm)
        .post(
            f"{API}{client.pk}/transfer/",
            {"to": org.staff.cm_peer.pk, "note": "x"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    resp = web.post(
        f"{API}{client.pk}/transfer/",
        {"to": org.staff.cm_peer.pk, "note": "调岗"},
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["manager"] == org.staff.cm_peer.pk
    own = web.get(f"{API}{client.pk}/ownerships/").json()
    assert [o["reason"] for o in own] == ["new", "transfer"]
    rows = web.get("/api/clients/ownerships/", {"client": client.pk}).json()["results"]
    assert len(rows) == 2
    assert (
        client_for(org.users.outsider)
        .get("/api/clients/ownerships/", {"client": client.pk})
        .json()["results"]
        == []
    )
    gold = Tier.objects.get(code="gold")
    resp = web.post(
        f"{API}{client.pk}/tier/", {"tier": gold.pk, "reason": ""}, content_type="application/json"
    )
    assert resp.status_code == 400
    resp = web.post(
        f"{API}{client.pk}/tier/", {"tier": gold.pk, "reason": "战略"}, content_type="application/json"
    )
    assert resp.json()["tier"] == gold.pk and resp.json()["tier_manual"] is True
    resp = web.post(f"{API}{client.pk}/tier/", {"tier": None}, content_type="application/json")
    assert resp.json()["tier_manual"] is False


def test_claim_by_exact_number(org, client_for, book):
    web = client_for(org.users.cm_peer)
    resp = web.post(
        f"{API}claim/", {"client_no": "770000004", "reason": "x"}, content_type="application/json"
    )
    assert resp.status_code == 400 and "client_no" in resp.json()
    resp = web.post(
        f"{API}claim/", {"client_no": "660000001", "reason": "我开发的"}, content_type="application/json"
    )
    assert resp.status_code == 201, resp.content
    assert Claim.objects.get().claimant == org.staff.cm_peer


def _xlsx(rows):
    wb = Workbook()
    wb.active.append(["客户号", "月份", "资产", "收入"])
    for row in rows:
        wb.active.append(row)
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "f.xlsx"
    return buf


def test_figures_create_list_and_import(org, client_for, book):
    month = f"{TODAY:%Y-%m}"
    assert (
        client_for(org.users.cm)
        .post(
            "/api/clients/figures/", {"client": book["cm"].pk, "month": month, "assets": "1", "revenue": "1"}
        )
        .status_code
        == 403
    )
    web = client_for(org.users.accountant)
    resp = web.post(
        "/api/clients/figures/",
        {"client": book["out"].pk, "month": month, "assets": "1", "revenue": "1"},
        content_type="application/json",
    )
    assert resp.status_code == 404
    resp = web.post(
        "/api/clients/figures/",
        {"client": book["cm"].pk, "month": month, "assets": "-1", "revenue": "1"},
        content_type="application/json",
    )
    assert resp.status_code == 400 and "assets" in resp.json()
    resp = web.post(
        "/api/clients/figures/",
        {"client": book["cm"].pk, "month": month, "assets": "1200000", "revenue": "1"},
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["month"] == month
    resp = web.post("/api/clients/figures/import/", {"file": _xlsx([["660000002", month, "x", "1"]])})
    assert resp.status_code == 400
    resp = web.post("/api/clients/figures/import/", {"file": _xlsx([["660000002", month, "5", "1"]])})
    assert resp.json() == {"imported": 1}
    assert Figure.objects.count() == 2
    assert len(client_for(org.users.cm).get("/api/clients/figures/").json()["results"]) == 1


def test_tiers_read_for_all_written_by_tier_config(org, client_for):
    assert len(client_for(org.users.cm).get("/api/clients/tiers/").json()["results"]) == 3
    data = {"code": "vip", "name": "贵宾", "rank": 9, "visit_every_days": 100}
    resp = client_for(org.users.manager).post("/api/clients/tiers/", {**data, "min_assets": "1"})
    assert resp.status_code == 403
    web = client_for(org.users.channel)
    resp = web.post("/api/clients/tiers/", data, content_type="application/json")
    assert resp.status_code == 400 and "min_assets" in resp.json()
    resp = web.post("/api/clients/tiers/", {**data, "min_assets": "100000"}, content_type="application/json")
    assert resp.status_code == 201
    tier = Tier.objects.get(code="vip")
    resp = web.patch(
        f"/api/clients/tiers/{tier.pk}/", {"visit_every_days": 45}, content_type="application/json"
    )
    assert resp.status_code == 200 and Tier.objects.get(pk=tier.pk).visit_every_days == 45


def test_list_filters_and_junk_values(org, client_for, book):
    web = client_for(org.users.manager)
    assert web.get(API, {"manager": "abc", "tier": "x"}).status_code == 200
    rows = web.get(API, {"manager": org.staff.cm_peer.pk}).json()["results"]
    assert [r["client_no"] for r in rows] == ["660000002"]
    assert web.get(API, {"tier": "any"}).json()["results"] == []
