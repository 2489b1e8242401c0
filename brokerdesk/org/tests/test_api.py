"""Organisation API: what users rely on when they (or another system) call /api/.

Every list answers exactly the rows of the scope selector (``access.scope.visible``);
object URLs outside the scope answer 404; writes need the change permission and land only
inside the scope; bad input is a 400 with field errors in the caller's language and saves
nothing; ID numbers and mobiles are masked everywhere except the logged ``sensitive``
action; transfers keep a dated history; pinyin search works and stays inside the scope.
"""

import datetime as dt
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from brokerdesk.access.models import SensitiveAccess
from brokerdesk.access.scope import visible
from brokerdesk.org.models import (
    Branch,
    CooperationAgreement,
    Department,
    Outlet,
    PartnerBank,
    Region,
    Staff,
    StaffAssignment,
    Team,
)
from brokerdesk.org.tests.factories import StaffFactory, make_id_number

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"\d{17}[\dXx]")
FULL_MOBILE = re.compile(r"1\d{10}")

ALL_LOGINS = [
    "cm",
    "cm_peer",
    "cm_b",
    "outsider",
    "rm",
    "lead",
    "manager",
    "trade",
    "accountant",
    "region",
    "channel",
    "hr",
    "vp",
    "sysadmin",
    "norole",
]

LIST_ENDPOINTS = {
    "/api/staff/": Staff,
    "/api/teams/": Team,
    "/api/outlets/": Outlet,
    "/api/banks/": PartnerBank,
    "/api/agreements/": CooperationAgreement,
    "/api/branches/": Branch,
    "/api/regions/": Region,
    "/api/departments/": Department,
}


@pytest.fixture
def api_for():
    """A fresh API client signed in (session) as ``user``; each request loads the user anew,
    as in production, so grants are never carried over from an earlier request."""

    def make(user, lang: str | None = None) -> APIClient:
        c = APIClient()
        if user is not None:
            c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if lang:
            c.defaults["HTTP_ACCEPT_LANGUAGE"] = lang
        return c

    return make


def _all_rows(client: APIClient, url: str, params: dict | None = None) -> list[dict]:
    """Every row of a paginated list, following ``next`` links."""
    rows: list[dict] = []
    resp = client.get(url, params or {})
    while True:
        assert resp.status_code == 200, (url, resp.status_code, resp.content[:300])
        body = resp.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        resp = client.get(body["next"])


def _ids(client: APIClient, url: str, params: dict | None = None) -> list[int]:
    return [row["id"] for row in _all_rows(client, url, params)]


def _staff_payload(org, **overrides) -> dict:
    data = {
        "emp_no": "BJ0999",
        "name": "欧阳娜娜",
        "gender": "F",
        "mobile": "13900001111",
        "id_number": make_id_number(777, area="440301"),
        "employment_type": "full_time",
        "position": "client_manager",
        "level": org.levels[0].pk,
        "status": "active",
        "branch": org.branches.b1.pk,
        "team": org.teams.a.pk,
        "outlet": org.outlets.o1.pk,
        "regional_manager": org.staff.rm.pk,
        "hired_on": "2026-11-02",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


def _counts() -> tuple[int, ...]:
    return (
        Staff.objects.count(),
        StaffAssignment.objects.count(),
        Staff.history.count(),
        Team.objects.count(),
        Outlet.objects.count(),
        CooperationAgreement.objects.count(),
    )


def _messages(body: dict, field: str) -> str:
    return " ".join(str(m) for m in body[field])


# --- 1. Lists answer exactly the scope -------------------------------------------------


@pytest.mark.parametrize("who", ALL_LOGINS)
@pytest.mark.parametrize("url", sorted(LIST_ENDPOINTS))
def test_list_returns_exactly_the_scope(org, api_for, url, who):
    user = getattr(org.users, who)
    ids = _ids(api_for(user), url)
    assert len(ids) == len(set(ids)), "a row was listed twice"
    expected = set(visible(user, LIST_ENDPOINTS[url]).values_list("pk", flat=True))
    assert set(ids) == expected


@pytest.mark.parametrize(
    ("who", "names"),
    [
        ("cm", {"张三"}),
        ("rm", {"钱七", "张三", "孙八"}),
        ("lead", {"赵六", "钱七", "张三", "孙八"}),
        ("manager", {"赵六", "钱七", "张三", "孙八", "李四", "周九"}),
        ("channel", {"赵六", "钱七", "张三", "孙八", "李四", "周九", "王五"}),
        ("sysadmin", set()),
    ],
)
def test_staff_list_names_per_role(org, api_for, who, names):
    """The scope selector itself is pinned down in access/tests/test_scope.py; this spells
    out a few rows so a broken selector cannot make the comparison above vacuous."""
    rows = _all_rows(api_for(getattr(org.users, who)), "/api/staff/")
    assert {r["name"] for r in rows} == names


def test_lists_are_complete_across_pages(org, api_for):
    extra = [StaffFactory(branch=org.branches.b1, name=f"新人{i}") for i in range(55)]
    first_page = api_for(org.users.manager).get("/api/staff/").json()
    assert first_page["next"] and len(first_page["results"]) < first_page["count"]
    manager_ids = _ids(api_for(org.users.manager), "/api/staff/")
    assert len(manager_ids) == 6 + len(extra) > 50  # more than one page
    assert set(manager_ids) == set(visible(org.users.manager, Staff).values_list("pk", flat=True))
    lead_ids = set(_ids(api_for(org.users.lead), "/api/staff/"))
    assert not lead_ids & {s.pk for s in extra}
    assert not set(_ids(api_for(org.users.outsider), "/api/staff/")) & {s.pk for s in extra}


def test_ordering_by_a_masked_field_is_ignored(org, api_for):
    """Sorting by ID number or mobile would let a caller bisect the hidden values."""
    c = api_for(org.users.manager)
    default = _ids(c, "/api/staff/")
    assert _ids(c, "/api/staff/", {"ordering": "-emp_no"}) == default[::-1]  # ordering works at all
    for field in ("id_number", "-id_number", "mobile", "-mobile"):
        assert _ids(c, "/api/staff/", {"ordering": field}) == default, field


def test_filtering_by_an_out_of_scope_record_reveals_nothing(org, api_for):
    c = api_for(org.users.manager)
    resp = c.get("/api/staff/", {"team": org.teams.c.pk})
    assert resp.status_code == 400 and "team" in resp.json()
    resp = c.get("/api/outlets/", {"branch": org.branches.b2.pk})
    assert resp.status_code == 400 and "branch" in resp.json()
    assert _ids(c, "/api/teams/", {"q": "陆家嘴"}) == []


# --- 2. Object URLs outside the scope answer 404 --------------------------------------


def _foreign_urls(org) -> dict[str, str]:
    """Branch 1 records, which the outsider (branch 2) must not reach."""
    return {
        "staff": f"/api/staff/{org.staff.cm.pk}/",
        "team": f"/api/teams/{org.teams.a.pk}/",
        "outlet": f"/api/outlets/{org.outlets.o1.pk}/",
        "agreement": f"/api/agreements/{org.agreements.a1.pk}/",
        "branch": f"/api/branches/{org.branches.b1.pk}/",
        "region": f"/api/regions/{org.regions.r1.pk}/",
        "assignments": f"/api/staff/{org.staff.cm.pk}/assignments/",
        "sensitive": f"/api/staff/{org.staff.cm.pk}/sensitive/",
    }


def test_outsider_gets_404_for_records_of_another_branch(org, api_for, caplog):
    c = api_for(org.users.outsider)
    for name, url in _foreign_urls(org).items():
        resp = c.get(url)
        assert resp.status_code == 404, name
        assert "张三" not in resp.content.decode()
    assert "refused" in caplog.text  # out-of-scope attempts are logged
    # Their own branch's records are fine.
    assert c.get(f"/api/staff/{org.staff.outsider.pk}/").status_code == 200
    assert c.get(f"/api/outlets/{org.outlets.o2.pk}/").status_code == 200
    assert c.get(f"/api/agreements/{org.agreements.a2.pk}/").status_code == 200


def test_branch_manager_gets_404_for_the_other_branch(org, api_for):
    c = api_for(org.users.manager)
    for url in (
        f"/api/staff/{org.staff.outsider.pk}/",
        f"/api/teams/{org.teams.c.pk}/",
        f"/api/outlets/{org.outlets.o2.pk}/",
        f"/api/agreements/{org.agreements.a2.pk}/",
        f"/api/branches/{org.branches.b2.pk}/",
    ):
        assert c.get(url).status_code == 404, url


def test_client_manager_gets_404_on_another_managers_record(org, api_for):
    c = api_for(org.users.cm)
    for other in (org.staff.cm_peer, org.staff.cm_b, org.staff.outsider, org.staff.lead):
        assert c.get(f"/api/staff/{other.pk}/").status_code == 404, other.name
    resp = c.get(f"/api/staff/{org.staff.cm.pk}/")
    assert resp.status_code == 200 and resp.json()["name"] == "张三"


def test_team_lead_gets_404_outside_their_team(org, api_for):
    c = api_for(org.users.lead)
    assert c.get(f"/api/staff/{org.staff.cm.pk}/").status_code == 200
    assert c.get(f"/api/staff/{org.staff.cm_b.pk}/").status_code == 404
    assert c.get(f"/api/teams/{org.teams.b.pk}/").status_code == 404


@pytest.mark.parametrize("pk", ["abc", "0", "99999999", "99999999999999999999"])
def test_nonsense_ids_answer_404_not_500(org, api_for, pk):
    assert api_for(org.users.channel).get(f"/api/staff/{pk}/").status_code == 404


# --- 3. Writes: permission, placement inside the scope, no deletes --------------------


@pytest.mark.parametrize("who", ["cm", "lead", "rm", "accountant", "region", "vp", "sysadmin", "norole"])
def test_roles_without_staff_change_cannot_create_or_edit_staff(org, api_for, who):
    c = api_for(getattr(org.users, who))
    before = _counts()
    assert c.post("/api/staff/", _staff_payload(org), format="json").status_code == 403
    assert c.patch(f"/api/staff/{org.staff.cm.pk}/", {"name": "改名"}, format="json").status_code == 403
    assert c.put(f"/api/staff/{org.staff.cm.pk}/", _staff_payload(org), format="json").status_code == 403
    assert _counts() == before
    org.staff.cm.refresh_from_db()
    assert org.staff.cm.name == "张三"


def test_branch_manager_creates_staff_in_own_branch(org, api_for):
    resp = api_for(org.users.manager).post("/api/staff/", _staff_payload(org), format="json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert "id_number" not in body and "mobile" not in body  # write-only
    staff = Staff.objects.get(pk=body["id"])
    assert (staff.branch, staff.team, staff.name_pinyin) == (org.branches.b1, org.teams.a, "ouyangnana")
    assert staff.history.get().history_user == org.users.manager
    placement = StaffAssignment.objects.get(staff=staff)
    assert (placement.team, placement.starts_on, placement.ends_on) == (
        org.teams.a,
        dt.date(2026, 11, 2),
        None,
    )


def test_branch_manager_edits_staff_in_own_branch(org, api_for):
    resp = api_for(org.users.manager).patch(
        f"/api/staff/{org.staff.cm.pk}/", {"name": "张三丰", "level": org.levels[2].pk}, format="json"
    )
    assert resp.status_code == 200, resp.content
    org.staff.cm.refresh_from_db()
    assert (org.staff.cm.name, org.staff.cm.level, org.staff.cm.name_pinyin) == (
        "张三丰",
        org.levels[2],
        "zhangsanfeng",
    )
    assert org.staff.cm.history.first().history_user == org.users.manager


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"branch": "b2", "team": None, "outlet": None, "regional_manager": None}, "branch"),
        ({"team": "c"}, "team"),
        ({"outlet": "o2"}, "outlet"),
        ({"regional_manager": "outsider"}, "regional_manager"),
    ],
)
def test_branch_manager_cannot_place_staff_in_the_other_branch(org, api_for, overrides, field):
    lookup = {
        "b2": org.branches.b2.pk,
        "c": org.teams.c.pk,
        "o2": org.outlets.o2.pk,
        "outsider": org.staff.outsider.pk,
    }
    data = _staff_payload(org, **{k: lookup.get(v, v) for k, v in overrides.items()})
    before = _counts()
    resp = api_for(org.users.manager, "en").post("/api/staff/", data, format="json")
    assert resp.status_code in (400, 403)
    if resp.status_code == 400:
        assert field in resp.json()
        assert "does not exist" in _messages(resp.json(), field)  # "not found", not "forbidden"
    assert _counts() == before
    assert not Staff.objects.filter(emp_no="BJ0999").exists()


def test_branch_manager_cannot_edit_or_transfer_staff_of_the_other_branch(org, api_for):
    c = api_for(org.users.manager)
    outsider = org.staff.outsider
    assert c.patch(f"/api/staff/{outsider.pk}/", {"name": "改名"}, format="json").status_code == 404
    resp = c.post(
        f"/api/staff/{outsider.pk}/transfer/",
        {"branch": org.branches.b1.pk, "team": org.teams.a.pk, "starts_on": "2026-12-01", "reason": "x"},
        format="json",
    )
    assert resp.status_code == 404
    outsider.refresh_from_db()
    assert (outsider.name, outsider.team) == ("王五", org.teams.c)


def test_company_wide_staff_keeper_still_cannot_mix_branch_and_team(org, api_for):
    """HR sees both branches, so team C is a valid id for them; it must still belong to the
    person's branch."""
    before = _counts()
    resp = api_for(org.users.hr, "en").post(
        "/api/staff/",
        _staff_payload(org, branch=org.branches.b2.pk, outlet=None, regional_manager=None),
        format="json",
    )
    assert resp.status_code == 400
    assert "another branch" in _messages(resp.json(), "team")
    assert _counts() == before


def test_edit_cannot_move_a_person_without_a_transfer(org, api_for):
    resp = api_for(org.users.manager, "en").patch(
        f"/api/staff/{org.staff.cm.pk}/", {"team": org.teams.b.pk}, format="json"
    )
    assert resp.status_code == 400
    assert "transfer" in _messages(resp.json(), "non_field_errors")
    org.staff.cm.refresh_from_db()
    assert org.staff.cm.team == org.teams.a


def test_double_submit_creates_one_record(org, api_for):
    c = api_for(org.users.manager)
    assert c.post("/api/staff/", _staff_payload(org), format="json").status_code == 201
    resp = c.post("/api/staff/", _staff_payload(org), format="json")
    assert resp.status_code == 400 and "emp_no" in resp.json()
    assert Staff.objects.filter(emp_no="BJ0999").count() == 1


@pytest.mark.parametrize("who", ["manager", "channel", "hr"])
def test_no_hard_delete_through_the_api(org, api_for, who):
    c = api_for(getattr(org.users, who))
    urls = {
        f"/api/staff/{org.staff.cm.pk}/": (Staff, org.staff.cm.pk),
        f"/api/teams/{org.teams.a.pk}/": (Team, org.teams.a.pk),
        f"/api/outlets/{org.outlets.o1.pk}/": (Outlet, org.outlets.o1.pk),
        f"/api/agreements/{org.agreements.a1.pk}/": (CooperationAgreement, org.agreements.a1.pk),
        f"/api/banks/{org.bank.pk}/": (PartnerBank, org.bank.pk),
        f"/api/branches/{org.branches.b1.pk}/": (Branch, org.branches.b1.pk),
        f"/api/regions/{org.regions.r1.pk}/": (Region, org.regions.r1.pk),
    }
    for url, (model, pk) in urls.items():
        resp = c.delete(url)
        # 405 when the role could otherwise write there; 403 first when it holds no change
        # permission for this kind of record at all.
        assert resp.status_code in (403, 405), url
        assert model.objects.filter(pk=pk).exists(), url
    if who in ("manager", "hr"):  # they may edit staff, and still cannot delete them
        assert c.delete(f"/api/staff/{org.staff.cm.pk}/").status_code == 405


def test_client_manager_delete_is_refused(org, api_for):
    resp = api_for(org.users.cm).delete(f"/api/staff/{org.staff.cm.pk}/")
    assert resp.status_code in (403, 405)
    assert Staff.objects.filter(pk=org.staff.cm.pk).exists()


def test_team_and_outlet_writes_stay_in_the_branch(org, api_for):
    c = api_for(org.users.manager)
    before = _counts()
    team = {"branch": org.branches.b2.pk, "code": "X1", "name": "越界团队", "founded_on": "2026-01-01"}
    resp = c.post("/api/teams/", team, format="json")
    assert resp.status_code == 400 and "branch" in resp.json()
    assert _counts() == before
    resp = c.post("/api/teams/", {**team, "branch": org.branches.b1.pk}, format="json")
    assert resp.status_code == 201, resp.content
    assert Team.objects.get(code="X1").branch == org.branches.b1
    assert (
        api_for(org.users.lead).post("/api/teams/", {**team, "code": "X2"}, format="json").status_code == 403
    )


def test_only_company_roles_change_the_tree(org, api_for):
    assert api_for(org.users.manager).post("/api/regions/", {"code": "GZ", "name": "广州"}).status_code == 403
    assert api_for(org.users.cm).post("/api/banks/", {"code": "CCB", "name": "建设银行"}).status_code == 403
    assert not Region.objects.filter(code="GZ").exists()
    resp = api_for(org.users.channel).post("/api/regions/", {"code": "GZ", "name": "广州"})
    assert resp.status_code == 201
    assert Region.objects.filter(code="GZ").exists()


# --- 4. Bad input: 400, field errors in the caller's language, nothing saved ----------

BAD_STAFF_INPUT = [
    ("id_number", "110101199001010010", "check digit"),
    ("id_number", "12345", "18 characters"),
    ("id_number", "11010119900101001Y", "18 characters"),
    ("mobile", "1234567", "mobile number"),
    ("mobile", "12812345678", "mobile number"),
    ("emp_no", "BJ0001", "employee number is already in use"),
    ("emp_no", "", "blank"),
]


@pytest.mark.parametrize(("field", "value", "en"), BAD_STAFF_INPUT)
def test_bad_staff_input_is_a_field_error_in_english(org, api_for, field, value, en):
    before = _counts()
    resp = api_for(org.users.manager, "en").post(
        "/api/staff/", _staff_payload(org, **{field: value}), format="json"
    )
    assert resp.status_code == 400
    assert field in resp.json()
    assert en in _messages(resp.json(), field)
    assert _counts() == before


@pytest.mark.parametrize(("field", "value", "en"), BAD_STAFF_INPUT)
def test_bad_staff_input_is_a_field_error_by_default(org, api_for, field, value, en):
    """Chinese is the default; only the field key is asserted here (wording is the
    translators', see test_id_number_checksum_error_is_in_chinese_by_default)."""
    before = _counts()
    resp = api_for(org.users.manager).post(
        "/api/staff/", _staff_payload(org, **{field: value}), format="json"
    )
    assert resp.status_code == 400
    assert field in resp.json()
    assert _counts() == before


def test_duplicate_id_number_is_a_field_error(org, api_for):
    before = _counts()
    resp = api_for(org.users.manager, "en").post(
        "/api/staff/", _staff_payload(org, id_number=org.staff.outsider.id_number), format="json"
    )
    assert resp.status_code == 400
    assert "already exists" in _messages(resp.json(), "id_number")
    # The error names the field, never the other person's record.
    assert "王五" not in resp.content.decode() and "SH0001" not in resp.content.decode()
    assert _counts() == before


def test_id_number_checksum_error_is_in_chinese_by_default(org, api_for):
    resp = api_for(org.users.manager).post(
        "/api/staff/", _staff_payload(org, id_number="110101199001010010"), format="json"
    )
    assert resp.status_code == 400
    assert "校验码" in _messages(resp.json(), "id_number")


def test_bad_edit_changes_nothing(org, api_for):
    cm = org.staff.cm
    resp = api_for(org.users.manager, "en").patch(
        f"/api/staff/{cm.pk}/", {"mobile": "999", "name": "改名"}, format="json"
    )
    assert resp.status_code == 400 and "mobile" in resp.json()
    cm.refresh_from_db()
    assert (cm.name, cm.mobile) == ("张三", "13812345678")
    assert cm.history.count() == 1


def _outlet_payload(org, **overrides) -> dict:
    data = {
        "branch": org.branches.b1.pk,
        "partner_bank": org.bank.pk,
        "name": "新网点",
        "address": "某路1号",
        "opens_at": "08:30",
        "closes_at": "16:30",
        "weekdays": "123456",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


def test_outlet_without_hours_is_refused(org, api_for):
    before = _counts()
    resp = api_for(org.users.manager, "en").post(
        "/api/outlets/", _outlet_payload(org, opens_at=..., closes_at=...), format="json"
    )
    assert resp.status_code == 400
    assert {"opens_at", "closes_at"} <= set(resp.json())
    assert _counts() == before


@pytest.mark.parametrize("lang", ["en", None])
@pytest.mark.parametrize(("opens", "closes"), [("17:00", "09:00"), ("09:00", "09:00")])
def test_outlet_closing_before_opening_is_a_field_error(org, api_for, lang, opens, closes):
    before = _counts()
    resp = api_for(org.users.manager, lang).post(
        "/api/outlets/", _outlet_payload(org, opens_at=opens, closes_at=closes), format="json"
    )
    assert resp.status_code == 400
    assert "closes_at" in resp.json()
    if lang == "en":
        assert "after opening time" in _messages(resp.json(), "closes_at")
    assert _counts() == before


def test_outlet_patch_to_bad_hours_changes_nothing(org, api_for):
    o1 = org.outlets.o1
    resp = api_for(org.users.manager).patch(f"/api/outlets/{o1.pk}/", {"closes_at": "08:00"}, format="json")
    assert resp.status_code == 400 and "closes_at" in resp.json()
    o1.refresh_from_db()
    assert o1.closes_at == dt.time(17, 0)


def test_outlet_with_good_hours_is_created(org, api_for):
    resp = api_for(org.users.manager).post("/api/outlets/", _outlet_payload(org), format="json")
    assert resp.status_code == 201, resp.content
    outlet = Outlet.objects.get(name="新网点")
    assert (outlet.opens_at, outlet.closes_at, outlet.weekdays) == (dt.time(8, 30), dt.time(16, 30), "123456")


def test_outlet_bad_weekdays_is_a_field_error(org, api_for):
    resp = api_for(org.users.manager).post(
        "/api/outlets/", _outlet_payload(org, weekdays="89"), format="json"
    )
    assert resp.status_code == 400 and "weekdays" in resp.json()
    assert not Outlet.objects.filter(name="新网点").exists()


def test_agreement_ending_before_it_starts_is_a_field_error(org, api_for):
    before = _counts()
    resp = api_for(org.users.manager, "en").post(
        "/api/agreements/",
        {
            "bank": org.bank.pk,
            "branch": org.branches.b1.pk,
            "year": 2027,
            "title": "2027协议",
            "starts_on": "2027-02-01",
            "ends_on": "2027-01-01",
        },
        format="json",
    )
    assert resp.status_code == 400
    assert "start date" in _messages(resp.json(), "ends_on")
    assert _counts() == before


def test_agreement_with_outlets_of_another_branch_is_refused(org, api_for):
    resp = api_for(org.users.channel, "en").post(
        "/api/agreements/",
        {
            "bank": org.bank.pk,
            "branch": org.branches.b1.pk,
            "year": 2027,
            "title": "2027协议",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "outlets": [org.outlets.o2.pk],
        },
        format="json",
    )
    assert resp.status_code == 400 and "outlets" in resp.json()
    assert not CooperationAgreement.objects.filter(year=2027).exists()


def test_leaving_before_hire_is_an_error_on_the_leaving_date(org, api_for):
    resp = api_for(org.users.manager).post(
        "/api/staff/",
        _staff_payload(org, status="left", hired_on="2026-11-02", left_on="2026-01-01"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert resp.status_code == 400
    assert "before the hire date" in " ".join(resp.json()["left_on"])
    assert not Staff.objects.filter(emp_no="BJ0999").exists()


def test_record_wide_errors_use_the_api_key_not_djangos(org, api_for):
    """A refusal that belongs to no single field comes back under DRF's non_field_errors."""
    cm = org.staff.cm
    resp = api_for(org.users.manager).patch(f"/api/staff/{cm.pk}/", {"team": org.teams.b.pk}, format="json")
    assert resp.status_code == 400
    assert "non_field_errors" in resp.json() and "__all__" not in resp.json()
    cm.refresh_from_db()
    assert cm.team == org.teams.a


# --- 5. Masking and the logged full view ----------------------------------------------


def _staff_responses(c: APIClient, org) -> list[str]:
    bodies = []
    rows = _all_rows(c, "/api/staff/")
    bodies.append(c.get("/api/staff/").content.decode())
    bodies.append(c.get("/api/staff/", {"q": "zs"}).content.decode())
    for row in rows:
        bodies.append(c.get(f"/api/staff/{row['id']}/").content.decode())
        bodies.append(c.get(f"/api/staff/{row['id']}/assignments/").content.decode())
    bodies.append(c.get(f"/api/teams/{org.teams.a.pk}/").content.decode())
    bodies.append(c.get("/api/me/").content.decode())
    return bodies


@pytest.mark.parametrize("who", ALL_LOGINS)
def test_staff_api_never_shows_a_full_id_number_or_mobile(org, api_for, who):
    c = api_for(getattr(org.users, who))
    for body in _staff_responses(c, org):
        assert not FULL_ID.search(body), body[:300]
        assert not FULL_MOBILE.search(body), body[:300]
    for row in _all_rows(c, "/api/staff/"):
        assert "id_number" not in row and "mobile" not in row
        assert re.fullmatch(r"\d{4}\*{10}[\dX]{4}", row["id_number_masked"])
        assert re.fullmatch(r"1\d{2}\*{4}\d{4}", row["mobile_masked"])


def test_write_responses_are_masked_too(org, api_for):
    c = api_for(org.users.manager)
    created = c.post("/api/staff/", _staff_payload(org), format="json")
    edited = c.patch(f"/api/staff/{org.staff.cm.pk}/", {"name": "张三"}, format="json")
    moved = c.post(
        f"/api/staff/{org.staff.cm.pk}/transfer/",
        {"branch": org.branches.b1.pk, "team": org.teams.b.pk, "starts_on": "2026-12-01", "reason": "调整"},
        format="json",
    )
    for resp in (created, edited, moved):
        assert resp.status_code in (200, 201), resp.content
        body = resp.content.decode()
        assert not FULL_ID.search(body) and not FULL_MOBILE.search(body), body


@pytest.mark.parametrize("who", ["manager", "trade", "hr"])
def test_sensitive_action_reveals_and_logs_each_call(org, api_for, who):
    user = getattr(org.users, who)
    cm = org.staff.cm
    c = api_for(user)
    for call in (1, 2):
        resp = c.get(f"/api/staff/{cm.pk}/sensitive/")
        assert resp.status_code == 200
        assert resp.json() == {"id_number": cm.id_number, "mobile": "13812345678"}
        # One audit row per field revealed, on every call (no de-duplication).
        rows = SensitiveAccess.objects.filter(user=user)
        assert rows.count() == 2 * call
    assert set(rows.values_list("model", "object_id", "field", "channel")) == {
        ("org.Staff", str(cm.pk), "id_number", "api"),
        ("org.Staff", str(cm.pk), "mobile", "api"),
    }
    assert SensitiveAccess.objects.count() == 4  # nobody else's row


def test_person_sees_their_own_values_and_it_is_logged(org, api_for):
    resp = api_for(org.users.cm).get(f"/api/staff/{org.staff.cm.pk}/sensitive/")
    assert resp.status_code == 200
    assert resp.json()["mobile"] == "13812345678"
    assert resp.json()["id_number"] == org.staff.cm.id_number
    assert SensitiveAccess.objects.filter(user=org.users.cm).count() == 2


@pytest.mark.parametrize("who", ["lead", "rm", "accountant", "region", "channel", "vp"])
def test_roles_that_see_the_record_but_not_in_full_get_403_and_no_log(org, api_for, who):
    resp = api_for(getattr(org.users, who)).get(f"/api/staff/{org.staff.cm.pk}/sensitive/")
    assert resp.status_code == 403
    assert "13812345678" not in resp.content.decode()
    assert not SensitiveAccess.objects.exists()


@pytest.mark.parametrize(
    ("who", "target"),
    [("cm", "cm_peer"), ("cm", "cm_b"), ("cm", "lead"), ("manager", "outsider"), ("lead", "cm_b")],
)
def test_sensitive_action_outside_scope_is_404_and_no_log(org, api_for, who, target):
    """A client manager's scope is themself: another person's record does not exist for
    them, so the answer is 404 (as for the detail URL), never the values."""
    person = getattr(org.staff, target)
    resp = api_for(getattr(org.users, who)).get(f"/api/staff/{person.pk}/sensitive/")
    assert resp.status_code == 404
    assert person.mobile not in resp.content.decode()
    assert not SensitiveAccess.objects.exists()


def test_sensitive_action_is_read_only(org, api_for):
    resp = api_for(org.users.manager).post(f"/api/staff/{org.staff.cm.pk}/sensitive/")
    assert resp.status_code == 405
    assert not SensitiveAccess.objects.exists()


# --- 6. Transfers ---------------------------------------------------------------------


def _transfer(org, **overrides) -> dict:
    data = {
        "branch": org.branches.b1.pk,
        "team": org.teams.b.pk,
        "outlet": org.outlets.o1b.pk,
        "starts_on": "2026-12-01",
        "reason": "调整网点",
    }
    data.update(overrides)
    return data


def test_transfer_closes_the_old_period_and_opens_a_new_one(org, api_for):
    c = api_for(org.users.manager)
    cm = org.staff.cm
    resp = c.post(f"/api/staff/{cm.pk}/transfer/", _transfer(org), format="json")
    assert resp.status_code == 200, resp.content
    assert (resp.json()["team"], resp.json()["outlet"]) == (org.teams.b.pk, org.outlets.o1b.pk)
    cm.refresh_from_db()
    assert (cm.team, cm.outlet) == (org.teams.b, org.outlets.o1b)

    resp = c.get(f"/api/staff/{cm.pk}/assignments/")
    assert resp.status_code == 200
    periods = sorted(resp.json(), key=lambda p: p["starts_on"])
    assert [(p["team"], p["starts_on"], p["ends_on"]) for p in periods] == [
        (org.teams.a.pk, "2025-03-01", "2026-11-30"),  # closed the day before
        (org.teams.b.pk, "2026-12-01", None),
    ]
    assert periods[1]["reason"] == "调整网点"
    assert periods[1]["outlet"] == org.outlets.o1b.pk


def test_scope_follows_the_transfer(org, api_for):
    cm = org.staff.cm
    assert (
        api_for(org.users.manager)
        .post(f"/api/staff/{cm.pk}/transfer/", _transfer(org), format="json")
        .status_code
        == 200
    )
    lead = api_for(org.users.lead)  # leads team A; 张三 is now in team B
    assert cm.pk not in _ids(lead, "/api/staff/")
    assert lead.get(f"/api/staff/{cm.pk}/").status_code == 404
    me = api_for(org.users.cm).get("/api/me/").json()
    assert me["roles"][0]["team"] == org.teams.b.pk


@pytest.mark.parametrize("who", ["lead", "cm", "rm", "region"])
def test_transfer_without_staff_change_is_403(org, api_for, who):
    cm = org.staff.cm
    resp = api_for(getattr(org.users, who)).post(
        f"/api/staff/{cm.pk}/transfer/", _transfer(org), format="json"
    )
    assert resp.status_code == 403
    cm.refresh_from_db()
    assert cm.team == org.teams.a
    assert StaffAssignment.objects.filter(staff=cm).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"team": "c"}, "team"),
        ({"branch": "b2", "team": None, "outlet": None}, "branch"),
        ({"starts_on": "2020-01-01"}, "starts_on"),
        ({"starts_on": "not-a-date"}, "starts_on"),
        ({"reason": ""}, "reason"),
    ],
)
def test_bad_transfer_is_a_field_error_and_changes_nothing(org, api_for, overrides, field):
    lookup = {"c": org.teams.c.pk, "b2": org.branches.b2.pk}
    data = _transfer(org, **{k: lookup.get(v, v) for k, v in overrides.items()})
    cm = org.staff.cm
    resp = api_for(org.users.manager).post(f"/api/staff/{cm.pk}/transfer/", data, format="json")
    assert resp.status_code == 400
    assert field in resp.json()
    cm.refresh_from_db()
    assert (cm.branch, cm.team) == (org.branches.b1, org.teams.a)
    assert list(StaffAssignment.objects.filter(staff=cm).values_list("ends_on", flat=True)) == [None]


# --- 8. OpenAPI schema and docs -------------------------------------------------------


def test_schema_is_openapi_3_and_lists_the_staff_endpoints(org, api_for):
    resp = api_for(None).get("/api/schema/", {"format": "json"})
    assert resp.status_code == 200
    schema = resp.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/staff/",
        "/api/staff/{id}/",
        "/api/staff/{id}/sensitive/",
        "/api/staff/{id}/transfer/",
    ):
        assert path in schema["paths"], path
    assert "post" in schema["paths"]["/api/staff/"]
    # No hard deletes anywhere, so the schema documents none.
    assert not [p for p, ops in schema["paths"].items() if "delete" in ops]
    # Masked fields are documented as such; the full values are write-only.
    staff = schema["components"]["schemas"]["Staff"]["properties"]
    assert "id_number_masked" in staff and "id_number" not in staff


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def test_docs_page_loads_nothing_from_outside_the_site(org, api_for):
    c = api_for(org.users.cm)
    resp = c.get("/api/docs/")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("text/html")
    html = resp.content.decode()
    parser = _Links()
    parser.feed(html)
    assert parser.urls, "expected the Swagger UI assets to be referenced"
    for url in parser.urls:
        parts = urlsplit(url)
        assert parts.scheme in ("", "http", "https") and parts.netloc in ("", "testserver"), url
        if not url.startswith("#"):
            assert c.get(parts.path).status_code == 200, url  # served by this site
    # Nor does any script fetch from another host.
    for url in re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", html):
        assert urlsplit(url).netloc in ("", "testserver"), url
    assert "/api/schema/" in html


# --- 9. Search by name, 工号 and pinyin ------------------------------------------------


@pytest.mark.parametrize("query", ["zs", "zsan", "zhangsan", "ZS", "zhangs", "张三", "BJ0001", "bj00"])
def test_staff_search_finds_zhang_san_for_the_lead(org, api_for, query):
    rows = _all_rows(api_for(org.users.lead), "/api/staff/", {"q": query})
    assert [r["id"] for r in rows] == [org.staff.cm.pk]


def test_staff_search_stays_inside_the_scope(org, api_for):
    assert _all_rows(api_for(org.users.outsider), "/api/staff/", {"q": "zs"}) == []
    assert _all_rows(api_for(org.users.outsider), "/api/staff/", {"q": "BJ0001"}) == []
    assert _all_rows(api_for(org.users.lead), "/api/staff/", {"q": "ls"}) == []  # 李四 is in team B
    assert [r["name"] for r in _all_rows(api_for(org.users.manager), "/api/staff/", {"q": "ls"})] == ["李四"]
    assert _all_rows(api_for(org.users.manager), "/api/staff/", {"q": "SH0001"}) == []


def test_search_without_a_match_is_empty_not_everything(org, api_for):
    assert _all_rows(api_for(org.users.channel), "/api/staff/", {"q": "qqqq"}) == []
    assert len(_all_rows(api_for(org.users.channel), "/api/staff/", {"q": ""})) == 7
