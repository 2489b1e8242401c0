"""Work-log pages: every page's rows equal the scope (the author, their lead, the branch; never
another team, branch or person), field errors on bad input with nothing saved, the author
seeing the comment, missing days, and spot-checks through the pages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from brokerdesk.access.scope import visible
from brokerdesk.worklogs import rules, services
from brokerdesk.worklogs.models import SpotCheck, SpotCheckItem, WorkLog
from brokerdesk.worklogs.tests.helpers import days_ago, make_log, team_a_logs

pytestmark = pytest.mark.django_db

EVERYONE = [
    "cm",
    "cm_peer",
    "cm_b",
    "outsider",
    "rm",
    "lead",
    "lead_b",
    "manager",
    "trade",
    "region",
    "channel",
    "hr",
    "vp",
    "sysadmin",
    "norole",
]
# Who sees 张三's (team A, branch 1, region 1) log.
SEES_CM_LOG = {"cm", "rm", "lead", "manager", "trade", "region", "channel", "hr", "vp"}
# Who sees team A's spot-checks (leads and up; not client or regional managers).
SEES_TEAM_A_CHECK = {"lead", "manager", "trade", "region", "channel", "hr", "vp"}


@pytest.fixture
def everyone_logs(org):
    """A log yesterday by each of 张三, 孙八, 李四 and 王五."""
    return {
        who: make_log(getattr(org.staff, who), days_ago(1)) for who in ("cm", "cm_peer", "cm_b", "outsider")
    }


@pytest.fixture
def check(org):
    team_a_logs(org, days=2)
    return services.spotcheck_create(
        actor=org.users.lead, team=org.teams.a, period_start=days_ago(7), period_end=days_ago(0), size=2
    )


# --- scope of every page -----------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_a_log_opens_only_for_those_in_scope(org, client_for, everyone_logs, who):
    log = everyone_logs["cm"]
    resp = client_for(getattr(org.users, who)).get(reverse("worklogs:log-detail", args=[log.pk]))
    assert resp.status_code == (200 if who in SEES_CM_LOG else 404)
    if resp.status_code == 404:
        assert log.work_done.encode() not in resp.content


@pytest.mark.parametrize("who", EVERYONE)
def test_team_logs_list_exactly_the_logs_in_scope(org, client_for, everyone_logs, who):
    user = getattr(org.users, who)
    resp = client_for(user).get(reverse("worklogs:team"))
    assert resp.status_code == 200
    listed = {log.pk for log in resp.context["page"]}
    assert listed == set(visible(user, WorkLog).values_list("pk", flat=True))
    expected = {
        "cm": {"cm"},
        "cm_peer": {"cm_peer"},
        "cm_b": {"cm_b"},
        "outsider": {"outsider"},
        "rm": {"cm", "cm_peer"},
        "lead": {"cm", "cm_peer"},
        "lead_b": {"cm_b"},
        "manager": {"cm", "cm_peer", "cm_b"},
        "trade": {"cm", "cm_peer", "cm_b"},
        "region": {"cm", "cm_peer", "cm_b"},
    }.get(who, set(everyone_logs) if who in {"channel", "hr", "vp"} else set())
    assert listed == {everyone_logs[w].pk for w in expected}


@pytest.mark.parametrize("who", ["cm", "lead", "manager", "outsider", "sysadmin"])
def test_missing_days_list_exactly_the_people_in_scope(org, client_for, who):
    user = getattr(org.users, who)
    resp = client_for(user).get(reverse("worklogs:missing"))
    assert resp.status_code == 200
    names = {row.staff.name for row in resp.context["rows"]}
    expected = {
        "cm": {"张三"},
        "lead": {"张三", "孙八", "钱七"},
        "manager": {"张三", "孙八", "钱七", "李四"},
        "outsider": {"王五"},
        "sysadmin": set(),
    }[who]
    assert names == expected


@pytest.mark.parametrize("who", EVERYONE)
def test_spot_checks_open_only_for_leads_and_up_in_scope(org, client_for, check, who):
    client = client_for(getattr(org.users, who))
    listed = {c.pk for c in client.get(reverse("worklogs:check-list")).context["page"]}
    detail = client.get(reverse("worklogs:check-detail", args=[check.pk]))
    sees = who in SEES_TEAM_A_CHECK
    assert listed == ({check.pk} if sees else set())
    assert detail.status_code == (200 if sees else 404)


@pytest.mark.parametrize("who", EVERYONE)
def test_only_checkers_in_scope_may_record_a_result_through_the_page(org, client_for, check, who):
    item = check.items.first()
    resp = client_for(getattr(org.users, who)).post(
        reverse("worklogs:record", args=[item.pk]), {"result": "pass", "comment": "内容具体"}
    )
    item.refresh_from_db()
    if who in {"lead", "manager"}:
        assert resp.status_code == 302
        assert item.result == "pass"
    else:
        assert resp.status_code in (302, 404)
        assert item.result == ""


@pytest.mark.parametrize("who", EVERYONE)
def test_only_leads_and_branch_managers_open_the_new_spot_check_page(org, client_for, who):
    resp = client_for(getattr(org.users, who)).get(reverse("worklogs:check-create"))
    assert resp.status_code == (200 if who in {"lead", "lead_b", "manager"} else 404)


# --- writing a log through the page --------------------------------------------------------------


def log_data(**kw):
    data = {
        "day": timezone.localdate().isoformat(),
        "work_done": "上午驻点，下午电话回访五位客户。",
        "clients_contacted": "王先生\n李女士",
        "tomorrow_plan": "准备投资者教育讲座。",
    }
    data.update(kw)
    return data


def test_client_manager_writes_todays_log_through_the_page(org, client_for):
    client = client_for(org.users.cm)
    assert client.get(reverse("worklogs:write")).status_code == 200
    resp = client.post(reverse("worklogs:write"), log_data(visited="on"))
    assert resp.status_code == 302
    log = WorkLog.objects.get()
    assert (log.staff, log.day, log.visited) == (org.staff.cm, timezone.localdate(), True)
    # The same day again: the page edits the one log.
    resp = client.post(reverse("worklogs:write"), log_data(work_done="改：全天驻点。"))
    assert resp.status_code == 302
    assert WorkLog.objects.get().work_done == "改：全天驻点。"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"day": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "day"),
        ({"day": "not a date"}, "day"),
        ({"day": days_ago(30).isoformat()}, "day"),
        ({"work_done": ""}, "work_done"),
        ({"tomorrow_plan": ""}, "tomorrow_plan"),
    ],
)
def test_bad_input_shows_a_field_error_and_saves_nothing(org, client_for, data, field):
    resp = client_for(org.users.cm).post(reverse("worklogs:write"), log_data(**data))
    assert resp.status_code == 400
    assert resp.context["form"].errors.get(field)
    assert not WorkLog.objects.exists()


def test_a_log_for_someone_else_cannot_be_written_through_the_page(org, client_for):
    """There is no field for the author: a forged one is ignored and the log is the user's own."""
    client_for(org.users.lead).post(reverse("worklogs:write"), log_data(staff=org.staff.cm.pk))
    assert not WorkLog.objects.filter(staff=org.staff.cm).exists()


def test_a_past_or_checked_log_cannot_be_edited_through_the_page(org, client_for, check):
    client = client_for(org.users.cm)
    past = WorkLog.objects.get(staff=org.staff.cm, day=days_ago(1))
    resp = client.get(reverse("worklogs:write") + f"?day={past.day.isoformat()}")
    assert resp.status_code == 302 and resp.url == past.get_absolute_url()
    resp = client.post(reverse("worklogs:write"), log_data(day=past.day.isoformat(), work_done="改过"))
    assert resp.status_code == 302
    assert WorkLog.objects.get(pk=past.pk).work_done != "改过"


def test_a_login_without_staff_record_has_no_write_page(org, client_for):
    assert client_for(org.users.channel).get(reverse("worklogs:write")).status_code == 404


def test_the_author_sees_the_leads_comment(org, client_for, check):
    item = check.items.filter(log__staff=org.staff.cm).first() or check.items.first()
    services.spotcheck_record(
        actor=org.users.lead, item=item, result="fail", comment="未写明拜访客户的姓名。"
    )
    author = item.log.staff.user
    client = client_for(author)
    detail = client.get(reverse("worklogs:log-detail", args=[item.log_id]))
    assert "未写明拜访客户的姓名。" in detail.content.decode()
    mine = client.get(reverse("worklogs:mine"), {"month": item.log.day.strftime("%Y-%m")})
    assert "未写明拜访客户的姓名。" in mine.content.decode()


def test_my_logs_show_the_working_days_without_a_log(org, client_for):
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    end = today.replace(day=1) - dt.timedelta(days=1)
    written = rules.working_days(last_month, end)[:3]
    for day in written:
        make_log(org.staff.cm, day)
    resp = client_for(org.users.cm).get(reverse("worklogs:mine"), {"month": last_month.strftime("%Y-%m")})
    assert resp.status_code == 200
    missing = [d for d, _may in resp.context["missing"]]
    assert missing == [d for d in rules.working_days(last_month, end) if d not in written]
    assert len(resp.context["logs"]) == 3


def test_lead_sees_missing_days_of_the_team(org, client_for):
    start = days_ago(20)
    for day in rules.working_days(start, days_ago(1)):
        make_log(org.staff.cm, day)
    resp = client_for(org.users.lead).get(
        reverse("worklogs:missing"), {"start": start.isoformat(), "end": days_ago(0).isoformat()}
    )
    rows = {row.staff.name: row for row in resp.context["rows"]}
    assert rows["张三"].missing == []
    assert rows["孙八"].missing == rules.working_days(start, days_ago(1))


# --- spot-checks through the pages -------------------------------------------------------------


def test_lead_draws_by_number_or_percentage_through_the_page(org, client_for):
    team_a_logs(org, days=5)
    client = client_for(org.users.lead)
    data = {
        "team": org.teams.a.pk,
        "period_start": days_ago(10),
        "period_end": days_ago(0),
        "how": "size",
        "size": 3,
    }
    resp = client.post(reverse("worklogs:check-create"), data)
    assert resp.status_code == 302
    check = SpotCheck.objects.get()
    assert check.items.count() == 3
    page = client.get(resp.url)
    assert page.context["reproduced"] is True
    assert str(check.seed) in page.content.decode()
    assert "随机抽中" in page.content.decode() or "的日志几乎相同" in page.content.decode()
    resp = client.post(
        reverse("worklogs:check-create"), {**data, "how": "percent", "percent": 50, "size": ""}
    )
    assert resp.status_code == 302
    assert SpotCheck.objects.latest("id").items.count() == 4  # half of the 7 left, rounded up


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"how": "size", "size": ""}, "size"),
        ({"how": "percent", "percent": "150"}, "percent"),
        ({"period_end": "2999-01-01"}, "period_end"),
        ({"size": "500"}, "size"),
    ],
)
def test_bad_draws_show_field_errors_and_save_nothing(org, client_for, change, field):
    team_a_logs(org, days=2)
    data = {
        "team": org.teams.a.pk,
        "period_start": days_ago(10),
        "period_end": days_ago(0),
        "how": "size",
        "size": 2,
    }
    resp = client_for(org.users.lead).post(reverse("worklogs:check-create"), {**data, **change})
    assert resp.status_code == 400
    assert resp.context["form"].errors.get(field), resp.context["form"].errors
    assert not SpotCheck.objects.exists()


def test_lead_cannot_draw_another_teams_logs_through_the_page(org, client_for):
    make_log(org.staff.cm_b, days_ago(1))
    data = {
        "team": org.teams.b.pk,
        "period_start": days_ago(10),
        "period_end": days_ago(0),
        "how": "size",
        "size": 1,
    }
    resp = client_for(org.users.lead).post(reverse("worklogs:check-create"), data)
    assert resp.status_code == 400
    assert resp.context["form"].errors.get("team")
    assert not SpotCheck.objects.exists()


def test_a_recorded_result_does_not_change_through_the_page(org, client_for, check):
    item = check.items.first()
    url = reverse("worklogs:record", args=[item.pk])
    client_for(org.users.lead).post(url, {"result": "pass", "comment": "好"})
    client_for(org.users.manager).post(url, {"result": "fail", "comment": "改"})
    item = SpotCheckItem.objects.get(pk=item.pk)
    assert (item.result, item.comment) == ("pass", "好")


def test_record_with_no_result_is_refused(org, client_for, check):
    item = check.items.first()
    client_for(org.users.lead).post(reverse("worklogs:record", args=[item.pk]), {"comment": "好"})
    assert SpotCheckItem.objects.get(pk=item.pk).result == ""


def test_navigation_offers_work_logs_and_the_team_pages_to_wider_roles(org, client_for):
    resp = client_for(org.users.cm).get(reverse("worklogs:mine"))
    assert reverse("worklogs:mine") in [i["url"] for i in resp.context["nav_items"]]
    assert b'id="nav-team-logs"' not in resp.content
    resp = client_for(org.users.lead).get(reverse("worklogs:mine"))
    assert b'id="nav-team-logs"' in resp.content
