"""Organisation pages: who sees what, who may change what, and what a bad form shows."""

import datetime as dt

import pytest
from django.urls import reverse

from brokerdesk.access.models import SensitiveAccess
from brokerdesk.org.models import Outlet, Staff, StaffAssignment, Team
from brokerdesk.org.tests.factories import make_id_number

pytestmark = pytest.mark.django_db

FULL_ID = __import__("re").compile(r"\d{17}[\dXx]")


def _detail_urls(org):
    return {
        "staff": reverse("org:staff-detail", args=[org.staff.cm_b.pk]),
        "team": reverse("org:team-detail", args=[org.teams.b.pk]),
        "outlet": reverse("org:outlet-detail", args=[org.outlets.o1b.pk]),
        "agreement": reverse("org:agreement-detail", args=[org.agreements.a1.pk]),
        "branch": reverse("org:branch-detail", args=[org.branches.b1.pk]),
    }


def test_outsider_cannot_open_any_record_of_another_branch(org, client_for):
    c = client_for(org.users.outsider)
    for name, url in _detail_urls(org).items():
        assert c.get(url).status_code == 404, name


def test_client_manager_cannot_open_another_managers_detail(org, client_for):
    c = client_for(org.users.cm)
    assert c.get(reverse("org:staff-detail", args=[org.staff.cm_b.pk])).status_code == 404
    assert c.get(reverse("org:staff-detail", args=[org.staff.cm_peer.pk])).status_code == 404
    assert c.get(reverse("org:staff-detail", args=[org.staff.cm.pk])).status_code == 200


def test_team_lead_sees_own_team_not_the_other_team(org, client_for):
    c = client_for(org.users.lead)
    assert c.get(reverse("org:staff-detail", args=[org.staff.cm.pk])).status_code == 200
    assert c.get(reverse("org:staff-detail", args=[org.staff.cm_b.pk])).status_code == 404
    assert c.get(reverse("org:team-detail", args=[org.teams.b.pk])).status_code == 404


@pytest.mark.parametrize(
    ("who", "expected", "hidden"),
    [
        ("lead", ["张三", "孙八", "钱七"], ["李四", "王五"]),
        ("cm", ["张三"], ["孙八", "李四", "王五"]),
        ("manager", ["张三", "李四"], ["王五"]),
        ("channel", ["张三", "王五"], []),
        ("sysadmin", [], ["张三", "王五"]),
    ],
)
def test_staff_list_shows_exactly_the_scope(org, client_for, who, expected, hidden):
    html = client_for(getattr(org.users, who)).get(reverse("org:staff-list")).content.decode()
    for name in expected:
        assert name in html
    for name in hidden:
        assert name not in html


@pytest.mark.parametrize("query", ["zs", "zsan", "zhangsan", "ZS", "张三", "BJ0001", "bj00"])
def test_staff_search_finds_by_name_number_and_pinyin(org, client_for, query):
    html = client_for(org.users.lead).get(reverse("org:staff-list"), {"q": query}).content.decode()
    assert "张三" in html
    assert "孙八" not in html


def test_staff_search_stays_inside_scope(org, client_for):
    html = client_for(org.users.outsider).get(reverse("org:staff-list"), {"q": "zs"}).content.decode()
    assert "张三" not in html


def test_staff_search_htmx_returns_only_the_results_partial(org, client_for):
    resp = client_for(org.users.lead).get(reverse("org:staff-list"), {"q": "zs"}, HTTP_HX_REQUEST="true")
    html = resp.content.decode()
    assert "张三" in html
    assert "<html" not in html


def test_staff_list_filters_by_team_and_status(org, client_for):
    c = client_for(org.users.manager)
    html = c.get(reverse("org:staff-list"), {"team": org.teams.b.pk}).content.decode()
    assert "李四" in html and "张三" not in html
    Staff.objects.filter(pk=org.staff.cm.pk).update(status=Staff.Status.PROBATION)
    html = c.get(reverse("org:staff-list"), {"status": "probation"}).content.decode()
    assert "张三" in html and "李四" not in html


def test_list_pages_never_show_a_full_id_number(org, client_for):
    for who in ("manager", "channel", "lead"):
        c = client_for(getattr(org.users, who))
        for url in (reverse("org:staff-list"), reverse("org:staff-detail", args=[org.staff.cm.pk])):
            assert not FULL_ID.search(c.get(url).content.decode()), (who, url)


def test_reveal_shows_full_id_to_branch_manager_and_logs_it(org, client_for):
    c = client_for(org.users.manager)
    url = reverse("org:staff-reveal", args=[org.staff.cm.pk, "id_number"])
    resp = c.post(url)
    assert resp.status_code == 200
    assert resp.content.decode() == org.staff.cm.id_number
    log = SensitiveAccess.objects.get()
    assert (log.user, log.field, log.object_id, log.channel) == (
        org.users.manager,
        "id_number",
        str(org.staff.cm.pk),
        "page",
    )


def test_reveal_refused_to_team_lead_and_nothing_logged(org, client_for):
    resp = client_for(org.users.lead).post(reverse("org:staff-reveal", args=[org.staff.cm.pk, "mobile"]))
    assert resp.status_code == 403
    assert not SensitiveAccess.objects.exists()


def test_person_may_reveal_their_own_mobile(org, client_for):
    resp = client_for(org.users.cm).post(reverse("org:staff-reveal", args=[org.staff.cm.pk, "mobile"]))
    assert resp.content.decode() == "13812345678"


def _staff_form(org, **overrides):
    data = {
        "emp_no": "BJ0999",
        "name": "欧阳娜娜",
        "gender": "F",
        "mobile": "13900001111",
        "id_number": make_id_number(777, area="440301"),
        "employment_type": "full_time",
        "position": "client_manager",
        "level": org.levels[0].pk,
        "status": "active",
        "branch": org.branches.b1.pk,
        "team": org.teams.a.pk,
        "outlet": org.outlets.o1.pk,
        "regional_manager": org.staff.rm.pk,
        "hired_on": "2026-11-02",
    }
    data.update(overrides)
    return data


def test_branch_manager_creates_staff_with_history_and_placement(org, client_for):
    resp = client_for(org.users.manager).post(reverse("org:staff-create"), _staff_form(org))
    assert resp.status_code == 302
    staff = Staff.objects.get(emp_no="BJ0999")
    assert staff.name_pinyin == "ouyangnana"
    assert " oynn" in staff.pinyin_keys
    assert staff.history.count() == 1
    assert staff.history.first().history_user == org.users.manager
    placement = StaffAssignment.objects.get(staff=staff)
    assert (placement.team, placement.starts_on, placement.ends_on) == (
        org.teams.a,
        dt.date(2026, 11, 2),
        None,
    )


@pytest.mark.parametrize(
    ("field", "value", "zh", "en"),
    [
        ("id_number", "110101199001010010", "校验码", "check digit"),
        ("id_number", "12345", "18", "18 characters"),
        ("mobile", "1234567", "手机号", "mobile number"),
        ("emp_no", "BJ0001", "工号", "employee number is already in use"),
    ],
)
def test_bad_staff_input_shows_field_error_in_users_language_and_saves_nothing(
    org, client_for, field, value, zh, en
):
    before = Staff.objects.count()
    c = client_for(org.users.manager)
    resp = c.post(reverse("org:staff-create"), _staff_form(org, **{field: value}))
    assert resp.status_code == 400
    assert field in resp.context["form"].errors
    assert zh in " ".join(resp.context["form"].errors[field])
    c.cookies["django_language"] = "en"
    resp = c.post(reverse("org:staff-create"), _staff_form(org, **{field: value}))
    assert en in " ".join(resp.context["form"].errors[field])
    assert Staff.objects.count() == before


def test_team_of_another_branch_is_refused_on_the_field(org, client_for):
    resp = client_for(org.users.manager).post(
        reverse("org:staff-create"), _staff_form(org, team=org.teams.c.pk)
    )
    assert resp.status_code == 400
    assert "team" in resp.context["form"].errors
    assert not Staff.objects.filter(emp_no="BJ0999").exists()


def test_team_in_same_branch_but_placement_mismatch_is_a_field_error(org, client_for):
    # Channel management may see both branches; a team must still belong to the person's branch.
    org.users.hr.role_assignments.all().delete()
    from brokerdesk.access.models import RoleAssignment

    RoleAssignment.objects.create(user=org.users.hr, role="countersign_dept")
    resp = client_for(org.users.hr).post(
        reverse("org:staff-create"), _staff_form(org, branch=org.branches.b2.pk, team=org.teams.a.pk)
    )
    assert resp.status_code == 400
    assert "团队属于其他营业部" in " ".join(
        resp.context["form"].errors["team"]
    ) or "another branch" in " ".join(resp.context["form"].errors["team"])


def test_team_lead_cannot_create_or_edit_staff(org, client_for):
    c = client_for(org.users.lead)
    assert c.get(reverse("org:staff-create")).status_code == 404
    assert c.post(reverse("org:staff-create"), _staff_form(org)).status_code == 404
    assert c.post(reverse("org:staff-edit", args=[org.staff.cm.pk]), _staff_form(org)).status_code == 404
    assert not Staff.objects.filter(emp_no="BJ0999").exists()


def test_branch_manager_cannot_edit_staff_of_another_branch(org, client_for):
    c = client_for(org.users.manager)
    assert c.get(reverse("org:staff-edit", args=[org.staff.outsider.pk])).status_code == 404
    assert c.get(reverse("org:staff-transfer", args=[org.staff.outsider.pk])).status_code == 404


def test_edit_records_who_changed_what_and_shows_it_on_the_detail_page(org, client_for):
    c = client_for(org.users.manager)
    cm = org.staff.cm
    data = _staff_form(
        org, emp_no=cm.emp_no, name=cm.name, id_number=cm.id_number, mobile=cm.mobile, level=org.levels[2].pk
    )
    resp = c.post(reverse("org:staff-edit", args=[cm.pk]), data)
    assert resp.status_code == 302, resp.context["form"].errors if resp.context else resp
    cm.refresh_from_db()
    assert cm.level == org.levels[2]
    latest = cm.history.first()
    assert latest.history_user == org.users.manager
    html = c.get(reverse("org:staff-detail", args=[cm.pk])).content.decode()
    assert "中级" in html and "初级" in html  # old → new level in the trail
    # The edit form cannot move the person: placement stays as it was.
    assert cm.team == org.teams.a


def test_transfer_closes_old_placement_and_opens_new_one(org, client_for):
    c = client_for(org.users.manager)
    cm = org.staff.cm
    resp = c.post(
        reverse("org:staff-transfer", args=[cm.pk]),
        {
            "branch": org.branches.b1.pk,
            "team": org.teams.b.pk,
            "outlet": org.outlets.o1b.pk,
            "starts_on": "2026-12-01",
            "reason": "调整网点",
        },
    )
    assert resp.status_code == 302
    cm.refresh_from_db()
    assert (cm.team, cm.outlet) == (org.teams.b, org.outlets.o1b)
    periods = list(StaffAssignment.objects.filter(staff=cm).order_by("starts_on"))
    assert [(p.team_id, p.ends_on) for p in periods] == [
        (org.teams.a.pk, dt.date(2026, 11, 30)),
        (org.teams.b.pk, None),
    ]
    html = c.get(reverse("org:staff-detail", args=[cm.pk])).content.decode()
    assert "调整网点" in html


def test_transfer_before_current_placement_is_refused(org, client_for):
    resp = client_for(org.users.manager).post(
        reverse("org:staff-transfer", args=[org.staff.cm.pk]),
        {"branch": org.branches.b1.pk, "team": org.teams.b.pk, "starts_on": "2020-01-01", "reason": "x"},
    )
    assert resp.status_code == 400
    assert "starts_on" in resp.context["form"].errors
    assert StaffAssignment.objects.filter(staff=org.staff.cm).count() == 1


def test_outlet_without_hours_is_refused_with_field_errors(org, client_for):
    c = client_for(org.users.manager)
    data = {"branch": org.branches.b1.pk, "name": "新网点", "address": "某路1号", "weekdays": ["1", "2"]}
    resp = c.post(reverse("org:outlet-create"), data)
    assert resp.status_code == 400
    errors = resp.context["form"].errors
    assert "opens_at" in errors and "closes_at" in errors
    resp = c.post(reverse("org:outlet-create"), {**data, "opens_at": "17:00", "closes_at": "09:00"})
    assert "closes_at" in resp.context["form"].errors
    assert not Outlet.objects.filter(name="新网点").exists()


def test_branch_manager_creates_outlet_and_team_in_own_branch_only(org, client_for):
    c = client_for(org.users.manager)
    resp = c.post(
        reverse("org:outlet-create"),
        {
            "branch": org.branches.b1.pk,
            "name": "新网点",
            "address": "某路1号",
            "opens_at": "08:30",
            "closes_at": "16:30",
            "weekdays": ["1", "2", "3", "4", "5", "6"],
            "is_active": "on",
        },
    )
    assert resp.status_code == 302
    assert Outlet.objects.get(name="新网点").weekdays == "123456"
    resp = c.post(
        reverse("org:team-create"),
        {
            "branch": org.branches.b2.pk,
            "code": "X1",
            "name": "越界团队",
            "founded_on": "2026-01-01",
            "status": "active",
        },
    )
    assert resp.status_code == 400
    assert "branch" in resp.context["form"].errors
    assert not Team.objects.filter(code="X1").exists()


def test_channel_management_edits_the_tree_and_branch_manager_cannot(org, client_for):
    resp = client_for(org.users.channel).post(reverse("org:region-create"), {"code": "GZ", "name": "广州"})
    assert resp.status_code == 302
    assert client_for(org.users.manager).get(reverse("org:region-create")).status_code == 404


def test_agreement_attachment_served_only_inside_scope(org, client_for):
    from django.core.files.base import ContentFile

    a1 = org.agreements.a1
    a1.attachment.save("x.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    a1.attachment_name = "合作协议.pdf"
    a1.save(update_fields=["attachment", "attachment_name"])
    url = reverse("org:agreement-attachment", args=[a1.pk])
    resp = client_for(org.users.manager).get(url)
    assert resp.status_code == 200
    assert b"".join(resp.streaming_content).startswith(b"%PDF")
    assert client_for(org.users.outsider).get(url).status_code == 404


def test_agreement_with_outlets_of_another_branch_is_refused(org, client_for):
    resp = client_for(org.users.channel).post(
        reverse("org:agreement-create"),
        {
            "bank": org.bank.pk,
            "branch": org.branches.b1.pk,
            "year": 2027,
            "title": "2027协议",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "outlets": [org.outlets.o2.pk],
        },
    )
    assert resp.status_code == 400
    assert "outlets" in resp.context["form"].errors


def test_home_workbench_counts_follow_scope(org, client_for):
    lead_counts = client_for(org.users.lead).get(reverse("home")).context["counts"]
    manager_counts = client_for(org.users.manager).get(reverse("home")).context["counts"]
    assert lead_counts["client_managers"] == 2  # 张三, 孙八
    assert manager_counts["client_managers"] == 3  # plus 李四
    assert manager_counts["teams"] == 2


def test_navigation_shows_only_what_the_role_may_use(org, client_for):
    cm_nav = [str(i["label"]) for i in client_for(org.users.cm).get(reverse("home")).context["nav_items"]]
    manager_nav = [
        str(i["label"]) for i in client_for(org.users.manager).get(reverse("home")).context["nav_items"]
    ]
    assert len(cm_nav) < len(manager_nav)
    assert client_for(org.users.manager).get(reverse("org:staff-list")).context["can_create"]
    assert not client_for(org.users.lead).get(reverse("org:staff-list")).context["can_create"]


def test_anonymous_is_sent_to_login(client, org):
    resp = client.get(reverse("org:staff-list"))
    assert resp.status_code == 302
    assert resp["Location"].startswith(reverse("login"))
