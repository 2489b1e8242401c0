"""Bringing clients in, ownership history by date, claims, confirmation serials, tiers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from brokerdesk.approvals.models import Request, Task
from brokerdesk.approvals.services import task_act
from brokerdesk.clients import services
from brokerdesk.clients.models import Claim, Client, ConfirmationForm, Ownership, Tier
from brokerdesk.clients.tests.factories import make_client

pytestmark = pytest.mark.django_db


def test_a_client_manager_brings_in_a_client_with_ownership_and_confirmation_form(org):
    client = make_client(org.users.cm, name="张大力")
    assert client.manager == org.staff.cm
    assert client.branch == org.branches.b1
    assert (client.pinyin_initials, client.pinyin_full) == ("zdl", "zhangdali")
    own = Ownership.objects.get(client=client)
    assert (own.manager, own.start, own.end) == (org.staff.cm, client.opened_on, None)
    form = ConfirmationForm.objects.get(client=client)
    month = timezone.localdate().replace(day=1)
    assert form.serial_no == f"QR-BJ01-{month:%Y%m}-0001"
    assert form.sequence == 1


def test_serials_run_per_branch_and_month_without_gaps(org):
    a = make_client(org.users.cm)
    b = make_client(org.users.cm)
    c = make_client(org.users.outsider)
    seqs = [a.confirmations.get().sequence, b.confirmations.get().sequence]
    assert seqs == [1, 2]
    assert c.confirmations.get().sequence == 1  # another branch counts on its own


def test_a_failed_creation_gives_its_serial_number_back(org):
    make_client(org.users.cm)
    with pytest.raises(ValidationError):
        make_client(org.users.cm, id_number="110101199001011234")  # bad check digit
    third = make_client(org.users.cm)
    assert third.confirmations.get().sequence == 2


def test_bad_identity_is_refused_with_field_errors_and_nothing_saved(org):
    with pytest.raises(ValidationError) as exc:
        make_client(org.users.cm, id_number="123", mobile="12345", client_no="12a")
    assert set(exc.value.message_dict) >= {"id_number", "mobile", "client_no"}
    assert Client.objects.count() == 0
    with pytest.raises(ValidationError) as exc:
        make_client(org.users.cm, kind=Client.Kind.INSTITUTION, id_number="91350100M000100Y44")
    assert "id_number" in exc.value.message_dict


def test_duplicate_client_number_is_refused(org):
    make_client(org.users.cm, client_no="123456789")
    with pytest.raises(ValidationError) as exc:
        make_client(org.users.cm_peer, client_no="123456789")
    assert "client_no" in exc.value.message_dict


def test_a_client_manager_cannot_give_a_client_to_someone_else(org):
    with pytest.raises(ValidationError) as exc:
        make_client(org.users.cm, manager=org.staff.cm_peer)
    assert "manager" in exc.value.message_dict


def test_transfer_keeps_exact_history_by_date(org):
    today = timezone.localdate()
    client = make_client(org.users.cm, opened_on=today - dt.timedelta(days=60))
    services.client_transfer(
        actor=org.users.trade,
        client=client,
        to=org.staff.cm_peer,
        effective=today - dt.timedelta(days=10),
        note="调岗",
    )
    assert services.owner_on(client, today - dt.timedelta(days=11)) == org.staff.cm.pk
    assert services.owner_on(client, today - dt.timedelta(days=10)) == org.staff.cm_peer.pk
    assert services.owner_on(client, today - dt.timedelta(days=61)) is None
    client.refresh_from_db()
    assert client.manager == org.staff.cm_peer
    with pytest.raises(PermissionDenied):
        services.client_transfer(actor=org.users.cm, client=client, to=org.staff.cm, note="x")


def _decide(request, decisions):
    for user, decision in decisions:
        task = Task.objects.get(request=request, status="pending")
        task_act(actor=user, task=task, decision=decision, opinion="意见")


def test_a_claim_goes_through_approval_and_moves_the_client_on_approval(org):
    client = make_client(org.users.cm, opened_on=timezone.localdate() - dt.timedelta(days=30))
    claim = services.claim_submit(actor=org.users.cm_peer, client=client, reason="客户由我开发")
    assert claim.status == Claim.Status.IN_APPROVAL
    with pytest.raises(ValidationError):
        services.claim_submit(actor=org.users.lead, client=client, reason="我也要")
    request = Request.objects.get(pk=claim.approval_id)
    _decide(request, [(org.users.lead, "approve")])
    client.refresh_from_db()
    assert client.manager == org.staff.cm  # not until the last step approves
    _decide(request, [(org.users.manager, "approve")])
    claim.refresh_from_db()
    client.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED
    assert client.manager == org.staff.cm_peer
    current = Ownership.objects.get(client=client, end__isnull=True)
    assert (current.reason, current.start, current.approval_id) == ("claim", timezone.localdate(), request.pk)
    assert services.owner_on(client, timezone.localdate() - dt.timedelta(days=1)) == org.staff.cm.pk


def test_a_rejected_claim_leaves_the_client_where_it_was(org):
    client = make_client(org.users.cm, opened_on=timezone.localdate() - dt.timedelta(days=30))
    claim = services.claim_submit(actor=org.users.cm_peer, client=client, reason="客户由我开发")
    _decide(Request.objects.get(pk=claim.approval_id), [(org.users.lead, "reject")])
    claim.refresh_from_db()
    client.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED and client.manager == org.staff.cm
    assert Ownership.objects.filter(client=client).count() == 1
    with pytest.raises(ValidationError):
        services.claim_submit(actor=org.users.outsider, client=client, reason="跨营业部")


def test_tiers_follow_figures_and_a_manual_tier_needs_a_reason(org):
    client = make_client(org.users.cm)
    month = timezone.localdate().replace(day=1)
    services.figures_save(actor=org.users.trade, client=client, month=month, assets="12000000", revenue="0")
    client.refresh_from_db()
    assert client.tier.code == "diamond"
    services.figures_save(
        actor=org.users.trade, client=client, month=month, assets="1500000.00", revenue="100"
    )
    client.refresh_from_db()
    assert client.tier.code == "silver" and client.assets == Decimal("1500000.00")
    gold = Tier.objects.get(code="gold")
    with pytest.raises(ValidationError):
        services.tier_set_manual(actor=org.users.trade, client=client, tier=gold, reason=" ")
    services.tier_set_manual(actor=org.users.trade, client=client, tier=gold, reason="战略客户")
    services.figures_save(actor=org.users.trade, client=client, month=month, assets="10", revenue="0")
    client.refresh_from_db()
    assert client.tier == gold  # a manual tier is kept when figures change


def test_figures_import_reports_every_bad_line_and_writes_nothing(org):
    a = make_client(org.users.cm)
    b = make_client(org.users.cm_peer)
    rows = [
        (2, [a.client_no, "2026-10", "100.50", "10"]),
        (3, ["999", "2026-10", "1", "1"]),
        (4, [b.client_no, "10/2026", "x", "1"]),
    ]
    with pytest.raises(ValidationError) as exc:
        services.figures_import(actor=org.users.trade, rows=rows)
    text = " ".join(exc.value.messages)
    assert "3" in text and "4" in text
    assert a.figures.count() == 0
    n = services.figures_import(
        actor=org.users.trade, rows=[rows[0], (4, [b.client_no, "2026-10", "2000000", "0"])]
    )
    assert n == 2
    services.figures_import(
        actor=org.users.trade, rows=[rows[0], (4, [b.client_no, "2026-10", "2000000", "0"])]
    )
    assert b.figures.count() == 1  # the same file again changes nothing
    b.refresh_from_db()
    assert b.tier.code == "silver"
