"""Plans through approval, decomposition that must add up, actuals, reviews, progress."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from brokerdesk.planning import selectors, services
from brokerdesk.planning.models import AnnualPlan, CorrectiveAction, MonthlyActual, PlanStatus, TargetShare
from brokerdesk.planning.tests.helpers import act, approve_plan, even_rows, make_plan

pytestmark = pytest.mark.django_db


def test_plan_goes_draft_in_approval_returned_and_approved(flow_people):
    org = flow_people
    plan = make_plan(org)
    assert plan.status == PlanStatus.DRAFT
    plan = services.plan_submit(actor=org.users.lead, plan=plan)
    assert plan.status == PlanStatus.IN_APPROVAL
    act(org.users.office, plan, decision="return", opinion="补充银行合作方案")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED
    plan.bank_cooperation_plan = "补充后的合作方案"
    services.plan_save(actor=org.users.lead, plan=plan)
    from brokerdesk.approvals.services import request_resubmit

    request_resubmit(actor=org.users.lead, request=plan.approval)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_APPROVAL
    for user, kw in [
        (org.users.office, {}),
        (org.users.channel, {"countersign_departments": [org.departments.compliance]}),
        (org.users.compliance, {}),
        (org.users.office, {}),
        (org.users.vp, {}),
        (org.users.office, {}),
    ]:
        act(user, plan, **kw)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_at


def test_approved_plan_cannot_be_edited_or_resubmitted(approved_plan, flow_people):
    org = flow_people
    approved_plan.target_new_accounts = 1
    with pytest.raises(ValidationError):
        services.plan_save(actor=org.users.lead, plan=approved_plan)
    with pytest.raises(ValidationError):
        services.plan_submit(actor=org.users.lead, plan=approved_plan)
    assert AnnualPlan.objects.get(pk=approved_plan.pk).target_new_accounts == 40


def test_revision_is_a_new_version_that_supersedes_only_when_approved(approved_plan, flow_people):
    org = flow_people
    draft = services.plan_revise(actor=org.users.lead, plan=approved_plan)
    assert (draft.version, draft.supersedes, draft.status) == (2, approved_plan, PlanStatus.DRAFT)
    draft.target_new_accounts = 50
    services.plan_save(actor=org.users.lead, plan=draft)
    approved_plan.refresh_from_db()
    assert approved_plan.status == PlanStatus.APPROVED  # still in force until v2 is approved
    approve_plan(org, draft)
    approved_plan.refresh_from_db()
    assert approved_plan.status == PlanStatus.SUPERSEDED
    assert AnnualPlan.objects.get(pk=draft.pk).status == PlanStatus.APPROVED


def test_plan_for_a_team_outside_scope_is_refused(flow_people):
    org = flow_people
    with pytest.raises(PermissionDenied):
        make_plan(org, team=org.teams.b)  # lead of team A
    with pytest.raises(PermissionDenied):
        services.plan_save(
            actor=org.users.manager,
            plan=AnnualPlan(
                team=org.teams.c,
                year=2026,
                target_new_accounts=1,
                target_asset_growth=0,
                target_net_revenue=0,
                target_product_sales=0,
                marketing_plan="x",
            ),
        )
    assert not AnnualPlan.objects.exists()


def test_negative_targets_are_refused_on_the_field(flow_people):
    org = flow_people
    with pytest.raises(ValidationError) as exc:
        make_plan(org, target_net_revenue=Decimal("-1.00"))
    assert "target_net_revenue" in exc.value.message_dict


def test_a_second_plan_for_the_same_team_and_year_is_refused(flow_people):
    org = flow_people
    make_plan(org)
    with pytest.raises(ValidationError) as exc:
        make_plan(org)
    assert "year" in exc.value.message_dict


def test_decomposition_must_add_up_exactly_and_nothing_is_saved_otherwise(approved_plan, flow_people):
    org = flow_people
    people = list(services.share_candidates(approved_plan))
    assert {p.name for p in people} == {"张三", "孙八", "钱七"}
    rows = even_rows(approved_plan, people)
    rows[0]["net_revenue"] = Decimal(rows[0]["net_revenue"]) + Decimal("0.01")
    with pytest.raises(ValidationError) as exc:
        services.shares_save(actor=org.users.lead, plan=approved_plan, rows=rows)
    assert "net_revenue" in exc.value.message_dict
    assert "0.01" in " ".join(exc.value.message_dict["net_revenue"])
    assert not TargetShare.objects.exists()
    services.shares_save(actor=org.users.lead, plan=approved_plan, rows=even_rows(approved_plan, people))
    shares = TargetShare.objects.filter(plan=approved_plan)
    assert sum(s.new_accounts for s in shares) == 40
    assert sum(s.net_revenue for s in shares) == Decimal("800000.00")


def test_decomposition_refuses_negatives_strangers_and_unapproved_plans(approved_plan, flow_people):
    org = flow_people
    people = list(services.share_candidates(approved_plan))
    rows = even_rows(approved_plan, people)
    rows[1]["asset_growth"] = "-5"
    with pytest.raises(ValidationError):
        services.shares_save(actor=org.users.lead, plan=approved_plan, rows=rows)
    stranger = {"staff": org.staff.cm_b.pk, "period": 1, "new_accounts": 0}
    with pytest.raises(ValidationError):
        services.shares_save(
            actor=org.users.lead, plan=approved_plan, rows=even_rows(approved_plan, people) + [stranger]
        )
    draft = make_plan(org, year=2027)
    with pytest.raises(ValidationError):
        services.shares_save(actor=org.users.lead, plan=draft, rows=[])
    with pytest.raises(PermissionDenied):
        services.shares_save(actor=org.users.cm, plan=approved_plan, rows=even_rows(approved_plan, people))


def test_actuals_are_all_or_nothing_and_listed_by_line(flow_people):
    org = flow_people
    rows = [
        {"staff": org.staff.cm.pk, "new_accounts": 3, "net_revenue": "1000.5"},
        {"staff": org.staff.cm_peer.pk, "new_accounts": "x"},
        {"staff": org.staff.outsider.pk, "new_accounts": 1},
    ]
    with pytest.raises(ValidationError) as exc:
        services.actuals_save(actor=org.users.lead, month=dt.date(2026, 3, 15), rows=rows)
    text = " ".join(exc.value.messages)
    assert "2" in text and "3" in text  # the lines of both bad rows
    assert not MonthlyActual.objects.exists()
    services.actuals_save(actor=org.users.lead, month=dt.date(2026, 3, 15), rows=rows[:1])
    actual = MonthlyActual.objects.get()
    assert (actual.month, actual.new_accounts, actual.net_revenue) == (
        dt.date(2026, 3, 1),
        3,
        Decimal("1000.50"),
    )
    # Entering the month again replaces, never doubles.
    services.actuals_save(actor=org.users.lead, month=dt.date(2026, 3, 1), rows=rows[:1])
    assert MonthlyActual.objects.count() == 1


def test_progress_per_person_team_branch_and_region_marks_behind(approved_plan, flow_people):
    org = flow_people
    people = list(services.share_candidates(approved_plan))
    services.shares_save(actor=org.users.lead, plan=approved_plan, rows=even_rows(approved_plan, people))
    first = people[0]
    # Q1 target for the first person: 10 accounts; by end of March they opened 12.
    services.actuals_save(
        actor=org.users.lead,
        month=dt.date(2026, 2, 1),
        rows=[{"staff": first.pk, "new_accounts": 12, "net_revenue": "100000"}],
    )
    rows = selectors.progress_rows(user=org.users.lead, year=2026, as_of_month=3, level="person")
    mine = next(r for r in rows if r.key == first.pk)
    assert mine.metrics["new_accounts"].actual_to_date == 12
    assert not mine.metrics["new_accounts"].behind
    assert mine.metrics["net_revenue"].behind  # 100,000 of 200,000 due
    team = selectors.progress_rows(user=org.users.lead, year=2026, as_of_month=3, level="team")
    assert [r.name for r in team] == [str(org.teams.a)]
    assert team[0].metrics["new_accounts"].target_to_date == Decimal("10.0")
    for level in ("branch", "region"):
        assert (
            len(selectors.progress_rows(user=org.users.channel, year=2026, as_of_month=3, level=level)) == 1
        )
    # Outside the scope: nothing.
    assert selectors.progress_rows(user=org.users.outsider, year=2026, as_of_month=3, level="team") == []


def test_review_records_actions_tracked_to_done(approved_plan, flow_people):
    org = flow_people
    review = services.review_create(
        actor=org.users.lead,
        plan=approved_plan,
        held_on=dt.date(2026, 4, 2),
        findings="一季度开户数达标，净收入不足",
        actions=[{"description": "增加高净值客户走访", "owner": org.staff.cm, "due_on": dt.date(2026, 5, 1)}],
    )
    action = review.actions.get()
    with pytest.raises(ValidationError):
        services.action_complete(actor=org.users.cm, action=action, note="")
    with pytest.raises(PermissionDenied):
        services.action_complete(actor=org.users.cm_b, action=action, note="x")
    services.action_complete(actor=org.users.cm, action=action, note="已走访12户")
    assert CorrectiveAction.objects.get().status == "done"
    with pytest.raises(ValidationError):
        services.action_complete(actor=org.users.lead, action=action, note="again")


def test_plan_attachment_is_served_only_inside_scope(flow_people, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    org = flow_people
    c = client_for(org.users.lead)
    resp = c.post(
        reverse("planning:plan-create"),
        {
            "team": org.teams.a.pk,
            "year": 2027,
            "kind": "annual",
            "split_by": "quarter",
            "target_new_accounts": 10,
            "target_asset_growth": "1",
            "target_net_revenue": "1",
            "target_product_sales": "1",
            "marketing_plan": "驻点营销",
            "attachment": SimpleUploadedFile("营销方案.pdf", b"%PDF-1.4 plan"),
        },
    )
    assert resp.status_code == 302
    plan = AnnualPlan.objects.get(year=2027)
    url = reverse("planning:plan-attachment", args=[plan.pk])
    got = c.get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    assert "营销方案.pdf" in got["Content-Disposition"] or "%E8%90%A5" in got["Content-Disposition"]
    assert client_for(org.users.outsider).get(url).status_code == 404
    assert client_for(org.users.cm_b).get(url).status_code == 404


def test_submitter_may_propose_countersigning_departments(flow_people, client_for):
    from django.urls import reverse

    org = flow_people
    plan = make_plan(org)
    c = client_for(org.users.lead)
    resp = c.post(
        reverse("planning:plan-submit", args=[plan.pk]),
        {"countersign_departments": [org.departments.finance.pk], "opinion": "请审批"},
    )
    assert resp.status_code == 302
    plan.refresh_from_db()
    assert list(plan.approval.countersign_departments.all()) == [org.departments.finance]
    assert plan.approval.actions.get(kind="submit").opinion == "请审批"
    act(org.users.office, plan)
    # The channel step's form comes with the proposal ticked.
    page = client_for(org.users.channel).get(reverse("approvals:request-detail", args=[plan.approval.pk]))
    assert page.context["decision_form"].initial["countersign_departments"] == [org.departments.finance.pk]
