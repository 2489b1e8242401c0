"""The handover through its services: the checklist covers everything the person holds, each
side confirms with their own login, the departure or transfer waits for the whole checklist
(and for the live holdings, not just the ticks), completing performs it, and a completed
handover never changes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import override

from brokerdesk.approvals.models import Notification
from brokerdesk.assets import services_handover as svc
from brokerdesk.assets.models_assets import Holding
from brokerdesk.assets.models_handover import Handover, HandoverEvent, HandoverFrozen, HandoverLine
from brokerdesk.assets.selectors_handover import handover_blocking, pay_position
from brokerdesk.assets.tests.factories_handover import (
    finish_all,
    holdings,
    issue,
    line,
    start,
    unsigned_pay,
)
from brokerdesk.clients.models import Client, FollowUp, Ownership, Visit
from brokerdesk.clients.tests.factories import make_client
from brokerdesk.org import services as org_services
from brokerdesk.org.models import Staff, StaffAssignment

pytestmark = pytest.mark.django_db
K = HandoverLine.Kind


def _kinds(handover) -> dict[str, int]:
    found: dict[str, int] = {}
    for kind in handover.lines.filter(status="open").values_list("kind", flat=True):
        found[kind] = found.get(kind, 0) + 1
    return found


def test_the_checklist_covers_assets_clients_followups_visits_archive_items_and_pay(org):
    held = holdings(org)
    unsigned_pay(org)
    h = start(org)
    assert _kinds(h) == {"asset": 2, "client": 2, "followup": 1, "visit": 1, "archive": 1, "pay": 1}
    leaflets = line(h, K.ASSET, asset=held.leaflets)
    assert leaflets.quantity == 50
    pay = line(h, K.PAY)
    assert pay.pay_owed > 0 and pay.pay_detail["runs"][0]["month"] == "2026-09-01"
    assert h.lines.filter(kind=K.ARCHIVE, entry=held.entry).exists()
    assert HandoverEvent.objects.filter(handover=h, kind="started", actor=org.users.trade).exists()
    # The person and the branch's finance are told; so is the keeper (assets to take back).
    told = set(Notification.objects.values_list("user_id", flat=True))
    assert {org.users.cm.pk, org.users.accountant.pk, org.users.keeper.pk} <= told


def test_only_handover_holders_of_the_persons_branch_start_one(org):
    for who in ("cm", "lead", "keeper", "accountant", "keeper_b2"):
        with pytest.raises(PermissionDenied):
            start(org, actor=getattr(org.users, who))
    for who in ("trade", "manager", "hr"):
        h = start(org, actor=getattr(org.users, who))
        svc.handover_cancel(actor=getattr(org.users, who), handover=h, reason="测试")
    with pytest.raises(PermissionDenied):
        start(org, actor=org.users.manager, staff=org.staff.outsider)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reason": " "}, "reason"),
        ({"effective_on": None}, "effective_on"),
        ({"effective_on": dt.date(2020, 1, 1)}, "effective_on"),
    ],
)
def test_bad_start_is_a_field_error_and_saves_nothing(org, values, field):
    with pytest.raises(ValidationError) as exc:
        start(org, **values)
    assert field in exc.value.message_dict
    assert not Handover.objects.exists()


def test_a_transfer_needs_another_branch_or_team_the_runner_may_place_in(org):
    with pytest.raises(ValidationError) as exc:
        start(org, Handover.Kind.TRANSFER, to_branch=None, to_team=None)
    assert "to_branch" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        start(org, Handover.Kind.TRANSFER, to_team=org.teams.a)
    assert "to_team" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # the trade post may not place people in branch 2
        start(org, Handover.Kind.TRANSFER, to_branch=org.branches.b2, to_team=org.teams.c)
    assert "to_branch" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        start(org, Handover.Kind.TRANSFER, to_team=org.teams.c)  # a team of another branch
    assert "to_team" in exc.value.message_dict
    assert not Handover.objects.exists()
    h = start(org, Handover.Kind.TRANSFER, actor=org.users.hr, to_branch=org.branches.b2, to_team=org.teams.c)
    assert h.to_branch == org.branches.b2


def test_one_open_handover_per_person(org):
    start(org)
    with pytest.raises(ValidationError):
        start(org, Handover.Kind.TRANSFER)
    assert Handover.objects.count() == 1


# --- both sides confirm, each with their own login ------------------------------------------------


def test_an_asset_passes_only_when_giver_and_receiver_have_both_confirmed(org):
    laptop = issue(org)
    h = start(org)
    ln = line(h, K.ASSET)
    svc.line_assign(actor=org.users.cm, line=ln, disposition="pass", receiver=org.staff.cm_peer)
    svc.line_confirm(actor=org.users.cm, line=ln, side="giver")
    assert Holding.objects.get(asset=laptop, staff=org.staff.cm).quantity == 1
    ln = svc.line_confirm(actor=org.users.cm_peer, line=ln, side="receiver")
    assert ln.status == "done" and ln.done_by == org.users.cm_peer
    assert not Holding.objects.filter(asset=laptop, staff=org.staff.cm, quantity__gt=0).exists()
    assert Holding.objects.get(asset=laptop, staff=org.staff.cm_peer).quantity == 1
    kinds = list(HandoverEvent.objects.filter(line=ln).values_list("kind", "actor__username"))
    assert kinds[-3:] == [("given", "cm"), ("received", "cm_peer"), ("done", "cm_peer")]


@pytest.mark.parametrize(
    ("side", "who"),
    [
        ("giver", "cm_peer"),  # the receiver cannot confirm the giver's side
        ("giver", "trade"),  # nor can who runs the handover
        ("giver", "manager"),
        ("receiver", "cm"),  # the giver cannot confirm receiving
        ("receiver", "cm_b"),  # a colleague cannot confirm for the named receiver
        ("receiver", "trade"),
        ("receiver", "keeper"),  # the keeper confirms only what comes back to the store
    ],
)
def test_a_confirmation_by_the_wrong_person_is_refused_and_changes_nothing(org, side, who):
    issue(org)
    h = start(org)
    ln = line(h, K.ASSET)
    svc.line_assign(actor=org.users.trade, line=ln, disposition="pass", receiver=org.staff.cm_peer)
    with override("en"), pytest.raises(PermissionDenied) as exc:
        svc.line_confirm(actor=getattr(org.users, who), line=ln, side=side)
    assert "own login" in str(exc.value)
    ln.refresh_from_db()
    assert ln.giver_confirmed_at is None and ln.receiver_confirmed_at is None and ln.status == "open"


def test_a_return_to_the_store_is_received_by_the_branchs_keeper_only(org):
    laptop = issue(org)
    h = start(org)
    ln = line(h, K.ASSET)
    svc.line_assign(actor=org.users.cm, line=ln, disposition="return")
    for who in ("keeper_b2", "cm_peer", "lead"):
        with pytest.raises(PermissionDenied):
            svc.line_confirm(actor=getattr(org.users, who), line=ln, side="receiver")
    svc.line_confirm(actor=org.users.keeper, line=ln, side="receiver")
    svc.line_confirm(actor=org.users.cm, line=ln, side="giver")
    laptop.refresh_from_db()
    assert laptop.on_hand == 1 and laptop.custodian_id is None


def test_changing_where_it_goes_asks_both_sides_again(org):
    issue(org)
    h = start(org)
    ln = line(h, K.ASSET)
    svc.line_assign(actor=org.users.cm, line=ln, disposition="pass", receiver=org.staff.cm_peer)
    svc.line_confirm(actor=org.users.cm, line=ln, side="giver")
    ln = svc.line_assign(actor=org.users.trade, line=ln, disposition="pass", receiver=org.staff.cm_b)
    assert ln.giver_confirmed_at is None and ln.receiver == org.staff.cm_b


@pytest.mark.parametrize("receiver", ["cm", "outsider"])
def test_the_receiver_is_a_working_colleague_of_the_branch(org, receiver):
    issue(org)
    h = start(org)
    with pytest.raises(ValidationError) as exc:
        svc.line_assign(actor=org.users.trade, line=line(h, K.ASSET), receiver=getattr(org.staff, receiver))
    assert "receiver" in exc.value.message_dict


def test_followups_and_visits_pass_when_the_colleague_accepts(org):
    held = holdings(org, archive=False)
    h = start(org)
    for kind in (K.FOLLOWUP, K.VISIT):
        ln = line(h, kind)
        svc.line_assign(actor=org.users.trade, line=ln, receiver=org.staff.cm_peer)
        with pytest.raises(PermissionDenied):
            svc.line_confirm(actor=org.users.cm_b, line=ln, side="receiver")
        assert svc.line_confirm(actor=org.users.cm_peer, line=ln, side="receiver").status == "done"
    assert FollowUp.objects.get(pk=held.followup.pk).owner == org.staff.cm_peer
    visit = Visit.objects.get(pk=held.visit.pk)
    assert visit.author == org.staff.cm_peer and visit.history.first().history_user == org.users.cm_peer


def test_archive_items_pass_through_the_register_custody_trail(org):
    held = holdings(org, clients=1)
    h = start(org)
    ln = line(h, K.ARCHIVE)
    svc.line_assign(actor=org.users.cm, line=ln, disposition="return")
    svc.line_confirm(actor=org.users.cm, line=ln, side="giver")
    with pytest.raises(PermissionDenied):
        svc.line_confirm(actor=org.users.keeper, line=ln, side="receiver")  # not the archive room
    svc.line_confirm(actor=org.users.trade, line=ln, side="receiver")
    held.entry.refresh_from_db()
    assert held.entry.custodian is None
    from brokerdesk.archives.models import CustodyMove

    assert CustodyMove.objects.filter(entry=held.entry).order_by("-pk").first().moved_by == org.users.trade


def test_a_client_is_reassigned_with_date_new_manager_and_notification(org):
    client = make_client(org.users.cm)
    h = start(org)
    ln = line(h, K.CLIENT)
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):  # the person cannot give their clients away themselves
        svc.client_reassign(actor=org.users.cm, line=ln, to=org.staff.cm_peer, effective_on=today)
    with pytest.raises(ValidationError) as exc:
        svc.client_reassign(
            actor=org.users.trade, line=ln, to=org.staff.cm_peer, effective_on=today + dt.timedelta(1)
        )
    assert "effective_on" in exc.value.message_dict
    ln = svc.client_reassign(actor=org.users.trade, line=ln, to=org.staff.cm_peer, effective_on=today)
    assert ln.status == "open"  # the client still has to be told
    client.refresh_from_db()
    assert client.manager == org.staff.cm_peer
    assert Ownership.objects.get(client=client, end__isnull=True).start == today
    with pytest.raises(ValidationError) as exc:
        svc.client_notified(actor=org.users.cm_peer, line=ln, notified_on=today, notified_how="")
    assert "notified_how" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        svc.client_notified(actor=org.users.cm_b, line=ln, notified_on=today, notified_how="phone")
    ln = svc.client_notified(actor=org.users.cm_peer, line=ln, notified_on=today, notified_how="phone")
    assert ln.status == "done" and ln.client_notified_on == today and ln.receiver == org.staff.cm_peer
    assert Notification.objects.filter(user=org.users.cm_peer).exists()


def test_pay_is_acknowledged_by_the_branchs_finance_and_again_when_it_changes(org):
    run = unsigned_pay(org)
    h = start(org)
    ln = line(h, K.PAY)
    for who in ("trade", "cm", "manager", "hr"):
        with pytest.raises(PermissionDenied):
            svc.pay_acknowledge(actor=getattr(org.users, who), line=ln)
    ln = svc.pay_acknowledge(actor=org.users.accountant, line=ln, note="九月薪酬未签，离职后随月发放")
    assert ln.status == "done"
    assert pay_position(org.staff.cm, h.effective_on).fingerprint == ln.pay_fingerprint
    # A corrected run changes the position: the refresh asks finance again.
    from brokerdesk.performance.models import PayRun

    PayRun.objects.filter(pk=run.pk).update(status=PayRun.Status.SUPERSEDED)
    svc.handover_refresh(actor=org.users.trade, handover=h)
    assert h.lines.filter(kind=K.PAY, status="dropped").exists()
    assert h.lines.get(kind=K.PAY, status="open").pay_owed == Decimal("0.00")


# --- blocking, completing, frozen ---------------------------------------------------------------


def _transfer(org, **values):
    data = {
        "branch": org.branches.b1,
        "team": org.teams.b,
        "outlet": org.outlets.o1b,
        "regional_manager": None,
        "starts_on": timezone.localdate() + dt.timedelta(days=10),
        "reason": "调往二部",
    }
    data.update(values)
    return org_services.staff_transfer(actor=org.users.trade, staff=org.staff.cm, **data)


def _leave(org):
    cm = Staff.objects.get(pk=org.staff.cm.pk)
    cm.status, cm.left_on = Staff.Status.LEFT, timezone.localdate()
    return org_services.staff_save(actor=org.users.trade, staff=cm)


def test_without_a_handover_a_person_who_holds_something_cannot_leave_or_move(org):
    issue(org)
    assert handover_blocking(org.staff.cm, "transfer")
    with override("en"), pytest.raises(ValidationError) as exc:
        _transfer(org)
    assert "1 asset" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        _leave(org)
    assert "status" in exc.value.message_dict
    cm = Staff.objects.get(pk=org.staff.cm.pk)
    assert cm.team == org.teams.a and cm.status == Staff.Status.ACTIVE
    assert StaffAssignment.objects.filter(staff=cm).count() == 1


def test_a_person_holding_nothing_moves_without_a_checklist_but_not_inside_the_team_check(org):
    assert handover_blocking(org.staff.cm, "departure") is None
    _transfer(org)  # nothing held, no pay: nothing to hand over
    assert Staff.objects.get(pk=org.staff.cm.pk).team == org.teams.b


def test_an_outlet_change_inside_the_team_needs_no_handover(org):
    issue(org)
    _transfer(org, team=org.teams.a, outlet=org.outlets.o1b, regional_manager=org.staff.rm)


def test_unacknowledged_pay_blocks_the_departure(org):
    unsigned_pay(org)
    with override("en"):
        reason = handover_blocking(org.staff.cm, "departure")
    assert "acknowledged by finance" in reason


def test_the_transfer_is_blocked_until_every_line_is_done_then_completing_performs_it(org):
    holdings(org)
    unsigned_pay(org)
    h = start(org, Handover.Kind.TRANSFER)
    # Started: org refuses the transfer, through its service, with the reason.
    with pytest.raises(ValidationError):
        _transfer(org)
    with pytest.raises(ValidationError):
        svc.handover_complete(actor=org.users.trade, handover=h)
    finish_all(org, h)
    assert handover_blocking(org.staff.cm, "transfer")  # done, but moved only by completing it
    with pytest.raises(ValidationError):
        _transfer(org)
    with pytest.raises(PermissionDenied):
        svc.handover_complete(actor=org.users.accountant, handover=h)
    h = svc.handover_complete(actor=org.users.trade, handover=h)
    assert h.status == "completed" and h.completed_by == org.users.trade and len(h.fingerprint) == 64
    cm = Staff.objects.get(pk=org.staff.cm.pk)
    assert cm.team == org.teams.b and cm.branch == org.branches.b1
    placement = StaffAssignment.objects.get(staff=cm, ends_on__isnull=True)
    assert placement.team == org.teams.b and placement.starts_on == h.effective_on
    assert not Client.objects.filter(manager=cm).exists()
    assert handover_blocking(cm, "transfer") is None


def test_completing_a_departure_sets_the_person_as_left(org):
    holdings(org, clients=1)
    h = start(org)
    finish_all(org, h)
    svc.handover_complete(actor=org.users.hr, handover=h)
    cm = Staff.objects.get(pk=org.staff.cm.pk)
    assert cm.status == Staff.Status.LEFT and cm.left_on == h.effective_on


def test_completion_rechecks_the_live_holdings_not_just_the_ticks(org):
    holdings(org, clients=1, archive=False)
    h = start(org)
    finish_all(org, h)
    # A client assigned to the person meanwhile: completion refreshes and refuses.
    late = make_client(org.users.trade, manager=org.staff.cm, name="新客户")
    with pytest.raises(ValidationError):
        svc.handover_complete(actor=org.users.trade, handover=h)
    h.refresh_from_db()
    assert h.status == "open"
    assert h.lines.filter(kind=K.CLIENT, client=late, status="open").exists()  # the refresh stayed
    assert Staff.objects.get(pk=org.staff.cm.pk).status == Staff.Status.ACTIVE
    finish_all(org, h)
    svc.handover_complete(actor=org.users.trade, handover=h)


def test_items_gone_meanwhile_are_dropped_by_the_refresh(org):
    held = holdings(org, clients=1, archive=False)
    h = start(org)
    from brokerdesk.clients.services import client_transfer

    client_transfer(
        actor=org.users.trade,
        client=held.clients[0],
        to=org.staff.cm_b,
        effective=timezone.localdate(),
        note="调整",
    )
    svc.handover_refresh(actor=org.users.cm, handover=h)
    dropped = h.lines.get(kind=K.CLIENT, client=held.clients[0])
    assert dropped.status == "dropped" and dropped.dropped_reason


def test_a_completed_handover_is_frozen(org):
    issue(org)
    h = start(org)
    finish_all(org, h)
    h = svc.handover_complete(actor=org.users.trade, handover=h)
    ln = h.lines.first()
    with pytest.raises(ValidationError):
        svc.handover_refresh(actor=org.users.trade, handover=h)
    with pytest.raises(ValidationError):
        svc.handover_cancel(actor=org.users.trade, handover=h, reason="撤销")
    with pytest.raises(HandoverFrozen):
        h.save()
    with pytest.raises(HandoverFrozen):
        ln.note = "改"
        ln.save()
    with pytest.raises(HandoverFrozen):
        h.delete()
    assert h.fingerprint == h.compute_fingerprint()


def test_a_cancelled_handover_lets_the_person_stay_and_freezes(org):
    issue(org)
    h = start(org)
    h = svc.handover_cancel(actor=org.users.trade, handover=h, reason="不再离职")
    assert h.status == "cancelled"
    with pytest.raises(ValidationError):
        svc.line_assign(actor=org.users.cm, line=h.lines.first(), disposition="return")
    start(org)  # a new one may begin
