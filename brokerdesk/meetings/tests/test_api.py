"""Meetings over the API: the same scopes and refusals as the pages, 400s with field errors."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from brokerdesk.meetings.models import Meeting
from brokerdesk.meetings.tests.helpers import days_ago, make_meeting, minutes_for

pytestmark = pytest.mark.django_db

MEETINGS = "/api/meetings/meetings/"
MISSED = "/api/meetings/missed/"


@pytest.fixture
def api():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def body(org, **kw):
    data = {
        "team": org.teams.a.pk,
        "kind": "morning",
        "held_on": timezone.localdate().isoformat(),
        "chair": org.staff.lead.pk,
        "minutes": minutes_for("morning"),
        "attendance": [{"staff": org.staff.cm_peer.pk, "present": False, "note": "外出拜访"}],
        "decisions": [{"text": "回访意向客户", "owner": org.staff.cm.pk}],
    }
    data.update(kw)
    return data


def test_lead_records_a_meeting(org, api):
    resp = api(org.users.lead).post(MEETINGS, body(org), format="json")
    assert resp.status_code == 201, resp.json()
    out = resp.json()
    assert out["editable"] is True
    assert {a["name"]: a["present"] for a in out["attendance"]}["孙八"] is False
    assert out["decisions"][0]["owner_name"] == "张三"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"team": "c"}, "team"),
        ({"held_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, "held_on"),
        ({"decisions": [{"text": "回访", "owner": None}]}, "decisions"),
        ({"attendance": [{"staff": "outsider", "present": True}]}, "attendance"),
        ({"minutes": {"market": "只有一项"}}, "minutes_directives"),
    ],
)
def test_bad_input_is_a_400_with_the_field_and_nothing_saved(org, api, change, field):
    if change.get("team") == "c":
        change = {"team": org.teams.c.pk}
    if "attendance" in change:
        change = {"attendance": [{"staff": org.staff.outsider.pk, "present": True}]}
    resp = api(org.users.lead).post(MEETINGS, body(org, **change), format="json")
    assert resp.status_code == 400
    assert field in resp.json()
    assert not Meeting.objects.exists()


def test_a_second_morning_meeting_is_a_400(org, api):
    client = api(org.users.lead)
    assert client.post(MEETINGS, body(org), format="json").status_code == 201
    again = client.post(MEETINGS, body(org), format="json")
    assert again.status_code == 400 and "held_on" in again.json()
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize("who", ["cm", "rm", "trade", "vp"])
def test_those_without_the_permission_get_403(org, api, who):
    assert api(getattr(org.users, who)).post(MEETINGS, body(org), format="json").status_code == 403
    assert not Meeting.objects.exists()


def test_recorder_patches_the_minutes_the_same_day_but_not_later(org, api):
    client = api(org.users.lead)
    pk = client.post(MEETINGS, body(org), format="json").json()["id"]
    minutes = {**minutes_for("morning"), "market": "改"}
    resp = client.patch(f"{MEETINGS}{pk}/", {"minutes": minutes}, format="json")
    assert resp.status_code == 200, resp.json()
    assert resp.json()["minutes"]["market"] == "改"
    assert resp.json()["decisions"][0]["owner_name"] == "张三"  # kept
    Meeting.objects.filter(pk=pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    locked = client.patch(f"{MEETINGS}{pk}/", {"minutes": minutes_for("morning")}, format="json")
    assert locked.status_code == 400
    assert Meeting.objects.get(pk=pk).minutes["market"] == "改"


def test_another_teams_meeting_answers_404(org, api):
    meeting = make_meeting(org.teams.b, days_ago(1))
    assert api(org.users.lead).get(f"{MEETINGS}{meeting.pk}/").status_code == 404
    resp = api(org.users.lead).patch(f"{MEETINGS}{meeting.pk}/", {"minutes": {}}, format="json")
    assert resp.status_code == 404


@pytest.mark.parametrize(
    "who, teams",
    [
        ("lead", {"a"}),
        ("manager", {"a", "b"}),
        ("outsider", {"c"}),
        ("vp", {"a", "b", "c"}),
        ("sysadmin", set()),
    ],
)
def test_missed_meetings_are_per_team_in_scope(org, api, who, teams):
    resp = api(getattr(org.users, who)).get(MISSED)
    assert resp.status_code == 200
    ids = {r["team"] for r in resp.json()["results"]}
    assert ids == {getattr(org.teams, k).pk for k in teams}


def test_missed_meetings_of_a_period(org, api):
    start, end = dt.date(2026, 11, 2), dt.date(2026, 11, 8)
    make_meeting(org.teams.a, start)
    resp = api(org.users.lead).get(MISSED, {"start": start.isoformat(), "end": end.isoformat()})
    row = resp.json()["results"][0]
    assert row["morning"] == [f"2026-11-0{d}" for d in range(3, 7)]
    assert row["weekly"] == ["2026-11-02"]
    assert row["held"] == 1


@pytest.mark.parametrize(
    "params", [{"start": "x"}, {"start": "2026-11-10", "end": "2026-11-01"}, {"team": "a"}]
)
def test_missed_meetings_bad_parameters_are_400(org, api, params):
    assert api(org.users.lead).get(MISSED, params).status_code == 400
