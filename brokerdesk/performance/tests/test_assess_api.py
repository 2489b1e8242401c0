"""The assessments API: the same scopes, refusals and results as the pages."""

import datetime as dt
from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from brokerdesk.performance import services_assess as services
from brokerdesk.performance.models import Assessment, AssessmentPolicy, DutyItem, DutyScore, LevelChange
from brokerdesk.performance.tests.factories_assess import (
    Q1,
    approved_plan,
    import_months,
    make_stat,
    monthly,
    share,
)

pytestmark = pytest.mark.django_db
JAN = dt.date(2026, 1, 1)
BASE = "/api/performance/assessments/"


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def month(org):
    import_months(org.branches.b1, JAN, 1, org.users.accountant)
    services.assess_period(actor=org.users.manager, branch=org.branches.b1, period="month", starts_on=JAN)
    monthly(org.staff.outsider, JAN, "70", status=Assessment.Status.DRAFT)
    return {a.staff.name: a for a in Assessment.objects.select_related("staff")}


def _names(resp):
    return {row["staff_name"] for row in resp.json()["results"]}


def test_lists_in_scope(org, month):
    assert _names(api(org.users.manager).get(BASE)) == {"张三", "孙八", "钱七", "李四"}
    assert _names(api(org.users.lead).get(BASE)) == {"张三", "孙八", "钱七"}
    assert _names(api(org.users.cm).get(BASE)) == {"张三"}
    assert _names(api(org.users.outsider).get(BASE)) == {"王五"}
    assert _names(api(org.users.manager).get(BASE, {"team": org.teams.b.pk})) == {"李四"}


def test_detail_outside_scope_is_not_found(org, month):
    url = f"{BASE}{month['张三'].pk}/"
    assert api(org.users.outsider).get(url).status_code == 404
    assert api(org.users.cm_peer).get(url).status_code == 404
    body = api(org.users.cm).get(url).json()
    assert body["period"] == "month" and body["level_change"] is None
    assert {row["item_code"] for row in body["duty_scores"]} >= {"worklogs", "attendance", "followups"}


def test_generate(org):
    import_months(org.branches.b1, JAN, 1, org.users.accountant)
    payload = {"branch": org.branches.b1.pk, "period": "month", "starts_on": "2026-01-20"}
    assert api(org.users.cm).post(BASE + "generate/", payload, format="json").status_code == 403
    future = {**payload, "starts_on": "2099-01-01"}
    resp = api(org.users.manager).post(BASE + "generate/", future, format="json")
    assert resp.status_code == 400 and "starts_on" in resp.json()
    resp = api(org.users.manager).post(BASE + "generate/", {**payload, "period": "week"}, format="json")
    assert resp.status_code == 400 and "period" in resp.json()
    assert not Assessment.objects.exists()
    resp = api(org.users.manager).post(BASE + "generate/", payload, format="json")
    assert resp.status_code == 200
    assert resp.json() | {"created": 4, "starts_on": "2026-01-01", "ends_on": "2026-01-31"} == resp.json()


def test_score_and_confirm(org, month):
    a = month["张三"]
    url = f"{BASE}{a.pk}/"
    for bad in ("100.5", "-0.01", "abc"):
        resp = api(org.users.lead).post(url + "score/", {"score": bad, "comment": "x"}, format="json")
        assert resp.status_code == 400 and "score" in resp.json()
    assert not DutyScore.objects.filter(assessment=a, item__code="lead").exists()
    assert api(org.users.cm).post(url + "score/", {"score": "100"}, format="json").status_code == 403
    resp = api(org.users.lead).post(url + "score/", {"score": "92", "comment": "认真"}, format="json")
    assert resp.status_code == 200 and resp.json()["lead_comment"] == "认真"
    lead = DutyItem.objects.get(code="lead")
    resp = api(org.users.lead).post(url + "score/", {"item": lead.pk, "score": "93"}, format="json")
    assert resp.status_code == 200
    assert DutyScore.objects.get(assessment=a, item=lead).score == D("93.00")

    assert api(org.users.lead).post(url + "confirm/").status_code == 403
    resp = api(org.users.manager).post(url + "confirm/")
    assert resp.status_code == 200 and resp.json()["status"] == "confirmed"
    again = api(org.users.manager).post(url + "confirm/")
    assert again.status_code == 400 and "status" in again.json()
    late = api(org.users.lead).post(url + "score/", {"score": "10"}, format="json")
    assert late.status_code == 400
    assert DutyScore.objects.get(assessment=a, item=lead).score == D("93.00")


def test_confirming_without_the_leads_mark_says_so(org, month):
    resp = api(org.users.manager).post(f"{BASE}{month['李四'].pk}/confirm/")
    assert resp.status_code == 400 and "score" in resp.json()
    assert Assessment.objects.get(pk=month["李四"].pk).status == "draft"


def test_a_quarter_confirmed_over_the_api_shows_its_level_change(org):
    imports = import_months(org.branches.b1, Q1, 3, org.users.accountant)
    plan = approved_plan(org.teams.a, org.users.lead)
    for m in (1, 2, 3):
        share(plan, org.staff.cm, m, new_accounts=1, net_revenue="0", asset_growth="0")
    for imp in imports:
        make_stat(imp, org.staff.cm, new_accounts=2)
    AssessmentPolicy.objects.update(promote_from=D(50), demote_below=D(30))
    payload = {
        "branch": org.branches.b1.pk,
        "period": "quarter",
        "starts_on": "2026-02-01",
        "team": org.teams.a.pk,
    }
    assert api(org.users.lead).post(BASE + "generate/", payload, format="json").status_code == 200
    a = Assessment.objects.get(staff=org.staff.cm, period="quarter")
    api(org.users.lead).post(f"{BASE}{a.pk}/score/", {"score": "75"}, format="json")
    body = api(org.users.manager).post(f"{BASE}{a.pk}/confirm/").json()
    assert body["outcome"] == "up"
    assert (
        body["level_change"]["level_name"] == "中级"
        and body["level_change"]["effective_from"] == "2026-04-01"
    )
    changes = api(org.users.lead).get("/api/performance/level-changes/", {"staff": org.staff.cm.pk}).json()
    assert [c["reason"] for c in changes["results"]] == ["quarterly", "hired"]
    assert api(org.users.outsider).get("/api/performance/level-changes/").json()["results"] == []
    assert (
        api(org.users.cm_peer)
        .get(f"/api/performance/level-changes/{changes['results'][0]['id']}/")
        .status_code
        == 404
    )
    assert LevelChange.objects.count() == 2


def test_confirm_a_period(org, month):
    for name in ("张三", "孙八"):
        services.assessment_score_lead(actor=org.users.lead, assessment=month[name], score="80")
    payload = {"branch": org.branches.b1.pk, "period": "month", "starts_on": "2026-01-01"}
    assert api(org.users.lead).post(BASE + "confirm-period/", payload, format="json").status_code == 403
    assert (
        api(org.users.manager)
        .post(BASE + "confirm-period/", {**payload, "branch": org.branches.b2.pk}, format="json")
        .status_code
        == 403
    )
    body = api(org.users.manager).post(BASE + "confirm-period/", payload, format="json").json()
    assert sorted(body["confirmed"]) == sorted([month["张三"].pk, month["孙八"].pk])
    assert {r["staff_name"] for r in body["refused"]} == {"钱七", "李四"} and body["level_changes"] == []
