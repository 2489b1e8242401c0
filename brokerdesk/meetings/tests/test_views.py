"""Meeting pages: every page's rows equal the scope (a team's members and lead, the branch, the
region, the company; never another team or branch), recording on the page with field errors and
nothing saved on bad input, the edit window, and the missed-meeting flags."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from brokerdesk.access.scope import visible
from brokerdesk.meetings import rules
from brokerdesk.meetings.models import Meeting
from brokerdesk.meetings.tests.helpers import days_ago, make_meeting, minutes_for

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
    "accountant",
    "region",
    "channel",
    "hr",
    "vp",
    "sysadmin",
    "norole",
]
# Who sees team A's (branch 1, region 1) meetings.
SEES_TEAM_A = {
    "cm",
    "cm_peer",
    "rm",
    "lead",
    "manager",
    "trade",
    "accountant",
    "region",
    "channel",
    "hr",
    "vp",
}
RECORDS_TEAM_A = {"lead", "manager"}
TEAMS_SEEN = {
    "cm": {"a"},
    "cm_peer": {"a"},
    "rm": {"a"},
    "lead": {"a"},
    "cm_b": {"b"},
    "lead_b": {"b"},
    "outsider": {"c"},
    "manager": {"a", "b"},
    "trade": {"a", "b"},
    "accountant": {"a", "b"},
    "region": {"a", "b"},
    "channel": {"a", "b", "c"},
    "hr": {"a", "b", "c"},
    "vp": {"a", "b", "c"},
    "sysadmin": set(),
    "norole": set(),
}


@pytest.fixture
def meetings(org):
    """Yesterday's morning meeting of each team."""
    return {key: make_meeting(getattr(org.teams, key), days_ago(1)) for key in ("a", "b", "c")}


def form_data(org, **kw):
    data = {
        "team": org.teams.a.pk,
        "kind": "morning",
        "held_on": timezone.localdate().isoformat(),
        "chair": org.staff.lead.pk,
        "attendance": [org.staff.lead.pk, org.staff.rm.pk, org.staff.cm.pk],  # 孙八 absent
        "decisions-TOTAL_FORMS": "3",
        "decisions-INITIAL_FORMS": "0",
        "decisions-MIN_NUM_FORMS": "0",
        "decisions-MAX_NUM_FORMS": "30",
        "decisions-0-text": "本周回访十位客户",
        "decisions-0-owner": org.staff.cm.pk,
        "decisions-0-due_on": "",
    }
    data.update({f"minutes_{code}": text for code, text in minutes_for("morning").items()})
    data.update(kw)
    return data


def record_url(team, kind="morning"):
    return f"{reverse('meetings:record')}?team={team.pk}&kind={kind}"


# --- scope of every page -------------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_the_list_shows_exactly_the_meetings_in_scope(org, client_for, meetings, who):
    user = getattr(org.users, who)
    resp = client_for(user).get(reverse("meetings:list"))
    assert resp.status_code == 200
    listed = {m.pk for m in resp.context["page"]}
    assert listed == set(visible(user, Meeting).values_list("pk", flat=True))
    assert listed == {meetings[k].pk for k in TEAMS_SEEN[who]}


@pytest.mark.parametrize("who", EVERYONE)
def test_a_meeting_opens_only_for_those_in_scope(org, client_for, meetings, who):
    meeting = meetings["a"]
    resp = client_for(getattr(org.users, who)).get(reverse("meetings:detail", args=[meeting.pk]))
    assert resp.status_code == (200 if who in SEES_TEAM_A else 404)
    if resp.status_code == 404:
        assert "market：要点".encode() not in resp.content


@pytest.mark.parametrize("who", EVERYONE)
def test_the_overview_lists_exactly_the_teams_in_scope(org, client_for, who):
    resp = client_for(getattr(org.users, who)).get(reverse("meetings:overview"))
    assert resp.status_code == 200
    keys = {
        k for k in ("a", "b", "c") if getattr(org.teams, k).pk in {r.team.pk for r in resp.context["rows"]}
    }
    assert keys == TEAMS_SEEN[who]


@pytest.mark.parametrize("who", EVERYONE)
def test_only_the_lead_and_branch_managers_open_the_record_page_of_a_team(org, client_for, who):
    resp = client_for(getattr(org.users, who)).get(record_url(org.teams.a))
    assert resp.status_code == (200 if who in RECORDS_TEAM_A else 404)


@pytest.mark.parametrize("who", EVERYONE)
def test_only_those_who_may_record_post_a_meeting_of_team_a(org, client_for, who):
    resp = client_for(getattr(org.users, who)).post(record_url(org.teams.a), form_data(org))
    saved = Meeting.objects.filter(team=org.teams.a).exists()
    if who in RECORDS_TEAM_A:
        assert resp.status_code == 302 and saved
    else:
        assert resp.status_code == 404 and not saved


@pytest.mark.parametrize("who", EVERYONE)
def test_the_edit_page_opens_only_for_the_recorder_in_scope(org, client_for, who):
    meeting = make_meeting(org.teams.a, timezone.localdate(), recorded_by=org.users.lead)
    resp = client_for(getattr(org.users, who)).get(reverse("meetings:edit", args=[meeting.pk]))
    if who == "lead":
        assert resp.status_code == 200
    elif who == "manager":  # in scope, but not the recorder
        assert resp.status_code == 302
    else:
        assert resp.status_code == 404


@pytest.mark.parametrize("who", EVERYONE)
def test_the_api_lists_exactly_the_meetings_in_scope(org, client_for, meetings, who):
    user = getattr(org.users, who)
    resp = client_for(user).get("/api/meetings/meetings/?format=json")
    assert resp.status_code == 200
    assert {r["id"] for r in resp.json()["results"]} == {meetings[k].pk for k in TEAMS_SEEN[who]}


# --- recording through the page --------------------------------------------------------------------


def test_the_form_lists_the_teams_members_all_present(org, client_for):
    resp = client_for(org.users.lead).get(reverse("meetings:record"))  # one team: no picker
    assert resp.status_code == 200
    form = resp.context["form"]
    assert {m.name for m in form.fields["attendance"].queryset} == {"赵六", "钱七", "张三", "孙八"}
    assert set(form.initial["attendance"]) == {s.pk for s in form.members}
    assert form.initial["chair"] == org.staff.lead.pk
    assert [f.name for f in form.minutes_fields()] == [f"minutes_{c}" for c in rules.agenda_codes("morning")]


def test_a_manager_with_two_teams_picks_one_first(org, client_for):
    resp = client_for(org.users.manager).get(reverse("meetings:record"))
    assert resp.status_code == 200
    assert "meetings/pick.html" in [t.name for t in resp.templates]
    assert {t.pk for t in resp.context["form"].fields["team"].queryset} == {org.teams.a.pk, org.teams.b.pk}


def test_lead_records_a_morning_meeting_with_one_absent(org, client_for):
    resp = client_for(org.users.lead).post(record_url(org.teams.a), form_data(org))
    assert resp.status_code == 302
    meeting = Meeting.objects.get()
    assert {a.staff.name for a in meeting.attendance.all() if not a.present} == {"孙八"}
    assert meeting.decisions.get().owner == org.staff.cm
    page = client_for(org.users.lead).get(resp.url)
    assert meeting in page.context["page"].object_list


@pytest.mark.parametrize(
    "change, field",
    [
        ({"held_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, "held_on"),
        ({"minutes_market": ""}, "minutes_market"),
        ({"chair": ""}, "chair"),
        ({"decisions-0-owner": ""}, None),  # the decision row's own owner field
    ],
)
def test_bad_input_shows_field_errors_and_saves_nothing(org, client_for, change, field):
    resp = client_for(org.users.lead).post(record_url(org.teams.a), form_data(org, **change))
    assert resp.status_code == 400
    if field:
        assert resp.context["form"].errors[field]
    else:
        assert resp.context["decisions"].forms[0].errors["owner"]
    assert not Meeting.objects.exists()


def test_an_attendee_from_another_team_is_a_field_error(org, client_for):
    data = form_data(org, attendance=[org.staff.lead.pk, org.staff.cm_b.pk])
    resp = client_for(org.users.lead).post(record_url(org.teams.a), data)
    assert resp.status_code == 400
    assert resp.context["form"].errors["attendance"]
    assert not Meeting.objects.exists()


def test_a_second_morning_meeting_the_same_day_is_a_field_error(org, client_for):
    client = client_for(org.users.lead)
    assert client.post(record_url(org.teams.a), form_data(org)).status_code == 302
    again = client.post(record_url(org.teams.a), form_data(org))
    assert again.status_code == 400
    assert "已有晨会记录" in again.context["form"].errors["held_on"][0]  # in the page's language
    assert Meeting.objects.count() == 1


def test_a_weekly_meeting_has_its_four_parts(org, client_for):
    data = form_data(org, kind="weekly")
    data.update({f"minutes_{code}": "要点" for code in rules.agenda_codes("weekly")})
    resp = client_for(org.users.lead).post(record_url(org.teams.a, "weekly"), data)
    assert resp.status_code == 302
    assert Meeting.objects.get().kind == "weekly"


# --- correcting and locking --------------------------------------------------------------------------


def test_the_recorder_corrects_the_minutes_and_the_history_shows_it(org, client_for):
    client = client_for(org.users.lead)
    client.post(record_url(org.teams.a), form_data(org))
    meeting = Meeting.objects.get()
    data = form_data(org, minutes_market="改：大盘震荡", **{"decisions-INITIAL_FORMS": "1"})
    resp = client.post(reverse("meetings:edit", args=[meeting.pk]), data)
    assert resp.status_code == 302
    detail = client.get(meeting.get_absolute_url())
    assert "改：大盘震荡" in detail.content.decode()
    assert len(detail.context["history"]) == 2
    assert any(c["new"] == "改：大盘震荡" for c in detail.context["history"][0]["changes"])


def test_minutes_recorded_yesterday_are_locked(org, client_for):
    meeting = make_meeting(org.teams.a, days_ago(1), recorded_by=org.users.lead)
    Meeting.objects.filter(pk=meeting.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    client = client_for(org.users.lead)
    assert not client.get(meeting.get_absolute_url()).context["may_edit"]
    resp = client.post(reverse("meetings:edit", args=[meeting.pk]), form_data(org))
    assert resp.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == minutes_for("morning")


# --- missed meetings --------------------------------------------------------------------------------


def test_the_lead_sees_the_teams_missed_meetings_on_the_list(org, client_for):
    resp = client_for(org.users.lead).get(reverse("meetings:list"))
    rows = resp.context["missed"]
    assert [r.team for r in rows] == [org.teams.a]
    expected = rules.missed_meetings(rows[0].start, rows[0].end, [])
    assert rows[0].missed.morning == expected.morning and rows[0].missed.total > 0
    assert f'id="team-missed-{org.teams.a.pk}"' in resp.content.decode()


def test_a_held_meeting_is_not_flagged(org, client_for):
    yesterday = days_ago(1)
    make_meeting(org.teams.a, yesterday)
    resp = client_for(org.users.manager).get(reverse("meetings:overview"))
    rows = {r.team.pk: r for r in resp.context["rows"]}
    assert yesterday not in rows[org.teams.a.pk].missed.morning
    if rules.is_working_day(yesterday):
        assert yesterday in rows[org.teams.b.pk].missed.morning


def test_the_branch_overview_flags_a_team_that_missed_meetings(org, client_for):
    start, end = dt.date(2026, 11, 2), dt.date(2026, 11, 8)  # an ordinary working week
    for i in range(5):
        make_meeting(org.teams.a, start + dt.timedelta(days=i))
    make_meeting(org.teams.a, start + dt.timedelta(days=4), rules.WEEKLY)
    url = f"{reverse('meetings:overview')}?start={start}&end={end}"
    resp = client_for(org.users.manager).get(url)
    rows = {r.team.pk: r for r in resp.context["rows"]}
    if end >= timezone.localdate():  # the period must be over to be judged
        pytest.skip("the test week is not over yet")
    assert rows[org.teams.a.pk].missed.total == 0
    assert len(rows[org.teams.b.pk].missed.morning) == 5
    assert rows[org.teams.b.pk].missed.weekly == [start]
    html = resp.content.decode()
    assert f'id="overview-team-{org.teams.b.pk}" class="flagged"' in html
