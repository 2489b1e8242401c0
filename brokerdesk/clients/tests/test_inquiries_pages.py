"""Inquiry pages and API: the list with tabs and what is late on top, recording on a phone,
the detail's actions, conversion into a client, scope (404 outside), and constant queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brokerdesk.access.models import SensitiveAccess
from brokerdesk.clients import services_inquiries as svc
from brokerdesk.clients.models import Client, Inquiry
from brokerdesk.org.tests.factories import make_id_number

pytestmark = pytest.mark.django_db


def record(org, actor=None, to=None, **kw) -> Inquiry:
    values = {"kind": "call", "caller_name": "刘先生", "mobile": "13900001111", "topic": "咨询基金定投"}
    values.update(kw)
    return svc.inquiry_create(actor=actor or org.users.manager, assigned_to=to or org.staff.cm, **values)


def test_create_page_records_a_call_and_redirects_to_it(org, client_for):
    c = client_for(org.users.cm)
    page = c.get("/clients/inquiries/new/")
    assert page.status_code == 200 and 'type="tel"' in page.content.decode()
    resp = c.post(
        "/clients/inquiries/new/",
        {
            "kind": "appointment",
            "caller_name": "黄女士",
            "mobile": "13711112222",
            "topic": "预约周六开户",
            "important": "on",
            "assigned_to": org.staff.cm_peer.pk,
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "appointment_at": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "appointment_outlet": org.outlets.o1.pk,
        },
    )
    inq = Inquiry.objects.get()
    assert resp.status_code == 302 and resp["Location"] == inq.get_absolute_url()
    assert inq.important and inq.acknowledge_by and inq.assigned_to == org.staff.cm_peer
    assert inq.appointment_outlet == org.outlets.o1


def test_create_page_shows_field_errors_and_saves_nothing(org, client_for):
    resp = client_for(org.users.cm).post(
        "/clients/inquiries/new/",
        {
            "kind": "appointment",
            "caller_name": "黄女士",
            "mobile": "1234",
            "topic": "预约",
            "assigned_to": org.staff.outsider.pk,
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert resp.status_code == 400
    form = resp.context["form"]
    assert {"mobile", "assigned_to"} <= set(form.errors)
    assert Inquiry.objects.count() == 0
    resp = client_for(org.users.cm).post(
        "/clients/inquiries/new/",
        {
            "kind": "appointment",
            "caller_name": "黄女士",
            "mobile": "13711112222",
            "topic": "预约",
            "assigned_to": org.staff.cm.pk,
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert resp.status_code == 400 and "appointment_at" in resp.context["form"].errors
    assert client_for(org.users.accountant).get("/clients/inquiries/new/").status_code == 404


def test_scope_on_pages_and_api(org, client_for):
    to_cm = record(org, to=org.staff.cm)  # received by the branch manager, passed to 张三 (team A)
    to_b = record(org, to=org.staff.cm_b)  # passed to 李四 (team B)
    received_by_peer = record(org, actor=org.users.cm_peer, to=org.staff.cm_b)
    other_branch = record(org, actor=org.users.outsider, to=org.staff.outsider)
    expect = {
        "cm": {to_cm},
        "cm_peer": {received_by_peer},
        "cm_b": {to_b, received_by_peer},
        "lead": {to_cm},
        "manager": {to_cm, to_b, received_by_peer},
        "outsider": {other_branch},
    }
    for who, mine in expect.items():
        c = client_for(getattr(org.users, who))
        listed = {r["id"] for r in c.get("/api/clients/inquiries/").json()["results"]}
        assert listed == {i.pk for i in mine}, who
        page = c.get("/clients/inquiries/?tab=all").content.decode()
        for inq in (to_cm, to_b, received_by_peer, other_branch):
            seen = f'id="inquiry-{inq.pk}"' in page
            assert seen == (inq in mine), (who, inq.pk)
            status = c.get(f"/clients/inquiries/{inq.pk}/").status_code
            assert status == (200 if inq in mine else 404), (who, inq.pk)
            api = c.get(f"/api/clients/inquiries/{inq.pk}/").status_code
            assert api == (200 if inq in mine else 404), (who, inq.pk)


def test_tabs_and_filters(org, client_for):
    mine = record(org, to=org.staff.cm, topic="事项AA")
    received = record(org, actor=org.users.cm, to=org.staff.cm_peer, topic="事项BB")
    important = record(org, to=org.staff.cm, important=True, topic="事项CC")
    c = client_for(org.users.cm)
    page = c.get("/clients/inquiries/").content.decode()  # default tab: passed on to me
    assert "事项AA" in page and "事项CC" in page and "事项BB" not in page
    page = c.get("/clients/inquiries/?tab=received").content.decode()
    assert "事项BB" in page and "事项AA" not in page
    page = c.get("/clients/inquiries/?tab=all&important=on").content.decode()
    assert "事项CC" in page and "事项AA" not in page
    page = c.get("/clients/inquiries/?tab=all&kind=appointment").content.decode()
    assert "事项AA" not in page
    page = c.get("/clients/inquiries/?tab=all&status=open").content.decode()
    assert all(t in page for t in ("事项AA", "事项BB", "事项CC"))
    assert mine and received and important
    # The mobile is masked in the list.
    assert "139****1111" in page and "13900001111" not in page


def test_late_matters_are_red_and_counted_at_the_top(org, client_for):
    late = record(org, important=True, received_at=timezone.now() - dt.timedelta(hours=9), topic="迟了")
    record(org, important=True, topic="还来得及")
    c = client_for(org.users.cm)
    page = c.get("/clients/inquiries/").content.decode()
    assert f'<tr class="late" id="inquiry-{late.pk}">' in page
    top = page.split('id="late-count"')[1][:200]
    assert '<span class="n">1</span>' in top
    waiting = page.split('id="waiting-count"')[1][:200]
    assert '<span class="n">2</span>' in waiting
    page = c.get("/clients/inquiries/?tab=all&late=on").content.decode()
    assert "迟了" in page and "还来得及" not in page
    svc.inquiry_acknowledge(actor=org.users.cm, inquiry=late)
    page = client_for(org.users.manager).get("/clients/inquiries/?tab=all").content.decode()
    assert '<span class="n">0</span>' in page.split('id="late-count"')[1][:200]
    assert 'class="late"' not in page
    api = c.get(f"/api/clients/inquiries/{late.pk}/").json()
    assert api["late"] is False and api["mobile"] == "139****1111"


def test_list_pages_keep_a_constant_number_of_queries(org, client_for):
    record(org, important=True)

    def counts(who):
        c = client_for(getattr(org.users, who))
        result = {}
        for url in ("/clients/inquiries/", "/clients/inquiries/?tab=all", "/api/clients/inquiries/"):
            c.get(url)
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200
            result[url] = len(ctx.captured_queries)
        return result

    few = {who: counts(who) for who in ("cm", "lead", "manager")}
    for i in range(12):
        inq = record(
            org,
            to=[org.staff.cm, org.staff.cm_peer, org.staff.cm_b][i % 3],
            important=bool(i % 2),
            received_at=timezone.now() - dt.timedelta(hours=i),
            kind="appointment" if i % 4 == 0 else "call",
            appointment_at=timezone.now() if i % 4 == 0 else None,
            appointment_outlet=org.outlets.o1 if i % 4 == 0 else None,
        )
        if i % 3 == 0:
            svc.inquiry_answer(actor=org.users.manager, inquiry=inq, outcome="已答复")
    many = {who: counts(who) for who in ("cm", "lead", "manager")}
    assert many == few


def test_detail_actions_acknowledge_pass_on_answer(org, client_for):
    inq = record(org, important=True)
    cm = client_for(org.users.cm)
    page = cm.get(f"/clients/inquiries/{inq.pk}/").content.decode()
    assert 'id="acknowledge"' in page and "139****1111" in page
    assert (
        'id="acknowledge"'
        not in client_for(org.users.manager).get(f"/clients/inquiries/{inq.pk}/").content.decode()
    )
    assert cm.post(f"/clients/inquiries/{inq.pk}/acknowledge/").status_code == 302
    inq.refresh_from_db()
    assert inq.status == Inquiry.Status.ACKNOWLEDGED
    resp = cm.post(f"/clients/inquiries/{inq.pk}/pass-on/", {"to": org.staff.outsider.pk})
    assert resp.status_code == 400
    resp = cm.post(f"/clients/inquiries/{inq.pk}/pass-on/", {"to": org.staff.cm_peer.pk, "note": "请跟进"})
    assert resp.status_code == 302
    inq.refresh_from_db()
    assert inq.assigned_to == org.staff.cm_peer and inq.acknowledged_at is None
    peer = client_for(org.users.cm_peer)
    assert peer.post(f"/clients/inquiries/{inq.pk}/answer/", {"outcome": ""}).status_code == 400
    assert peer.post(f"/clients/inquiries/{inq.pk}/answer/", {"outcome": "已回电"}).status_code == 302
    inq.refresh_from_db()
    assert inq.status == Inquiry.Status.DONE
    page = peer.get(f"/clients/inquiries/{inq.pk}/").content.decode()
    assert "请跟进" in page and "已回电" in page and 'id="answer-form"' not in page
    # The one who was passed the call may reveal the mobile; each reveal is logged.
    assert peer.post(f"/clients/inquiries/{inq.pk}/reveal/").content == b"13900001111"
    assert SensitiveAccess.objects.filter(user=org.users.cm_peer, field="mobile").count() == 1
    assert client_for(org.users.lead).post(f"/clients/inquiries/{inq.pk}/reveal/").status_code == 403


def test_mark_lost_and_add_a_note(org, client_for):
    inq = record(org, kind="appointment", appointment_at=timezone.now())
    cm = client_for(org.users.cm)
    assert cm.post(f"/clients/inquiries/{inq.pk}/note/", {"note": "已短信提醒"}).status_code == 302
    assert cm.post(f"/clients/inquiries/{inq.pk}/lost/", {"reason": ""}).status_code == 400
    assert cm.post(f"/clients/inquiries/{inq.pk}/lost/", {"reason": "客户改去他处开户"}).status_code == 302
    inq.refresh_from_db()
    assert inq.status == Inquiry.Status.LOST
    assert list(inq.events.values_list("kind", flat=True)) == ["created", "note", "lost"]


def test_convert_page_registers_the_client_and_redirects_to_it(org, client_for):
    inq = record(org, kind="appointment", appointment_at=timezone.now(), appointment_outlet=org.outlets.o1)
    cm = client_for(org.users.cm)
    page = cm.get(f"/clients/inquiries/{inq.pk}/convert/").content.decode()
    assert 'value="刘先生"' in page
    data = {
        "client_no": "12a",
        "name": "刘先生",
        "kind": "individual",
        "id_number": "123",
        "mobile": "13900001111",
        "opened_on": timezone.localdate().isoformat(),
        "source_outlet": org.outlets.o1.pk,
    }
    resp = cm.post(f"/clients/inquiries/{inq.pk}/convert/", data)
    assert resp.status_code == 400 and {"client_no", "id_number"} <= set(resp.context["form"].errors)
    assert Client.objects.count() == 0
    data.update(client_no="556677889", id_number=make_id_number(77))
    resp = cm.post(f"/clients/inquiries/{inq.pk}/convert/", data)
    client = Client.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/clients/{client.pk}/"
    assert client.source == Client.Source.INQUIRY and client.manager == org.staff.cm
    # Again: already converted.
    resp = cm.post(f"/clients/inquiries/{inq.pk}/convert/", data)
    assert resp.status_code == 302 and Client.objects.count() == 1
    assert client_for(org.users.outsider).get(f"/clients/inquiries/{inq.pk}/convert/").status_code == 404


def test_api_create_actions_and_convert(org, client_for):
    cm = client_for(org.users.cm)
    resp = cm.post(
        "/api/clients/inquiries/",
        {
            "kind": "call",
            "caller_name": "马先生",
            "mobile": "1390000",
            "topic": "咨询",
            "assigned_to": org.staff.cm.pk,
        },
        content_type="application/json",
    )
    assert resp.status_code == 400 and "mobile" in resp.json()
    resp = cm.post(
        "/api/clients/inquiries/",
        {
            "kind": "call",
            "caller_name": "马先生",
            "mobile": "13900002222",
            "topic": "咨询",
            "assigned_to": org.staff.outsider.pk,
        },
        content_type="application/json",
    )
    assert resp.status_code == 400 and "assigned_to" in resp.json()
    resp = cm.post(
        "/api/clients/inquiries/",
        {
            "kind": "appointment",
            "caller_name": "马先生",
            "mobile": "13900002222",
            "topic": "预约开户",
            "important": True,
            "assigned_to": org.staff.cm.pk,
            "appointment_at": timezone.now().isoformat(),
        },
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["mobile"] == "139****2222" and body["acknowledge_by"]
    pk = body["id"]
    assert cm.get(f"/api/clients/inquiries/{pk}/sensitive/").json() == {"mobile": "13900002222"}
    assert client_for(org.users.manager).post(f"/api/clients/inquiries/{pk}/acknowledge/").status_code == 403
    assert cm.post(f"/api/clients/inquiries/{pk}/acknowledge/").json()["status"] == "acknowledged"
    resp = cm.post(
        f"/api/clients/inquiries/{pk}/convert/",
        {"client_no": "x", "id_number": "1", "opened_on": timezone.localdate().isoformat()},
        content_type="application/json",
    )
    assert resp.status_code == 400 and {"client_no", "id_number"} <= set(resp.json())
    resp = cm.post(
        f"/api/clients/inquiries/{pk}/convert/",
        {
            "client_no": "667788990",
            "id_number": make_id_number(88),
            "opened_on": timezone.localdate().isoformat(),
        },
        content_type="application/json",
    )
    assert resp.status_code == 201
    month = timezone.localdate().replace(day=1)
    assert resp.json()["confirmation_serial"] == f"QR-BJ01-{month:%Y%m}-0001"
    resp = cm.post(
        f"/api/clients/inquiries/{pk}/convert/",
        {
            "client_no": "667788991",
            "id_number": make_id_number(89),
            "opened_on": timezone.localdate().isoformat(),
        },
        content_type="application/json",
    )
    assert resp.status_code == 400
    other = record(org)
    assert cm.post(f"/api/clients/inquiries/{other.pk}/pass-on/", {"to": org.staff.cm_b.pk}).json()[
        "assigned_to"
    ] == (org.staff.cm_b.pk)
    assert cm.get(f"/api/clients/inquiries/{other.pk}/").status_code == 404  # no longer theirs
    assert (
        client_for(org.users.outsider)
        .post(f"/api/clients/inquiries/{other.pk}/answer/", {"outcome": "x"})
        .status_code
        == 404
    )
