"""The engine through its services: the default route of 第四条, countersigning, return and
resubmit, reject, withdraw, delegation, conditional routing, and refusals."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from brokerdesk.approvals import services
from brokerdesk.approvals.exceptions import ApprovalError, RequestMoved
from brokerdesk.approvals.models import Action, Flow, Notification, Request, Step, Task

pytestmark = pytest.mark.django_db


def submit(org, **kw):
    return services.request_submit(
        actor=org.users.manager,
        flow_code="team_document",
        subject=org.teams.a,
        title="金融街一部2027年度工作计划",
        branch=org.branches.b1,
        team=org.teams.a,
        **kw,
    )


def act(user, request, decision="approve", **kw):
    task = services.inbox(user).get(request=request) if decision else None
    return services.task_act(actor=user, task=task, decision=decision, **kw)


def test_default_flow_walks_all_six_steps_with_countersign(flow_people):
    org = flow_people
    req = submit(org)
    assert req.current_step.order == 1
    act(org.users.office, req)
    with pytest.raises(ApprovalError):  # channel must name the countersigning departments
        act(org.users.channel, req)
    act(org.users.channel, req, countersign_departments=[org.departments.compliance, org.departments.finance])
    req.refresh_from_db()
    assert req.current_step.order == 3
    assert set(
        Task.objects.filter(request=req, status="pending").values_list("department__name", flat=True)
    ) == {"合规部", "计划财务部"}
    act(org.users.compliance, req, opinion="同意")
    req.refresh_from_db()
    assert req.current_step.order == 3  # still waiting for finance: all must agree
    act(org.users.finance, req)
    act(org.users.office, req)
    act(org.users.vp, req)
    act(org.users.office, req, opinion="会签意见已反馈")
    req.refresh_from_db()
    assert req.status == Request.Status.APPROVED
    kinds = list(req.actions.values_list("kind", flat=True))
    assert kinds == ["submit"] + ["approve"] * 7
    assert Notification.objects.filter(user=org.users.manager, text__contains="金融街一部").exists()


def test_only_the_current_approver_may_act(flow_people):
    org = flow_people
    req = submit(org)
    task = Task.objects.get(request=req, status="pending")
    for outsider in (org.users.vp, org.users.channel, org.users.manager, org.users.cm):
        with pytest.raises(ApprovalError):
            services.task_act(actor=outsider, task=task, decision="approve")
    assert Task.objects.get(pk=task.pk).status == "pending"
    assert req.actions.count() == 1


def test_second_action_on_the_same_task_is_told_the_request_moved(flow_people):
    org = flow_people
    req = submit(org)
    task = Task.objects.get(request=req, status="pending")
    services.task_act(actor=org.users.office, task=task, decision="approve")
    with pytest.raises(RequestMoved):
        services.task_act(actor=org.users.office, task=task, decision="approve")


def test_return_for_revision_and_resubmit_keeps_the_history(flow_people):
    org = flow_people
    req = submit(org)
    act(org.users.office, req)
    with pytest.raises(ValidationError):
        act(org.users.channel, req, decision="return")  # a reason is required
    act(org.users.channel, req, decision="return", opinion="目标开户数偏低，请修改")
    req.refresh_from_db()
    assert req.status == Request.Status.RETURNED
    assert not services.inbox(org.users.channel).filter(request=req).exists()
    with pytest.raises(ApprovalError):
        services.request_resubmit(actor=org.users.cm, request=req)
    services.request_resubmit(actor=org.users.manager, request=req, opinion="已修改")
    req.refresh_from_db()
    assert (req.status, req.round, req.current_step.order) == ("pending", 2, 1)
    assert list(req.actions.values_list("kind", "round")) == [
        ("submit", 1),
        ("approve", 1),
        ("return", 1),
        ("resubmit", 2),
    ]


def test_reject_ends_the_request(flow_people):
    org = flow_people
    req = submit(org)
    act(org.users.office, req, decision="reject", opinion="不符合要求")
    req.refresh_from_db()
    assert req.status == "rejected" and req.decided_at is not None
    with pytest.raises(ApprovalError):
        services.request_resubmit(actor=org.users.manager, request=req)


def test_withdraw_only_before_the_first_action(flow_people):
    org = flow_people
    req = submit(org)
    act(org.users.office, req)
    with pytest.raises(ApprovalError):
        services.request_withdraw(actor=org.users.manager, request=req)
    other = services.request_submit(
        actor=org.users.manager,
        flow_code="team_document",
        subject=org.teams.b,
        title="二部计划",
        branch=org.branches.b1,
        team=org.teams.b,
    )
    with pytest.raises(ApprovalError):
        services.request_withdraw(actor=org.users.cm, request=other)
    services.request_withdraw(actor=org.users.manager, request=other)
    other.refresh_from_db()
    assert other.status == "withdrawn"
    assert not Task.objects.filter(request=other, status="pending").exists()


def test_a_record_cannot_be_submitted_twice_while_in_approval(flow_people):
    org = flow_people
    submit(org)
    with pytest.raises(ApprovalError):
        submit(org)


def test_delegate_acts_on_behalf_during_the_period_only(flow_people):
    org = flow_people
    req = submit(org)
    today = dt.date.today()
    services.delegation_create(
        actor=org.users.office, delegate=org.users.channel, starts_on=today, ends_on=today
    )
    assert services.inbox(org.users.channel).filter(request=req).exists()
    act(org.users.channel, req)
    action = req.actions.get(kind="approve")
    assert (action.actor, action.on_behalf_of) == (org.users.channel, org.users.office)
    with pytest.raises(ApprovalError):
        services.delegation_create(actor=org.users.vp, delegate=org.users.vp, starts_on=today, ends_on=today)


def test_expired_delegation_gives_nothing(flow_people):
    org = flow_people
    req = submit(org)
    past = dt.date.today() - dt.timedelta(days=10)
    services.delegation_create(actor=org.users.office, delegate=org.users.cm, starts_on=past, ends_on=past)
    assert not services.inbox(org.users.cm).filter(request=req).exists()


def test_routing_adds_a_step_when_a_figure_is_over_the_limit(flow_people):
    org = flow_people
    flow = Flow.objects.create(code="leave_test", name="请假")
    Step.objects.create(flow=flow, order=1, name="团队负责人审批", kind="role", role="team_lead")
    Step.objects.create(
        flow=flow,
        order=2,
        name="营业部经理审批",
        kind="role",
        role="branch_manager",
        condition_key="days",
        condition_op="gt",
        condition_value=3,
    )
    short = services.request_submit(
        actor=org.users.cm,
        flow_code="leave_test",
        subject=org.staff.cm,
        title="事假2天",
        branch=org.branches.b1,
        team=org.teams.a,
        figures={"days": 2},
    )
    act(org.users.lead, short)
    short.refresh_from_db()
    assert short.status == "approved"
    long = services.request_submit(
        actor=org.users.cm_peer,
        flow_code="leave_test",
        subject=org.staff.cm_peer,
        title="事假5天",
        branch=org.branches.b1,
        team=org.teams.a,
        figures={"days": 5},
    )
    act(org.users.lead, long)
    long.refresh_from_db()
    assert long.status == "pending" and long.current_step.order == 2
    assert not services.inbox(org.users.lead).filter(request=long).exists()
    act(org.users.manager, long)


def test_a_step_nobody_can_do_is_refused_at_submission_not_left_hanging(flow_people):
    org = flow_people
    flow = Flow.objects.create(code="orphan", name="无人审批")
    Step.objects.create(flow=flow, order=1, name="营业部经理审批", kind="role", role="branch_manager")
    with pytest.raises(ApprovalError):
        services.request_submit(
            actor=org.users.outsider,
            flow_code="orphan",
            subject=org.staff.outsider,
            title="x",
            branch=org.branches.b2,
            team=org.teams.c,
        )
    assert not Request.objects.filter(flow=flow).exists()


def test_trail_rows_cannot_be_changed_or_deleted(flow_people):
    org = flow_people
    req = submit(org)
    action = req.actions.get()
    action.opinion = "篡改"
    with pytest.raises(ValidationError):
        action.save()
    with pytest.raises(ValidationError):
        action.delete()
    assert Action.objects.get(pk=action.pk).opinion == ""


def test_comments_only_while_open(flow_people):
    org = flow_people
    req = submit(org)
    services.request_comment(actor=org.users.channel, request=req, opinion="请补充银行合作方案")
    act(org.users.office, req, decision="reject", opinion="否")
    with pytest.raises(ApprovalError):
        services.request_comment(actor=org.users.channel, request=req, opinion="再看看")


def test_nobody_approves_their_own_request(flow_people):
    org = flow_people
    from brokerdesk.access.roles import Role
    from brokerdesk.org.tests.factories import login

    second_office = login("office2", Role.INTEGRATED_OFFICE)
    req = services.request_submit(
        actor=org.users.office,
        flow_code="team_document",
        subject=org.teams.c,
        title="综合室自己的请示",
        branch=org.branches.b2,
        team=org.teams.c,
    )
    assert not services.inbox(org.users.office).filter(request=req).exists()
    with pytest.raises(ApprovalError):
        services.task_act(actor=org.users.office, task=Task.objects.get(request=req), decision="approve")
    assert list(services.approvers_for(Task.objects.get(request=req))) == [second_office]
    services.task_act(actor=second_office, task=Task.objects.get(request=req), decision="approve")
