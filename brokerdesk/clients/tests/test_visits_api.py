"""The visits and follow-ups API: the same services, scopes and refusals as the pages."""

import datetime as dt

import pytest
from django.utils import timezone

from brokerdesk.access.roles import Role
from brokerdesk.clients import services_visits as sv
from brokerdesk.clients.models import FollowUp, Visit
from brokerdesk.clients.tests.factories import make_client
from brokerdesk.org.models import Department, Staff
from brokerdesk.org.tests.factories import StaffFactory, login

pytestmark = pytest.mark.django_db


def visited_text(name, day):
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    return gettext("%(name)s visited this client on %(day)s") % {"name": name, "day": date_format(day)}


def plans_text(name, day):
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    return gettext("%(name)s plans to visit this client on %(day)s") % {"name": name, "day": date_format(day)}


VISITS = "/api/clients/visits/"
FOLLOWUPS = "/api/clients/followups/"


def days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def log(actor, client, n, **kw):
    kw.setdefault("content", "沟通持仓")
    return sv.visit_log(actor=actor, client=client, visited_on=dt.date.fromisoformat(days(n)), **kw)


def test_log_and_plan_over_the_api_with_overlap_acknowledgement(org, client_for):
    client = make_client(org.users.cm)
    cm = client_for(org.users.cm)
    resp = cm.post(
        VISITS,
        {"client": client.pk, "visited_on": days(-1), "content": "介绍科创板"},
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.json()
    assert resp.json()["status"] == "done" and resp.json()["author_name"] == "张三"
    lead = client_for(org.users.lead)
    plan = {"mode": "plan", "client": client.pk, "planned_on": days(2), "purpose": "陪同回访"}
    resp = lead.post(VISITS, plan, content_type="application/json")
    assert resp.status_code == 400
    assert visited_text("张三", dt.date.fromisoformat(days(-1))) in resp.json()["acknowledge_overlap"][0]
    resp = lead.post(VISITS, {**plan, "acknowledge_overlap": True}, content_type="application/json")
    assert resp.status_code == 201
    body = resp.json()
    assert body["status"] == "planned" and body["overlap_acknowledged"]
    assert body["overlaps"] == [
        {"other_visitor": "张三", "other_status": "done", "other_day": days(-1), "days_apart": 3}
    ]


def test_bad_input_over_the_api(org, client_for):
    client = make_client(org.users.cm)
    cm = client_for(org.users.cm)
    resp = cm.post(
        VISITS, {"client": client.pk, "visited_on": days(3), "content": ""}, content_type="application/json"
    )
    assert resp.status_code == 400
    assert {"visited_on", "content"} <= set(resp.json())
    resp = client_for(org.users.cm_peer).post(
        VISITS, {"client": client.pk, "visited_on": days(-1), "content": "x"}, content_type="application/json"
    )
    assert resp.status_code == 400 and "client" in resp.json()
    assert Visit.objects.count() == 0


def test_visit_scope_and_actions_over_the_api(org, client_for):
    client = make_client(org.users.cm)
    visit = log(org.users.cm, client, -2)
    plan = sv.visit_plan(actor=org.users.cm, client=client, planned_on=dt.date.fromisoformat(days(1)))
    for who, n in (("cm", 2), ("lead", 2), ("manager", 2), ("cm_peer", 0), ("outsider", 0)):
        assert client_for(getattr(org.users, who)).get(VISITS).json()["count"] == n, who
    assert client_for(org.users.outsider).get(f"{VISITS}{visit.pk}/").status_code == 404
    cm = client_for(org.users.cm)
    resp = cm.post(f"{VISITS}{visit.pk}/verify/", {"opinion": "自己"}, content_type="application/json")
    assert resp.status_code == 404  # not in the client manager's verify scope
    lead = client_for(org.users.lead)
    resp = lead.post(f"{VISITS}{visit.pk}/verify/", {"opinion": ""}, content_type="application/json")
    assert resp.status_code == 400 and "opinion" in resp.json()
    resp = lead.post(f"{VISITS}{visit.pk}/verify/", {"opinion": "同意"}, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["verification_opinion"] == "同意"
    resp = cm.patch(f"{VISITS}{visit.pk}/", {"content": "修改"}, content_type="application/json")
    assert resp.status_code == 400  # verified: no longer changes
    resp = cm.patch(f"{VISITS}{plan.pk}/", {"purpose": "改期讨论"}, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["purpose"] == "改期讨论"
    resp = cm.post(
        f"{VISITS}{plan.pk}/complete/",
        {"visited_on": days(0), "content": "已完成"},
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["status"] == "done"
    plan2 = sv.visit_plan(actor=org.users.cm, client=client, planned_on=dt.date.fromisoformat(days(4)))
    resp = cm.post(f"{VISITS}{plan2.pk}/cancel/", {}, content_type="application/json")
    assert resp.json()["status"] == "cancelled"


def test_followups_over_the_api(org, client_for):
    dept = Department.objects.create(
        branch=org.branches.b1, kind=Department.Kind.TRADE_MANAGEMENT, name="交易管理岗"
    )
    clerk = StaffFactory(
        name="吴十", branch=org.branches.b1, department=dept, position=Staff.Position.BACK_OFFICE
    )
    clerk_user = login("clerk", Role.CLIENT_MANAGER, clerk)
    client = make_client(org.users.cm)
    visit = log(org.users.cm, client, -1)
    cm = client_for(org.users.cm)
    resp = cm.post(
        FOLLOWUPS,
        {"visit": visit.pk, "category": "trading", "matter": "委托失败", "department": dept.pk},
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.json()
    pk = resp.json()["id"]
    assert resp.json()["owner_name"] == "张三"
    assert client_for(org.users.outsider).get(f"{FOLLOWUPS}{pk}/").status_code == 404
    assert cm.post(f"{FOLLOWUPS}{pk}/send/", {}, content_type="application/json").json()["status"] == "sent"
    assert (
        cm.post(f"{FOLLOWUPS}{pk}/chase/", {"note": "请尽快"}, content_type="application/json").status_code
        == 200
    )
    dept_api = client_for(clerk_user)
    assert dept_api.get(FOLLOWUPS).json()["count"] == 1
    resp = dept_api.post(
        f"{FOLLOWUPS}{pk}/resolve/", {"resolution": "已修复"}, content_type="application/json"
    )
    assert resp.json()["status"] == "resolved"
    resp = cm.post(f"{FOLLOWUPS}{pk}/close/", {}, content_type="application/json")
    assert resp.status_code == 400
    assert {"informed_on", "informed_how", "informed_note"} <= set(resp.json())
    resp = cm.post(
        f"{FOLLOWUPS}{pk}/close/",
        {"informed_on": days(0), "informed_how": "message", "informed_note": "短信告知"},
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["status"] == "closed"
    assert [e["kind"] for e in resp.json()["events"]] == ["created", "sent", "chased", "resolved", "closed"]
    resp = cm.post(f"{FOLLOWUPS}{pk}/reopen/", {"note": "仍有问题"}, content_type="application/json")
    assert resp.json()["status"] == "sent"
    assert FollowUp.objects.get().informed_on is None
