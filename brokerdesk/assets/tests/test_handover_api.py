"""The handover API: the same scopes as the pages, 400 with field errors for bad input, 403
for a confirmation by the wrong person, and completion performing the transfer."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from brokerdesk.assets import services_handover as svc
from brokerdesk.assets.models_handover import Handover, HandoverLine
from brokerdesk.assets.tests.factories_handover import finish_all, holdings, issue, line, start
from brokerdesk.org.models import Staff

pytestmark = pytest.mark.django_db
K = HandoverLine.Kind
BASE = "/api/assets/handovers/"
LINES = "/api/assets/handovers/lines/"


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        c = APIClient()
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return c

    return make


def _ids(resp) -> set[int]:
    assert resp.status_code == 200, resp.content
    return {row["id"] for row in resp.json()["results"]}


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("trade", True),
        ("hr", True),
        ("manager", True),
        ("keeper", True),
        ("accountant", True),
        ("cm", True),
        ("lead", True),
        ("cm_peer", False),
        ("cm_b", False),
        ("keeper_b2", False),
        ("outsider", False),
        ("region", False),
    ],
)
def test_list_and_detail_follow_the_scope(org, api_for, who, sees):
    issue(org)
    h = start(org)
    c = api_for(getattr(org.users, who))
    assert (h.pk in _ids(c.get(BASE))) is sees
    assert c.get(f"{BASE}{h.pk}/").status_code == (200 if sees else 404)
    line_ids = _ids(c.get(LINES))
    assert bool(line_ids & set(h.lines.values_list("pk", flat=True))) is sees


def test_a_receiver_gets_only_their_lines(org, api_for):
    holdings(org, clients=1, archive=False)
    h = start(org)
    fu = line(h, K.FOLLOWUP)
    svc.line_assign(actor=org.users.trade, line=fu, receiver=org.staff.cm_peer)
    c = api_for(org.users.cm_peer)
    detail = c.get(f"{BASE}{h.pk}/").json()
    assert [ln["id"] for ln in detail["lines"]] == [fu.pk]
    assert _ids(c.get(LINES)) == {fu.pk}
    resp = c.post(f"{LINES}{fu.pk}/confirm/", {"side": "receiver"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "done"


def test_start_through_the_api_with_field_errors(org, api_for):
    c = api_for(org.users.trade)
    resp = c.post(BASE, {"staff": org.staff.cm.pk, "kind": "transfer", "reason": " "}, format="json")
    assert resp.status_code == 400 and "effective_on" in resp.json()
    day = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    resp = c.post(
        BASE,
        {"staff": org.staff.cm.pk, "kind": "transfer", "effective_on": day, "reason": "调动"},
        format="json",
    )
    assert resp.status_code == 400 and set(resp.json()) == {"to_branch"}
    assert not Handover.objects.exists()
    assert (
        api_for(org.users.cm)
        .post(
            BASE,
            {"staff": org.staff.cm.pk, "kind": "departure", "effective_on": day, "reason": "x"},
            format="json",
        )
        .status_code
        == 403
    )
    assert (
        api_for(org.users.keeper_b2)
        .post(
            BASE,
            {"staff": org.staff.cm.pk, "kind": "departure", "effective_on": day, "reason": "x"},
            format="json",
        )
        .status_code
        == 403
    )
    resp = c.post(
        BASE,
        {
            "staff": org.staff.cm.pk,
            "kind": "transfer",
            "effective_on": day,
            "reason": "调往二部",
            "to_branch": org.branches.b1.pk,
            "to_team": org.teams.b.pk,
        },
        format="json",
    )
    assert resp.status_code == 201
    body = resp.json()
    assert body["status"] == "open" and body["blocking"] and [ln["kind"] for ln in body["lines"]] == ["pay"]


def test_line_actions_answer_400_for_bad_input_and_403_for_the_wrong_person(org, api_for):
    issue(org)
    h = start(org)
    ln = line(h, K.ASSET)
    trade = api_for(org.users.trade)
    resp = trade.post(
        f"{LINES}{ln.pk}/assign/", {"disposition": "pass", "receiver": org.staff.outsider.pk}, format="json"
    )
    assert resp.status_code == 400 and "receiver" in resp.json()
    resp = trade.post(f"{LINES}{ln.pk}/assign/", {"disposition": "sideways"}, format="json")
    assert resp.status_code == 400 and "disposition" in resp.json()
    resp = trade.post(
        f"{LINES}{ln.pk}/assign/", {"disposition": "pass", "receiver": org.staff.cm_peer.pk}, format="json"
    )
    assert resp.status_code == 200 and resp.json()["receiver"] == org.staff.cm_peer.pk
    assert trade.post(f"{LINES}{ln.pk}/confirm/", {"side": "giver"}, format="json").status_code == 403
    assert (
        api_for(org.users.keeper)
        .post(f"{LINES}{ln.pk}/confirm/", {"side": "receiver"}, format="json")
        .status_code
        == 403
    )
    assert (
        api_for(org.users.cm_b)
        .post(f"{LINES}{ln.pk}/confirm/", {"side": "receiver"}, format="json")
        .status_code
        == 404
    )
    resp = api_for(org.users.cm).post(f"{LINES}{ln.pk}/confirm/", {"side": "nobody"}, format="json")
    assert resp.status_code == 400 and "side" in resp.json()
    ln.refresh_from_db()
    assert ln.giver_confirmed_at is None and ln.receiver_confirmed_at is None


def test_complete_is_refused_until_done_then_performs_the_transfer(org, api_for):
    holdings(org, clients=1, archive=False)
    h = start(org, Handover.Kind.TRANSFER)
    c = api_for(org.users.trade)
    resp = c.post(f"{BASE}{h.pk}/complete/")
    assert resp.status_code == 400 and resp.json()["non_field_errors"]
    # The org API refuses the transfer too, with the reason.
    resp = c.post(
        f"/api/staff/{org.staff.cm.pk}/transfer/",
        {
            "branch": org.branches.b1.pk,
            "team": org.teams.b.pk,
            "starts_on": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
            "reason": "调往二部",
        },
        format="json",
    )
    assert resp.status_code == 400 and resp.json()["non_field_errors"]
    finish_all(org, h)
    assert api_for(org.users.accountant).post(f"{BASE}{h.pk}/complete/").status_code == 403
    resp = c.post(f"{BASE}{h.pk}/complete/")
    assert resp.status_code == 200 and resp.json()["status"] == "completed"
    assert Staff.objects.get(pk=org.staff.cm.pk).team == org.teams.b
    resp = c.post(f"{BASE}{h.pk}/cancel/", {"reason": "撤销"}, format="json")
    assert resp.status_code == 400


def test_other_branch_cannot_act_on_a_handover(org, api_for):
    issue(org)
    h = start(org)
    c = api_for(org.users.keeper_b2)
    assert c.post(f"{BASE}{h.pk}/complete/").status_code == 404
    assert c.post(f"{BASE}{h.pk}/refresh/").status_code == 404
    ln = line(h, K.ASSET)
    assert c.post(f"{LINES}{ln.pk}/assign/", {"disposition": "return"}, format="json").status_code == 404


def test_pay_acknowledgement_by_finance_through_the_api(org, api_for):
    h = start(org)
    ln = line(h, K.PAY)
    assert api_for(org.users.trade).post(f"{LINES}{ln.pk}/acknowledge/", {}, format="json").status_code == 403
    resp = api_for(org.users.accountant).post(
        f"{LINES}{ln.pk}/acknowledge/", {"note": "无欠薪"}, format="json"
    )
    assert resp.status_code == 200 and resp.json()["status"] == "done"


def test_reassign_and_notify_a_client_through_the_api(org, api_for):
    holdings(org, clients=1, archive=False)
    h = start(org)
    ln = line(h, K.CLIENT)
    c = api_for(org.users.trade)
    today = timezone.localdate().isoformat()
    resp = c.post(
        f"{LINES}{ln.pk}/reassign/", {"to": org.staff.cm_peer.pk, "effective_on": "2999-01-01"}, format="json"
    )
    assert resp.status_code == 400 and "effective_on" in resp.json()
    resp = c.post(
        f"{LINES}{ln.pk}/reassign/", {"to": org.staff.cm_peer.pk, "effective_on": today}, format="json"
    )
    assert resp.status_code == 200 and resp.json()["status"] == "open"
    resp = api_for(org.users.cm_peer).post(
        f"{LINES}{ln.pk}/notified/", {"notified_on": today, "notified_how": "visit"}, format="json"
    )
    assert resp.status_code == 200 and resp.json()["status"] == "done"
