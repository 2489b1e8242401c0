"""Inquiry calls and appointments (part 4): recording and passing on, acknowledging an
important matter in time (or being late), answering, losing, and converting into a client."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from brokerdesk.approvals.models import Notification
from brokerdesk.clients import services_inquiries as svc
from brokerdesk.clients.models import Client, ConfirmationForm, Inquiry, Ownership, ServicePolicy
from brokerdesk.org.tests.factories import make_id_number

pytestmark = pytest.mark.django_db


def record(org, actor=None, to=None, **kw) -> Inquiry:
    values = {
        "kind": Inquiry.Kind.CALL,
        "caller_name": "刘先生",
        "mobile": "13900001111",
        "topic": "咨询两融开户条件",
        "details": "",
        "important": False,
    }
    values.update(kw)
    return svc.inquiry_create(actor=actor or org.users.manager, assigned_to=to or org.staff.cm, **values)


def test_an_important_call_gets_a_deadline_a_notification_and_a_trail(org):
    policy = ServicePolicy.current()
    policy.acknowledge_hours = 2
    policy.save()
    received = timezone.now() - dt.timedelta(minutes=30)
    inq = record(org, important=True, received_at=received)
    assert inq.branch == org.branches.b1 and inq.received_by == org.staff.manager
    assert inq.acknowledge_by == received + dt.timedelta(hours=2)
    note = Notification.objects.get(user=org.users.cm)
    assert note.url == inq.get_absolute_url() and "刘先生" in note.text
    assert list(inq.events.values_list("kind", flat=True)) == ["created"]
    assert not svc.is_late(inq)


def test_bad_input_gives_field_errors_and_saves_nothing(org):
    with pytest.raises(ValidationError) as exc:
        record(org, caller_name=" ", mobile="12345", topic="", to=org.staff.outsider)
    assert set(exc.value.message_dict) >= {"caller_name", "mobile", "topic", "assigned_to"}
    with pytest.raises(ValidationError) as exc:
        record(org, kind=Inquiry.Kind.APPOINTMENT, appointment_outlet=org.outlets.o2)
    assert set(exc.value.message_dict) >= {"appointment_at", "appointment_outlet"}
    with pytest.raises(ValidationError) as exc:
        record(org, received_at=timezone.now() + dt.timedelta(hours=2))
    assert "received_at" in exc.value.message_dict
    assert Inquiry.objects.count() == 0 and Notification.objects.count() == 0


def test_recording_needs_the_permission_and_a_staff_record(org):
    with pytest.raises(PermissionDenied):
        record(org, actor=org.users.accountant)
    with pytest.raises(PermissionDenied):
        record(org, actor=org.users.trade)  # a back-office login without a staff record
    # A client manager may pass a call on to anyone of the branch.
    inq = record(org, actor=org.users.cm, to=org.staff.cm_b)
    assert inq.received_by == org.staff.cm and inq.assigned_to == org.staff.cm_b


def test_only_the_assignee_acknowledges_once(org):
    inq = record(org, important=True)
    with pytest.raises(PermissionDenied):
        svc.inquiry_acknowledge(actor=org.users.manager, inquiry=inq)
    inq = svc.inquiry_acknowledge(actor=org.users.cm, inquiry=inq)
    assert inq.status == Inquiry.Status.ACKNOWLEDGED and inq.acknowledged_at is not None
    with pytest.raises(ValidationError):
        svc.inquiry_acknowledge(actor=org.users.cm, inquiry=inq)
    assert list(inq.events.values_list("kind", flat=True)) == ["created", "acknowledged"]


def test_late_detection(org):
    now = timezone.now()
    late = record(org, important=True, received_at=now - dt.timedelta(hours=5))
    on_time = record(org, important=True, received_at=now - dt.timedelta(hours=1))
    plain = record(org, important=False, received_at=now - dt.timedelta(hours=9))
    assert svc.is_late(late) and not svc.is_late(on_time) and not svc.is_late(plain)
    assert list(Inquiry.objects.filter(svc.late_q()).values_list("pk", flat=True)) == [late.pk]
    svc.inquiry_acknowledge(actor=org.users.cm, inquiry=late)
    assert late.events.last().note  # acknowledged late: the trail says so
    assert not Inquiry.objects.filter(svc.late_q()).exists()


def test_passing_on_moves_the_matter_with_a_new_deadline(org):
    inq = record(org, important=True, received_at=timezone.now() - dt.timedelta(hours=6))
    svc.inquiry_acknowledge(actor=org.users.cm, inquiry=inq)
    with pytest.raises(ValidationError) as exc:
        svc.inquiry_pass_on(actor=org.users.cm, inquiry=inq, to=org.staff.outsider)
    assert "to" in exc.value.message_dict
    with pytest.raises(ValidationError):
        svc.inquiry_pass_on(actor=org.users.cm, inquiry=inq, to=org.staff.cm)
    with pytest.raises(PermissionDenied):
        svc.inquiry_pass_on(actor=org.users.cm_b, inquiry=inq, to=org.staff.cm_b)
    inq = svc.inquiry_pass_on(actor=org.users.cm, inquiry=inq, to=org.staff.cm_peer, note="孙八熟悉两融")
    assert inq.assigned_to == org.staff.cm_peer and inq.status == Inquiry.Status.OPEN
    assert inq.acknowledged_at is None and inq.acknowledge_by > timezone.now()
    assert Notification.objects.filter(user=org.users.cm_peer, url=inq.get_absolute_url()).exists()
    assert "孙八熟悉两融" in inq.events.get(kind="passed").note


def test_answer_and_lost_close_the_matter(org):
    inq = record(org)
    with pytest.raises(ValidationError) as exc:
        svc.inquiry_answer(actor=org.users.cm, inquiry=inq, outcome=" ")
    assert "outcome" in exc.value.message_dict
    inq = svc.inquiry_answer(actor=org.users.cm, inquiry=inq, outcome="已告知两融开户需50万资产")
    assert inq.status == Inquiry.Status.DONE and inq.acknowledged_at is not None
    with pytest.raises(ValidationError):
        svc.inquiry_lost(actor=org.users.cm, inquiry=inq, reason="x")
    appt = record(org, kind=Inquiry.Kind.APPOINTMENT, appointment_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        svc.inquiry_lost(actor=org.users.cm, inquiry=appt, reason="")
    assert "reason" in exc.value.message_dict
    appt = svc.inquiry_lost(actor=org.users.cm, inquiry=appt, reason="客户未到网点")
    assert appt.status == Inquiry.Status.LOST and appt.outcome == "客户未到网点"


def test_converting_an_appointment_creates_the_client_with_ownership_and_confirmation_form(org):
    appt = record(
        org,
        kind=Inquiry.Kind.APPOINTMENT,
        appointment_at=timezone.now() + dt.timedelta(hours=3),
        appointment_outlet=org.outlets.o1,
    )
    today = timezone.localdate()
    client = svc.inquiry_convert(
        actor=org.users.cm, inquiry=appt, client_no="123456789", id_number=make_id_number(42), opened_on=today
    )
    assert client.manager == org.staff.cm and client.source == Client.Source.INQUIRY
    assert (
        client.name == "刘先生" and client.mobile == "13900001111" and client.source_outlet == org.outlets.o1
    )
    assert Ownership.objects.get(client=client).manager == org.staff.cm
    form = ConfirmationForm.objects.get(client=client)
    assert form.serial_no == f"QR-BJ01-{today:%Y%m}-0001"
    appt.refresh_from_db()
    assert appt.status == Inquiry.Status.CONVERTED and appt.client == client
    assert appt.events.last().kind == "converted"
    with pytest.raises(ValidationError, match="already converted|已转为客户"):
        svc.inquiry_convert(
            actor=org.users.cm,
            inquiry=appt,
            client_no="123456780",
            id_number=make_id_number(43),
            opened_on=today,
        )
    assert Client.objects.count() == 1


def test_a_bad_conversion_saves_nothing(org):
    appt = record(org, kind=Inquiry.Kind.APPOINTMENT, appointment_at=timezone.now())
    with pytest.raises(ValidationError) as exc:
        svc.inquiry_convert(
            actor=org.users.cm, inquiry=appt, client_no="12a", id_number="123", opened_on=None
        )
    assert "opened_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.inquiry_convert(
            actor=org.users.cm, inquiry=appt, client_no="12a", id_number="123", opened_on=timezone.localdate()
        )
    assert set(exc.value.message_dict) >= {"client_no", "id_number"}
    assert Client.objects.count() == 0 and ConfirmationForm.objects.count() == 0
    appt.refresh_from_db()
    assert appt.status == Inquiry.Status.OPEN and appt.client is None
    # The serial number was given back: the next client still gets 0001.
    client = svc.inquiry_convert(
        actor=org.users.cm,
        inquiry=appt,
        client_no="223456789",
        id_number=make_id_number(44),
        opened_on=timezone.localdate(),
    )
    assert client.confirmations.get().sequence == 1


def test_someone_out_of_the_line_cannot_convert(org):
    appt = record(org)
    with pytest.raises(PermissionDenied):
        svc.inquiry_convert(
            actor=org.users.cm_b,
            inquiry=appt,
            client_no="323456789",
            id_number=make_id_number(45),
            opened_on=timezone.localdate(),
        )
    assert Client.objects.count() == 0
