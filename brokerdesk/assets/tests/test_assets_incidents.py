"""Incidents (第十四条): damage, loss and theft, the charge's approval, and what reaches pay."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from brokerdesk.approvals import services as approvals
from brokerdesk.assets import services_assets as svc
from brokerdesk.assets.models_assets import Incident, LedgerLine
from brokerdesk.assets.tests.factories_assets import approve_charge, charge, register

pytestmark = pytest.mark.django_db
D = Decimal
SEPT = dt.date(2026, 9, 1)


def test_loss_takes_the_item_out_of_the_holders_stock(org):
    laptop = register(org)
    svc.asset_pass(actor=org.users.keeper, asset=laptop, from_staff=None, to_staff=org.staff.cm)
    incident = charge(org, asset=laptop, kind="loss", amount="0")
    assert incident.status == "recorded" and incident.approval is None
    line = incident.loss_line
    assert (line.kind, line.source, line.from_staff_id, line.target) == (
        "loss",
        "person",
        org.staff.cm.pk,
        "outside",
    )
    laptop.refresh_from_db()
    assert laptop.status == "disposed" and laptop.custodian_id is None


def test_theft_of_consumables_from_the_store(org):
    gifts = register(org, quantity=30, description="纪念品")
    incident = charge(org, asset=gifts, kind="theft", amount="17.00", quantity=2, who=org.staff.cm_peer)
    gifts.refresh_from_db()
    assert gifts.on_hand == 28 and incident.loss_line.source == "store"
    with pytest.raises(ValidationError) as e:
        charge(org, asset=gifts, kind="loss", amount="0", quantity=31)
    assert "quantity" in e.value.message_dict


def test_damage_keeps_the_item(org):
    laptop = register(org)
    incident = charge(org, asset=laptop, kind="damage", amount="500.00")
    laptop.refresh_from_db()
    assert incident.loss_line is None and laptop.on_hand == 1


def test_charge_rules(org):
    laptop = register(org, value=D("6800.00"))
    cases = [
        ({"amount": "6800.01"}, {"over_value_reason"}),
        ({"amount": "-1"}, {"amount"}),
        ({"amount": "10.001"}, {"amount"}),
        ({"amount": "100", "who": None}, set()),  # the factory's default person is used …
    ]
    for kw, fields in cases[:3]:
        with pytest.raises(ValidationError) as e:
            charge(org, asset=laptop, **kw)
        assert fields <= set(e.value.message_dict), kw
    with pytest.raises(ValidationError) as e:
        svc.incident_record(
            actor=org.users.keeper,
            asset=laptop,
            kind="damage",
            happened_on=SEPT,
            description="x",
            amount=D(100),
        )
    assert {"responsible", "pay_month"} <= set(e.value.message_dict)
    with pytest.raises(ValidationError) as e:
        charge(org, asset=laptop, who=org.staff.outsider)
    assert "responsible" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        charge(org, asset=laptop, happened_on=dt.date.today() + dt.timedelta(days=1))
    assert "happened_on" in e.value.message_dict
    ok = charge(org, asset=laptop, amount="9000.00", over_value_reason="连同配件和软件授权一并赔偿")
    assert ok.status == "in_approval"
    assert Incident.objects.count() == 1


def test_only_the_keeper_records(org):
    laptop = register(org)
    for user in (org.users.keeper_b2, org.users.lead, org.users.cm):
        with pytest.raises(PermissionDenied):
            svc.incident_record(actor=user, asset=laptop, kind="damage", happened_on=SEPT, description="x")


def test_approval_route_lead_then_manager(org):
    incident = charge(org)
    request = incident.approval
    assert approvals.inbox(org.users.lead).filter(request=request).exists()
    assert not approvals.inbox(org.users.manager).filter(request=request).exists()
    incident = approve_charge(org, incident)
    assert incident.status == "approved" and incident.decided_at is not None
    assert svc.charges_for([org.staff.cm], SEPT) == {org.staff.cm.pk: D("300.00")}


def test_no_lead_step_for_someone_without_a_lead(org):
    incident = charge(org, who=org.staff.cm_b)  # team B has no lead login
    assert approvals.inbox(org.users.manager).filter(request=incident.approval).exists()


def test_returned_charge_is_revised_and_resent_then_frozen_once_approved(org):
    incident = charge(org, amount="800.00")
    task = approvals.inbox(org.users.lead).get(request=incident.approval)
    approvals.task_act(actor=org.users.lead, task=task, decision="return", opinion="金额偏高")
    incident.refresh_from_db()
    assert incident.status == "returned"
    incident = svc.incident_revise(
        actor=org.users.keeper,
        incident=incident,
        amount=D("400.00"),
        responsible=org.staff.cm,
        pay_month=SEPT,
    )
    assert incident.status == "in_approval" and incident.approval.round == 2
    incident = approve_charge(org, incident)
    assert incident.status == "approved" and incident.amount == D("400.00")
    with pytest.raises(ValidationError):
        svc.incident_revise(
            actor=org.users.keeper, incident=incident, amount=D(1), responsible=org.staff.cm, pay_month=SEPT
        )
    incident.refresh_from_db()
    assert incident.amount == D("400.00")


def test_rejected_charge_is_not_deducted(org):
    incident = approve_charge(org, charge(org), decision="reject", opinion="非本人责任")
    assert incident.status == "rejected"
    assert svc.charges_for([org.staff.cm.pk], SEPT) == {}


def test_a_recorded_incident_can_be_charged_later(org):
    incident = charge(org, amount="0")
    assert incident.status == "recorded"
    incident = svc.incident_revise(
        actor=org.users.keeper, incident=incident, amount=D("50.00"), responsible=org.staff.cm, pay_month=SEPT
    )
    assert incident.status == "in_approval"


def test_lost_item_found_again_by_reversing_the_loss_line(org):
    laptop = register(org)
    svc.asset_pass(actor=org.users.keeper, asset=laptop, from_staff=None, to_staff=org.staff.cm)
    incident = charge(org, asset=laptop, kind="loss", amount="0")
    svc.line_reverse(actor=org.users.keeper, line=incident.loss_line, reason="已找回")
    laptop.refresh_from_db()
    assert laptop.custodian_id == org.staff.cm.pk and laptop.status == "issued"
    assert LedgerLine.objects.filter(asset=laptop).count() == 4
