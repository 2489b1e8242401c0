"""Attendance pages and API: who sees what, field errors, one-tap punches, the sheet."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from brokerdesk.attendance import services
from brokerdesk.attendance.models import DailyRecord, LeaveRequest, LeaveType, Outing
from brokerdesk.org.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_one_tap_check_in_on_the_page_and_a_double_tap_records_one(org, client_for):
    c = client_for(org.users.cm)
    assert c.post(reverse("attendance:punch", args=["in"])).status_code == 302
    first = DailyRecord.objects.get(staff=org.staff.cm).check_in
    c.post(reverse("attendance:punch", args=["in"]))
    assert DailyRecord.objects.get(staff=org.staff.cm).check_in == first
    html = c.get(reverse("attendance:today")).content.decode()
    assert 'id="check-out"' in html


def test_check_out_before_check_in_shows_a_clear_message(org, client_for):
    c = client_for(org.users.cm)
    resp = c.post(reverse("attendance:punch", args=["out"]), follow=True)
    assert "先签到" in resp.content.decode() or "Check in first" in resp.content.decode()
    assert not DailyRecord.objects.exists()


def test_leave_form_errors_in_the_users_language_and_nothing_saved(org, client_for):
    c = client_for(org.users.cm)
    personal = LeaveType.objects.get(code="personal").pk
    resp = c.post(
        reverse("attendance:leave-new"),
        {"leave_type": personal, "starts_on": "2026-12-09", "ends_on": "2026-12-08", "reason": "x"},
    )
    assert resp.status_code == 400 and "ends_on" in resp.context["form"].errors
    assert not LeaveRequest.objects.exists()
    resp = c.post(
        reverse("attendance:leave-new"),
        {"leave_type": personal, "starts_on": "2026-12-08", "ends_on": "2026-12-09", "reason": "事"},
    )
    assert resp.status_code == 302
    assert LeaveRequest.objects.get().days == 2


def test_leave_detail_is_visible_to_self_lead_and_branch_not_to_others(org, client_for):
    leave = services.leave_request(
        actor=org.users.cm,
        leave_type=LeaveType.objects.get(code="personal"),
        starts_on=dt.date(2026, 12, 8),
        ends_on=dt.date(2026, 12, 8),
        reason="x",
    )
    url = reverse("attendance:leave-detail", args=[leave.pk])
    for who, code in [
        ("cm", 200),
        ("lead", 200),
        ("manager", 200),
        ("cm_peer", 404),
        ("cm_b", 404),
        ("outsider", 404),
    ]:
        assert client_for(getattr(org.users, who)).get(url).status_code == code, who
    assert api(org.users.outsider).get(f"/api/attendance/leave/{leave.pk}/").status_code == 404
    assert api(org.users.lead).get(f"/api/attendance/leave/{leave.pk}/").status_code == 200


def test_outing_list_and_check_follow_scope(org, client_for):
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=4)
    outing = services.outing_submit(
        actor=org.users.cm,
        destination="西单支行",
        person_visited="王经理",
        contact="139",
        purpose="拜访",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    Outing.objects.filter(pk=outing.pk).update(status="approved")
    assert "西单支行" in client_for(org.users.lead).get(reverse("attendance:outing-list")).content.decode()
    assert (
        "西单支行" not in client_for(org.users.cm_b).get(reverse("attendance:outing-list")).content.decode()
    )
    assert (
        "西单支行"
        not in client_for(org.users.outsider).get(reverse("attendance:outing-list")).content.decode()
    )
    resp = client_for(org.users.outsider).post(
        reverse("attendance:outing-check", args=[outing.pk]), {"check_result": "confirmed"}
    )
    assert resp.status_code == 404
    client_for(org.users.lead).post(
        reverse("attendance:outing-check", args=[outing.pk]),
        {"check_result": "confirmed", "check_remark": "电话核实"},
    )
    assert Outing.objects.get().check_result == "confirmed"


def test_monthly_sheet_page_and_excel_for_lead_not_for_client_manager(org, client_for):
    day = dt.date(2026, 11, 2)
    DailyRecord.objects.create(
        staff=org.staff.cm,
        day=day,
        check_in=dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC),
        check_out=dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC),
    )
    params = {"month": "2026-11", "team": org.teams.a.pk}
    c = client_for(org.users.lead)
    html = c.get(reverse("attendance:sheet"), params).content.decode()
    assert "张三" in html and "李四" not in html
    resp = c.get(reverse("attendance:sheet"), {**params, "format": "xlsx"})
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["张三"][3 + 1] == "√"  # 2 Nov: on time (09:00–17:30 Beijing)
    assert client_for(org.users.cm).get(reverse("attendance:sheet"), params).status_code == 404
    assert client_for(org.users.outsider).get(reverse("attendance:sheet"), params).status_code == 404
    assert api(org.users.outsider).get("/api/attendance/sheet/", params).status_code == 404
    data = api(org.users.lead).get("/api/attendance/sheet/", params).json()
    assert {r["name"] for r in data} == {"赵六", "钱七", "张三", "孙八"}


def test_sheet_query_count_does_not_grow_with_people(org, client_for):
    params = {"month": "2026-11", "branch": org.branches.b1.pk}
    c = client_for(org.users.manager)
    c.get(reverse("attendance:sheet"), params)
    with CaptureQueriesContext(connection) as few:
        c.get(reverse("attendance:sheet"), params)
    StaffFactory.create_batch(30, branch=org.branches.b1, team=org.teams.b, outlet=org.outlets.o1b)
    with CaptureQueriesContext(connection) as many:
        c.get(reverse("attendance:sheet"), params)
    assert len(many) == len(few)


def test_api_punch_is_idempotent_and_refuses_check_out_first(org):
    client = api(org.users.cm)
    resp = client.post("/api/attendance/punch/check-out/")
    assert resp.status_code == 400
    first = client.post("/api/attendance/punch/check-in/").json()
    second = client.post("/api/attendance/punch/check-in/").json()
    assert first["check_in"] == second["check_in"]
    assert DailyRecord.objects.count() == 1


def test_api_leave_with_bad_dates_is_a_400_with_field_errors(org):
    resp = api(org.users.cm).post(
        "/api/attendance/leave/",
        {
            "leave_type": LeaveType.objects.get(code="personal").pk,
            "starts_on": "2026-12-09",
            "ends_on": "2026-12-08",
            "reason": "x",
        },
        format="json",
    )
    assert resp.status_code == 400 and "ends_on" in resp.json()


def test_record_page_is_for_the_recorder_only(org, client_for):
    assert client_for(org.users.cm).get(reverse("attendance:record")).status_code == 404
    assert client_for(org.users.lead).get(reverse("attendance:record")).status_code == 404
    assert client_for(org.users.manager).get(reverse("attendance:record")).status_code == 200
