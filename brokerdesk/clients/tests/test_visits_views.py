"""Visit and follow-up pages: logging and planning with the overlap warning, the visit's record,
the monthly verification (htmx per row), follow-up steps, the overlap report, and scope (another
manager, branch or department sees only what the rules allow)."""

import datetime as dt

import pytest
from django.utils import timezone

from brokerdesk.access.roles import Role
from brokerdesk.clients import services_visits as sv
from brokerdesk.clients.models import FollowUp, Visit, VisitOverlap
from brokerdesk.clients.tests.factories import make_client
from brokerdesk.org.models import Department, Staff
from brokerdesk.org.tests.factories import StaffFactory, login

pytestmark = pytest.mark.django_db


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def log(actor, client, day, **kw):
    kw.setdefault("content", "介绍两融业务")
    return sv.visit_log(actor=actor, client=client, visited_on=day, **kw)


def post_visit(c, client, **extra):
    data = {
        "mode": "log",
        "client": getattr(client, "pk", client),
        "visited_on": days(-1).isoformat(),
        "form": "on_site",
        "content": "客户咨询基金定投。",
    }
    data.update(extra)
    return c.post("/clients/visits/new/", data)


def test_create_page_preselects_the_client_and_logs_a_visit(org, client_for):
    client = make_client(org.users.cm, name="陈大文")
    c = client_for(org.users.cm)
    page = c.get(f"/clients/visits/new/?client={client.pk}")
    assert page.status_code == 200
    assert f'<option value="{client.pk}" selected>' in page.content.decode()
    resp = post_visit(c, client)
    visit = Visit.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/clients/visits/{visit.pk}/"
    assert visit.status == "done" and visit.author == org.staff.cm
    detail = c.get(resp["Location"]).content.decode()
    assert "客户咨询基金定投。" in detail and "raise-form" in detail


def test_create_page_plans_ahead_and_refuses_bad_input(org, client_for):
    client = make_client(org.users.cm)
    c = client_for(org.users.cm)
    resp = post_visit(c, client, mode="plan", planned_on=days(3).isoformat(), purpose="回访")
    assert resp.status_code == 302
    assert Visit.objects.get().status == "planned"
    resp = post_visit(c, client, visited_on=days(2).isoformat(), content="")
    assert resp.status_code == 400
    assert set(resp.context["form"].errors) >= {"visited_on", "content"}
    assert Visit.objects.count() == 1


def test_a_client_out_of_scope_cannot_be_chosen_or_posted(org, client_for):
    client = make_client(org.users.cm)
    resp = post_visit(client_for(org.users.cm_peer), client)
    assert resp.status_code == 400
    assert "client" in resp.context["form"].errors
    assert Visit.objects.count() == 0


def test_the_overlap_warning_shows_above_the_form_until_acknowledged(org, client_for):
    client = make_client(org.users.cm)
    log(org.users.cm, client, days(-2))
    c = client_for(org.users.lead)
    resp = post_visit(c, client, mode="plan", planned_on=days(1).isoformat())
    assert resp.status_code == 400
    html = resp.content.decode()
    assert 'id="overlap-warning"' in html
    assert f"张三 已于 {days(-2).year}年{days(-2).month}月{days(-2).day}日 走访该客户" in html
    assert 'name="acknowledge_overlap"' in html
    assert Visit.objects.count() == 1
    resp = post_visit(c, client, mode="plan", planned_on=days(1).isoformat(), acknowledge_overlap="on")
    assert resp.status_code == 302
    visit = Visit.objects.get(author=org.staff.lead)
    assert visit.overlap_acknowledged and visit.overlaps.count() == 1
    detail = c.get(f"/clients/visits/{visit.pk}/").content.decode()
    assert "张三" in detail and 'id="overlaps"' in detail


def test_complete_a_planned_visit_on_its_page(org, client_for):
    client = make_client(org.users.cm)
    plan = sv.visit_plan(actor=org.users.cm, client=client, planned_on=days(0))
    c = client_for(org.users.cm)
    assert c.get(f"/clients/visits/{plan.pk}/complete/").status_code == 200
    assert client_for(org.users.lead).get(f"/clients/visits/{plan.pk}/complete/").status_code == 404
    resp = c.post(
        f"/clients/visits/{plan.pk}/complete/",
        {"visited_on": days(0).isoformat(), "form": "phone", "content": "电话沟通"},
    )
    assert resp.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.form) == ("done", "phone")


def test_cancel_a_plan_from_its_page(org, client_for):
    client = make_client(org.users.cm)
    plan = sv.visit_plan(actor=org.users.cm, client=client, planned_on=days(2))
    resp = client_for(org.users.cm).post(f"/clients/visits/{plan.pk}/cancel/")
    assert resp.status_code == 302
    assert Visit.objects.get(pk=plan.pk).status == "cancelled"


def test_visit_scope_on_pages(org, client_for):
    client = make_client(org.users.cm, name="范围客户")
    visit = log(org.users.cm, client, days(-1))
    url = f"/clients/visits/{visit.pk}/"
    for who in ("cm", "lead", "rm", "manager", "region", "vp"):
        assert client_for(getattr(org.users, who)).get(url).status_code == 200, who
    for who in ("cm_peer", "cm_b", "outsider", "sysadmin"):
        assert client_for(getattr(org.users, who)).get(url).status_code == 404, who
    assert "范围客户" not in client_for(org.users.cm_peer).get("/clients/visits/?whose=all").content.decode()
    assert "范围客户" not in client_for(org.users.outsider).get("/clients/visits/?whose=all").content.decode()
    # A co-visitor sees it.
    shared = log(org.users.cm, client, days(-2), visitors=[org.staff.cm_peer])
    peer = client_for(org.users.cm_peer)
    assert peer.get(f"/clients/visits/{shared.pk}/").status_code == 200
    assert peer.get(url).status_code == 404
    assert "范围客户" in peer.get("/clients/visits/?whose=mine").content.decode()


def test_visit_list_tabs_and_filters(org, client_for):
    a = make_client(org.users.cm, name="甲客户")
    b = make_client(org.users.cm_peer, name="乙客户")
    log(org.users.cm, a, days(-1), form="phone")
    log(org.users.cm_peer, b, days(-2))
    sv.visit_plan(actor=org.users.cm, client=a, planned_on=days(5))
    lead = client_for(org.users.lead)
    html = lead.get("/clients/visits/").content.decode()
    assert "甲客户" in html and "乙客户" in html
    assert "乙客户" not in lead.get("/clients/visits/?whose=all&form=phone").content.decode()
    assert "甲客户" not in lead.get("/clients/visits/?whose=all&client=乙").content.decode()
    resp = lead.get("/clients/visits/?whose=all&status=planned")
    assert resp.context["page"].paginator.count == 1
    resp = lead.get("/clients/visits/?whose=all&verified=no")
    assert resp.context["page"].paginator.count == 2
    month = days(-1).strftime("%Y-%m")
    assert lead.get(f"/clients/visits/?whose=all&month={month}").status_code == 200
    mine = client_for(org.users.cm).get("/clients/visits/")
    assert mine.context["whose"] == "mine" and mine.context["page"].paginator.count == 2
    partial = lead.get("/clients/visits/?whose=all", HTTP_HX_REQUEST="true")
    assert b'<nav class="subnav"' not in partial.content and "甲客户" in partial.content.decode()


def test_monthly_verification_page_and_htmx_row(org, client_for):
    client = make_client(org.users.cm)
    first = log(org.users.cm, client, days(0).replace(day=1))
    second = log(org.users.cm, client, days(0))
    sv.verify_visit(actor=org.users.lead, visit=first, opinion="已核实")
    lead = client_for(org.users.lead)
    page = lead.get("/clients/verify/".replace("/clients/verify/", "/clients/visits/verify/"))
    assert page.status_code == 200
    rows = list(page.context["page"])
    assert rows[0].pk == second.pk  # unverified first
    assert page.context["counts"]["verified"] == 1 and page.context["counts"]["unverified"] == 1
    resp = lead.post(f"/clients/visits/{second.pk}/verify/", {"opinion": ""}, HTTP_HX_REQUEST="true")
    assert "errors" in resp.content.decode()
    assert Visit.objects.get(pk=second.pk).verified_at is None
    resp = lead.post(f"/clients/visits/{second.pk}/verify/", {"opinion": "内容详实"}, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and "内容详实" in resp.content.decode()
    assert resp.content.decode().lstrip().startswith('<section class="card verify-item verified"')
    assert Visit.objects.get(pk=second.pk).verification_opinion == "内容详实"
    assert client_for(org.users.cm).get("/clients/visits/verify/").status_code == 404
    # A colleague's verify of a visit outside their scope is a 404.
    assert (
        client_for(org.users.outsider)
        .post(f"/clients/visits/{second.pk}/verify/", {"opinion": "x"})
        .status_code
        == 404
    )


def test_unverified_logs_of_past_months_stay_visible(org, client_for):
    client = make_client(org.users.cm, opened_on=days(-120))
    old = log(org.users.cm, client, days(0).replace(day=1) - dt.timedelta(days=20))
    lead = client_for(org.users.lead)
    page = lead.get("/clients/visits/verify/")
    assert page.context["counts"]["earlier"] == 1
    assert old.pk not in [v.pk for v in page.context["page"]]
    page = lead.get("/clients/visits/verify/?unverified=1")
    assert old.pk in [v.pk for v in page.context["page"]]


def test_lead_verifies_from_the_visit_page_but_not_their_own(org, client_for):
    client = make_client(org.users.cm)
    visit = log(org.users.cm, client, days(-1))
    lead = client_for(org.users.lead)
    assert (
        f'action="/clients/visits/{visit.pk}/verify/"'
        in lead.get(f"/clients/visits/{visit.pk}/").content.decode()
    )
    resp = lead.post(f"/clients/visits/{visit.pk}/verify/", {"opinion": "同意"})
    assert resp.status_code == 302
    own = log(org.users.lead, client, days(-1), acknowledge_overlap=True)
    html = lead.get(f"/clients/visits/{own.pk}/").content.decode()
    assert f'action="/clients/visits/{own.pk}/verify/"' not in html
    lead.post(f"/clients/visits/{own.pk}/verify/", {"opinion": "自己"})
    assert Visit.objects.get(pk=own.pk).verified_at is None


@pytest.fixture
def dept_setup(org):
    dept = Department.objects.create(
        branch=org.branches.b1, kind=Department.Kind.TRADE_MANAGEMENT, name="交易管理岗"
    )
    other = Department.objects.create(branch=org.branches.b1, kind=Department.Kind.FINANCE, name="财务部")
    clerk = StaffFactory(
        name="吴十", branch=org.branches.b1, department=dept, position=Staff.Position.BACK_OFFICE
    )
    bean = StaffFactory(
        name="郑十一", branch=org.branches.b1, department=other, position=Staff.Position.BACK_OFFICE
    )
    org.users.clerk = login("clerk", Role.CLIENT_MANAGER, clerk)
    org.users.bean = login("bean", Role.CLIENT_MANAGER, bean)
    client = make_client(org.users.cm, name="督办客户")
    visit = log(org.users.cm, client, days(-1))
    return org, dept, visit


def test_raise_send_resolve_close_through_the_pages(dept_setup, client_for):
    org, dept, visit = dept_setup
    cm = client_for(org.users.cm)
    resp = cm.post(
        f"/clients/visits/{visit.pk}/matters/",
        {"category": "trading", "matter": "转账慢", "department": dept.pk, "due_on": ""},
    )
    fu = FollowUp.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/clients/followups/{fu.pk}/"
    page = cm.get(resp["Location"]).content.decode()
    assert 'id="send-form"' in page
    assert cm.post(f"/clients/followups/{fu.pk}/send/", {"department": dept.pk}).status_code == 302
    clerk = client_for(org.users.clerk)
    assert "督办客户" in clerk.get("/clients/followups/?tab=department").content.decode()
    assert clerk.get(f"/clients/followups/{fu.pk}/").status_code == 200
    assert client_for(org.users.bean).get(f"/clients/followups/{fu.pk}/").status_code == 404
    assert clerk.post(f"/clients/followups/{fu.pk}/resolve/", {"resolution": "已恢复"}).status_code == 302
    resp = cm.post(
        f"/clients/followups/{fu.pk}/close/", {"informed_on": "", "informed_how": "", "informed_note": ""}
    )
    assert resp.status_code == 400
    assert set(resp.context["forms"]["close"].errors) == {"informed_on", "informed_how", "informed_note"}
    assert FollowUp.objects.get().status == "resolved"
    resp = cm.post(
        f"/clients/followups/{fu.pk}/close/",
        {"informed_on": days(0).isoformat(), "informed_how": "phone", "informed_note": "已电话告知"},
    )
    assert resp.status_code == 302
    assert FollowUp.objects.get().status == "closed"
    trail = cm.get(f"/clients/followups/{fu.pk}/").content.decode()
    assert "已电话告知" in trail
    assert cm.post(f"/clients/followups/{fu.pk}/bogus/").status_code == 404


def test_followup_list_counts_and_highlights_overdue(dept_setup, client_for):
    org, dept, visit = dept_setup
    late = sv.followup_raise(actor=org.users.cm, visit=visit, category="service", matter="迟了")
    FollowUp.objects.filter(pk=late.pk).update(due_on=days(-2))
    sv.followup_raise(actor=org.users.cm, visit=visit, category="product", matter="未到期")
    cm = client_for(org.users.cm)
    resp = cm.get("/clients/followups/")
    assert resp.context["tab"] == "mine" and resp.context["overdue"] == 1
    html = resp.content.decode()
    assert f'<tr id="fu-{late.pk}" class="overdue">' in html
    resp = cm.get("/clients/followups/?status=overdue")
    assert [f.pk for f in resp.context["page"]] == [late.pk]
    assert cm.get("/clients/followups/?category=product").context["page"].paginator.count == 1
    assert client_for(org.users.lead).get("/clients/followups/?tab=all").context["overdue"] == 1
    assert (
        client_for(org.users.outsider).get("/clients/followups/?tab=all").context["page"].paginator.count == 0
    )
    assert client_for(org.users.cm_peer).get(f"/clients/followups/{late.pk}/").status_code == 404


def test_overlap_report_counts_per_team_and_lists_pairs(org, client_for):
    client = make_client(org.users.cm, name="重叠客户")
    log(org.users.cm, client, days(-3))
    log(org.users.lead, client, days(-1), acknowledge_overlap=True)
    sv.visit_plan(actor=org.users.manager, client=client, planned_on=days(2), acknowledge_overlap=True)
    assert VisitOverlap.objects.count() == 3
    resp = client_for(org.users.manager).get("/clients/visits/overlaps/")
    assert resp.status_code == 200
    counts = {row["visit__team__name"]: row["n"] for row in resp.context["per_team"]}
    assert counts == {"金融街一部": 1, None: 2}
    assert resp.context["page"].paginator.count == 3
    assert "重叠客户" in resp.content.decode()
    assert (
        client_for(org.users.outsider).get("/clients/visits/overlaps/").context["page"].paginator.count == 0
    )
    old = client_for(org.users.manager).get("/clients/visits/overlaps/?start=2020-01-01&end=2020-12-31")
    assert old.context["page"].paginator.count == 0


def test_the_author_corrects_a_visit_until_it_is_verified(org, client_for):
    client = make_client(org.users.cm)
    visit = log(org.users.cm, client, days(-1))
    cm = client_for(org.users.cm)
    assert 'id="edit-visit"' in cm.get(f"/clients/visits/{visit.pk}/").content.decode()
    assert client_for(org.users.lead).get(f"/clients/visits/{visit.pk}/edit/").status_code == 404
    resp = cm.post(f"/clients/visits/{visit.pk}/edit/", {"form": "phone", "content": ""})
    assert resp.status_code == 400 and "content" in resp.context["form"].errors
    resp = cm.post(
        f"/clients/visits/{visit.pk}/edit/", {"form": "phone", "content": "补记：客户关注港股通。"}
    )
    assert resp.status_code == 302
    assert Visit.objects.get(pk=visit.pk).content == "补记：客户关注港股通。"
    sv.verify_visit(actor=org.users.lead, visit=visit, opinion="同意")
    assert 'id="edit-visit"' not in cm.get(f"/clients/visits/{visit.pk}/").content.decode()
    resp = cm.post(f"/clients/visits/{visit.pk}/edit/", {"form": "event", "content": "核实后改"})
    assert resp.status_code == 302
    assert Visit.objects.get(pk=visit.pk).content == "补记：客户关注港股通。"


def test_with_many_clients_in_scope_the_client_number_is_typed(org, client_for, monkeypatch):
    from brokerdesk.clients import forms_visits

    monkeypatch.setattr(forms_visits, "CLIENT_SELECT_MAX", 1)
    mine = make_client(org.users.cm, name="陈大文")
    make_client(org.users.cm, name="李小文")
    other_branch = make_client(org.users.outsider, name="外部客户")
    c = client_for(org.users.cm)
    page = c.get(f"/clients/visits/new/?client={mine.pk}").content.decode()
    assert f'value="{mine.client_no}"' in page and "<option" not in page.split('name="client"')[0][-200:]
    resp = post_visit(c, mine.client_no)
    assert resp.status_code == 302 and Visit.objects.get().client == mine
    refused = post_visit(c, other_branch.client_no)
    assert refused.status_code == 400 and Visit.objects.count() == 1
