"""Planning pages: who sees and changes which team's plan, field errors on bad input, the
decomposition that must add up, actuals entry and import (all or nothing), progress, and
the Excel exports read back with openpyxl."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

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
    TeamStandard,
)
from brokerdesk.planning.tests.helpers import act, even_rows, make_plan

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def org(flow_people):
    """The organisation with the head-office approvers and a lead for team B."""
    flow_people.users.lead_b = login("lead_b", Role.TEAM_LEAD, team=flow_people.teams.b)
    return flow_people


@pytest.fixture
def draft(org):
    return make_plan(org, year=2027)


@pytest.fixture
def decomposed(approved_plan, org):
    """The approved 2026 plan with everything given to the first manager."""
    people = list(services.share_candidates(approved_plan))
    services.shares_save(actor=org.users.lead, plan=approved_plan, rows=even_rows(approved_plan, people))
    return approved_plan


def snapshot(plan: AnnualPlan) -> dict:
    plan = AnnualPlan.objects.get(pk=plan.pk)
    return {
        "status": plan.status,
        "approval": plan.approval_id,
        "marketing_plan": plan.marketing_plan,
        **{f"target_{m}": plan.target(m) for m in METRICS},
        "shares": list(TargetShare.objects.filter(plan=plan).values_list("staff_id", "period", *METRICS)),
    }


def plan_data(org, **overrides) -> dict:
    data = {
        "team": org.teams.a.pk,
        "year": 2027,
        "kind": AnnualPlan.Kind.ANNUAL,
        "split_by": AnnualPlan.Split.QUARTER,
        "target_new_accounts": "40",
        "target_asset_growth": "4000000",
        "target_net_revenue": "800000",
        "target_product_sales": "1200000",
        "marketing_plan": "驻点营销，每月两场投资者教育。",
        "partner_bank": "",
        "bank_cooperation_plan": "",
    }
    data.update(overrides)
    return data


def decompose_data(plan, people, **overrides) -> dict:
    """The decomposition form's fields for ``even_rows``, with some cells changed."""
    data = {}
    for row in even_rows(plan, people):
        for m in METRICS:
            data[f"{m}-{row['staff']}-{row['period']}"] = str(row[m])
    data.update(overrides)
    return data


def xlsx_upload(rows: list[list], name: str = "actuals.xlsx") -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["工号", "月份", "新开户数", "客户资产增长", "净收入", "产品销售"])
    for row in rows:
        ws.append(row)
    buf = BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=XLSX)


def read_xlsx(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    wb = openpyxl.load_workbook(BytesIO(response.content))
    return list(wb.worksheets[0].iter_rows(values_only=True))


# --- plan list and detail ------------------------------------------------------------------


def test_plan_list_shows_each_user_only_the_plans_in_their_scope(org, draft, client_for):
    org.users.lead = login("manager_sh", Role.BRANCH_MANAGER, branch=org.branches.b2)  # make_plan's actor
    plan_c = make_plan(org, team=org.teams.c, year=2027)
    org.users.lead = AnnualPlan.objects.get(pk=draft.pk).created_by
    url = reverse("planning:plan-list")

    def teams_listed(user):
        return {p.team_id for p in client_for(user).get(url).context["page"]}

    assert teams_listed(org.users.lead) == {org.teams.a.pk}
    assert teams_listed(org.users.cm) == {org.teams.a.pk}  # their own team's plan
    assert teams_listed(org.users.lead_b) == set()
    assert teams_listed(org.users.cm_b) == set()
    assert teams_listed(org.users.outsider) == {org.teams.c.pk}  # their own team only
    assert teams_listed(org.users.manager) == {org.teams.a.pk}
    assert teams_listed(org.users.channel) == {org.teams.a.pk, plan_c.team_id}
    html = client_for(org.users.cm_b).get(url).content.decode()
    assert str(org.teams.a) not in html
    # Filters narrow the list; nonsense values are ignored, not errors.
    c = client_for(org.users.channel)
    assert [p.pk for p in c.get(url, {"status": "approved"}).context["page"]] == []
    assert len(c.get(url, {"year": "abc", "status": "nonsense"}).context["page"]) == 2


def test_plan_detail_is_404_outside_the_scope(org, draft, client_for):
    url = draft.get_absolute_url()
    for user in (org.users.outsider, org.users.lead_b, org.users.cm_b, org.users.sysadmin):
        resp = client_for(user).get(url)
        assert resp.status_code == 404, user.username
        assert draft.marketing_plan not in resp.content.decode()
    for user in (org.users.lead, org.users.cm, org.users.manager, org.users.office, org.users.vp):
        assert client_for(user).get(url).status_code == 200, user.username
    # A client manager may read the plan but gets no buttons to change it.
    resp = client_for(org.users.cm).get(url)
    assert resp.context["may_plan"] is False
    assert reverse("planning:plan-edit", args=[draft.pk]) not in resp.content.decode()
    assert reverse("planning:plan-submit", args=[draft.pk]) not in resp.content.decode()
    resp = client_for(org.users.lead).get(url)
    assert reverse("planning:plan-submit", args=[draft.pk]) in resp.content.decode()


def test_lead_creates_a_plan_on_the_page(org, client_for):
    c = client_for(org.users.lead)
    assert c.get(reverse("planning:plan-create")).status_code == 200
    resp = c.post(reverse("planning:plan-create"), plan_data(org))
    plan = AnnualPlan.objects.get()
    assert resp.status_code == 302 and resp["Location"] == plan.get_absolute_url()
    assert (plan.team, plan.year, plan.status, plan.created_by) == (
        org.teams.a,
        2027,
        PlanStatus.DRAFT,
        org.users.lead,
    )
    assert plan.target_net_revenue == Decimal("800000.00")


@pytest.mark.parametrize(
    "field, value",
    [
        ("target_net_revenue", "-1"),
        ("target_asset_growth", "-0.01"),
        ("target_new_accounts", "-3"),
        ("target_product_sales", "abc"),
        ("marketing_plan", ""),
    ],
)
def test_plan_form_bad_targets_are_field_errors(org, client_for, field, value):
    resp = client_for(org.users.lead).post(reverse("planning:plan-create"), plan_data(org, **{field: value}))
    assert resp.status_code == 400
    form = resp.context["form"]
    assert list(form.errors) == [field]
    assert not AnnualPlan.objects.exists()


def test_plan_for_a_team_outside_the_scope_is_a_field_error(org, client_for):
    for user, team in [
        (org.users.lead, org.teams.b),  # same branch, another team
        (org.users.lead, org.teams.c),  # another branch
        (org.users.manager, org.teams.c),
    ]:
        resp = client_for(user).post(reverse("planning:plan-create"), plan_data(org, team=team.pk))
        assert resp.status_code == 400
        assert "team" in resp.context["form"].errors
    # Only the teams in scope are offered at all.
    form = client_for(org.users.lead).get(reverse("planning:plan-create")).context["form"]
    assert list(form.fields["team"].queryset) == [org.teams.a]
    assert not AnnualPlan.objects.exists()


def test_a_second_plan_for_the_same_team_and_year_is_a_field_error(org, draft, client_for):
    resp = client_for(org.users.lead).post(reverse("planning:plan-create"), plan_data(org))
    assert resp.status_code == 400
    assert "year" in resp.context["form"].errors
    assert AnnualPlan.objects.count() == 1


def test_people_without_the_right_cannot_create_edit_or_submit(org, draft, client_for):
    before = snapshot(draft)
    edit = reverse("planning:plan-edit", args=[draft.pk])
    submit = reverse("planning:plan-submit", args=[draft.pk])
    for user in (org.users.cm, org.users.cm_b, org.users.outsider, org.users.vp):
        c = client_for(user)
        assert c.get(reverse("planning:plan-create")).status_code == 404, user.username
        assert c.post(reverse("planning:plan-create"), plan_data(org, year=2028)).status_code == 404
        assert c.get(edit).status_code == 404, user.username
        assert c.post(edit, plan_data(org, marketing_plan="改掉")).status_code == 404
        assert c.post(submit).status_code == 404
    c = client_for(org.users.lead_b)  # may plan, but for team B only
    assert c.get(edit).status_code == 404
    assert c.post(edit, plan_data(org, marketing_plan="改掉")).status_code == 404
    assert c.post(submit).status_code == 404
    assert c.post(reverse("planning:plan-revise", args=[draft.pk])).status_code == 404
    assert snapshot(draft) == before
    assert AnnualPlan.objects.count() == 1


def test_lead_edits_a_draft_and_team_and_year_stay(org, draft, client_for):
    resp = client_for(org.users.lead).post(
        reverse("planning:plan-edit", args=[draft.pk]),
        plan_data(
            org, team=org.teams.b.pk, year=2030, marketing_plan="新的营销方案", target_new_accounts="45"
        ),
    )
    assert resp.status_code == 302
    draft.refresh_from_db()
    assert (draft.team, draft.year, draft.marketing_plan, draft.target_new_accounts) == (
        org.teams.a,
        2027,
        "新的营销方案",
        45,
    )


def test_submit_then_the_plan_is_locked_and_cannot_be_submitted_again(org, draft, client_for):
    c = client_for(org.users.lead)
    resp = c.post(reverse("planning:plan-submit", args=[draft.pk]), {"opinion": "请审批"})
    assert resp.status_code == 302
    draft.refresh_from_db()
    assert draft.status == PlanStatus.IN_APPROVAL and draft.approval
    # Editing now sends the lead back with a message; a post changes nothing.
    resp = c.get(reverse("planning:plan-edit", args=[draft.pk]), follow=True)
    assert "不能再修改" in resp.content.decode()
    before = snapshot(draft)
    c.post(reverse("planning:plan-edit", args=[draft.pk]), plan_data(org, marketing_plan="偷偷改"))
    resp = c.post(reverse("planning:plan-submit", args=[draft.pk]), follow=True)
    assert "不能再次提交" in resp.content.decode()
    assert snapshot(draft) == before
    assert Request.objects.count() == 1


def test_a_resubmission_of_an_approved_plan_is_refused(org, approved_plan, client_for):
    before = snapshot(approved_plan)
    c = client_for(org.users.lead)
    resp = c.post(reverse("planning:plan-submit", args=[approved_plan.pk]), follow=True)
    assert "不能再次提交" in resp.content.decode()
    resp = c.post(reverse("approvals:request-resubmit", args=[approved_plan.approval_id]), follow=True)
    assert "只有退回修改的申请可以重新提交" in resp.content.decode()
    resp = c.post(reverse("planning:plan-edit", args=[approved_plan.pk]), plan_data(org, year=2026))
    assert resp.status_code == 302  # back to the plan, with a message
    assert snapshot(approved_plan) == before
    req = Request.objects.get(pk=approved_plan.approval_id)
    assert (req.status, req.round) == (Request.Status.APPROVED, 1)
    # The approved plan offers a revision instead, which is a new draft version.
    resp = c.post(reverse("planning:plan-revise", args=[approved_plan.pk]))
    draft = AnnualPlan.objects.get(supersedes=approved_plan)
    assert resp["Location"] == reverse("planning:plan-edit", args=[draft.pk])
    assert AnnualPlan.objects.get(pk=approved_plan.pk).status == PlanStatus.APPROVED


def test_returned_plan_is_resubmitted_from_its_request_page(org, draft, client_for):
    draft = services.plan_submit(actor=org.users.lead, plan=draft)
    act(org.users.office, draft, decision="return", opinion="补充银行合作方案")
    draft.refresh_from_db()
    assert draft.status == PlanStatus.RETURNED
    c = client_for(org.users.lead)
    resp = c.get(draft.get_absolute_url())
    assert reverse("approvals:request-detail", args=[draft.approval_id]) in resp.content.decode()
    resp = c.post(
        reverse("planning:plan-edit", args=[draft.pk]), plan_data(org, bank_cooperation_plan="补充后")
    )
    assert resp.status_code == 302
    # Not through the plan's submit button: the history stays on one request.
    c.post(reverse("planning:plan-submit", args=[draft.pk]))
    assert Request.objects.count() == 1
    # Someone else cannot resubmit it.
    client_for(org.users.manager).post(reverse("approvals:request-resubmit", args=[draft.approval_id]))
    assert AnnualPlan.objects.get(pk=draft.pk).status == PlanStatus.RETURNED
    c.post(reverse("approvals:request-resubmit", args=[draft.approval_id]))
    draft.refresh_from_db()
    assert draft.status == PlanStatus.IN_APPROVAL and draft.bank_cooperation_plan == "补充后"
    assert Request.objects.get().round == 2


# --- decomposition ---------------------------------------------------------------------------


def test_decompose_page_is_only_for_the_teams_planners(org, approved_plan, client_for):
    url = reverse("planning:plan-decompose", args=[approved_plan.pk])
    people = list(services.share_candidates(approved_plan))
    for user in (org.users.cm, org.users.cm_b, org.users.lead_b, org.users.outsider, org.users.channel):
        c = client_for(user)
        assert c.get(url).status_code == 404, user.username
        assert c.post(url, decompose_data(approved_plan, people)).status_code == 404
    assert not TargetShare.objects.exists()
    resp = client_for(org.users.lead).get(url)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert all(f"<th>{p.name}</th>" in html for p in people)
    assert len(resp.context["tables"]) == 4
    assert [p for p, _label in resp.context["periods"]] == [1, 2, 3, 4]


def test_decompose_refuses_a_draft_plan(org, draft, client_for):
    resp = client_for(org.users.lead).get(reverse("planning:plan-decompose", args=[draft.pk]))
    assert resp.status_code == 302 and resp["Location"] == draft.get_absolute_url()


def test_decomposition_that_does_not_add_up_names_the_metric_and_the_gap(org, approved_plan, client_for):
    people = list(services.share_candidates(approved_plan))
    first = people[0]
    c = client_for(org.users.lead)
    url = reverse("planning:plan-decompose", args=[approved_plan.pk])
    data = decompose_data(
        approved_plan,
        people,
        **{f"net_revenue-{first.pk}-1": "199999.99", f"new_accounts-{first.pk}-2": "11"},
    )
    resp = c.post(url, data)
    assert resp.status_code == 400
    errors = " ".join(resp.context["errors"])
    assert "净收入" in errors and "799999.99" in errors and "0.01" in errors and "少" in errors
    assert "新开户数" in errors and "41" in errors and "多" in errors
    assert "客户资产增长" not in errors  # that one adds up
    # What was typed is kept in the grid.
    assert 'value="199999.99"' in resp.content.decode()
    assert not TargetShare.objects.exists()

    resp = c.post(url, decompose_data(approved_plan, people, **{f"asset_growth-{first.pk}-3": "-5"}))
    assert resp.status_code == 400
    assert not TargetShare.objects.exists()

    resp = c.post(url, decompose_data(approved_plan, people))
    assert resp.status_code == 302
    shares = TargetShare.objects.filter(plan=approved_plan)
    assert sum(s.new_accounts for s in shares) == 40
    assert sum(s.net_revenue for s in shares) == Decimal("800000.00")
    # The form shows the saved decomposition again.
    resp = c.get(url)
    assert resp.context["tables"][0]["rows"][0][1][0][1] == 10


def test_plan_export_has_the_targets_and_each_persons_share(org, decomposed, client_for):
    people = list(services.share_candidates(decomposed))
    url = reverse("planning:plan-export", args=[decomposed.pk])
    rows = read_xlsx(client_for(org.users.lead).get(url))
    assert rows[0][0] == "名称" and len(rows[0]) == 6
    assert rows[1][2:] == (40, 4000000, 800000, 1200000)
    assert [r[:2] for r in rows[2:]] == [(people[0].name, p) for p in (1, 2, 3, 4)]
    assert {r[2:] for r in rows[2:]} == {(10, 1000000, 200000, 300000)}
    assert sum(r[4] for r in rows[2:]) == 800000
    for user in (org.users.outsider, org.users.lead_b, org.users.cm_b):
        assert client_for(user).get(url).status_code == 404, user.username


def test_plan_export_for_a_client_manager_has_only_their_own_shares(org, approved_plan, client_for):
    cm, peer = org.staff.cm, org.staff.cm_peer
    rows = []
    for person, part in ((cm, 30), (peer, 10)):
        rows.append(
            {
                "staff": person.pk,
                "period": 1,
                "new_accounts": part,
                "asset_growth": approved_plan.target_asset_growth * part / 40,
                "net_revenue": approved_plan.target_net_revenue * part / 40,
                "product_sales": approved_plan.target_product_sales * part / 40,
            }
        )
    services.shares_save(actor=org.users.lead, plan=approved_plan, rows=rows)
    url = reverse("planning:plan-export", args=[approved_plan.pk])
    names = [r[0] for r in read_xlsx(client_for(org.users.cm).get(url))[2:]]
    assert names == ["张三"]
    names = [r[0] for r in read_xlsx(client_for(org.users.lead).get(url))[2:]]
    assert sorted(names) == sorted(["张三", "孙八"])


# --- reviews and corrective actions -----------------------------------------------------------


def test_review_and_action_pages_keep_to_the_scope(org, approved_plan, client_for):
    url = reverse("planning:review-create", args=[approved_plan.pk])
    data = {
        "held_on": "2026-04-02",
        "findings": "净收入不足",
        "action": "增加走访",
        "owner": org.staff.cm.pk,
        "due_on": "2026-05-01",
    }
    for user in (org.users.cm, org.users.lead_b, org.users.outsider):
        assert client_for(user).post(url, data).status_code == 404, user.username
    assert not CorrectiveAction.objects.exists()
    # An incomplete action is refused with a message, nothing recorded.
    resp = client_for(org.users.lead).post(url, {**data, "owner": ""}, follow=True)
    assert "msg-error" in resp.content.decode()
    assert not approved_plan.reviews.exists()
    client_for(org.users.lead).post(url, data)
    action = CorrectiveAction.objects.get()
    done = reverse("planning:action-done", args=[action.pk])
    assert client_for(org.users.outsider).post(done, {"done_note": "x"}).status_code == 404
    assert client_for(org.users.cm_b).post(done, {"done_note": "x"}).status_code == 404
    client_for(org.users.cm_peer).post(done, {"done_note": "x"})  # sees it, but not theirs
    client_for(org.users.cm).post(done, {"done_note": ""})  # must say what was done
    assert CorrectiveAction.objects.get().status == CorrectiveAction.Status.OPEN
    client_for(org.users.cm).post(done, {"done_note": "已走访12户"})
    assert CorrectiveAction.objects.get().status == CorrectiveAction.Status.DONE


# --- my targets ------------------------------------------------------------------------------


def test_my_targets_shows_only_my_shares(org, decomposed, client_for):
    url = reverse("planning:my-targets")
    first = list(services.share_candidates(decomposed))[0]
    assert first == org.staff.cm
    resp = client_for(org.users.cm).get(url, {"year": 2026})
    assert resp.status_code == 200
    assert [s.period for s in resp.context["shares"]] == [1, 2, 3, 4]
    assert all(s.staff_id == org.staff.cm.pk for s in resp.context["shares"])
    assert [r.key for r in resp.context["rows"]] == [org.staff.cm.pk]
    for user in (org.users.cm_peer, org.users.cm_b, org.users.outsider):
        resp = client_for(user).get(url, {"year": 2026})
        assert list(resp.context["shares"]) == [] and resp.context["rows"] == []
    # A login without a staff record, and a nonsense year, still get a page.
    assert client_for(org.users.channel).get(url).context["me"] is None
    assert client_for(org.users.cm).get(url, {"year": "abc"}).status_code == 200


# --- actuals ---------------------------------------------------------------------------------


def test_actuals_page_is_for_people_who_enter_figures(org, client_for):
    url = reverse("planning:actuals")
    for user in (org.users.cm, org.users.rm, org.users.vp, org.users.channel):
        assert client_for(user).get(url).status_code == 404, user.username
    resp = client_for(org.users.lead).get(url, {"month": "2026-03", "team": org.teams.a.pk})
    assert resp.status_code == 200
    assert {p.name for p, _cells in resp.context["grid"]} == {"张三", "孙八", "钱七"}


def test_actuals_for_a_team_outside_the_scope_is_a_field_error_and_writes_nothing(org, client_for):
    url = reverse("planning:actuals")
    c = client_for(org.users.lead)
    for team in (org.teams.b, org.teams.c):
        query = f"?month=2026-03&team={team.pk}"
        resp = c.get(url + query)
        assert "team" in resp.context["form"].errors and resp.context["grid"] == []
        resp = c.post(url + query, {f"new_accounts-{org.staff.cm_b.pk}": "5"})
        assert resp.context["grid"] == []
    resp = client_for(org.users.outsider).post(
        f"{url}?month=2026-03&team={org.teams.a.pk}", {f"new_accounts-{org.staff.cm.pk}": "5"}
    )
    assert resp.status_code == 404
    assert not MonthlyActual.objects.exists()


def test_actuals_entry_lists_every_bad_cell_and_saves_all_or_nothing(org, client_for):
    url = f"{reverse('planning:actuals')}?month=2026-03&team={org.teams.a.pk}"
    cm, peer, rm = org.staff.cm, org.staff.cm_peer, org.staff.rm
    c = client_for(org.users.lead)
    resp = c.post(
        url,
        {
            f"new_accounts-{cm.pk}": "3",
            f"net_revenue-{cm.pk}": "1,000.50",
            f"new_accounts-{peer.pk}": "x",
            f"asset_growth-{rm.pk}": "-10",
            f"new_accounts-{rm.pk}": "1.5",
        },
    )
    assert resp.status_code == 400
    errors = resp.context["errors"]
    assert len(errors) == 3
    # Lines follow the grid: 张三 (BJ0001), 钱七, 孙八.
    assert [p.name for p, _cells in resp.context["grid"]] == ["张三", "钱七", "孙八"]
    assert [e.split("，")[0] for e in errors] == ["第 2 行", "第 2 行", "第 3 行"]
    assert "新开户数" in errors[0] and "客户资产增长" in errors[1] and "新开户数" in errors[2]
    assert not MonthlyActual.objects.exists()
    assert 'value="x"' in resp.content.decode()  # what was typed is kept
    resp = c.post(url, {f"new_accounts-{cm.pk}": "3", f"net_revenue-{cm.pk}": "1,000.50"})
    assert resp.status_code == 302
    saved = {a.staff_id: a for a in MonthlyActual.objects.all()}
    assert set(saved) == {cm.pk, peer.pk, rm.pk}  # empty rows are zeros for the month
    assert (saved[cm.pk].month, saved[cm.pk].new_accounts, saved[cm.pk].net_revenue) == (
        dt.date(2026, 3, 1),
        3,
        Decimal("1000.50"),
    )
    # The page shows the saved figures; saving again replaces them.
    resp = c.get(url)
    assert resp.context["grid"][0][1][0][2] in (3, 0)
    c.post(url, {f"new_accounts-{cm.pk}": "4"})
    assert MonthlyActual.objects.get(staff=cm).new_accounts == 4
    assert MonthlyActual.objects.count() == 3


def test_actuals_import_lists_every_bad_row_and_writes_nothing(org, client_for):
    cm, peer = org.staff.cm, org.staff.cm_peer
    upload = xlsx_upload(
        [
            [cm.emp_no, "2026-03", 5, 1000, 2000, 3000],  # line 2: good
            ["NOPE01", "2026-03", 1, 0, 0, 0],  # 3: unknown employee number
            [peer.emp_no, "三月", 1, 0, 0, 0],  # 4: month unreadable
            [org.staff.outsider.emp_no, "2026-03", 1, 0, 0, 0],  # 5: another branch
            [peer.emp_no, "2026-03", -1, 0, 0, 0],  # 6: negative
            [peer.emp_no, "2026-04", "abc", 0, 0, 0],  # 7: not a number
            [cm.emp_no, dt.datetime(2026, 4, 1), 2, 0, 0, "1.5"],  # 8: good (a date cell)
        ]
    )
    resp = client_for(org.users.lead).post(reverse("planning:actuals-import"), {"file": upload})
    assert resp.status_code == 400
    errors = resp.context["errors"]
    text = " ".join(errors)
    for line in (3, 4, 5, 6, 7):
        assert f"第 {line} 行" in text, (line, errors)
    for line in (2, 8):
        assert f"第 {line} 行" not in text
    assert "NOPE01" in text
    assert not MonthlyActual.objects.exists()


def test_actuals_import_of_good_rows_writes_them(org, client_for):
    cm, peer = org.staff.cm, org.staff.cm_peer
    upload = xlsx_upload(
        [
            [cm.emp_no, "2026-03", 5, 1000, 2000, 3000],
            [peer.emp_no, "2026-03", 2, None, "500.5", 0],
            [cm.emp_no, dt.datetime(2026, 4, 1), 1, 0, 0, 0],
        ]
    )
    resp = client_for(org.users.lead).post(reverse("planning:actuals-import"), {"file": upload})
    assert resp.status_code == 302
    got = {(a.staff_id, a.month): a for a in MonthlyActual.objects.all()}
    assert set(got) == {
        (cm.pk, dt.date(2026, 3, 1)),
        (peer.pk, dt.date(2026, 3, 1)),
        (cm.pk, dt.date(2026, 4, 1)),
    }
    assert got[(peer.pk, dt.date(2026, 3, 1))].net_revenue == Decimal("500.50")


def test_actuals_import_refuses_what_is_not_an_xlsx(org, client_for):
    c = client_for(org.users.lead)
    resp = c.post(
        reverse("planning:actuals-import"),
        {"file": SimpleUploadedFile("actuals.csv", b"emp,month\n", content_type="text/csv")},
    )
    assert resp.status_code == 400 and "file" in resp.context["form"].errors
    resp = c.post(
        reverse("planning:actuals-import"),
        {"file": SimpleUploadedFile("actuals.xlsx", b"PK\x03\x04broken", content_type=XLSX)},
    )
    assert resp.status_code == 400 and resp.context["errors"]
    assert client_for(org.users.cm).get(reverse("planning:actuals-import")).status_code == 404
    assert not MonthlyActual.objects.exists()


# --- progress --------------------------------------------------------------------------------


@pytest.fixture
def with_actuals(decomposed, org):
    first = org.staff.cm
    services.actuals_save(
        actor=org.users.lead,
        month=dt.date(2026, 2, 1),
        rows=[
            {"staff": first.pk, "new_accounts": 12, "net_revenue": "100000"},
            {"staff": org.staff.cm_peer.pk, "new_accounts": 1},
        ],
    )
    return decomposed


def test_progress_per_person_marks_who_is_behind_within_the_scope(org, with_actuals, client_for):
    url = reverse("planning:progress")
    query = {"level": "person", "year": 2026, "month": 3}
    resp = client_for(org.users.lead).get(url, query)
    rows = {r.key: r for r in resp.context["rows"]}
    assert set(rows) == {org.staff.cm.pk, org.staff.cm_peer.pk}
    mine = rows[org.staff.cm.pk]
    assert not mine.metrics["new_accounts"].behind and mine.metrics["net_revenue"].behind
    assert mine.behind
    html = resp.content.decode()
    assert html.count('class="behind"') == 1  # cm_peer has no targets, so is not behind
    assert "落后" in html
    # A client manager sees their own row; other teams and branches see nothing of team A.
    resp = client_for(org.users.cm).get(url, query)
    assert [r.key for r in resp.context["rows"]] == [org.staff.cm.pk]
    for user in (org.users.cm_b, org.users.lead_b, org.users.outsider):
        resp = client_for(user).get(url, query)
        assert resp.context["rows"] == [], user.username
        assert "张三" not in resp.content.decode()
    # The other levels roll up; behind-only filters.
    for level in ("team", "branch", "region"):
        rows = client_for(org.users.channel).get(url, {**query, "level": level}).context["rows"]
        assert len(rows) == 1 and rows[0].behind
    rows = client_for(org.users.lead).get(url, {**query, "behind_only": "on"}).context["rows"]
    assert [r.key for r in rows] == [org.staff.cm.pk]
    # Bad filters do not break the page.
    assert client_for(org.users.lead).get(url, {"level": "galaxy", "month": "13"}).status_code == 200


def test_progress_export_has_the_right_figures(org, with_actuals, client_for):
    resp = client_for(org.users.lead).get(
        reverse("planning:progress"), {"level": "person", "year": 2026, "month": 3, "format": "xlsx"}
    )
    rows = read_xlsx(resp)
    header = rows[0]
    assert header[0] == "名称" and len(header) == 1 + 4 * 3 + 1
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"张三", "孙八"}
    me = by_name["张三"]
    # new accounts: 10 due by the end of Q1, 12 done; net revenue: 200,000 due, 100,000 done.
    assert (me[1], me[2], float(me[3])) == (10, 12, 120.0)
    assert (me[7], me[8], float(me[9])) == (200000, 100000, 50.0)
    assert me[-1] == "是"
    assert by_name["孙八"][-1] in (None, "")
    resp = client_for(org.users.outsider).get(
        reverse("planning:progress"), {"level": "person", "year": 2026, "month": 3, "format": "xlsx"}
    )
    assert read_xlsx(resp)[1:] == []


def test_plan_detail_shows_progress_of_the_teams_people(org, with_actuals, client_for):
    resp = client_for(org.users.lead).get(with_actuals.get_absolute_url())
    assert resp.status_code == 200
    assert resp.context["decomposed"]
    assert {r.key for r in resp.context["progress"]} == {org.staff.cm.pk, org.staff.cm_peer.pk}


# --- team standards ---------------------------------------------------------------------------


@pytest.fixture
def standard(org):
    return services.standard_save(
        actor=org.users.lead,
        standard=TeamStandard(team=org.teams.a, title="金融街一部管理及薪酬标准", content="底薪加提成。"),
    )


def test_standards_are_seen_and_changed_inside_the_scope_only(org, standard, client_for):
    detail = reverse("planning:standard-detail", args=[standard.pk])
    edit = reverse("planning:standard-edit", args=[standard.pk])
    submit = reverse("planning:standard-submit", args=[standard.pk])
    listing = reverse("planning:standard-list")
    for user in (org.users.outsider, org.users.cm_b, org.users.lead_b):
        c = client_for(user)
        assert c.get(detail).status_code == 404, user.username
        assert standard.title not in c.get(listing).content.decode()
        assert c.post(edit, {"team": org.teams.a.pk, "title": "改", "content": "改"}).status_code == 404
        assert c.post(submit).status_code == 404
    c = client_for(org.users.cm)
    assert c.get(detail).status_code == 200
    assert standard.title in c.get(listing).content.decode()
    assert c.post(edit, {"team": org.teams.a.pk, "title": "改", "content": "改"}).status_code == 404
    assert c.post(submit).status_code == 404
    standard.refresh_from_db()
    assert (standard.title, standard.status) == ("金融街一部管理及薪酬标准", PlanStatus.DRAFT)


def test_standard_form_field_errors_and_submit(org, standard, client_for):
    c = client_for(org.users.lead)
    resp = c.post(reverse("planning:standard-create"), {"team": org.teams.b.pk, "title": "", "content": "x"})
    assert resp.status_code == 400
    assert set(resp.context["form"].errors) == {"team", "title"}
    resp = c.post(reverse("planning:standard-submit", args=[standard.pk]))
    standard.refresh_from_db()
    assert standard.status == PlanStatus.IN_APPROVAL and standard.approval
    resp = c.post(
        reverse("planning:standard-edit", args=[standard.pk]),
        {"team": org.teams.a.pk, "title": "改", "content": "改"},
    )
    assert resp.status_code == 400 and resp.context["form"].non_field_errors()
    assert TeamStandard.objects.get(pk=standard.pk).title == "金融街一部管理及薪酬标准"


def test_progress_page_shows_the_period_in_use_and_one_current_menu_item(org, client_for):
    from django.utils import timezone

    today = timezone.localdate()
    resp = client_for(org.users.lead).get(reverse("planning:progress"), {"level": "person"})
    form = resp.context["form"]
    assert (form["year"].value(), form["month"].value()) == (str(today.year), str(today.month))
    # The planning section is the one current menu item; progress is in its sub-navigation.
    assert [i["url"] for i in resp.context["nav_items"] if i["active"]] == [reverse("planning:plan-list")]
    assert reverse("planning:actuals") in resp.content.decode()  # the lead enters actuals
    resp = client_for(org.users.manager).get(reverse("planning:plan-list"))
    assert [i["url"] for i in resp.context["nav_items"] if i["active"]] == [reverse("planning:plan-list")]
    assert reverse("planning:actuals") in resp.content.decode()
    resp = client_for(org.users.cm).get(reverse("planning:plan-list"))
    assert reverse("planning:actuals") not in resp.content.decode()
