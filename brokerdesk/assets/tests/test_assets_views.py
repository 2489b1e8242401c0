"""Asset pages: who sees and changes what (第十四条 scope), forms with field errors and
nothing saved, the ledger and its Excel export."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from brokerdesk.assets import services_assets as svc
from brokerdesk.assets.models_assets import Asset, Holding, Incident, LedgerLine
from brokerdesk.assets.tests.factories_assets import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    """A laptop with cm, leaflets partly with cm_b (team B), a printer of team A in store, and
    an asset of the other branch."""
    laptop = register(org, tag="PC-CM")
    svc.asset_pass(actor=org.users.keeper, asset=laptop, from_staff=None, to_staff=org.staff.cm)
    leaflets = register(org, tag="LF-B", quantity=100)
    svc.asset_pass(
        actor=org.users.keeper, asset=leaflets, from_staff=None, to_staff=org.staff.cm_b, quantity=20
    )
    printer = register(org, tag="PR-A", category="office", description="打印机", team=org.teams.a)
    other = register(org, tag="PC-SH", branch=org.branches.b2)
    return {"laptop": laptop, "leaflets": leaflets, "printer": printer, "other": other}


def tags(response) -> set[str]:
    return {a.tag for a in response.context["page"]}


@pytest.mark.parametrize(
    "who, expected",
    [
        ("keeper", {"PC-CM", "LF-B", "PR-A"}),
        ("manager", {"PC-CM", "LF-B", "PR-A"}),
        ("keeper_b2", {"PC-SH"}),
        ("lead", {"PC-CM", "PR-A"}),  # held by a team member, or the team's own
        ("cm", {"PC-CM"}),
        ("cm_b", {"LF-B"}),
        ("cm_peer", set()),
        ("outsider", set()),
        ("channel", {"PC-CM", "LF-B", "PR-A", "PC-SH"}),
        ("sysadmin", set()),
    ],
)
def test_the_list_shows_each_role_its_scope(org, world, client_for, who, expected):
    response = client_for(getattr(org.users, who)).get("/assets/")
    assert response.status_code == 200
    assert tags(response) == expected


def test_a_client_manager_sees_what_they_hold(org, world, client_for):
    response = client_for(org.users.cm_b).get("/assets/")
    row = next(iter(response.context["page"]))
    assert row.mine == 20
    assert b'id="new-asset"' not in response.content


def test_search_and_filters(org, world, client_for):
    c = client_for(org.users.keeper)
    assert tags(c.get("/assets/", {"q": "PR-"})) == {"PR-A"}
    assert tags(c.get("/assets/", {"q": "zs"})) == {"PC-CM"}  # the holder's pinyin initials (张三)
    assert tags(c.get("/assets/", {"q": "李四"})) == {"LF-B"}
    assert tags(c.get("/assets/", {"status": "issued"})) == {"PC-CM", "LF-B"}
    assert tags(c.get("/assets/", {"category": "office"})) == {"PR-A"}
    assert tags(c.get("/assets/", {"team": org.teams.a.pk})) == {"PR-A"}
    partial = c.get("/assets/", {"q": "PR"}, headers={"HX-Request": "true", "HX-Target": "results"})
    assert b"<html" not in partial.content and b"PR-A" in partial.content


@pytest.mark.parametrize("who", ["keeper_b2", "outsider", "cm_peer"])
def test_others_cannot_open_an_asset(org, world, client_for, who):
    assert client_for(getattr(org.users, who)).get(f"/assets/{world['laptop'].pk}/").status_code == 404


def test_holder_and_lead_open_but_cannot_change(org, world, client_for):
    pk = world["laptop"].pk
    for who in ("cm", "lead"):
        c = client_for(getattr(org.users, who))
        page = c.get(f"/assets/{pk}/")
        assert page.status_code == 200 and b'id="issue"' not in page.content
        assert c.get(f"/assets/{pk}/move/").status_code == 404
        assert (
            c.post(f"/assets/{pk}/move/", {"kind": "return", "from_staff": org.staff.cm.pk}).status_code
            == 404
        )
        assert c.get(f"/assets/{pk}/edit/").status_code == 404
    assert (
        client_for(org.users.keeper_b2)
        .post(f"/assets/{pk}/move/", {"kind": "return", "from_staff": org.staff.cm.pk, "quantity": 1})
        .status_code
        == 404
    )
    assert Holding.objects.get(asset_id=pk).staff_id == org.staff.cm.pk


def test_keeper_registers_and_issues_through_the_pages(org, client_for):
    c = client_for(org.users.keeper)
    assert c.get("/assets/new/").status_code == 200
    response = c.post(
        "/assets/new/",
        {
            "branch": org.branches.b1.pk,
            "category": "computer",
            "tag": "PC-100",
            "description": "台式电脑",
            "unit": "台",
            "quantity": 1,
            "value": "4999.00",
            "acquired_on": "2025-06-01",
        },
    )
    asset = Asset.objects.get(tag="PC-100")
    assert response.status_code == 302 and response.url == f"/assets/{asset.pk}/"
    assert c.get(f"/assets/{asset.pk}/").status_code == 200
    response = c.post(
        f"/assets/{asset.pk}/move/", {"kind": "issue", "quantity": 1, "to_staff": org.staff.cm.pk}
    )
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.custodian_id == org.staff.cm.pk


def test_register_form_errors_save_nothing(org, client_for):
    register(org, tag="PC-1")
    c = client_for(org.users.keeper)
    response = c.post(
        "/assets/new/",
        {
            "branch": org.branches.b2.pk,
            "category": "computer",
            "tag": "PC-1",
            "description": "x",
            "quantity": 2,
            "value": "-1",
            "acquired_on": "2025-06-01",
        },
    )
    assert response.status_code == 400
    assert {"branch"} <= set(response.context["form"].errors)
    response = c.post(
        "/assets/new/",
        {
            "branch": org.branches.b1.pk,
            "category": "computer",
            "tag": "PC-1",
            "description": "x",
            "quantity": 2,
            "value": "1.005",
            "acquired_on": "2025-06-01",
        },
    )
    assert response.status_code == 400
    assert {"tag", "quantity", "value"} <= set(response.context["form"].errors)
    assert Asset.objects.count() == 1


def test_issuing_more_than_on_hand_shows_the_error_and_saves_nothing(org, world, client_for):
    leaflets = world["leaflets"]
    before = LedgerLine.objects.count()
    response = client_for(org.users.keeper).post(
        f"/assets/{leaflets.pk}/move/", {"kind": "issue", "quantity": 81, "to_staff": org.staff.cm.pk}
    )
    assert response.status_code == 400
    assert "quantity" in response.context["form"].errors
    assert LedgerLine.objects.count() == before
    leaflets.refresh_from_db()
    assert leaflets.on_hand == 80


def test_reverse_a_line_through_the_page(org, world, client_for):
    line = LedgerLine.objects.get(asset=world["leaflets"], kind="issue")
    c = client_for(org.users.keeper)
    assert c.get(f"/assets/lines/{line.pk}/reverse/").status_code == 200
    assert c.post(f"/assets/lines/{line.pk}/reverse/", {"reason": ""}).status_code == 400
    assert c.post(f"/assets/lines/{line.pk}/reverse/", {"reason": "录错人"}).status_code == 302
    assert not Holding.objects.filter(asset=world["leaflets"]).exists()
    assert (
        client_for(org.users.keeper_b2).post(f"/assets/lines/{line.pk}/reverse/", {"reason": "x"}).status_code
        == 404
    )


def test_ledger_page_scope(org, world, client_for):
    def lines(who):
        response = client_for(getattr(org.users, who)).get("/assets/ledger/")
        assert response.status_code == 200
        return {(x.asset.tag, x.kind) for x in response.context["page"]}

    assert lines("keeper") >= {("PC-CM", "issue"), ("LF-B", "issue"), ("PR-A", "receive")}
    assert ("PC-SH", "receive") not in lines("keeper")
    assert lines("cm") == {("PC-CM", "issue")}
    assert lines("lead") == {("PC-CM", "issue"), ("PR-A", "receive")}
    assert lines("keeper_b2") == {("PC-SH", "receive")}
    assert lines("outsider") == set()


def test_ledger_export_is_the_ledger_in_scope_with_store_balances(org, world, client_for):
    leaflets = world["leaflets"]
    svc.asset_pass(
        actor=org.users.keeper, asset=leaflets, from_staff=org.staff.cm_b, to_staff=None, quantity=5
    )
    response = client_for(org.users.keeper).get("/assets/ledger/export/", {"asset": leaflets.pk})
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.content)).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[8], r[9], r[10]) for r in rows] == [
        ("LF-B", 100, None, 100),
        ("LF-B", None, 20, 80),
        ("LF-B", 5, None, 85),
    ]
    other = client_for(org.users.keeper_b2).get("/assets/ledger/export/")
    ws = load_workbook(BytesIO(other.content)).active
    assert {r[2] for r in ws.iter_rows(min_row=2, values_only=True)} == {"PC-SH"}


def test_ledger_export_opening_balance_from_earlier_lines(org, client_for):
    leaflets = register(org, quantity=50)
    svc.asset_pass(
        actor=org.users.keeper,
        asset=leaflets,
        from_staff=None,
        to_staff=org.staff.cm,
        quantity=10,
        day=dt.date(2025, 7, 1),
    )
    svc.asset_pass(
        actor=org.users.keeper,
        asset=leaflets,
        from_staff=None,
        to_staff=org.staff.cm,
        quantity=3,
        day=dt.date(2025, 8, 1),
    )
    response = client_for(org.users.keeper).get("/assets/ledger/export/", {"start": "2025-07-15"})
    ws = load_workbook(BytesIO(response.content)).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [(r[9], r[10]) for r in rows] == [(3, 37)]


def test_incident_pages(org, world, client_for, monkeypatch):
    laptop = world["laptop"]
    c = client_for(org.users.keeper)
    assert c.get(f"/assets/{laptop.pk}/incident/").status_code == 200
    bad = c.post(
        f"/assets/{laptop.pk}/incident/",
        {
            "kind": "loss",
            "happened_on": "2026-01-05",
            "description": "出差途中遗失",
            "quantity": 1,
            "responsible": org.staff.cm.pk,
            "amount": "9000.00",
        },
    )
    assert bad.status_code == 400
    assert {"over_value_reason", "pay_month"} <= set(bad.context["form"].errors)
    assert not Incident.objects.exists()
    ok = c.post(
        f"/assets/{laptop.pk}/incident/",
        {
            "kind": "loss",
            "happened_on": "2026-01-05",
            "description": "出差途中遗失",
            "quantity": 1,
            "responsible": org.staff.cm.pk,
            "amount": "3400.00",
            "pay_month": "2026-02",
        },
    )
    assert ok.status_code == 302
    incident = Incident.objects.get()
    assert incident.status == "in_approval" and incident.loss_line is not None
    laptop.refresh_from_db()
    assert laptop.status == "disposed"
    for who, code in (("keeper", 200), ("cm", 200), ("lead", 200), ("cm_peer", 404), ("keeper_b2", 404)):
        assert (
            client_for(getattr(org.users, who)).get(f"/assets/incidents/{incident.pk}/").status_code == code
        )
    approval = client_for(org.users.lead).get(incident.approval.get_absolute_url())
    assert approval.status_code == 200  # the lead confirms the charge first
    listing = client_for(org.users.cm).get("/assets/incidents/")
    assert [i.pk for i in listing.context["page"]] == [incident.pk]
    assert list(client_for(org.users.cm_b).get("/assets/incidents/").context["page"]) == []
    assert c.post(f"/assets/incidents/{incident.pk}/charge/", {"amount": "1"}).status_code == 400
    incident.refresh_from_db()
    assert incident.amount == Decimal("3400.00")
