"""Every write of client visits and follow-ups (part 2: 客户走访日志, 月末核实, 谁走访谁督办,
被走访人的重叠性).

A visit is planned ahead or logged after it happened, always by the actor's own staff record
and only for a client inside the actor's scope. Before saving, visits to the same client by
other people within the overlap window are looked up; the actor must acknowledge them.
Done visits are verified by the head with an opinion and then never change. A matter the
visitor could not answer becomes a follow-up owned by whoever made the visit, sent to the
responsible department, chased, resolved and closed only once the client has been told.

Each use case checks permission first, then raises Django's ValidationError with field
errors and writes nothing when the input is wrong.
"""

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.scope import can, visible
from brokerdesk.approvals.services import notify
from brokerdesk.clients import rules
from brokerdesk.clients.models import (
    Client,
    FollowUp,
    FollowUpEvent,
    ServicePolicy,
    Visit,
    VisitOverlap,
)
from brokerdesk.clients.services import require_staff, staff_of
from brokerdesk.org.models import Department, Staff

OVERLAP_CODE = "overlap"
OPEN_STATUSES = (FollowUp.Status.OPEN, FollowUp.Status.SENT)
LOG_FIELDS = ("content", "opinions", "suggestions", "difficulties")


# --- helpers -----------------------------------------------------------------------------------


def _client_in_scope(actor, client) -> Client:
    client_id = getattr(client, "pk", client)
    found = (
        visible(actor, Client).filter(pk=client_id).select_related("branch").first()
        if client_id is not None
        else None
    )
    if found is None:
        raise ValidationError(
            {"client": _("This client is not in your scope: you cannot record a visit to it.")}
        )
    return found


def _clean_visitors(visitors, *, author: Staff, branch_id: int, errors: dict) -> list[Staff]:
    people = []
    for person in visitors or []:
        person = person if isinstance(person, Staff) else Staff.objects.filter(pk=person).first()
        if person is None or person.pk == author.pk:
            continue
        if person.branch_id != branch_id or person.status == Staff.Status.LEFT:
            errors.setdefault("visitors", []).append(
                _("%(name)s does not work in the client's branch.") % {"name": person.name}
            )
            continue
        people.append(person)
    return people


def is_overlap(exc: ValidationError) -> bool:
    """Whether a service's ValidationError is the overlap warning (to be acknowledged)."""
    if not hasattr(exc, "error_dict"):
        return False
    return any(e.code == OVERLAP_CODE for e in exc.error_dict.get("acknowledge_overlap", []))


def overlaps_for(*, client_id: int, author_id: int, day: dt.date, exclude: int | None = None):
    """(other visit, days apart) of visits to the client by OTHER people, planned or done and not
    cancelled, within the policy's window of ``day``; nearest first. Shown whatever the scope."""
    window = ServicePolicy.current().overlap_days
    lo, hi = day - dt.timedelta(days=window), day + dt.timedelta(days=window)
    qs = (
        Visit.objects.filter(client_id=client_id)
        .exclude(author_id=author_id)
        .filter(
            Q(status=Visit.Status.DONE, visited_on__range=(lo, hi))
            | Q(status=Visit.Status.PLANNED, planned_on__range=(lo, hi))
        )
        .select_related("author")
    )
    if exclude:
        qs = qs.exclude(pk=exclude)
    others = {v.pk: v for v in qs}
    pairs = rules.overlapping(day, [(v.pk, v.day) for v in others.values()], window)
    return [(others[pk], apart) for pk, apart in pairs]


def overlap_message(found) -> str:
    parts = []
    for other, _apart in found:
        if other.status == Visit.Status.DONE:
            parts.append(
                _("%(name)s visited this client on %(day)s")
                % {"name": other.author.name, "day": date_format(other.visited_on)}
            )
        else:
            parts.append(
                _("%(name)s plans to visit this client on %(day)s")
                % {"name": other.author.name, "day": date_format(other.planned_on)}
            )
    return "; ".join(parts)


def _check_overlap(found, acknowledged: bool) -> None:
    if found and not acknowledged:
        raise ValidationError(
            {"acknowledge_overlap": ValidationError(overlap_message(found), code=OVERLAP_CODE)}
        )


def _record_overlaps(visit: Visit, found) -> None:
    for other, apart in found:
        VisitOverlap.objects.update_or_create(visit=visit, other=other, defaults={"days_apart": apart})


def _touch_last_visit(client_id: int, day: dt.date) -> None:
    """Client.last_visit_on follows the latest done visit: moved only forwards."""
    Client.objects.filter(pk=client_id).filter(
        Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=day)
    ).update(last_visit_on=day)


def _text(value) -> str:
    return (value or "").strip()


# --- visits ------------------------------------------------------------------------------------


@transaction.atomic
def visit_plan(
    *,
    actor,
    client,
    planned_on: dt.date | None,
    form: str = Visit.Form.ON_SITE,
    purpose: str = "",
    visitors=(),
    acknowledge_overlap: bool = False,
) -> Visit:
    """Plan a visit ahead (today or later)."""
    me = require_staff(actor)
    client = _client_in_scope(actor, client)
    errors: dict = {}
    today = timezone.localdate()
    if planned_on is None:
        errors.setdefault("planned_on", []).append(_("Give the day of the planned visit."))
    elif planned_on < today:
        errors.setdefault("planned_on", []).append(
            _("A plan is for today or later; log a visit that has happened instead.")
        )
    if form not in Visit.Form.values:
        errors.setdefault("form", []).append(_("Choose how the client is visited."))
    people = _clean_visitors(visitors, author=me, branch_id=client.branch_id, errors=errors)
    if errors:
        raise ValidationError(errors)
    found = overlaps_for(client_id=client.pk, author_id=me.pk, day=planned_on)
    _check_overlap(found, acknowledge_overlap)
    visit = Visit(
        client=client,
        author=me,
        branch_id=client.branch_id,
        team_id=me.team_id,
        status=Visit.Status.PLANNED,
        planned_on=planned_on,
        form=form,
        purpose=_text(purpose)[:200],
        overlap_acknowledged=bool(found),
        created_by=actor,
    )
    visit.full_clean()
    visit.save()
    visit.visitors.set(people)
    _record_overlaps(visit, found)
    return visit


@transaction.atomic
def visit_log(
    *,
    actor,
    client=None,
    visit: Visit | None = None,
    visited_on: dt.date | None,
    form: str = Visit.Form.ON_SITE,
    content: str = "",
    opinions: str = "",
    suggestions: str = "",
    difficulties: str = "",
    purpose: str | None = None,
    visitors=None,
    acknowledge_overlap: bool = False,
) -> Visit:
    """Log a visit that happened: a new one for ``client``, or a planned ``visit`` completed."""
    me = require_staff(actor)
    if visit is not None:
        visit = Visit.objects.select_for_update(of=("self",)).get(pk=visit.pk)
        if visit.author_id != me.pk:
            raise PermissionDenied(_("Only the visitor who planned this visit may log it."))
        if visit.status != Visit.Status.PLANNED:
            raise ValidationError({NON_FIELD_ERRORS: _("Only a planned visit can be completed.")})
        client = _client_in_scope(actor, visit.client_id)
    else:
        client = _client_in_scope(actor, client)
    errors: dict = {}
    if visited_on is None:
        errors.setdefault("visited_on", []).append(_("Give the day of the visit."))
    elif visited_on > timezone.localdate():
        errors.setdefault("visited_on", []).append(_("A visit cannot be logged for a day in the future."))
    if not _text(content):
        errors.setdefault("content", []).append(_("Write what was discussed."))
    if form not in Visit.Form.values:
        errors.setdefault("form", []).append(_("Choose how the client is visited."))
    people = None
    if visitors is not None:
        people = _clean_visitors(visitors, author=me, branch_id=client.branch_id, errors=errors)
    if errors:
        raise ValidationError(errors)
    found = overlaps_for(
        client_id=client.pk, author_id=me.pk, day=visited_on, exclude=visit.pk if visit else None
    )
    if visit is not None:  # pairs already acknowledged when it was planned need no new tick
        known = set(visit.overlaps.values_list("other_id", flat=True))
        _check_overlap([f for f in found if f[0].pk not in known], acknowledge_overlap)
    else:
        _check_overlap(found, acknowledge_overlap)
        visit = Visit(
            client=client,
            author=me,
            branch_id=client.branch_id,
            team_id=me.team_id,
            created_by=actor,
        )
    visit.status = Visit.Status.DONE
    visit.visited_on = visited_on
    visit.form = form
    if purpose is not None:
        visit.purpose = _text(purpose)[:200]
    visit.content = _text(content)
    visit.opinions = _text(opinions)
    visit.suggestions = _text(suggestions)
    visit.difficulties = _text(difficulties)
    visit.overlap_acknowledged = visit.overlap_acknowledged or bool(found)
    visit.full_clean()
    visit.save()
    if people is not None:
        visit.visitors.set(people)
    _record_overlaps(visit, found)
    _touch_last_visit(client.pk, visited_on)
    return visit


def visit_may_change(visit: Visit, *, user) -> bool:
    return (
        visit.author.user_id == user.pk
        and visit.verified_at is None
        and visit.status != Visit.Status.CANCELLED
    )


@transaction.atomic
def visit_update(*, actor, visit: Visit, **values) -> Visit:
    """Correct a visit's record (its author, until it is verified)."""
    visit = Visit.objects.select_for_update(of=("self",)).select_related("author").get(pk=visit.pk)
    if visit.author.user_id != actor.pk:
        raise PermissionDenied(_("Only the visitor may change this visit."))
    if visit.verified_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: _("This visit is verified; it can no longer change.")})
    if visit.status == Visit.Status.CANCELLED:
        raise ValidationError({NON_FIELD_ERRORS: _("This visit is cancelled.")})
    allowed = {"form", "purpose", *LOG_FIELDS}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _("These fields cannot be changed here: %(f)s")
                % {"f": ", ".join(sorted(unknown))}
            }
        )
    for field, value in values.items():
        setattr(visit, field, _text(value) if field != "form" else value)
    errors: dict = {}
    if visit.status == Visit.Status.DONE and not visit.content:
        errors["content"] = [_("Write what was discussed.")]
    if visit.form not in Visit.Form.values:
        errors["form"] = [_("Choose how the client is visited.")]
    if errors:
        raise ValidationError(errors)
    visit.purpose = visit.purpose[:200]
    visit.full_clean()
    visit.save()
    return visit


@transaction.atomic
def visit_cancel(*, actor, visit: Visit, reason: str = "") -> Visit:
    """Cancel a planned visit (its author, or the head)."""
    visit = Visit.objects.select_for_update(of=("self",)).select_related("author").get(pk=visit.pk)
    if visit.author.user_id != actor.pk and not can(actor, roles.VISIT_VERIFY, visit):
        raise PermissionDenied(_("You may not cancel this visit."))
    if visit.status != Visit.Status.PLANNED:
        raise ValidationError({NON_FIELD_ERRORS: _("Only a planned visit can be cancelled.")})
    visit.status = Visit.Status.CANCELLED
    visit._change_reason = _text(reason)[:100]
    visit.save()
    return visit


@transaction.atomic
def verify_visit(*, actor, visit: Visit, opinion: str) -> Visit:
    """The head's monthly verification of a done visit log, with an opinion (每月末交负责人核实)."""
    if not can(actor, roles.VISIT_VERIFY, visit):
        raise PermissionDenied(_("You may not verify this visit."))
    visit = Visit.objects.select_for_update(of=("self",)).select_related("author").get(pk=visit.pk)
    if visit.author.user_id == actor.pk:
        raise ValidationError({NON_FIELD_ERRORS: _("You cannot verify your own visit.")})
    if visit.status != Visit.Status.DONE:
        raise ValidationError({NON_FIELD_ERRORS: _("Only a visit that took place can be verified.")})
    if visit.verified_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: _("This visit is already verified.")})
    if not _text(opinion):
        raise ValidationError({"opinion": _("Write your opinion on how the visit was handled.")})
    visit.verified_at = timezone.now()
    visit.verified_by = actor
    visit.verification_opinion = _text(opinion)
    visit.save()
    return visit


# --- follow-ups (督办) ---------------------------------------------------------------------------


def departments_for(client: Client):
    """The departments a client's matter can go to: its branch's and head office's."""
    return Department.objects.filter(Q(branch_id=client.branch_id) | Q(branch__isnull=True)).select_related(
        "branch"
    )


def _event(fu: FollowUp, kind: str, actor, note: str = "") -> FollowUpEvent:
    return FollowUpEvent.objects.create(followup=fu, kind=kind, actor=actor, note=note)


def department_users(department_ids) -> dict[int, list[int]]:
    """The logins of each department's people still with the firm."""
    found: dict[int, list[int]] = {}
    rows = (
        Staff.objects.filter(department_id__in=department_ids, user__isnull=False)
        .exclude(status=Staff.Status.LEFT)
        .values_list("department_id", "user_id")
    )
    for dept_id, user_id in rows:
        found.setdefault(dept_id, []).append(user_id)
    return found


def _notify_department(fu: FollowUp, text: str) -> int:
    users = department_users([fu.department_id]).get(fu.department_id, [])
    return notify(users, text, fu.get_absolute_url())


def _notify_owner(fu: FollowUp, actor, text: str) -> None:
    if fu.owner.user_id and fu.owner.user_id != actor.pk:
        notify([fu.owner.user_id], text, fu.get_absolute_url())


def _locked(fu: FollowUp) -> FollowUp:
    return FollowUp.objects.select_for_update(of=("self",)).select_related("owner", "client").get(pk=fu.pk)


def is_owner_or_head(actor, fu: FollowUp) -> bool:
    return fu.owner.user_id == actor.pk or can(actor, roles.VISIT_VERIFY, fu)


def is_department_user(actor, fu: FollowUp) -> bool:
    me = staff_of(actor)
    return bool(me and fu.department_id and me.department_id == fu.department_id)


def _require_handler(actor, fu: FollowUp) -> None:
    if not can(actor, roles.VIEW, fu) or not is_owner_or_head(actor, fu):
        raise PermissionDenied(_("Only the person who made the visit, or the head, follows this matter up."))


def _check_department(department, client: Client, errors: dict) -> None:
    if department is not None and not departments_for(client).filter(pk=department.pk).exists():
        errors.setdefault("department", []).append(
            _("Choose a department of the client's branch or of head office.")
        )


@transaction.atomic
def followup_raise(
    *,
    actor,
    visit: Visit | None = None,
    client=None,
    category: str,
    matter: str,
    department: Department | None = None,
    due_on: dt.date | None = None,
) -> FollowUp:
    """Raise a matter the visit could not settle. Whoever made the visit follows it up
    (谁走访谁督办); a matter raised without a visit is followed up by the one raising it."""
    me = require_staff(actor)
    if visit is not None:
        if not can(actor, roles.VIEW, visit):
            raise PermissionDenied(_("You may not raise a matter on this visit."))
        visit = Visit.objects.select_related("author", "client").get(pk=visit.pk)
        joint = visit.visitors.filter(pk=me.pk).exists()
        if visit.author_id != me.pk and not joint and not can(actor, roles.VISIT_VERIFY, visit):
            raise PermissionDenied(_("Only the visitors or the head raise matters on this visit."))
        if visit.status == Visit.Status.CANCELLED:
            raise ValidationError({NON_FIELD_ERRORS: _("This visit is cancelled.")})
        client = visit.client
        owner = visit.author
    else:
        client = _client_in_scope(actor, client)
        owner = me
    errors: dict = {}
    today = timezone.localdate()
    if category not in FollowUp.Category.values:
        errors.setdefault("category", []).append(_("Choose the kind of matter."))
    if not _text(matter):
        errors.setdefault("matter", []).append(_("Describe the matter the client raised."))
    _check_department(department, client, errors)
    if due_on is None:
        due_on = today + dt.timedelta(days=ServicePolicy.current().followup_days)
    elif due_on < today:
        errors.setdefault("due_on", []).append(_("The due date cannot be in the past."))
    if errors:
        raise ValidationError(errors)
    fu = FollowUp.objects.create(
        client=client,
        visit=visit,
        owner=owner,
        branch_id=client.branch_id,
        category=category,
        matter=_text(matter),
        department=department,
        due_on=due_on,
        created_by=actor,
    )
    _event(fu, FollowUpEvent.Kind.CREATED, actor, fu.matter)
    return fu


@transaction.atomic
def followup_send(
    *, actor, followup: FollowUp, department: Department | None = None, note: str = ""
) -> FollowUp:
    """Send the matter to the responsible department; its people are notified."""
    fu = _locked(followup)
    _require_handler(actor, fu)
    if fu.status != FollowUp.Status.OPEN:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("Only an open matter can be sent; chase a sent one instead.")}
        )
    department = department or fu.department
    errors: dict = {}
    if department is None:
        errors["department"] = [_("Choose the department responsible for the matter.")]
    else:
        _check_department(department, fu.client, errors)
    if errors:
        raise ValidationError(errors)
    fu.department = department
    fu.status = FollowUp.Status.SENT
    fu.sent_at = timezone.now()
    fu.save()
    _event(fu, FollowUpEvent.Kind.SENT, actor, _text(note) or str(department))
    _notify_department(
        fu,
        _("A client matter for your department: %(client)s — %(matter)s (due %(due)s)")
        % {"client": fu.client.name, "matter": fu.matter[:80], "due": fu.due_on.isoformat()},
    )
    return fu


@transaction.atomic
def followup_chase(*, actor, followup: FollowUp, note: str) -> FollowUp:
    """Chase the department (催办): a note on the trail and a new notification."""
    fu = _locked(followup)
    _require_handler(actor, fu)
    if fu.status != FollowUp.Status.SENT:
        raise ValidationError({NON_FIELD_ERRORS: _("Only a matter sent to a department can be chased.")})
    if not _text(note):
        raise ValidationError({"note": _("Say what you asked the department.")})
    _event(fu, FollowUpEvent.Kind.CHASED, actor, _text(note))
    _notify_department(
        fu,
        _("Reminder — client matter waiting for your department: %(client)s — %(matter)s")
        % {"client": fu.client.name, "matter": fu.matter[:80]},
    )
    return fu


@transaction.atomic
def followup_resolve(*, actor, followup: FollowUp, resolution: str) -> FollowUp:
    """Record the department's result (the owner, the head, or a user of that department)."""
    fu = _locked(followup)
    if not can(actor, roles.VIEW, fu) or not (is_owner_or_head(actor, fu) or is_department_user(actor, fu)):
        raise PermissionDenied(_("You may not record the result of this matter."))
    if fu.status not in OPEN_STATUSES:
        raise ValidationError({NON_FIELD_ERRORS: _("This matter is already resolved.")})
    if not _text(resolution):
        raise ValidationError({"resolution": _("Write the department's result.")})
    fu.resolution = _text(resolution)
    fu.resolved_at = timezone.now()
    fu.status = FollowUp.Status.RESOLVED
    fu.save()
    _event(fu, FollowUpEvent.Kind.RESOLVED, actor, fu.resolution)
    _notify_owner(
        fu,
        actor,
        _("The matter of %(client)s is resolved; tell the client and close it.") % {"client": fu.client.name},
    )
    return fu


@transaction.atomic
def followup_close(
    *,
    actor,
    followup: FollowUp,
    informed_on: dt.date | None,
    informed_how: str,
    informed_note: str,
) -> FollowUp:
    """Close a resolved matter: only after recording when and how the client was told."""
    fu = _locked(followup)
    _require_handler(actor, fu)
    if fu.status != FollowUp.Status.RESOLVED:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("Record the department's result before closing the matter.")}
        )
    errors: dict = {}
    if informed_on is None:
        errors["informed_on"] = [_("Give the day the client was told the result.")]
    elif informed_on > timezone.localdate():
        errors["informed_on"] = [_("The client cannot have been told on a day in the future.")]
    if informed_how not in FollowUp.InformedHow.values:
        errors["informed_how"] = [_("Say how the client was told.")]
    if not _text(informed_note):
        errors["informed_note"] = [_("Write what the client was told.")]
    if errors:
        raise ValidationError(errors)
    fu.informed_on = informed_on
    fu.informed_how = informed_how
    fu.informed_note = _text(informed_note)
    fu.closed_at = timezone.now()
    fu.status = FollowUp.Status.CLOSED
    try:
        with transaction.atomic():
            fu.save()
    except IntegrityError:  # the database's own guard: closed means the client was told
        raise ValidationError({"informed_on": _("Give the day the client was told the result.")}) from None
    _event(
        fu,
        FollowUpEvent.Kind.CLOSED,
        actor,
        f"{informed_on.isoformat()} {fu.get_informed_how_display()}: {fu.informed_note}",
    )
    return fu


@transaction.atomic
def followup_reopen(*, actor, followup: FollowUp, note: str) -> FollowUp:
    """Reopen a resolved or closed matter (the result did not settle it)."""
    fu = _locked(followup)
    _require_handler(actor, fu)
    if fu.status not in (FollowUp.Status.RESOLVED, FollowUp.Status.CLOSED):
        raise ValidationError({NON_FIELD_ERRORS: _("This matter is still open.")})
    if not _text(note):
        raise ValidationError({"note": _("Say why the matter is reopened.")})
    fu.status = FollowUp.Status.SENT if fu.sent_at else FollowUp.Status.OPEN
    fu.resolved_at = None
    fu.closed_at = None
    fu.informed_on = None
    fu.informed_how = ""
    fu.informed_note = ""
    fu.save()
    _event(fu, FollowUpEvent.Kind.REOPENED, actor, _text(note))
    if fu.status == FollowUp.Status.SENT:
        _notify_department(
            fu,
            _("A client matter was reopened for your department: %(client)s — %(matter)s")
            % {"client": fu.client.name, "matter": fu.matter[:80]},
        )
    return fu
