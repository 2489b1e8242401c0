"""Work logs over the API: the same scopes and refusals as the pages, 400s with field errors."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from brokerdesk.access.scope import visible
from brokerdesk.worklogs import services
from brokerdesk.worklogs.models import SpotCheck, SpotCheckItem, WorkLog
from brokerdesk.worklogs.tests.helpers import days_ago, make_log, team_a_logs

pytestmark = pytest.mark.django_db

LOGS = "/api/worklogs/logs/"
CHECKS = "/api/worklogs/spot-checks/"


@pytest.fixture
def api():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def body(**kw):
    data = {"day": timezone.localdate().isoformat(), "work_done": "驻点营销。", "tomorrow_plan": "回访。"}
    data.update(kw)
    return data


@pytest.mark.parametrize(
    "who", ["cm", "cm_b", "outsider", "lead", "lead_b", "manager", "region", "vp", "sysadmin"]
)
def test_log_list_is_the_scope(org, api, who):
    for person in ("cm", "cm_peer", "cm_b", "outsider"):
        make_log(getattr(org.staff, person), days_ago(1))
    user = getattr(org.users, who)
    resp = api(user).get(LOGS)
    assert resp.status_code == 200
    assert {r["id"] for r in resp.json()["results"]} == set(
        visible(user, WorkLog).values_list("pk", flat=True)
    )


def test_another_persons_log_answers_404(org, api):
    log = make_log(org.staff.cm_b, days_ago(1))
    assert api(org.users.cm).get(f"{LOGS}{log.pk}/").status_code == 404
    assert api(org.users.lead).get(f"{LOGS}{log.pk}/").status_code == 404
    assert api(org.users.cm).patch(f"{LOGS}{log.pk}/", {"work_done": "x"}, format="json").status_code == 404


def test_client_manager_writes_and_edits_todays_log(org, api):
    client = api(org.users.cm)
    resp = client.post(LOGS, body(), format="json")
    assert resp.status_code == 201, resp.json()
    assert resp.json()["staff"] == org.staff.cm.pk
    again = client.post(LOGS, body(work_done="改"), format="json")  # the same day: edits it
    assert again.status_code == 201 and again.json()["id"] == resp.json()["id"]
    patched = client.patch(f"{LOGS}{resp.json()['id']}/", {"clients_contacted": "王先生"}, format="json")
    assert patched.status_code == 200
    log = WorkLog.objects.get()
    assert (log.work_done, log.clients_contacted) == ("改", "王先生")


@pytest.mark.parametrize(
    ("change", "field"),
    [({"day": days_ago(-1).isoformat()}, "day"), ({"work_done": ""}, "work_done"), ({"day": "x"}, "day")],
)
def test_bad_logs_answer_400_with_the_field(org, api, change, field):
    resp = api(org.users.cm).post(LOGS, body(**change), format="json")
    assert resp.status_code == 400
    assert field in resp.json()
    assert not WorkLog.objects.exists()


def test_a_log_for_someone_else_is_refused(org, api):
    resp = api(org.users.lead).post(LOGS, body(staff=org.staff.cm.pk), format="json")
    assert resp.status_code == 403
    log = make_log(org.staff.cm, timezone.localdate())
    resp = api(org.users.lead).patch(f"{LOGS}{log.pk}/", {"work_done": "代写"}, format="json")
    assert resp.status_code == 403
    assert WorkLog.objects.get(pk=log.pk).work_done != "代写"


def test_yesterdays_log_does_not_change_and_logs_are_never_deleted(org, api):
    log = make_log(org.staff.cm, days_ago(1), "原文")
    client = api(org.users.cm)
    assert client.patch(f"{LOGS}{log.pk}/", {"work_done": "改"}, format="json").status_code == 400
    assert client.delete(f"{LOGS}{log.pk}/").status_code == 405
    assert WorkLog.objects.get(pk=log.pk).work_done == "原文"


def test_lead_draws_records_and_redraws_over_the_api(org, api):
    team_a_logs(org, days=3)
    client = api(org.users.lead)
    payload = {"team": org.teams.a.pk, "period_start": days_ago(7), "period_end": days_ago(0), "size": 2}
    resp = client.post(CHECKS, payload, format="json")
    assert resp.status_code == 201, resp.json()
    check = resp.json()
    assert len(check["items"]) == 2 and check["seed"] is not None
    assert all(item["why_picked"] for item in check["items"])
    redraw = client.get(f"{CHECKS}{check['id']}/redraw/").json()
    assert redraw["same"] is True and redraw["drawn"] == [i["log"] for i in check["items"]]
    item = check["items"][0]["id"]
    url = f"{CHECKS}{check['id']}/record/"
    assert (
        client.post(url, {"item": item, "result": "fail", "comment": "雷同"}, format="json").status_code
        == 200
    )
    again = api(org.users.manager).post(url, {"item": item, "result": "pass", "comment": "改"}, format="json")
    assert again.status_code == 400
    assert SpotCheckItem.objects.get(pk=item).result == "fail"
    # The author sees the comment on their log.
    log_id = SpotCheckItem.objects.get(pk=item).log_id
    author = WorkLog.objects.get(pk=log_id).staff.user
    assert api(author).get(f"{LOGS}{log_id}/").json()["checks"][0]["comment"] == "雷同"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"size": None}, "size"),
        ({"percent": 10}, "size"),
        ({"period_end": days_ago(-2).isoformat()}, "period_end"),
    ],
)
def test_bad_draws_answer_400_with_the_field(org, api, change, field):
    team_a_logs(org, days=2)
    payload = {
        "team": org.teams.a.pk,
        "period_start": days_ago(7),
        "period_end": days_ago(0),
        "size": 2,
        **change,
    }
    resp = api(org.users.lead).post(CHECKS, payload, format="json")
    assert resp.status_code == 400
    assert field in resp.json()
    assert not SpotCheck.objects.exists()


@pytest.mark.parametrize("who", ["cm", "rm", "outsider", "region"])
def test_people_without_the_spot_check_permission_are_refused(org, api, who):
    team_a_logs(org, days=2)
    payload = {"team": org.teams.a.pk, "period_start": days_ago(7), "period_end": days_ago(0), "size": 1}
    assert api(getattr(org.users, who)).post(CHECKS, payload, format="json").status_code == 403
    assert not SpotCheck.objects.exists()


def test_lead_of_another_team_neither_sees_nor_draws_team_a(org, api):
    team_a_logs(org, days=2)
    check = services.spotcheck_create(
        actor=org.users.lead, team=org.teams.a, period_start=days_ago(7), period_end=days_ago(0), size=1
    )
    client = api(org.users.lead_b)
    assert client.get(f"{CHECKS}{check.pk}/").status_code == 404
    assert client.get(CHECKS).json()["results"] == []
    payload = {"team": org.teams.a.pk, "period_start": days_ago(7), "period_end": days_ago(0), "size": 1}
    assert client.post(CHECKS, payload, format="json").status_code in (400, 403)
    assert SpotCheck.objects.count() == 1
    assert api(org.users.cm).get(f"{CHECKS}{check.pk}/").status_code == 404
