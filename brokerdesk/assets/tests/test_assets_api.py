"""The asset API: the pages' scopes, 400 with field errors and nothing saved, 403/404 outside
the keeper's branch."""

import pytest

from brokerdesk.assets import services_assets as svc
from brokerdesk.assets.models_assets import Asset, Holding, Incident, LedgerLine
from brokerdesk.assets.tests.factories_assets import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    laptop = register(org, tag="PC-CM")
    svc.asset_pass(actor=org.users.keeper, asset=laptop, from_staff=None, to_staff=org.staff.cm)
    leaflets = register(org, tag="LF-B", quantity=100)
    svc.asset_pass(
        actor=org.users.keeper, asset=leaflets, from_staff=None, to_staff=org.staff.cm_b, quantity=20
    )
    printer = register(org, tag="PR-A", category="office", description="打印机", team=org.teams.a)
    other = register(org, tag="PC-SH", branch=org.branches.b2)
    return {"laptop": laptop, "leaflets": leaflets, "printer": printer, "other": other}


def tags(response):
    assert response.status_code == 200, response.content
    return {row["tag"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    "who, expected",
    [
        ("keeper", {"PC-CM", "LF-B", "PR-A"}),
        ("keeper_b2", {"PC-SH"}),
        ("lead", {"PC-CM", "PR-A"}),
        ("cm", {"PC-CM"}),
        ("cm_peer", set()),
        ("outsider", set()),
        ("norole", set()),
    ],
)
def test_list_scope(org, world, client_for, who, expected):
    assert tags(client_for(getattr(org.users, who)).get("/api/assets/assets/")) == expected


def test_filters_and_detail(org, world, client_for):
    c = client_for(org.users.keeper)
    assert tags(c.get("/api/assets/assets/", {"q": "zs"})) == {"PC-CM"}
    assert tags(c.get("/api/assets/assets/", {"holder": org.staff.cm_b.pk})) == {"LF-B"}
    assert tags(c.get("/api/assets/assets/", {"team": "x"})) == set()
    detail = c.get(f"/api/assets/assets/{world['leaflets'].pk}/").json()
    assert detail["on_hand"] == 80 and detail["holdings"] == [
        {"staff": org.staff.cm_b.pk, "staff_name": "李四", "quantity": 20}
    ]
    assert client_for(org.users.keeper_b2).get(f"/api/assets/assets/{world['laptop'].pk}/").status_code == 404
    assert client_for(org.users.cm_peer).get(f"/api/assets/assets/{world['laptop'].pk}/").status_code == 404


def test_mine(org, world, client_for):
    rows = client_for(org.users.cm_b).get("/api/assets/mine/").json()
    assert [(r["asset"]["tag"], r["quantity"]) for r in rows] == [("LF-B", 20)]
    assert client_for(org.users.keeper).get("/api/assets/mine/").json() == []


def test_issue_more_than_on_hand_is_400_and_nothing_saved(org, world, client_for):
    leaflets = world["leaflets"]
    before = LedgerLine.objects.count()
    r = client_for(org.users.keeper).post(
        f"/api/assets/assets/{leaflets.pk}/move/",
        {"kind": "issue", "quantity": 81, "to_staff": org.staff.cm.pk},
        content_type="application/json",
    )
    assert r.status_code == 400 and "quantity" in r.json()
    assert LedgerLine.objects.count() == before
    r = client_for(org.users.keeper).post(
        f"/api/assets/assets/{leaflets.pk}/move/",
        {"kind": "issue", "quantity": 80, "to_staff": org.staff.cm.pk},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["to_staff"] == org.staff.cm.pk
    leaflets.refresh_from_db()
    assert leaflets.on_hand == 0


def test_other_branch_keeper_and_holders_cannot_change(org, world, client_for):
    laptop = world["laptop"]
    body = {"kind": "return", "from_staff": org.staff.cm.pk}
    r = client_for(org.users.keeper_b2).post(
        f"/api/assets/assets/{laptop.pk}/move/", body, content_type="application/json"
    )
    assert r.status_code == 404
    for who in ("cm", "lead"):
        r = client_for(getattr(org.users, who)).post(
            f"/api/assets/assets/{laptop.pk}/move/", body, content_type="application/json"
        )
        assert r.status_code == 403
    r = client_for(org.users.keeper_b2).patch(
        f"/api/assets/assets/{laptop.pk}/", {"description": "x"}, content_type="application/json"
    )
    assert r.status_code == 404
    assert Holding.objects.get(asset=laptop).staff_id == org.staff.cm.pk


def test_create_update_and_their_400s(org, client_for):
    c = client_for(org.users.keeper)
    body = {
        "branch": org.branches.b1.pk,
        "category": "computer",
        "tag": "PC-9",
        "description": "笔记本",
        "value": "5000.00",
        "acquired_on": "2025-05-01",
    }
    r = c.post("/api/assets/assets/", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["on_hand"] == 1
    r = c.post("/api/assets/assets/", {**body, "quantity": 3}, content_type="application/json")
    assert r.status_code == 400 and {"tag", "quantity"} <= set(r.json())
    r = c.post(
        "/api/assets/assets/",
        {**body, "tag": "PC-10", "acquired_on": "2099-01-01"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "acquired_on" in r.json()
    assert Asset.objects.count() == 1
    r = client_for(org.users.keeper_b2).post(
        "/api/assets/assets/", {**body, "tag": "PC-11"}, content_type="application/json"
    )
    assert r.status_code == 403
    pk = Asset.objects.get().pk
    r = c.patch(
        f"/api/assets/assets/{pk}/",
        {"description": "笔记本电脑", "value": "4800.00"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["description"] == "笔记本电脑"


def test_ledger_scope_and_reverse(org, world, client_for):
    def kinds(who):
        r = client_for(getattr(org.users, who)).get("/api/assets/lines/")
        assert r.status_code == 200
        return {(x["asset_tag"], x["kind"]) for x in r.json()["results"]}

    assert kinds("cm") == {("PC-CM", "issue")}
    assert kinds("keeper_b2") == {("PC-SH", "receive")}
    line = LedgerLine.objects.get(asset=world["laptop"], kind="issue")
    assert (
        client_for(org.users.keeper_b2)
        .post(f"/api/assets/lines/{line.pk}/reverse/", {"reason": "x"}, content_type="application/json")
        .status_code
        == 404
    )
    r = client_for(org.users.keeper).post(
        f"/api/assets/lines/{line.pk}/reverse/", {}, content_type="application/json"
    )
    assert r.status_code == 400 and "reason" in r.json()
    r = client_for(org.users.keeper).post(
        f"/api/assets/lines/{line.pk}/reverse/", {"reason": "发错人"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["reverses"] == line.pk
    r = client_for(org.users.keeper).post(
        f"/api/assets/lines/{line.pk}/reverse/", {"reason": "again"}, content_type="application/json"
    )
    assert r.status_code == 400
    ledger = client_for(org.users.keeper).get(f"/api/assets/assets/{world['laptop'].pk}/ledger/").json()
    assert [x["kind"] for x in ledger["results"]] == ["receive", "issue", "reversal"]


def test_incidents_api(org, world, client_for):
    c = client_for(org.users.keeper)
    body = {
        "asset": world["laptop"].pk,
        "kind": "theft",
        "happened_on": "2026-11-02",
        "description": "网点被盗",
        "responsible": org.staff.cm.pk,
        "amount": "7000.00",
    }
    r = c.post("/api/assets/incidents/", body, content_type="application/json")
    assert r.status_code == 400 and {"over_value_reason", "pay_month"} <= set(r.json())
    r = client_for(org.users.keeper_b2).post(
        "/api/assets/incidents/", {**body, "amount": "0"}, content_type="application/json"
    )
    assert r.status_code == 400 and "asset" in r.json()
    assert not Incident.objects.exists() and LedgerLine.objects.filter(kind="loss").count() == 0
    r = c.post(
        "/api/assets/incidents/",
        {**body, "amount": "1000.00", "pay_month": "2026-12-01"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["status"] == "in_approval" and data["loss_line"]
    pk = data["id"]
    assert client_for(org.users.cm).get(f"/api/assets/incidents/{pk}/").status_code == 200
    assert client_for(org.users.cm_b).get(f"/api/assets/incidents/{pk}/").status_code == 404
    assert client_for(org.users.keeper_b2).get(f"/api/assets/incidents/{pk}/").status_code == 404
    r = c.post(f"/api/assets/incidents/{pk}/charge/", {"amount": "5"}, content_type="application/json")
    assert r.status_code == 400  # in approval: the charge does not change
