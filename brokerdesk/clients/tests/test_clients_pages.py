"""Client registry pages: bringing a client in and editing it (bad input → field errors in
Chinese, nothing saved), scope on every page, search, masking and logged reveals,
reassignment, claims, manual tiers, tiers and policy, figures, visits due and the export."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook

from brokerdesk.access.models import SensitiveAccess
from brokerdesk.clients import selectors
from brokerdesk.clients.models import Claim, Client, ConfirmationForm, Figure, ServicePolicy, Tier
from brokerdesk.clients.tests.factories import make_client
from brokerdesk.org.tests.factories import make_id_number

pytestmark = pytest.mark.django_db


def today():
    """Read at each use: a run that crosses midnight (Shanghai) must not mix two days."""
    return timezone.localdate()


def _form(**extra):
    data = {
        "client_no": "660012345",
        "kind": Client.Kind.INDIVIDUAL,
        "name": "王大锤",
        "id_number": make_id_number(77, area="110102"),
        "mobile": "13987654321",
        "opened_on": (today() - dt.timedelta(days=3)).isoformat(),
        "source": Client.Source.REFERRAL,
    }
    data.update(extra)
    return data


# --- create and edit ---------------------------------------------------------------------------


def test_client_manager_creates_own_client_and_sees_its_confirmation_serial(org, client_for):
    web = client_for(org.users.cm)
    page = web.get(reverse("clients:create"))
    assert page.status_code == 200
    assert 'name="manager"' not in page.content.decode()  # their own client: no manager to choose
    resp = web.post(reverse("clients:create"), _form(), follow=True)
    client = Client.objects.get(client_no="660012345")
    assert client.manager == org.staff.cm
    assert resp.redirect_chain[-1][0] == client.get_absolute_url()
    serial = ConfirmationForm.objects.get(client=client).serial_no
    assert serial in resp.content.decode()


def test_branch_back_office_chooses_the_manager(org, client_for):
    web = client_for(org.users.manager)
    page = web.get(reverse("clients:create")).content.decode()
    assert 'name="manager"' in page
    web.post(reverse("clients:create"), _form(manager=org.staff.cm_b.pk))
    assert Client.objects.get(client_no="660012345").manager == org.staff.cm_b
    # Someone outside the scope cannot be given the client.
    resp = web.post(reverse("clients:create"), _form(client_no="660099999", manager=org.staff.outsider.pk))
    assert resp.status_code == 400
    assert not Client.objects.filter(client_no="660099999").exists()


BAD_INPUT = [
    (
        {"id_number": "110101199001011234"},
        "id_number",
        "This ID number's check digit is wrong; please check it.",
    ),
    (
        {"kind": Client.Kind.INSTITUTION, "id_number": "91350100M000100Y44"},
        "id_number",
        "This credit code's check character is wrong; please check it.",
    ),
    ({"mobile": "12345"}, "mobile", "A mobile number has 11 digits and starts with 13–19."),
    ({"client_no": "12ab"}, "client_no", "A client number has 6 to 20 digits."),
]


def zh(msgid: str) -> str:
    """The message as a Chinese user reads it (from the merged catalogue)."""
    with translation.override("zh-hans"):
        return gettext(msgid)


@pytest.mark.parametrize("bad, field, msgid", BAD_INPUT)
def test_bad_identity_gives_field_errors_in_chinese_and_saves_nothing(org, client_for, bad, field, msgid):
    web = client_for(org.users.cm)
    resp = web.post(reverse("clients:create"), _form(**bad), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 400
    form = resp.context["form"]
    assert zh(msgid) in form.errors[field], form.errors
    assert escape(zh(msgid)) in resp.content.decode()
    assert not Client.objects.exists()
    assert not ConfirmationForm.objects.exists()


def test_duplicate_client_number_is_a_field_error(org, client_for):
    make_client(org.users.outsider, client_no="660012345")
    web = client_for(org.users.cm)
    resp = web.post(reverse("clients:create"), _form(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 400
    assert resp.context["form"].errors["client_no"] == [
        zh("A client with this client number already exists.")
    ]
    assert Client.objects.count() == 1


def test_edit_profile_and_bad_phone(org, client_for):
    client = make_client(org.users.cm, name="刘备")
    web = client_for(org.users.cm)
    data = {
        "kind": client.kind,
        "name": "刘玄德",
        "id_number": client.id_number,
        "mobile": client.mobile,
        "source": client.source,
        "address": "涿郡",
    }
    resp = web.post(reverse("clients:edit", args=[client.pk]), {**data, "mobile": "1390000"})
    assert resp.status_code == 400
    assert "mobile" in resp.context["form"].errors
    client.refresh_from_db()
    assert client.name == "刘备"
    resp = web.post(reverse("clients:edit", args=[client.pk]), data)
    assert resp.status_code == 302
    client.refresh_from_db()
    assert (client.name, client.pinyin_initials, client.address) == ("刘玄德", "lxd", "涿郡")
    # A peer cannot edit it: 404.
    assert client_for(org.users.cm_peer).get(reverse("clients:edit", args=[client.pk])).status_code == 404


# --- scope -------------------------------------------------------------------------------------


@pytest.fixture
def book(org):
    """One client for each of cm, cm_peer (team A), cm_b (team B) and outsider (branch 2)."""
    return {
        "cm": make_client(org.users.cm, name="张三丰", client_no="660000001", mobile="13911112222"),
        "peer": make_client(org.users.cm_peer, name="孙悟空", client_no="660000002", mobile="13933334444"),
        "b": make_client(org.users.cm_b, name="李白", client_no="660000003", mobile="13955556666"),
        "out": make_client(org.users.outsider, name="王维", client_no="770000004", mobile="13977778888"),
    }


def _listed(web, **params):
    resp = web.get(reverse("clients:list"), params)
    assert resp.status_code == 200
    return {c.client_no for c in resp.context["rows"]}


@pytest.mark.parametrize(
    "who, expected",
    [
        ("cm", {"cm"}),
        ("cm_peer", {"peer"}),
        ("lead", {"cm", "peer"}),
        ("manager", {"cm", "peer", "b"}),
        ("outsider", {"out"}),
        ("norole", set()),
    ],
)
def test_each_role_lists_searches_and_exports_only_its_scope(org, client_for, book, who, expected):
    web = client_for(getattr(org.users, who))
    numbers = {book[k].client_no for k in expected}
    assert _listed(web) == numbers
    assert _listed(web, q="6600") == {n for n in numbers if n.startswith("6600")}
    wb = load_workbook(BytesIO(web.get(reverse("clients:export")).content))
    exported = {r[0] for r in wb.active.iter_rows(min_row=2, values_only=True)}
    assert exported == numbers
    for key, client in book.items():
        status = web.get(reverse("clients:detail", args=[client.pk])).status_code
        assert status == (200 if key in expected else 404), key


@pytest.mark.parametrize(
    "q, expected",
    [
        ("张", {"cm"}),
        ("张三", {"cm"}),
        ("zs", {"cm"}),
        ("ZSF", {"cm"}),
        ("zhangsan", {"cm"}),
        ("sunwu", {"peer"}),
        ("660000002", {"peer"}),
        ("66000000", {"cm", "peer", "b"}),
        ("5555", set()),  # not a last four (5556 is)
        ("6666", {"b"}),
        ("2222", {"cm"}),
        ("李", {"b"}),
        ("王", set()),  # another branch
        ("x", set()),
    ],
)
def test_search_by_name_pinyin_number_and_last_four(org, client_for, book, q, expected):
    web = client_for(org.users.manager)
    assert _listed(web, q=q) == {book[k].client_no for k in expected}


def test_search_answers_the_htmx_partial(org, client_for, book):
    resp = client_for(org.users.manager).get(
        reverse("clients:list"), {"q": "zs"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    html = resp.content.decode()
    assert "<html" not in html and "张三丰" in html and "孙悟空" not in html


def test_filters_by_tier_manager_source_and_status(org, client_for, book):
    gold = Tier.objects.get(code="gold")
    Client.objects.filter(pk=book["b"].pk).update(tier=gold, status=Client.Status.CLOSED)
    web = client_for(org.users.manager)
    assert _listed(web, tier=gold.pk) == {"660000003"}
    assert _listed(web, tier="none") == {"660000001", "660000002"}
    assert _listed(web, manager=org.staff.cm_peer.pk) == {"660000002"}
    assert _listed(web, status="closed") == {"660000003"}
    assert _listed(web, source="campaign") == set()


def test_prefix_match_uses_a_range_or_like_never_a_scan():
    sql = str(Client.objects.filter(selectors.search_q("zs")).query).upper()
    assert "ZS%" in sql.replace("'", "") or ">=" in sql
    assert "UPPER(" not in sql and "%ZS" not in sql.replace("'", "")  # no icontains


def test_capped_count_says_ten_thousand_plus(org, monkeypatch):
    monkeypatch.setattr(selectors.CappedPaginator, "cap", 2)
    for _ in range(4):
        make_client(org.users.cm)
    paginator = selectors.CappedPaginator(Client.objects.all(), 1)
    assert paginator.count == 3 and paginator.capped


# --- masking and reveal -------------------------------------------------------------------------


def test_list_detail_and_export_never_show_full_identity_to_a_lead(org, client_for, book):
    client = book["cm"]
    web = client_for(org.users.lead)
    pages = [
        web.get(reverse("clients:list")).content.decode(),
        web.get(reverse("clients:detail", args=[client.pk])).content.decode(),
    ]
    for html in pages:
        assert client.mobile not in html
        assert client.id_number not in html
    assert "139****2222" in pages[0]
    assert "Show in full" not in pages[1] and "显示" not in pages[1]
    export = web.get(reverse("clients:export")).content
    values = [
        str(v) for row in load_workbook(BytesIO(export)).active.iter_rows(values_only=True) for v in row
    ]
    assert client.mobile not in values and "139****2222" in values
    resp = web.post(reverse("clients:reveal", args=[client.pk, "mobile"]))
    assert resp.status_code == 403
    assert not SensitiveAccess.objects.exists()


def test_branch_manager_reveals_in_full_and_it_is_logged(org, client_for, book):
    client = book["cm"]
    web = client_for(org.users.manager)
    html = web.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert reverse("clients:reveal", args=[client.pk, "id_number"]) in html
    resp = web.post(reverse("clients:reveal", args=[client.pk, "id_number"]))
    assert resp.content.decode() == client.id_number
    log = SensitiveAccess.objects.get()
    assert (log.user, log.field, log.object_id) == (org.users.manager, "id_number", str(client.pk))
    # Out of scope: 404 before any reveal.
    assert web.post(reverse("clients:reveal", args=[book["out"].pk, "mobile"])).status_code == 404


# --- detail sections, reassignment, tier, figures -------------------------------------------------


def test_detail_shows_ownership_confirmation_and_visit_button(org, client_for, book):
    client = book["cm"]
    html = client_for(org.users.cm).get(reverse("clients:detail", args=[client.pk])).content.decode()
    form = client.confirmations.get()
    assert reverse("clients:confirmation-detail", args=[form.pk]) in html
    assert form.serial_no in html
    assert f"{reverse('clients:visit-create')}?client={client.pk}" in html
    assert 'id="ownerships"' in html and "张三" in html


def test_transfer_needs_assign_and_a_reason(org, client_for, book):
    client = book["cm"]
    assert client_for(org.users.cm).get(reverse("clients:transfer", args=[client.pk])).status_code == 404
    web = client_for(org.users.manager)
    url = reverse("clients:transfer", args=[client.pk])
    resp = web.post(url, {"to": org.staff.cm_b.pk, "effective": today().isoformat(), "note": ""})
    assert resp.status_code == 400 and "note" in resp.context["form"].errors
    resp = web.post(url, {"to": org.staff.cm_b.pk, "effective": today().isoformat(), "note": "张三调岗"})
    assert resp.status_code == 302
    client.refresh_from_db()
    assert client.manager == org.staff.cm_b
    assert client.ownerships.count() == 2


def test_manual_tier_with_reason_and_back_to_rules(org, client_for, book):
    client = book["cm"]
    gold = Tier.objects.get(code="gold")
    web = client_for(org.users.manager)
    url = reverse("clients:tier-manual", args=[client.pk])
    resp = web.post(url, {"tier": gold.pk, "reason": ""})
    assert resp.status_code == 400 and "reason" in resp.context["form"].errors
    web.post(url, {"tier": gold.pk, "reason": "战略客户"})
    client.refresh_from_db()
    assert (client.tier, client.tier_manual) == (gold, True)
    web.post(url, {"back_to_rules": "on", "reason": ""})
    client.refresh_from_db()
    assert (client.tier, client.tier_manual) == (None, False)


def test_single_month_figures_on_the_detail(org, client_for, book):
    client = book["cm"]
    url = reverse("clients:figure-save", args=[client.pk])
    assert client_for(org.users.cm).post(url, {}).status_code == 404  # no figures right
    web = client_for(org.users.accountant)
    resp = web.post(url, {"month": f"{today():%Y-%m}", "assets": "abc", "revenue": "1"})
    assert resp.status_code == 400 and "assets" in resp.context["figure_form"].errors
    web.post(url, {"month": f"{today():%Y-%m}", "assets": "3,500,000", "revenue": "100"})
    client.refresh_from_db()
    assert client.assets == Decimal("3500000.00")
    assert client.tier.code == "gold"


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["客户号", "月份", "资产", "收入"])
    for row in rows:
        ws.append(row)
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "figures.xlsx"
    return buf


def test_figures_import_reports_every_bad_line_and_writes_nothing(org, client_for, book):
    web = client_for(org.users.accountant)
    month = f"{today():%Y-%m}"
    bad = _xlsx(
        [["660000001", month, "100", "1"], ["999999999", month, "1", "1"], ["660000002", "2026/13", "x", "1"]]
    )
    resp = web.post(reverse("clients:figures-import"), {"file": bad})
    assert resp.status_code == 400
    errors = " ".join(resp.context["errors"])
    assert "3" in errors and "4" in errors  # lines 3 and 4
    assert not Figure.objects.exists()
    good = _xlsx([["660000001", month, "100", "1"], ["660000002", month, "2000000", "1"]])
    resp = web.post(reverse("clients:figures-import"), {"file": good})
    assert resp.status_code == 302
    assert Figure.objects.count() == 2
    template = web.get(reverse("clients:figures-template"))
    assert load_workbook(BytesIO(template.content)).active.max_column == 4
    assert client_for(org.users.cm).get(reverse("clients:figures-import")).status_code == 404


# --- claims -------------------------------------------------------------------------------------


def test_claim_starts_from_an_exact_number_and_shows_minimal_data(org, client_for, book):
    web = client_for(org.users.cm_peer)  # team A has a lead to approve the claim
    target = book["cm"]
    html = web.get(reverse("clients:claim-start"), {"no": target.client_no}).content.decode()
    assert "张**" in html and "张三" in html  # masked name, and the holder 张三
    assert "张三丰" not in html and target.mobile not in html
    for other in ("66000000", book["out"].client_no, book["peer"].client_no):  # prefix, other branch, own
        html = web.get(reverse("clients:claim-start"), {"no": other}).content.decode()
        assert 'id="claim-target"' not in html
    resp = web.post(reverse("clients:claim"), {"client_no": target.client_no, "reason": ""})
    assert resp.status_code == 400
    assert not Claim.objects.exists()
    resp = web.post(reverse("clients:claim"), {"client_no": target.client_no, "reason": "客户由我开发"})
    assert resp.status_code == 302
    claim = Claim.objects.get()
    assert (claim.client, claim.claimant, claim.holder) == (target, org.staff.cm_peer, org.staff.cm)
    resp = web.post(reverse("clients:claim"), {"client_no": book["out"].client_no, "reason": "x"})
    assert resp.status_code == 400 and Claim.objects.count() == 1


# --- tiers and policy ---------------------------------------------------------------------------


def test_tiers_page_counts_and_config(org, client_for, book):
    gold = Tier.objects.get(code="gold")
    Client.objects.filter(pk__in=[book["cm"].pk, book["out"].pk]).update(tier=gold)
    html = client_for(org.users.cm).get(reverse("clients:tiers")).content.decode()
    assert "黄金客户" in html and 'id="policy-form"' not in html
    assert client_for(org.users.cm).get(reverse("clients:tier-create")).status_code == 404
    web = client_for(org.users.channel)
    resp = web.get(reverse("clients:tiers"))
    assert {t.code: t.client_count for t in resp.context["tiers"]}["gold"] == 2
    data = {"code": "vip", "name": "贵宾客户", "rank": 9, "visit_every_days": 120, "active": "on"}
    resp = web.post(reverse("clients:tier-create"), data)
    assert resp.status_code == 400 and "min_assets" in resp.context["form"].errors
    assert not Tier.objects.filter(code="vip").exists()
    resp = web.post(reverse("clients:tier-create"), {**data, "min_assets": "500000"})
    assert resp.status_code == 302 and Tier.objects.filter(code="vip").exists()
    resp = web.post(
        reverse("clients:tiers"), {"overlap_days": 15, "followup_days": 5, "acknowledge_hours": 2}
    )
    assert resp.status_code == 302
    assert ServicePolicy.current().overlap_days == 15
    assert (
        client_for(org.users.manager).post(reverse("clients:tiers"), {"overlap_days": 1}).status_code == 404
    )


# --- visits due ---------------------------------------------------------------------------------


def test_visits_due_most_overdue_first_for_own_clients(org, client_for):
    gold = Tier.objects.get(code="gold")  # every 60 days
    silver = Tier.objects.get(code="silver")  # every 90 days
    a = make_client(org.users.cm, name="甲")
    b = make_client(org.users.cm, name="乙")
    c = make_client(org.users.cm, name="丙")
    d = make_client(org.users.cm, name="丁")
    peer = make_client(org.users.cm_peer, name="戊")
    Client.objects.filter(pk=a.pk).update(tier=gold, last_visit_on=today() - dt.timedelta(days=70))  # 10 over
    Client.objects.filter(pk=b.pk).update(tier=silver, last_visit_on=today() - dt.timedelta(days=120))  # 30
    Client.objects.filter(pk=c.pk).update(tier=gold, last_visit_on=today() - dt.timedelta(days=10))  # not due
    Client.objects.filter(pk=d.pk).update(tier=silver, last_visit_on=None)  # never: due today
    Client.objects.filter(pk=peer.pk).update(tier=gold, last_visit_on=None)
    resp = client_for(org.users.cm).get(reverse("clients:due"))
    rows = resp.context["rows"]
    assert [(r.name, r.overdue) for r in rows] == [("乙", 30), ("甲", 10), ("丁", 0)]
    lead_rows = client_for(org.users.lead).get(reverse("clients:due")).context["rows"]
    assert {r.name for r in lead_rows} == {"甲", "乙", "丁", "戊"}
