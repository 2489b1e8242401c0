"""Planning over the API: the same scopes and refusals as the pages, and 400s with field
errors for bad input."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from brokerdesk.access.roles import Role
from brokerdesk.approvals.models import Request
from brokerdesk.org.tests.factories import login
from brokerdesk.planning import services
from brokerdesk.planning.models import (
    METRICS,
    AnnualPlan,
    CorrectiveAction,
    MonthlyActual,
    PlanStatus,
    TargetShare,
)
from brokerdesk.planning.tests.helpers import act, even_rows, make_plan

pytestmark = pytest.mark.django_db

PLANS = "/api/planning/plans/"


@pytest.fixture
def org(flow_people):
    flow_people.users.lead_b = login("lead_b", Role.TEAM_LEAD, team=flow_people.teams.b)
    return flow_people


@pytest.fixture
def api():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def draft(org):
    return make_plan(org, year=2027)


def payload(org, **overrides) -> dict:
    data = {
        "team": org.teams.a.pk,
        "year": 2027,
        "split_by": "quarter",
        "target_new_accounts": 40,
        "target_asset_growth": "4000000.00",
        "target_net_revenue": "800000.00",
        "target_product_sales": "1200000.00",
        "marketing_plan": "驻点营销",
    }
    data.update(overrides)
    return data


def share_payload(plan, people) -> list[dict]:
    return [{**row, **{m: str(row[m]) for m in METRICS}} for row in even_rows(plan, people)]


def state(plan) -> tuple:
    plan = AnnualPlan.objects.get(pk=plan.pk)
    return (
        plan.status,
        plan.approval_id,
        plan.marketing_plan,
        *[plan.target(m) for m in METRICS],
        TargetShare.objects.filter(plan=plan).count(),
    )


# --- plans -------------------------------------------------------------------------------


def test_plan_list_and_detail_follow_the_scope(org, draft, api):
    def listed(user):
        return [p["id"] for p in api(user).get(PLANS).json()["results"]]

    for user in (org.users.lead, org.users.cm, org.users.manager, org.users.channel, org.users.vp):
        assert listed(user) == [draft.pk], user.username
        assert api(user).get(f"{PLANS}{draft.pk}/").status_code == 200
    for user in (org.users.lead_b, org.users.cm_b, org.users.outsider, org.users.sysadmin):
        assert listed(user) == [], user.username
        assert api(user).get(f"{PLANS}{draft.pk}/").status_code == 404
    assert APIClient().get(PLANS).status_code in (401, 403)
    body = api(org.users.lead).get(f"{PLANS}{draft.pk}/").json()
    assert (body["team"], body["status"], body["target_net_revenue"]) == (
        org.teams.a.pk,
        "draft",
        "800000.00",
    )
    assert [p["id"] for p in api(org.users.channel).get(PLANS, {"year": 2026}).json()["results"]] == []


def test_lead_creates_and_edits_a_draft(org, api):
    c = api(org.users.lead)
    resp = c.post(PLANS, payload(org), format="json")
    assert resp.status_code == 201, resp.json()
    plan = AnnualPlan.objects.get(pk=resp.json()["id"])
    assert (plan.team, plan.status, plan.version, plan.created_by) == (
        org.teams.a,
        PlanStatus.DRAFT,
        1,
        org.users.lead,
    )
    resp = c.patch(f"{PLANS}{plan.pk}/", {"target_new_accounts": 45, "team": org.teams.b.pk}, format="json")
    assert resp.status_code == 400 and "team" in resp.json()  # not a team of theirs
    resp = c.patch(f"{PLANS}{plan.pk}/", {"year": 2030}, format="json")
    assert resp.status_code == 200
    plan.refresh_from_db()
    assert (plan.team, plan.year, plan.target_new_accounts) == (org.teams.a, 2027, 40)  # never move
    resp = c.patch(f"{PLANS}{plan.pk}/", {"target_new_accounts": 45}, format="json")
    assert resp.status_code == 200
    assert AnnualPlan.objects.get(pk=plan.pk).target_new_accounts == 45


@pytest.mark.parametrize(
    "field, value",
    [
        ("target_net_revenue", "-1.00"),
        ("target_asset_growth", "-0.01"),
        ("target_new_accounts", -3),
        ("target_product_sales", "abc"),
        ("marketing_plan", ""),
        ("split_by", "week"),
    ],
)
def test_bad_plan_input_is_a_400_on_the_field(org, api, field, value):
    resp = api(org.users.lead).post(PLANS, payload(org, **{field: value}), format="json")
    assert resp.status_code == 400
    assert list(resp.json()) == [field]
    assert not AnnualPlan.objects.exists()


def test_plan_for_a_team_outside_the_scope_is_a_400_on_team(org, api):
    for user, team in [
        (org.users.lead, org.teams.b),
        (org.users.lead, org.teams.c),
        (org.users.manager, org.teams.c),
        (org.users.lead_b, org.teams.a),
    ]:
        resp = api(user).post(PLANS, payload(org, team=team.pk), format="json")
        assert resp.status_code == 400, user.username
        assert "team" in resp.json()
    assert not AnnualPlan.objects.exists()


def test_a_second_plan_for_the_team_and_year_is_a_400_on_year(org, draft, api):
    resp = api(org.users.lead).post(PLANS, payload(org), format="json")
    assert resp.status_code == 400 and "year" in resp.json()
    assert AnnualPlan.objects.count() == 1


def test_people_without_the_right_cannot_change_a_plan(org, draft, api):
    before = state(draft)
    url = f"{PLANS}{draft.pk}/"
    change = {"marketing_plan": "改掉"}
    for user in (org.users.cm, org.users.vp, org.users.channel, org.users.office):
        c = api(user)
        assert c.patch(url, change, format="json").status_code == 403, user.username
        assert c.post(PLANS, payload(org, year=2028), format="json").status_code == 403
        assert c.post(f"{url}submit/").status_code == 403
    for user in (org.users.lead_b,):  # may plan, but not this team
        c = api(user)
        assert c.patch(url, change, format="json").status_code == 404
        assert c.put(url, payload(org, **change), format="json").status_code == 404
        assert c.post(f"{url}submit/").status_code == 404
        assert c.post(f"{url}revise/").status_code == 404
    assert api(org.users.lead).delete(url).status_code == 405
    assert state(draft) == before
    assert AnnualPlan.objects.count() == 1


def test_submit_then_no_edit_no_second_submit(org, draft, api):
    c = api(org.users.lead)
    resp = c.post(f"{PLANS}{draft.pk}/submit/")
    assert resp.status_code == 200 and resp.json()["status"] == "in_approval"
    before = state(draft)
    resp = c.patch(f"{PLANS}{draft.pk}/", {"marketing_plan": "偷偷改"}, format="json")
    assert resp.status_code == 400 and "non_field_errors" in resp.json()
    resp = c.post(f"{PLANS}{draft.pk}/submit/")
    assert resp.status_code == 400
    assert state(draft) == before
    assert Request.objects.count() == 1


def test_approved_plan_cannot_be_resubmitted_only_revised(org, approved_plan, api):
    c = api(org.users.lead)
    before = state(approved_plan)
    assert c.post(f"{PLANS}{approved_plan.pk}/submit/").status_code == 400
    assert (
        c.patch(f"{PLANS}{approved_plan.pk}/", {"target_new_accounts": 1}, format="json").status_code == 400
    )
    resp = c.post(f"/api/approvals/requests/{approved_plan.approval_id}/resubmit/")
    assert resp.status_code == 400
    assert state(approved_plan) == before
    resp = c.post(f"{PLANS}{approved_plan.pk}/revise/")
    assert resp.status_code == 201
    assert (resp.json()["version"], resp.json()["supersedes"], resp.json()["status"]) == (
        2,
        approved_plan.pk,
        "draft",
    )
    assert c.post(f"{PLANS}{approved_plan.pk}/revise/").status_code == 400  # one revision at a time
    assert c.post(f"{PLANS}{resp.json()['id']}/revise/").status_code == 400  # a draft is edited instead


def test_a_returned_plan_is_not_submitted_again_through_the_plan(org, draft, api):
    draft = services.plan_submit(actor=org.users.lead, plan=draft)
    act(org.users.office, draft, decision="return", opinion="补充")
    c = api(org.users.lead)
    assert c.patch(f"{PLANS}{draft.pk}/", {"marketing_plan": "补充后"}, format="json").status_code == 200
    assert c.post(f"{PLANS}{draft.pk}/submit/").status_code == 400
    assert Request.objects.count() == 1
    assert AnnualPlan.objects.get(pk=draft.pk).status == PlanStatus.RETURNED


# --- decomposition -----------------------------------------------------------------------


def test_shares_put_must_add_up_and_get_returns_them(org, approved_plan, api):
    people = list(services.share_candidates(approved_plan))
    url = f"{PLANS}{approved_plan.pk}/shares/"
    c = api(org.users.lead)
    assert c.get(url).json() == []
    rows = share_payload(approved_plan, people)
    rows[0]["net_revenue"] = "200000.01"
    resp = c.put(url, rows, format="json")
    assert resp.status_code == 400
    body = resp.json()
    assert list(body) == ["net_revenue"] and "0.01" in body["net_revenue"][0]
    assert not TargetShare.objects.exists()
    resp = c.put(url, share_payload(approved_plan, people), format="json")
    assert resp.status_code == 200
    assert sum(r["new_accounts"] for r in resp.json()) == 40
    got = c.get(url).json()
    assert len(got) == 4 and {r["staff"] for r in got} == {people[0].pk}
    assert sum(Decimal(r["net_revenue"]) for r in got) == Decimal("800000.00")


def test_shares_put_refuses_negatives_strangers_and_unknown_people(org, approved_plan, api):
    people = list(services.share_candidates(approved_plan))
    url = f"{PLANS}{approved_plan.pk}/shares/"
    c = api(org.users.lead)
    rows = share_payload(approved_plan, people)
    rows[1]["asset_growth"] = "-5"
    resp = c.put(url, rows, format="json")
    assert resp.status_code == 400 and "asset_growth" in resp.json()[1]
    resp = c.put(url, [*share_payload(approved_plan, people), {"staff": 999999, "period": 1}], format="json")
    assert resp.status_code == 400 and "staff" in resp.json()[-1]
    stranger = {"staff": org.staff.cm_b.pk, "period": 1, "new_accounts": 0}
    resp = c.put(url, [*share_payload(approved_plan, people), stranger], format="json")
    assert resp.status_code == 400 and "non_field_errors" in resp.json()
    resp = c.put(url, [*share_payload(approved_plan, people)[:-1], {**rows[0], "period": 5}], format="json")
    assert resp.status_code == 400
    assert c.put(url, {"not": "a list"}, format="json").status_code == 400
    assert not TargetShare.objects.exists()


def test_shares_of_another_team_cannot_be_seen_or_changed(org, approved_plan, api):
    people = list(services.share_candidates(approved_plan))
    services.shares_save(actor=org.users.lead, plan=approved_plan, rows=even_rows(approved_plan, people))
    before = list(TargetShare.objects.values_list("staff_id", "period", *METRICS))
    url = f"{PLANS}{approved_plan.pk}/shares/"
    for user in (org.users.lead_b, org.users.cm_b, org.users.outsider):
        assert api(user).get(url).status_code == 404, user.username
        assert api(user).put(url, share_payload(approved_plan, people), format="json").status_code in (
            403,
            404,
        )
    assert api(org.users.cm).put(url, [], format="json").status_code == 403
    # A client manager of the team sees their own targets only.
    assert {r["staff"] for r in api(org.users.cm_peer).get(url).json()} == set()
    assert {r["staff"] for r in api(org.users.cm).get(url).json()} == {org.staff.cm.pk}
    assert list(TargetShare.objects.values_list("staff_id", "period", *METRICS)) == before


def test_shares_of_a_draft_are_refused(org, draft, api):
    resp = api(org.users.lead).put(f"{PLANS}{draft.pk}/shares/", [], format="json")
    assert resp.status_code == 400


# --- actuals -------------------------------------------------------------------------------


BATCH = "/api/planning/actuals/batch/"


def test_actuals_batch_writes_a_month_in_scope(org, api):
    resp = api(org.users.lead).post(
        BATCH,
        {
            "month": "2026-03-15",
            "rows": [
                {"staff": org.staff.cm.pk, "new_accounts": 3, "net_revenue": "1000.5"},
                {"staff": org.staff.cm_peer.pk, "asset_growth": 20000},
            ],
        },
        format="json",
    )
    assert resp.status_code == 200 and resp.json() == {"saved": 2}
    got = MonthlyActual.objects.get(staff=org.staff.cm)
    assert (got.month, got.new_accounts, got.net_revenue) == (dt.date(2026, 3, 1), 3, Decimal("1000.50"))
    listed = api(org.users.cm).get("/api/planning/actuals/").json()["results"]
    assert [r["staff"] for r in listed] == [org.staff.cm.pk]
    assert api(org.users.outsider).get("/api/planning/actuals/").json()["results"] == []


def test_actuals_batch_lists_every_bad_row_and_writes_nothing(org, api):
    resp = api(org.users.lead).post(
        BATCH,
        {
            "month": "2026-03-01",
            "rows": [
                {"staff": org.staff.cm.pk, "new_accounts": 3},
                {"staff": org.staff.cm_peer.pk, "new_accounts": "x"},
                {"staff": org.staff.outsider.pk, "new_accounts": 1},
                {"staff": org.staff.cm_b.pk, "new_accounts": 1},
                {"staff": org.staff.rm.pk, "net_revenue": "-1"},
            ],
        },
        format="json",
    )
    assert resp.status_code == 400
    errors = resp.json()["non_field_errors"]
    assert len(errors) == 4
    assert [e.split("，")[0].split("：")[0] for e in errors] == ["第 2 行", "第 3 行", "第 4 行", "第 5 行"]
    assert not MonthlyActual.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"month": "2026-13", "rows": [{"staff": 1}]}, "month"),
        ({"month": "2026-03-01", "rows": []}, "rows"),
        ({"month": "2026-03-01", "rows": "x"}, "rows"),
        ({"rows": [{"staff": 1}]}, "month"),
    ],
)
def test_actuals_batch_bad_shape_is_a_400_on_the_field(org, api, body, field):
    resp = api(org.users.lead).post(BATCH, body, format="json")
    assert resp.status_code == 400 and field in resp.json()
    assert not MonthlyActual.objects.exists()


def test_actuals_batch_by_someone_who_does_not_enter_figures_writes_nothing(org, api):
    for user in (org.users.cm, org.users.vp, org.users.lead_b, org.users.outsider):
        resp = api(user).post(
            BATCH,
            {"month": "2026-03-01", "rows": [{"staff": org.staff.cm.pk, "new_accounts": 9}]},
            format="json",
        )
        assert resp.status_code in (400, 403), user.username
    assert not MonthlyActual.objects.exists()


# --- progress -------------------------------------------------------------------------------


PROGRESS = "/api/planning/progress/"


@pytest.fixture
def with_actuals(approved_plan, org):
    people = list(services.share_candidates(approved_plan))
    services.shares_save(actor=org.users.lead, plan=approved_plan, rows=even_rows(approved_plan, people))
    services.actuals_save(
        actor=org.users.lead,
        month=dt.date(2026, 2, 1),
        rows=[{"staff": org.staff.cm.pk, "new_accounts": 12, "net_revenue": "100000"}],
    )
    return approved_plan


def test_progress_per_person_in_scope(org, with_actuals, api):
    query = {"level": "person", "year": 2026, "month": 3}
    rows = api(org.users.lead).get(PROGRESS, query).json()
    assert [r["key"] for r in rows] == [org.staff.cm.pk]
    me = rows[0]
    assert me["behind"] is True
    assert me["metrics"]["new_accounts"]["behind"] is False
    assert Decimal(me["metrics"]["new_accounts"]["actual_to_date"]) == 12
    assert Decimal(me["metrics"]["net_revenue"]["target_to_date"]) == Decimal("200000")
    assert Decimal(me["metrics"]["net_revenue"]["rate"]) == Decimal("50.0")
    assert [r["key"] for r in api(org.users.cm).get(PROGRESS, query).json()] == [org.staff.cm.pk]
    for user in (org.users.cm_peer, org.users.cm_b, org.users.lead_b, org.users.outsider):
        assert api(user).get(PROGRESS, query).json() == [], user.username
    for level in ("team", "branch", "region"):
        rows = api(org.users.channel).get(PROGRESS, {**query, "level": level}).json()
        assert len(rows) == 1 and rows[0]["behind"], level


@pytest.mark.parametrize(
    "query, field",
    [
        ({"level": "galaxy"}, "level"),
        ({"year": "abc"}, "year"),
        ({"year": 2026, "month": "13"}, "month"),
        ({"year": 2026, "month": "abc"}, "month"),
    ],
)
def test_progress_bad_query_is_a_400_on_the_field(org, api, query, field):
    resp = api(org.users.lead).get(PROGRESS, query)
    assert resp.status_code == 400 and list(resp.json()) == [field]


# --- corrective actions ---------------------------------------------------------------------


@pytest.fixture
def action(approved_plan, org):
    review = services.review_create(
        actor=org.users.lead,
        plan=approved_plan,
        held_on=dt.date(2026, 4, 2),
        findings="净收入不足",
        actions=[{"description": "增加走访", "owner": org.staff.cm, "due_on": dt.date(2026, 5, 1)}],
    )
    return review.actions.get()


def test_action_done_by_the_owner_with_a_note(org, action, api):
    url = f"/api/planning/actions/{action.pk}/done/"
    for user in (org.users.outsider, org.users.cm_b, org.users.lead_b):
        assert api(user).post(url, {"done_note": "x"}, format="json").status_code == 404, user.username
    assert api(org.users.cm_peer).post(url, {"done_note": "x"}, format="json").status_code == 403
    resp = api(org.users.cm).post(url, {"done_note": "  "}, format="json")
    assert resp.status_code == 400 and "done_note" in resp.json()
    assert CorrectiveAction.objects.get().status == CorrectiveAction.Status.OPEN
    resp = api(org.users.cm).post(url, {"done_note": "已走访12户"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "done"
    resp = api(org.users.lead).post(url, {"done_note": "again"}, format="json")
    assert resp.status_code == 400
    assert api(org.users.outsider).get("/api/planning/actions/").json()["results"] == []
    assert [a["id"] for a in api(org.users.cm).get("/api/planning/actions/").json()["results"]] == [action.pk]
