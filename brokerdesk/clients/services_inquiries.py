"""Inquiry calls and account-opening appointments (part 4: 做好来电咨询和新客户的预约开户工作).

Whoever takes a call records it and passes it on to the person who will deal with it. An
important matter passed on is tracked until that person acknowledges it: it must be
acknowledged within ``ServicePolicy.acknowledge_hours``, and is *late* after that. An
appointment that leads to an account is converted into a client through
``services.client_create`` (ownership and confirmation form included), in one transaction.

Every use case checks permission first, then raises Django's ValidationError with field
errors and writes nothing when the input is wrong.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.scope import can, has_perm
from brokerdesk.approvals.services import notify
from brokerdesk.clients import services
from brokerdesk.clients.models import Client, Inquiry, InquiryEvent, ServicePolicy
from brokerdesk.core.validators import validate_mobile
from brokerdesk.org.models import Outlet, Staff

# InquiryEvent.kind values.
CREATED = "created"
PASSED = "passed"
ACKNOWLEDGED = "acknowledged"
ANSWERED = "answered"
CONVERTED = "converted"
LOST = "lost"
NOTE = "note"

OPEN_STATUSES = (Inquiry.Status.OPEN, Inquiry.Status.ACKNOWLEDGED)
ACTIVE_STAFF = (Staff.Status.ACTIVE, Staff.Status.PROBATION)
CONVERT_FIELDS = (
    "client_no",
    "name",
    "kind",
    "id_number",
    "mobile",
    "opened_on",
    "address",
    "notes",
    "source_outlet",
    "source_note",
)
# How far ahead of the server clock a "received at" may be (a phone's clock runs fast).
CLOCK_SKEW = dt.timedelta(minutes=5)


def late_q(now: dt.datetime | None = None) -> Q:
    """Important, still open, not acknowledged, and past its deadline: late."""
    return Q(
        important=True,
        status=Inquiry.Status.OPEN,
        acknowledged_at__isnull=True,
        acknowledge_by__lt=now or timezone.now(),
    )


def is_late(inquiry: Inquiry, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return bool(
        inquiry.important
        and inquiry.status == Inquiry.Status.OPEN
        and inquiry.acknowledged_at is None
        and inquiry.acknowledge_by is not None
        and inquiry.acknowledge_by < now
    )


def _deadline(start: dt.datetime) -> dt.datetime:
    return start + dt.timedelta(hours=ServicePolicy.current().acknowledge_hours)


def _event(inquiry: Inquiry, kind: str, actor, note: str = "") -> InquiryEvent:
    return InquiryEvent.objects.create(inquiry=inquiry, kind=kind, actor=actor, note=note)


def _notify(inquiry: Inquiry, actor) -> None:
    """Tell the person the matter was passed on to (not themselves)."""
    user_id = inquiry.assigned_to.user_id
    if not user_id or user_id == actor.pk:
        return
    if inquiry.important:
        text = _("Important, acknowledge by %(when)s: %(caller)s, %(topic)s") % {
            "when": timezone.localtime(inquiry.acknowledge_by).strftime("%Y-%m-%d %H:%M"),
            "caller": inquiry.caller_name,
            "topic": inquiry.topic,
        }
    elif inquiry.kind == Inquiry.Kind.APPOINTMENT:
        text = _("Account-opening appointment passed on to you: %(caller)s, %(topic)s") % {
            "caller": inquiry.caller_name,
            "topic": inquiry.topic,
        }
    else:
        text = _("Inquiry passed on to you: %(caller)s, %(topic)s") % {
            "caller": inquiry.caller_name,
            "topic": inquiry.topic,
        }
    notify([user_id], text, inquiry.get_absolute_url())


def _check_assignee(person, branch_id: int, errors: dict, field: str = "assigned_to") -> None:
    if person is None:
        errors.setdefault(field, []).append(_("Choose who the matter is passed on to."))
    elif person.branch_id != branch_id:
        errors.setdefault(field, []).append(_("Choose someone of your branch."))
    elif person.status not in ACTIVE_STAFF:
        errors.setdefault(field, []).append(_("This person no longer works here."))


def assignees_for(branch_id: int | None):
    """Who a matter of the branch may be passed on to: anyone active in the branch."""
    if branch_id is None:
        return Staff.objects.none()
    return Staff.objects.filter(branch_id=branch_id, status__in=ACTIVE_STAFF).order_by("team_id", "emp_no")


def _may_handle(actor, inquiry: Inquiry) -> bool:
    """The assignee, the receiver, and those with the record permission over it (lead, branch)."""
    if actor.pk in (inquiry.assigned_to.user_id, inquiry.received_by.user_id):
        return True
    return can(actor, roles.INQUIRY_RECORD, inquiry)


def _locked(inquiry: Inquiry) -> Inquiry:
    return (
        Inquiry.objects.select_for_update(of=("self",))
        .select_related("assigned_to", "received_by", "branch")
        .get(pk=inquiry.pk)
    )


def _still_open(inquiry: Inquiry) -> None:
    if inquiry.status not in OPEN_STATUSES:
        raise ValidationError(
            _("This matter is closed (%(status)s).") % {"status": inquiry.get_status_display()}
        )


# --- recording --------------------------------------------------------------------------------


@transaction.atomic
def inquiry_create(
    *,
    actor,
    kind: str,
    caller_name: str,
    mobile: str,
    topic: str,
    assigned_to: Staff | None,
    details: str = "",
    important: bool = False,
    received_at: dt.datetime | None = None,
    appointment_at: dt.datetime | None = None,
    appointment_outlet: Outlet | None = None,
) -> Inquiry:
    """Record a call or an appointment and pass it on (possibly to oneself)."""
    if not has_perm(actor, roles.INQUIRY_RECORD):
        raise PermissionDenied(_("You may not record inquiries."))
    me = services.require_staff(actor)
    now = timezone.now()
    errors: dict = {}
    if kind not in Inquiry.Kind.values:
        errors.setdefault("kind", []).append(_("Choose a call or an appointment."))
    caller_name = (caller_name or "").strip()
    if not caller_name:
        errors.setdefault("caller_name", []).append(_("Give the caller's name."))
    mobile = (mobile or "").strip()
    try:
        validate_mobile(mobile)
    except ValidationError as exc:
        errors.setdefault("mobile", []).extend(exc.messages)
    topic = (topic or "").strip()
    if not topic:
        errors.setdefault("topic", []).append(_("Say what the call is about."))
    _check_assignee(assigned_to, me.branch_id, errors)
    received_at = received_at or now
    if received_at > now + CLOCK_SKEW:
        errors.setdefault("received_at", []).append(_("A call cannot be received in the future."))
    if kind == Inquiry.Kind.APPOINTMENT:
        if appointment_at is None:
            errors.setdefault("appointment_at", []).append(_("Give the appointment's date and time."))
        if appointment_outlet is not None and appointment_outlet.branch_id != me.branch_id:
            errors.setdefault("appointment_outlet", []).append(_("Choose an outlet of your branch."))
    else:
        appointment_at = None
        appointment_outlet = None
    if errors:
        raise ValidationError(errors)
    inquiry = Inquiry(
        branch_id=me.branch_id,
        kind=kind,
        caller_name=caller_name[:100],
        mobile=mobile,
        topic=topic[:200],
        details=(details or "").strip(),
        important=bool(important),
        received_by=me,
        received_at=received_at,
        assigned_to=assigned_to,
        acknowledge_by=_deadline(received_at) if important else None,
        appointment_at=appointment_at,
        appointment_outlet=appointment_outlet,
        created_by=actor,
    )
    inquiry.full_clean()
    inquiry.save()
    _event(inquiry, CREATED, actor, _("Passed on to %(name)s.") % {"name": assigned_to.name})
    _notify(inquiry, actor)
    return inquiry


@transaction.atomic
def inquiry_pass_on(*, actor, inquiry: Inquiry, to: Staff | None, note: str = "") -> Inquiry:
    """Pass the matter on to someone else; an important one gets a new deadline from now."""
    inquiry = _locked(inquiry)
    if not _may_handle(actor, inquiry):
        raise PermissionDenied(_("You may not pass this matter on."))
    _still_open(inquiry)
    errors: dict = {}
    _check_assignee(to, inquiry.branch_id, errors, field="to")
    if to is not None and to.pk == inquiry.assigned_to_id:
        errors.setdefault("to", []).append(_("The matter is already with this person."))
    if errors:
        raise ValidationError(errors)
    before = inquiry.assigned_to
    inquiry.assigned_to = to
    inquiry.status = Inquiry.Status.OPEN
    inquiry.acknowledged_at = None
    if inquiry.important:
        inquiry.acknowledge_by = _deadline(timezone.now())
    inquiry._change_reason = note.strip()[:100]
    inquiry.save()
    text = _("%(from)s → %(to)s") % {"from": before.name, "to": to.name}
    if note.strip():
        text = f"{text}: {note.strip()}"
    _event(inquiry, PASSED, actor, text)
    _notify(inquiry, actor)
    return inquiry


@transaction.atomic
def inquiry_acknowledge(*, actor, inquiry: Inquiry) -> Inquiry:
    """The person the matter went to confirms they have it."""
    inquiry = _locked(inquiry)
    if inquiry.assigned_to.user_id != actor.pk:
        raise PermissionDenied(_("Only the person the matter was passed on to can acknowledge it."))
    if inquiry.acknowledged_at is not None or inquiry.status != Inquiry.Status.OPEN:
        raise ValidationError(_("This matter is already acknowledged."))
    now = timezone.now()
    inquiry.acknowledged_at = now
    inquiry.status = Inquiry.Status.ACKNOWLEDGED
    inquiry.save()
    note = ""
    if inquiry.acknowledge_by and now > inquiry.acknowledge_by:
        note = _("Acknowledged late.")
    _event(inquiry, ACKNOWLEDGED, actor, note)
    return inquiry


@transaction.atomic
def inquiry_answer(*, actor, inquiry: Inquiry, outcome: str) -> Inquiry:
    """Record what came of it (the caller was answered): done."""
    inquiry = _locked(inquiry)
    if not _may_handle(actor, inquiry):
        raise PermissionDenied(_("You may not answer this matter."))
    _still_open(inquiry)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Say what the caller was told.")})
    now = timezone.now()
    if inquiry.acknowledged_at is None and inquiry.assigned_to.user_id == actor.pk:
        inquiry.acknowledged_at = now  # answering it is acknowledging it
    inquiry.outcome = outcome
    inquiry.status = Inquiry.Status.DONE
    inquiry.save()
    _event(inquiry, ANSWERED, actor, outcome)
    return inquiry


@transaction.atomic
def inquiry_lost(*, actor, inquiry: Inquiry, reason: str) -> Inquiry:
    """The caller did not open an account (an appointment not kept, a prospect who declined)."""
    inquiry = _locked(inquiry)
    if not _may_handle(actor, inquiry):
        raise PermissionDenied(_("You may not close this matter."))
    _still_open(inquiry)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why no account was opened.")})
    inquiry.outcome = reason
    inquiry.status = Inquiry.Status.LOST
    inquiry.save()
    _event(inquiry, LOST, actor, reason)
    return inquiry


@transaction.atomic
def inquiry_note(*, actor, inquiry: Inquiry, note: str) -> InquiryEvent:
    """Add a note to the trail (a call back, a message left)."""
    inquiry = _locked(inquiry)
    if not _may_handle(actor, inquiry):
        raise PermissionDenied(_("You may not add to this matter."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write the note.")})
    return _event(inquiry, NOTE, actor, note)


@transaction.atomic
def inquiry_convert(*, actor, inquiry: Inquiry, **fields) -> Client:
    """The caller opened an account: create the client (manager = the person the matter is with,
    source = inquiry), with its ownership and confirmation form, and link it. All or nothing."""
    inquiry = _locked(inquiry)
    if not _may_handle(actor, inquiry):
        raise PermissionDenied(_("You may not convert this matter."))
    if inquiry.status == Inquiry.Status.CONVERTED or inquiry.client_id:
        raise ValidationError(_("This matter is already converted into a client."))
    unknown = set(fields) - set(CONVERT_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be given here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    values = {
        "name": inquiry.caller_name,
        "mobile": inquiry.mobile,
        "kind": Client.Kind.INDIVIDUAL,
        "source_outlet": inquiry.appointment_outlet,
        "source_note": "",
    }
    values.update({k: v for k, v in fields.items() if v is not None})
    if not values.get("opened_on"):
        raise ValidationError({"opened_on": _("Give the day the account was opened.")})
    outlet = values.get("source_outlet")
    if outlet is not None and outlet.branch_id != inquiry.branch_id:
        raise ValidationError({"source_outlet": _("Choose an outlet of the client's branch.")})
    if not values["source_note"]:
        values["source_note"] = (
            _("%(kind)s of %(day)s: %(topic)s")
            % {
                "kind": inquiry.get_kind_display(),
                "day": timezone.localtime(inquiry.received_at).date().isoformat(),
                "topic": inquiry.topic,
            }
        )[:200]
    for key in ("client_no", "name", "id_number", "mobile", "address", "notes"):
        values[key] = str(values.get(key) or "").strip()
    client = Client(source=Client.Source.INQUIRY, **values)
    client = services.client_create(actor=actor, client=client, manager=inquiry.assigned_to)
    now = timezone.now()
    if inquiry.acknowledged_at is None and inquiry.assigned_to.user_id == actor.pk:
        inquiry.acknowledged_at = now
    inquiry.client = client
    inquiry.status = Inquiry.Status.CONVERTED
    inquiry.outcome = inquiry.outcome or _("Account opened: %(client)s") % {"client": client}
    inquiry.save()
    _event(inquiry, CONVERTED, actor, str(client))
    return client
