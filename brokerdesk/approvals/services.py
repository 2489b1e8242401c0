"""The approval engine: submit, act, return and resubmit, withdraw, comment, delegate.

Concurrency: every action first locks its request row (``select_for_update`` on
PostgreSQL; on SQLite the IMMEDIATE write transaction serialises writers), then moves its
task with a conditional update (``status = pending``) that must change exactly one row.
Two approvers pressing at the same moment: one wins, the other gets ``RequestMoved``.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access.models import RoleAssignment
from brokerdesk.access.roles import ROLE_DEFS, Role, ScopeLevel
from brokerdesk.approvals.exceptions import ApprovalError, RequestMoved
from brokerdesk.approvals.models import Action, Delegation, Flow, Notification, Request, Step, Task
from brokerdesk.approvals.registry import notify_subject
from brokerdesk.core.files import safe_display_name, validate_document

# --- who may act -------------------------------------------------------------------------


def _own_task_q(user_id: int, assignments) -> Q:
    q = Q(person_id=user_id)
    for ra in assignments:
        role_def = ROLE_DEFS.get(ra.role)
        if role_def is None:
            continue
        base = Q(role=ra.role, person__isnull=True, department__isnull=True)
        if role_def.level == ScopeLevel.COMPANY:
            q |= base
        elif role_def.level == ScopeLevel.REGION and ra.region_id:
            q |= base & Q(request__branch__region_id=ra.region_id)
        elif role_def.level == ScopeLevel.BRANCH and ra.branch_id:
            q |= base & Q(request__branch_id=ra.branch_id)
        elif role_def.level == ScopeLevel.TEAM and ra.team_id:
            q |= base & Q(request__team_id=ra.team_id)
        if ra.role == Role.COUNTERSIGN_DEPT and ra.department_id:
            q |= Q(department_id=ra.department_id)
    return q


def _active_delegators(user, today: dt.date) -> list[int]:
    return list(
        Delegation.objects.filter(delegate=user, starts_on__lte=today, ends_on__gte=today).values_list(
            "delegator_id", flat=True
        )
    )


def _eligibility(user, today: dt.date | None = None) -> list[tuple[int | None, Q]]:
    """(on_behalf_of, filter) pairs: the user's own tasks, then each delegator's."""
    today = today or timezone.localdate()
    delegators = _active_delegators(user, today)
    assignments = list(RoleAssignment.objects.filter(user_id__in=[user.pk, *delegators]))
    pairs = [(None, _own_task_q(user.pk, [a for a in assignments if a.user_id == user.pk]))]
    for d in delegators:
        pairs.append((d, _own_task_q(d, [a for a in assignments if a.user_id == d])))
    return pairs


def inbox(user) -> QuerySet[Task]:
    """Tasks waiting for the user (or for someone whose stand-in they are), oldest first."""
    q = Q(pk__in=[])
    for _on_behalf, part in _eligibility(user):
        q |= part
    return (
        Task.objects.filter(q, status=Task.Status.PENDING, request__status=Request.Status.PENDING)
        .exclude(request__submitter=user, request__flow__submitter_signs=False)
        .select_related("request__submitter__staff", "request__branch", "step", "department")
        .order_by("due_at", "id")
    )


def _acting_as(user, task: Task) -> tuple[bool, int | None]:
    if task.request.submitter_id == user.pk and not task.request.flow.submitter_signs:
        return False, None  # nobody approves their own request (unless the flow says so)
    for on_behalf, q in _eligibility(user):
        if Task.objects.filter(q, pk=task.pk).exists():
            return True, on_behalf
    return False, None


def approvers_for(task: Task) -> QuerySet:
    """The logins that may act on a task (not counting stand-ins), never its submitter."""
    if task.request.flow.submitter_signs:
        return _approvers(task)
    return _approvers(task).exclude(pk=task.request.submitter_id)


def _approvers(task: Task) -> QuerySet:
    User = get_user_model()
    if task.person_id:
        return User.objects.filter(pk=task.person_id, is_active=True)
    if task.department_id:
        return User.objects.filter(
            is_active=True,
            role_assignments__role=Role.COUNTERSIGN_DEPT,
            role_assignments__department_id=task.department_id,
        ).distinct()
    role_def = ROLE_DEFS[task.role]
    ras = RoleAssignment.objects.filter(role=task.role, user__is_active=True)
    request = task.request
    if role_def.level == ScopeLevel.REGION:
        ras = ras.filter(region_id=request.branch.region_id if request.branch_id else None)
    elif role_def.level == ScopeLevel.BRANCH:
        ras = ras.filter(branch_id=request.branch_id)
    elif role_def.level == ScopeLevel.TEAM:
        ras = ras.filter(team_id=request.team_id)
    elif role_def.level != ScopeLevel.COMPANY:
        return User.objects.none()
    return User.objects.filter(pk__in=ras.values("user_id"))


def approvers_by_task(tasks) -> dict[int, list]:
    """The logins (with their staff records) that may act on each task, for display.

    One query for all the countersigning departments' tasks of a step, whatever their
    number; a role's or a person's step has a single task and costs one query.
    """
    found: dict[int, list] = {}
    by_department = [t for t in tasks if t.department_id and not t.person_id]
    if by_department:
        members: dict[int, dict[int, object]] = {t.department_id: {} for t in by_department}
        ras = RoleAssignment.objects.filter(
            role=Role.COUNTERSIGN_DEPT, department_id__in=members, user__is_active=True
        ).select_related("user__staff")
        for ra in ras.order_by("user_id"):
            members[ra.department_id][ra.user_id] = ra.user
        found = {t.pk: list(members[t.department_id].values()) for t in by_department}
    for task in tasks:
        if task.pk not in found:
            found[task.pk] = list(approvers_for(task).select_related("staff"))
    return found


# --- routing -----------------------------------------------------------------------------


def step_applies(step: Step, figures: dict) -> bool:
    """Whether a conditional step is part of this request's route (pure)."""
    if not step.condition_key:
        return True
    try:
        value = Decimal(str(figures.get(step.condition_key)))
    except (InvalidOperation, TypeError, ValueError):
        return False
    limit = step.condition_value
    return {
        Step.Op.GT: value > limit,
        Step.Op.GTE: value >= limit,
        Step.Op.LT: value < limit,
        Step.Op.EQ: value == limit,
    }[step.condition_op]


def route(flow: Flow, figures: dict) -> list[Step]:
    return [s for s in flow.steps.order_by("order") if step_applies(s, figures)]


def _next_step(request: Request, after: Step | None) -> Step | None:
    for step in route(request.flow, request.figures):
        if after is None or step.order > after.order:
            return step
    return None


def _open_step(request: Request, step: Step, now) -> None:
    """Create the step's tasks; refuse loudly if nobody could act (no silent dead ends)."""
    due = now + dt.timedelta(hours=step.due_hours)
    tasks = []
    if step.kind == Step.Kind.COUNTERSIGN:
        departments = list(request.countersign_departments.all()) or list(step.departments.all())
        if not departments:
            raise ApprovalError(_("Name at least one department that must countersign."))
        for dept in departments:
            tasks.append(
                Task(
                    request=request,
                    step=step,
                    round=request.round,
                    department=dept,
                    created_at=now,
                    due_at=due,
                )
            )
    elif step.kind == Step.Kind.PERSON:
        tasks.append(
            Task(
                request=request,
                step=step,
                round=request.round,
                person_id=step.person_id,
                created_at=now,
                due_at=due,
            )
        )
    else:
        tasks.append(
            Task(request=request, step=step, round=request.round, role=step.role, created_at=now, due_at=due)
        )
    for task in tasks:
        task.request = request
        people = list(approvers_for(task))
        if not people:
            who = task.department or (Role(task.role).label if task.role else step.name)
            raise ApprovalError(
                _(
                    "Nobody can do the step “%(step)s” (%(who)s) for this request; ask the administrator to "
                    "assign the role."
                )
                % {"step": step.name, "who": who}
            )
        task.save()
        _notify(people, _("Waiting for your approval: %(title)s") % {"title": request.title}, request)
    request.current_step = step
    request.save(update_fields=["current_step"])


def notify(user_ids, text: str, url: str) -> int:
    """In-app notifications for every app: one row per user, the text cut to what fits."""
    rows = [Notification(user_id=getattr(u, "pk", u), text=text[:300], url=url) for u in user_ids]
    Notification.objects.bulk_create(rows)
    return len(rows)


def _notify(users, text: str, request: Request) -> None:
    notify(users, text, request.get_absolute_url())


def _record(
    request, kind, actor, *, task=None, on_behalf_of=None, opinion="", attachment=None, now=None
) -> Action:
    action = Action(
        request=request,
        task=task,
        step_name=task.step.name if task else "",
        round=request.round,
        kind=kind,
        actor=actor,
        on_behalf_of_id=on_behalf_of,
        opinion=opinion,
        at=now or timezone.now(),
    )
    if attachment:
        validate_document(attachment)
        action.attachment_name = safe_display_name(attachment.name)
        action.attachment.save(f"{timezone.now():%Y%m%d%H%M%S}-{request.pk}", attachment, save=False)
    action.save()
    return action


def _set_status(request: Request, status: str, now) -> None:
    request.status = status
    fields = ["status", "version"]
    request.version += 1
    if status in (Request.Status.APPROVED, Request.Status.REJECTED, Request.Status.WITHDRAWN):
        request.decided_at = now
        request.current_step = None
        fields += ["decided_at", "current_step"]
    request.save(update_fields=fields)
    notify_subject(request, status)


def _lock(request: Request) -> Request:
    return Request.objects.select_for_update(of=("self",)).select_related("flow", "branch").get(pk=request.pk)


# --- use cases ---------------------------------------------------------------------------


@transaction.atomic
def request_submit(
    *,
    actor,
    flow_code: str,
    subject,
    title: str,
    branch=None,
    team=None,
    figures: dict | None = None,
    countersign_departments=None,
    opinion: str = "",
) -> Request:
    flow = Flow.objects.filter(code=flow_code, is_active=True).first()
    if flow is None:
        raise ApprovalError(_("The approval flow “%(code)s” is not set up.") % {"code": flow_code})
    subject_type = ContentType.objects.get_for_model(subject)
    if Request.objects.filter(
        subject_type=subject_type,
        subject_id=subject.pk,
        status__in=[Request.Status.PENDING, Request.Status.RETURNED],
    ).exists():
        raise ApprovalError(_("This record is already in approval."))
    now = timezone.now()
    request = Request.objects.create(
        flow=flow,
        title=title,
        subject_type=subject_type,
        subject_id=subject.pk,
        branch=branch,
        team=team,
        submitter=actor,
        figures={k: str(v) for k, v in (figures or {}).items()},
        submitted_at=now,
    )
    if countersign_departments:
        request.countersign_departments.set(countersign_departments)
    first = _next_step(request, None)
    if first is None:
        raise ApprovalError(_("The approval flow “%(code)s” has no steps.") % {"code": flow_code})
    _record(request, Action.Kind.SUBMIT, actor, opinion=opinion, now=now)
    _open_step(request, first, now)
    notify_subject(request, Request.Status.PENDING)
    return request


@transaction.atomic
def task_act(
    *,
    actor,
    task: Task,
    decision: str,
    opinion: str = "",
    countersign_departments=None,
    attachment=None,
) -> Request:
    """Approve, reject or return the task's request. ``decision`` is an Action.Kind."""
    if decision not in (Action.Kind.APPROVE, Action.Kind.REJECT, Action.Kind.RETURN):
        raise ApprovalError(_("Unknown decision."))
    request = _lock(task.request)
    may, on_behalf = _acting_as(actor, task)
    if not may:
        raise ApprovalError(_("You are not the approver of this step."))
    if decision in (Action.Kind.REJECT, Action.Kind.RETURN) and not opinion.strip():
        raise ApprovalError({"opinion": [_("Give a reason when you reject or return a request.")]})
    task = Task.objects.select_related("step").get(pk=task.pk)
    step = task.step
    if decision == Action.Kind.APPROVE and step.names_countersign and not countersign_departments:
        raise ApprovalError({"countersign_departments": [_("Name the departments that must countersign.")]})
    new_status = {
        Action.Kind.APPROVE: Task.Status.APPROVED,
        Action.Kind.REJECT: Task.Status.REJECTED,
        Action.Kind.RETURN: Task.Status.RETURNED,
    }[decision]
    now = timezone.now()
    moved = Task.objects.filter(
        pk=task.pk, status=Task.Status.PENDING, request__status=Request.Status.PENDING
    ).update(status=new_status, acted_at=now, acted_by=actor)
    if moved != 1:
        raise RequestMoved(
            _("This request has moved on: someone else acted on it first. Reload to see where it is.")
        )
    _record(
        request,
        decision,
        actor,
        task=task,
        on_behalf_of=on_behalf,
        opinion=opinion,
        attachment=attachment,
        now=now,
    )
    if decision == Action.Kind.APPROVE:
        if countersign_departments:
            request.countersign_departments.set(countersign_departments)
        if Task.objects.filter(
            request=request, round=request.round, step=step, status=Task.Status.PENDING
        ).exists():
            return request  # other countersigning departments still to agree
        following = _next_step(request, step)
        if following is None:
            _set_status(request, Request.Status.APPROVED, now)
            _notify([request.submitter], _("Approved: %(title)s") % {"title": request.title}, request)
        else:
            request.version += 1
            request.save(update_fields=["version"])
            _open_step(request, following, now)
        return request
    Task.objects.filter(request=request, status=Task.Status.PENDING).update(status=Task.Status.CANCELLED)
    if decision == Action.Kind.REJECT:
        _set_status(request, Request.Status.REJECTED, now)
        _notify([request.submitter], _("Rejected: %(title)s") % {"title": request.title}, request)
    else:
        _set_status(request, Request.Status.RETURNED, now)
        _notify(
            [request.submitter], _("Returned for revision: %(title)s") % {"title": request.title}, request
        )
    return request


@transaction.atomic
def request_resubmit(*, actor, request: Request, opinion: str = "") -> Request:
    """The submitter sends a returned request round again from the first step; the trail stays."""
    request = _lock(request)
    if request.submitter_id != actor.pk:
        raise ApprovalError(_("Only the submitter can resubmit this request."))
    if request.status != Request.Status.RETURNED:
        raise ApprovalError(_("Only a request returned for revision can be resubmitted."))
    now = timezone.now()
    request.round += 1
    request.status = Request.Status.PENDING
    request.version += 1
    request.save(update_fields=["round", "status", "version"])
    _record(request, Action.Kind.RESUBMIT, actor, opinion=opinion, now=now)
    _open_step(request, _next_step(request, None), now)
    notify_subject(request, Request.Status.PENDING)
    return request


@transaction.atomic
def request_withdraw(*, actor, request: Request, opinion: str = "") -> Request:
    """The submitter takes a request back before any approver has acted in this round."""
    request = _lock(request)
    if request.submitter_id != actor.pk:
        raise ApprovalError(_("Only the submitter can withdraw this request."))
    if request.status not in (Request.Status.PENDING, Request.Status.RETURNED):
        raise ApprovalError(_("This request is closed."))
    acted = Action.objects.filter(
        request=request,
        round=request.round,
        kind__in=[Action.Kind.APPROVE, Action.Kind.REJECT, Action.Kind.RETURN],
    )
    if request.status == Request.Status.PENDING and acted.exists():
        raise ApprovalError(_("An approver has already acted; the request can no longer be withdrawn."))
    now = timezone.now()
    Task.objects.filter(request=request, status=Task.Status.PENDING).update(status=Task.Status.CANCELLED)
    _record(request, Action.Kind.WITHDRAW, actor, opinion=opinion, now=now)
    _set_status(request, Request.Status.WITHDRAWN, now)
    return request


@transaction.atomic
def request_comment(*, actor, request: Request, opinion: str, attachment=None) -> Action:
    if not opinion.strip():
        raise ApprovalError({"opinion": [_("Write a comment.")]})
    request = _lock(request)
    if not request.is_open:
        raise ApprovalError(_("This request is closed; its trail can no longer change."))
    return _record(request, Action.Kind.COMMENT, actor, opinion=opinion, attachment=attachment)


@transaction.atomic
def delegation_create(
    *, actor, delegate, starts_on: dt.date, ends_on: dt.date, reason: str = ""
) -> Delegation:
    if delegate.pk == actor.pk:
        raise ApprovalError({"delegate": [_("Choose someone other than yourself.")]})
    if ends_on < starts_on:
        raise ApprovalError({"ends_on": [_("The end date must not be before the start date.")]})
    return Delegation.objects.create(
        delegator=actor, delegate=delegate, starts_on=starts_on, ends_on=ends_on, reason=reason
    )
