"""Approval pages and API: inbox, decisions with field errors, scope of requests."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from brokerdesk.approvals import services
from brokerdesk.approvals.models import Notification, Request, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_request(flow_people):
    org = flow_people
    return services.request_submit(
        actor=org.users.manager,
        flow_code="team_document",
        subject=org.teams.a,
        title="一部年度计划",
        branch=org.branches.b1,
        team=org.teams.a,
    )


def test_inbox_lists_what_waits_for_the_approver_only(flow_people, plan_request, client_for):
    org = flow_people
    assert "一部年度计划" in client_for(org.users.office).get(reverse("approvals:inbox")).content.decode()
    assert (
        "一部年度计划" not in client_for(org.users.channel).get(reverse("approvals:inbox")).content.decode()
    )
    # The nav shows the count of waiting tasks.
    items = client_for(org.users.office).get(reverse("home")).context["nav_items"]
    assert [i["count"] for i in items if str(i["url"]) == reverse("approvals:inbox")] == [1]


def test_approver_decides_on_the_page_and_the_request_moves_on(flow_people, plan_request, client_for):
    org = flow_people
    c = client_for(org.users.office)
    url = reverse("approvals:request-detail", args=[plan_request.pk])
    resp = c.post(url, {"form": "decision", "decision": "approve", "opinion": "受理"})
    assert resp.status_code == 302
    plan_request.refresh_from_db()
    assert plan_request.current_step.order == 2


def test_return_without_a_reason_shows_a_field_error_and_changes_nothing(
    flow_people, plan_request, client_for
):
    org = flow_people
    resp = client_for(org.users.office).post(
        reverse("approvals:request-detail", args=[plan_request.pk]),
        {"form": "decision", "decision": "return"},
    )
    assert resp.status_code == 400
    assert "opinion" in resp.context["decision_form"].errors
    assert Task.objects.get(request=plan_request).status == "pending"


def test_channel_step_requires_naming_countersign_departments(flow_people, plan_request, client_for):
    org = flow_people
    services.task_act(actor=org.users.office, task=services.inbox(org.users.office).get(), decision="approve")
    url = reverse("approvals:request-detail", args=[plan_request.pk])
    c = client_for(org.users.channel)
    resp = c.post(url, {"form": "decision", "decision": "approve"})
    assert resp.status_code == 400
    assert "countersign_departments" in resp.context["decision_form"].errors
    resp = c.post(
        url,
        {
            "form": "decision",
            "decision": "approve",
            "countersign_departments": [org.departments.compliance.pk],
        },
    )
    assert resp.status_code == 302
    assert services.inbox(org.users.compliance).filter(request=plan_request).exists()


def test_non_approver_sees_no_decision_form_and_cannot_post_one(flow_people, plan_request, client_for):
    org = flow_people
    c = client_for(org.users.vp)
    url = reverse("approvals:request-detail", args=[plan_request.pk])
    resp = c.get(url)
    assert resp.status_code == 200 and resp.context["task"] is None
    c.post(url, {"form": "decision", "decision": "approve"})
    assert Task.objects.get(request=plan_request).status == "pending"


def test_request_of_another_branch_is_not_visible(flow_people, plan_request, client_for):
    org = flow_people
    url = reverse("approvals:request-detail", args=[plan_request.pk])
    assert client_for(org.users.outsider).get(url).status_code == 404
    assert client_for(org.users.cm).get(url).status_code == 404
    assert client_for(org.users.manager).get(url).status_code == 200  # the submitter's branch
    assert client_for(org.users.lead).get(url).status_code == 200  # the team's lead
    html = client_for(org.users.outsider).get(reverse("approvals:request-list")).content.decode()
    assert "一部年度计划" not in html


def test_submitter_withdraws_on_the_page(flow_people, plan_request, client_for):
    org = flow_people
    client_for(org.users.manager).post(reverse("approvals:request-withdraw", args=[plan_request.pk]))
    plan_request.refresh_from_db()
    assert plan_request.status == Request.Status.WITHDRAWN


def test_notifications_reach_the_approver_and_open_marks_read(flow_people, plan_request, client_for):
    org = flow_people
    note = Notification.objects.get(user=org.users.office)
    c = client_for(org.users.office)
    resp = c.post(reverse("approvals:notification-open", args=[note.pk]))
    assert resp["Location"] == plan_request.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None
    assert (
        client_for(org.users.vp).post(reverse("approvals:notification-open", args=[note.pk])).status_code
        == 404
    )


def test_delegation_page_sets_a_stand_in(flow_people, client_for):
    org = flow_people
    c = client_for(org.users.office)
    resp = c.post(
        reverse("approvals:delegations"),
        {"delegate": org.users.channel.pk, "starts_on": "2026-12-01", "ends_on": "2026-11-01"},
    )
    assert resp.status_code == 400  # ends before it starts
    resp = c.post(
        reverse("approvals:delegations"),
        {"delegate": org.users.channel.pk, "starts_on": "2026-12-01", "ends_on": "2026-12-10"},
    )
    assert resp.status_code == 302


def test_api_inbox_decide_and_trail(flow_people, plan_request):
    org = flow_people
    api = APIClient()
    api.force_authenticate(org.users.office)
    tasks = api.get("/api/approvals/inbox/").json()["results"]
    assert [t["request"] for t in tasks] == [plan_request.pk]
    resp = api.post(f"/api/approvals/inbox/{tasks[0]['id']}/decide/", {"decision": "return"}, format="json")
    assert resp.status_code == 400 and "opinion" in resp.json()
    resp = api.post(f"/api/approvals/inbox/{tasks[0]['id']}/decide/", {"decision": "approve"}, format="json")
    assert resp.status_code == 200
    assert [a["kind"] for a in resp.json()["actions"]] == ["submit", "approve"]
    resp = api.post(f"/api/approvals/inbox/{tasks[0]['id']}/decide/", {"decision": "approve"}, format="json")
    assert resp.status_code == 400  # the task has moved on


def test_api_refuses_a_decision_by_someone_else(flow_people, plan_request):
    org = flow_people
    task = Task.objects.get(request=plan_request)
    api = APIClient()
    api.force_authenticate(org.users.channel)
    assert (
        api.post(
            f"/api/approvals/inbox/{task.pk}/decide/", {"decision": "approve"}, format="json"
        ).status_code
        == 400
    )
    api.force_authenticate(org.users.outsider)
    assert (
        api.post(
            f"/api/approvals/inbox/{task.pk}/decide/", {"decision": "approve"}, format="json"
        ).status_code
        == 404
    )
    assert api.get(f"/api/approvals/requests/{plan_request.pk}/").status_code == 404
    assert Task.objects.get(pk=task.pk).status == "pending"


def test_trail_attachment_downloads_inside_scope_only(flow_people, plan_request, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    org = flow_people
    c = client_for(org.users.office)
    url = reverse("approvals:request-detail", args=[plan_request.pk])
    resp = c.post(
        url,
        {"form": "comment", "opinion": "见附件", "attachment": SimpleUploadedFile("意见.pdf", b"%PDF-1 x")},
    )
    assert resp.status_code == 302
    action = plan_request.actions.get(kind="comment")
    assert action.attachment_name == "意见.pdf"
    link = reverse("approvals:action-attachment", args=[plan_request.pk, action.pk])
    assert link in c.get(url).content.decode()
    assert client_for(org.users.manager).get(link).status_code == 200
    assert client_for(org.users.outsider).get(link).status_code == 404
    bad = c.post(
        url, {"form": "comment", "opinion": "x", "attachment": SimpleUploadedFile("a.pdf", b"MZ exe")}
    )
    assert bad.status_code == 400 and "attachment" in bad.context["comment_form"].errors
