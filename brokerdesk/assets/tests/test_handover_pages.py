"""Handover pages: who sees which checklist and line, who may press which button, the org
pages refusing a departure or transfer until the handover is complete, and the list's
constant query count."""

import datetime as dt

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from brokerdesk.assets import services_handover as svc
from brokerdesk.assets.models_handover import Handover, HandoverLine
from brokerdesk.assets.tests.factories_handover import finish_all, holdings, issue, line, start
from brokerdesk.org.models import Staff, StaffAssignment
from brokerdesk.org.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
K = HandoverLine.Kind
LIST = "/assets/handovers/"


def _detail(h) -> str:
    return reverse("assets:handover-detail", args=[h.pk])


def _act(ln, action) -> str:
    return reverse("assets:handover-line-action", args=[ln.pk, action])


# --- scope: pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["trade", "manager", "deputy", "hr", "keeper", "accountant", "cm", "lead"])
def test_the_person_their_lead_and_the_branch_desk_see_the_checklist(org, client_for, who):
    issue(org)
    h = start(org)
    c = client_for(getattr(org.users, who))
    assert c.get(_detail(h)).status_code == 200
    assert f'id="handover-{h.pk}"' in c.get(LIST).content.decode()


@pytest.mark.parametrize(
    "who", ["keeper_b2", "outsider", "cm_b", "cm_peer", "region", "channel", "sysadmin", "norole"]
)
def test_other_branches_and_colleagues_see_nothing(org, client_for, who):
    issue(org)
    h = start(org)
    c = client_for(getattr(org.users, who))
    assert c.get(_detail(h)).status_code == 404
    assert f'id="handover-{h.pk}"' not in c.get(LIST).content.decode()
    ln = line(h, K.ASSET)
    resp = c.post(_act(ln, "assign"), {f"l{ln.pk}-disposition": "return"})
    assert resp.status_code == 404
    assert c.post(reverse("assets:handover-action", args=[h.pk, "complete"])).status_code == 404
    ln.refresh_from_db()
    assert ln.disposition == ""


def test_a_receiver_sees_the_handover_but_only_the_lines_addressed_to_them(org, client_for):
    holdings(org, clients=1, archive=False)
    h = start(org)
    fu = line(h, K.FOLLOWUP)
    svc.line_assign(actor=org.users.trade, line=fu, receiver=org.staff.cm_peer)
    c = client_for(org.users.cm_peer)
    body = c.get(_detail(h)).content.decode()
    assert f'id="line-{fu.pk}"' in body and f'id="receive-{fu.pk}"' in body
    for other in h.lines.exclude(pk=fu.pk):
        assert f'id="line-{other.pk}"' not in body
    assert f'id="waiting-{fu.pk}"' in c.get(LIST).content.decode()
    # Accepting it through the page.
    resp = c.post(_act(fu, "receive"))
    assert resp.status_code == 302
    fu.refresh_from_db()
    assert fu.status == "done" and fu.followup.owner_id == org.staff.cm_peer.pk


def test_buttons_appear_only_for_who_may_press_them(org, client_for):
    issue(org)
    h = start(org)
    ln = line(h, K.ASSET)
    svc.line_assign(actor=org.users.trade, line=ln, disposition="pass", receiver=org.staff.cm_peer)
    person = client_for(org.users.cm).get(_detail(h)).content.decode()
    assert f'id="give-{ln.pk}"' in person and f'id="receive-{ln.pk}"' not in person
    assert 'id="complete-form"' not in person  # the person does not complete their own handover
    desk = client_for(org.users.trade).get(_detail(h)).content.decode()
    assert f'id="give-{ln.pk}"' not in desk and f'id="receive-{ln.pk}"' not in desk
    assert 'id="complete-form"' in desk and f'id="assign-{ln.pk}"' in desk
    finance = client_for(org.users.accountant).get(_detail(h)).content.decode()
    assert f'id="acknowledge-{line(h, K.PAY).pk}"' in finance


def test_a_confirmation_by_the_wrong_person_is_refused_with_the_reason(org, client_for):
    issue(org)
    h = start(org)
    ln = line(h, K.ASSET)
    svc.line_assign(actor=org.users.trade, line=ln, disposition="pass", receiver=org.staff.cm_peer)
    # The keeper sees the branch's handovers but is not the named receiver.
    resp = client_for(org.users.keeper).post(_act(ln, "receive"), HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 403
    assert f'id="line-{ln.pk}-errors"' in resp.content.decode()
    # The desk cannot confirm for the person.
    assert client_for(org.users.trade).post(_act(ln, "give")).status_code == 403
    ln.refresh_from_db()
    assert ln.giver_confirmed_at is None and ln.receiver_confirmed_at is None


def test_both_sides_confirm_through_the_page(org, client_for):
    laptop = issue(org)
    h = start(org)
    ln = line(h, K.ASSET)
    resp = client_for(org.users.cm).post(
        _act(ln, "assign"), {f"l{ln.pk}-disposition": "pass", f"l{ln.pk}-receiver": org.staff.cm_peer.pk}
    )
    assert resp.status_code == 302
    assert client_for(org.users.cm).post(_act(ln, "give")).status_code == 302
    assert client_for(org.users.cm_peer).post(_act(ln, "receive")).status_code == 302
    ln.refresh_from_db()
    laptop.refresh_from_db()
    assert ln.status == "done" and laptop.custodian_id == org.staff.cm_peer.pk


def test_a_bad_line_form_shows_field_errors_and_saves_nothing(org, client_for):
    issue(org)
    h = start(org)
    ln = line(h, K.ASSET)
    c = client_for(org.users.trade)
    resp = c.post(_act(ln, "assign"), {f"l{ln.pk}-disposition": "pass"})
    assert resp.status_code == 400
    assert resp.context["rows"][0]["forms"]["assign"].errors["receiver"]
    resp = c.post(
        _act(ln, "assign"), {f"l{ln.pk}-disposition": "pass", f"l{ln.pk}-receiver": org.staff.cm.pk}
    )
    assert resp.status_code == 400  # the person cannot receive from themselves (not offered either)
    ln.refresh_from_db()
    assert ln.disposition == "" and ln.receiver_id is None


def test_start_page_for_handover_holders_only_and_field_errors(org, client_for):
    url = reverse("assets:handover-start")
    assert client_for(org.users.cm).get(url).status_code == 404
    assert client_for(org.users.keeper).get(url).status_code == 404
    c = client_for(org.users.trade)
    assert c.get(f"{url}?staff={org.staff.cm.pk}&kind=transfer").status_code == 200
    resp = c.post(url, {"staff": org.staff.cm.pk, "kind": "transfer", "effective_on": "", "reason": ""})
    assert resp.status_code == 400
    assert {"effective_on", "reason", "to_branch"} <= set(resp.context["form"].errors)
    # Another branch's person is not offered (and not accepted).
    resp = c.post(
        url,
        {"staff": org.staff.outsider.pk, "kind": "departure", "effective_on": "2026-12-31", "reason": "x"},
    )
    assert resp.status_code == 400 and "staff" in resp.context["form"].errors
    assert not Handover.objects.exists()
    resp = c.post(
        url,
        {
            "staff": org.staff.cm.pk,
            "kind": "transfer",
            "effective_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
            "reason": "调往二部",
            "to_branch": org.branches.b1.pk,
            "to_team": org.teams.b.pk,
        },
    )
    h = Handover.objects.get()
    assert resp.status_code == 302 and resp.url == _detail(h)
    assert h.kind == "transfer" and h.to_team == org.teams.b


def test_the_staff_page_shows_the_handover_panel_to_handover_holders(org, client_for):
    c = client_for(org.users.trade)
    page = c.get(reverse("org:staff-detail", args=[org.staff.cm.pk])).content.decode()
    assert 'id="handover-panel-slot"' in page
    panel = c.get(reverse("assets:handover-staff-panel", args=[org.staff.cm.pk])).content.decode()
    assert 'id="start-transfer"' in panel and 'id="start-departure"' in panel
    h = start(org)
    panel = c.get(reverse("assets:handover-staff-panel", args=[org.staff.cm.pk])).content.decode()
    assert 'id="handover-current"' in panel and _detail(h) in panel and 'id="start-transfer"' not in panel
    assert (
        client_for(org.users.keeper_b2)
        .get(reverse("assets:handover-staff-panel", args=[org.staff.cm.pk]))
        .status_code
        == 404
    )
    assert (
        'id="handover-panel-slot"'
        not in client_for(org.users.lead)
        .get(reverse("org:staff-detail", args=[org.staff.cm.pk]))
        .content.decode()
    )


# --- org pages refuse until the handover is complete -----------------------------------------------


def _transfer_page(c, org):
    return c.post(
        reverse("org:staff-transfer", args=[org.staff.cm.pk]),
        {
            "branch": org.branches.b1.pk,
            "team": org.teams.b.pk,
            "outlet": org.outlets.o1b.pk,
            "starts_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
            "reason": "调往二部",
        },
    )


def _leave_page(c, org):
    cm = Staff.objects.get(pk=org.staff.cm.pk)
    data = {
        k: ("" if v is None else v)
        for k, v in model_to_dict(cm).items()
        if k
        in (
            "emp_no",
            "name",
            "gender",
            "mobile",
            "id_number",
            "employment_type",
            "position",
            "level",
            "branch",
            "department",
            "team",
            "regional_manager",
            "outlet",
        )
    }
    data.update(
        {"status": "left", "hired_on": cm.hired_on.isoformat(), "left_on": timezone.localdate().isoformat()}
    )
    return c.post(reverse("org:staff-edit", args=[cm.pk]), data)


def test_org_pages_refuse_the_transfer_and_the_departure_while_the_person_holds_things(org, client_for):
    issue(org)
    c = client_for(org.users.trade)
    resp = _transfer_page(c, org)
    assert resp.status_code == 400 and resp.context["form"].non_field_errors()
    resp = _leave_page(c, org)
    assert resp.status_code == 400 and resp.context["form"].errors["status"]
    cm = Staff.objects.get(pk=org.staff.cm.pk)
    assert cm.team == org.teams.a and cm.status == "active"
    assert StaffAssignment.objects.filter(staff=cm).count() == 1


def test_the_transfer_is_blocked_until_the_checklist_is_done_and_completing_performs_it(org, client_for):
    holdings(org, clients=1, archive=False)
    h = start(org, Handover.Kind.TRANSFER)
    c = client_for(org.users.trade)
    complete = reverse("assets:handover-action", args=[h.pk, "complete"])
    resp = c.post(complete)
    assert resp.status_code == 400 and 'id="complete-errors"' in resp.content.decode()
    assert 'id="blocking"' in c.get(_detail(h)).content.decode()
    finish_all(org, h)
    assert _transfer_page(c, org).status_code == 400  # done, but performed only by completing it
    assert 'id="ready"' in c.get(_detail(h)).content.decode()
    resp = c.post(complete)
    assert resp.status_code == 302
    h.refresh_from_db()
    assert h.status == "completed"
    assert Staff.objects.get(pk=org.staff.cm.pk).team == org.teams.b
    page = c.get(_detail(h)).content.decode()
    assert 'id="signed"' in page and 'id="complete-form"' not in page and "assign-" not in page


def test_a_completed_handover_refuses_every_change_through_the_pages(org, client_for):
    issue(org)
    h = start(org)
    finish_all(org, h)
    svc.handover_complete(actor=org.users.trade, handover=h)
    c = client_for(org.users.trade)
    ln = h.lines.get(kind=K.ASSET)
    assert c.post(_act(ln, "assign"), {f"l{ln.pk}-disposition": "return"}).status_code == 400
    for action in ("refresh", "cancel", "complete"):
        assert (
            c.post(reverse("assets:handover-action", args=[h.pk, action]), {"reason": "x"}).status_code == 400
        )
    h.refresh_from_db()
    assert h.fingerprint == h.compute_fingerprint()


# --- constant queries --------------------------------------------------------------------------------


def _grow(org, n: int) -> None:
    """``n`` handovers of new people in branch 1, each holding an asset; half with a line passed."""
    for i in range(n):
        person = StaffFactory(branch=org.branches.b1, team=org.teams.a)
        issue(org, to=person)
        h = start(org, staff=person)
        if i % 2:
            svc.line_assign(actor=org.users.trade, line=line(h, K.ASSET), receiver=org.staff.cm_peer)


def _count(c, url) -> int:
    c.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["trade", "cm_peer", "hr"])
def test_the_handover_list_runs_the_same_queries_with_few_or_many_rows(org, client_for, who):
    _grow(org, 2)
    c = client_for(getattr(org.users, who))
    urls = [
        LIST,
        f"{LIST}?status=open",
        "/api/assets/handovers/?format=json",
        "/api/assets/handovers/lines/?format=json",
    ]
    few = {u: _count(c, u) for u in urls}
    _grow(org, 8)
    many = {u: _count(c, u) for u in urls}
    assert many == few
