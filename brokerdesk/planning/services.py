"""Every write of planning: plans through the approval engine, decomposition that must add
up, monthly actuals (entered or imported, all or nothing), reviews and their actions."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.scope import can, visible
from brokerdesk.approvals.models import Request
from brokerdesk.approvals.registry import SUBJECT_STATUS, on_status_change
from brokerdesk.approvals.services import request_submit
from brokerdesk.core.files import safe_display_name
from brokerdesk.core.money import to_fen
from brokerdesk.org.models import Staff, Team
from brokerdesk.planning.models import (
    EDITABLE,
    METRICS,
    MONEY_METRICS,
    AnnualPlan,
    CorrectiveAction,
    Metric,
    MonthlyActual,
    PlanReview,
    PlanStatus,
    TargetShare,
    TeamStandard,
)
from brokerdesk.planning.rules import shortfall

PLAN_FLOW = "team_document"
STANDARD_FLOW = "team_standards"
SHARE_POSITIONS = (Staff.Position.CLIENT_MANAGER, Staff.Position.REGIONAL_MANAGER)


def _check_team(actor, team: Team, perm: str = roles.PLAN_CHANGE) -> None:
    if not visible(actor, Team, perm).filter(pk=team.pk).exists():
        raise PermissionDenied(_("You may not plan for this team."))


# --- plans -------------------------------------------------------------------------------


@transaction.atomic
def plan_save(*, actor, plan: AnnualPlan, attachment=None) -> AnnualPlan:
    """Create or edit a plan while it is a draft (or returned, or withdrawn)."""
    _check_team(actor, plan.team)
    if plan.pk:
        current = AnnualPlan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
        if current.status not in EDITABLE:
            raise ValidationError(
                _("This plan is %(status)s and can no longer be edited.")
                % {"status": current.get_status_display()}
            )
        _check_team(actor, current.team)
    else:
        plan.created_by = actor
        latest = AnnualPlan.objects.filter(team=plan.team, year=plan.year).order_by("-version").first()
        if latest is not None:
            raise ValidationError(
                {
                    "year": _("This team already has a plan for %(year)s; open it, or revise it if approved.")
                    % {"year": plan.year}
                }
            )
    if attachment is not None and hasattr(attachment, "content_type"):
        plan.attachment_name = safe_display_name(attachment.name)
    for metric in MONEY_METRICS:
        setattr(plan, f"target_{metric}", to_fen(getattr(plan, f"target_{metric}")))
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_submit(*, actor, plan: AnnualPlan, opinion: str = "", countersign_departments=None) -> AnnualPlan:
    """Send a draft into the team-document route (第四条). A returned plan is resubmitted
    from its request page instead, so its history stays on one request."""
    _check_team(actor, plan.team)
    plan = AnnualPlan.objects.select_for_update(of=("self",)).select_related("team__branch").get(pk=plan.pk)
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.WITHDRAWN):
        raise ValidationError(
            _("This plan is %(status)s; it cannot be submitted again.")
            % {"status": plan.get_status_display()}
        )
    request = request_submit(
        actor=actor,
        flow_code=PLAN_FLOW,
        subject=plan,
        title=str(plan),
        branch=plan.team.branch,
        team=plan.team,
        figures={m: plan.target(m) for m in METRICS},
        opinion=opinion,
        countersign_departments=countersign_departments,
    )
    plan.refresh_from_db()
    plan.approval = request
    plan.save(update_fields=["approval"])
    return plan


@on_status_change("planning.AnnualPlan")
def _plan_follows_its_request(*, request: Request, status: str) -> None:
    plan = AnnualPlan.objects.select_for_update(of=("self",)).get(pk=request.subject_id)
    new = SUBJECT_STATUS[status]
    fields = ["status"]
    if new == PlanStatus.APPROVED:
        # The revision replaces the version approved before it (kept, marked superseded).
        if plan.supersedes_id:
            AnnualPlan.objects.filter(pk=plan.supersedes_id).update(status=PlanStatus.SUPERSEDED)
        plan.approved_at = timezone.now()
        fields.append("approved_at")
    plan.status = new
    plan.save(update_fields=fields)


@transaction.atomic
def plan_revise(*, actor, plan: AnnualPlan) -> AnnualPlan:
    """An approved plan never changes; a correction is a new draft version linked to it."""
    _check_team(actor, plan.team)
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError(_("Only an approved plan can be revised."))
    if AnnualPlan.objects.filter(supersedes=plan).exists():
        raise ValidationError(_("A revision of this plan already exists."))
    fields = [
        f.name
        for f in AnnualPlan._meta.concrete_fields
        if f.name
        not in (
            "id",
            "version",
            "supersedes",
            "status",
            "approval",
            "created_by",
            "created_at",
            "approved_at",
        )
    ]
    draft = AnnualPlan(**{f: getattr(plan, f) for f in fields})
    draft.version = plan.version + 1
    draft.supersedes = plan
    draft.status = PlanStatus.DRAFT
    draft.created_by = actor
    draft.full_clean()
    draft.save()
    return draft


# --- decomposition -------------------------------------------------------------------------


def share_candidates(plan: AnnualPlan):
    """Whom a plan's targets go to: the team's regional and client managers still working."""
    return (
        Staff.objects.filter(team=plan.team, position__in=SHARE_POSITIONS)
        .exclude(status__in=[Staff.Status.LEFT, Staff.Status.CANDIDATE])
        .order_by("position", "emp_no")
    )


def _number(raw, metric: str):
    if raw in (None, ""):
        return 0 if metric == Metric.NEW_ACCOUNTS else Decimal("0.00")
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(_("not a number")) from None
    if value < 0:
        raise ValueError(_("must not be negative"))
    if metric == Metric.NEW_ACCOUNTS:
        if value != value.to_integral_value():
            raise ValueError(_("must be a whole number"))
        return int(value)
    return to_fen(value)


@transaction.atomic
def shares_save(*, actor, plan: AnnualPlan, rows: list[dict]) -> list[TargetShare]:
    """Replace the plan's decomposition. ``rows``: {staff, period, <metric>: value…}.

    Every metric's parts must add up exactly to the plan's target; otherwise nothing is
    saved and the error says by how much each metric is off.
    """
    _check_team(actor, plan.team)
    plan = AnnualPlan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError(_("Targets are decomposed once the plan is approved."))
    allowed = {s.pk for s in share_candidates(plan)}
    periods = set(plan.periods())
    errors: dict[str, list[str]] = {}
    shares = []
    for row in rows:
        staff_id, period = int(row["staff"]), int(row["period"])
        if staff_id not in allowed:
            errors.setdefault("__all__", []).append(
                _("Person #%(id)s is not a manager of this team.") % {"id": staff_id}
            )
            continue
        if period not in periods:
            errors.setdefault("__all__", []).append(
                _("Period %(p)s does not exist in this plan.") % {"p": period}
            )
            continue
        share = TargetShare(plan=plan, staff_id=staff_id, period=period)
        for metric in METRICS:
            try:
                setattr(share, metric, _number(row.get(metric), metric))
            except ValueError as exc:
                errors.setdefault(f"{metric}-{staff_id}-{period}", []).append(str(exc))
        shares.append(share)
    if not errors:
        for metric in METRICS:
            gap = shortfall(plan.target(metric), [getattr(s, metric) for s in shares])
            if gap:
                label = Metric(metric).label
                errors.setdefault(metric, []).append(
                    _(
                        "%(metric)s: the parts add up to %(sum)s but the plan's target is %(total)s "
                        "(%(gap)s %(dir)s)."
                    )
                    % {
                        "metric": label,
                        "sum": plan.target(metric) - gap,
                        "total": plan.target(metric),
                        "gap": abs(gap),
                        "dir": _("short") if gap > 0 else _("over"),
                    }
                )
    if errors:
        raise ValidationError(errors)
    TargetShare.objects.filter(plan=plan).delete()
    return TargetShare.objects.bulk_create([s for s in shares if any(getattr(s, m) for m in METRICS)])


# --- actuals --------------------------------------------------------------------------------


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


@transaction.atomic
def actuals_save(*, actor, month: dt.date, rows: list[dict]) -> int:
    """Write a month's actual figures for people in the user's scope, all or nothing.

    ``rows``: {staff (id), <metric>: value…, "line": n (optional, for messages)}.
    """
    month = first_of_month(month)
    allowed = set(visible(actor, Staff, roles.ACTUALS_CHANGE).values_list("pk", flat=True))
    errors: list[str] = []
    clean = []
    for i, row in enumerate(rows, start=1):
        line = row.get("line", i)
        staff_id = row.get("staff")
        if staff_id not in allowed:
            errors.append(
                _("Line %(line)s: %(who)s is unknown or outside your scope.")
                % {"line": line, "who": row.get("label", staff_id)}
            )
            continue
        values = {}
        for metric in METRICS:
            try:
                values[metric] = _number(row.get(metric), metric)
            except ValueError as exc:
                errors.append(
                    _("Line %(line)s, %(metric)s: %(error)s")
                    % {"line": line, "metric": Metric(metric).label, "error": exc}
                )
        clean.append((staff_id, values))
    seen = set()
    for staff_id, _values in clean:
        if staff_id in seen:
            errors.append(_("Person #%(id)s appears twice.") % {"id": staff_id})
        seen.add(staff_id)
    if errors:
        raise ValidationError(errors)
    for staff_id, values in clean:
        MonthlyActual.objects.update_or_create(
            staff_id=staff_id, month=month, defaults={**values, "entered_by": actor}
        )
    return len(clean)


# --- reviews ---------------------------------------------------------------------------------


@transaction.atomic
def review_create(
    *, actor, plan: AnnualPlan, held_on: dt.date, findings: str, actions: list[dict]
) -> PlanReview:
    _check_team(actor, plan.team)
    if plan.status not in (PlanStatus.APPROVED, PlanStatus.SUPERSEDED):
        raise ValidationError(_("Reviews are held on approved plans."))
    team_staff = set(Staff.objects.filter(team=plan.team).values_list("pk", flat=True))
    for a in actions:
        if a["owner"].pk not in team_staff:
            raise ValidationError({"owner": _("The owner must be a member of the team.")})
    review = PlanReview.objects.create(plan=plan, held_on=held_on, findings=findings, recorded_by=actor)
    CorrectiveAction.objects.bulk_create([CorrectiveAction(review=review, **a) for a in actions])
    return review


@transaction.atomic
def action_complete(
    *, actor, action: CorrectiveAction, note: str, done_on: dt.date | None = None
) -> CorrectiveAction:
    plan = action.review.plan
    is_owner = action.owner.user_id == actor.pk
    if not is_owner and not can(actor, roles.PLAN_CHANGE, plan.team):
        raise PermissionDenied(_("Only the owner or the team's planners may close this action."))
    if not note.strip():
        raise ValidationError({"done_note": _("Say what was done.")})
    updated = CorrectiveAction.objects.filter(pk=action.pk, status=CorrectiveAction.Status.OPEN).update(
        status=CorrectiveAction.Status.DONE, done_on=done_on or timezone.localdate(), done_note=note
    )
    if updated != 1:
        raise ValidationError(_("This action is already closed."))
    action.refresh_from_db()
    return action


# --- team standards (第二条) -------------------------------------------------------------


@transaction.atomic
def standard_save(*, actor, standard: TeamStandard, attachment=None) -> TeamStandard:
    _check_team(actor, standard.team)
    if standard.pk and TeamStandard.objects.get(pk=standard.pk).status not in EDITABLE:
        raise ValidationError(_("This document is in approval or decided and can no longer be edited."))
    if not standard.pk:
        standard.created_by = actor
    if attachment is not None and hasattr(attachment, "content_type"):
        standard.attachment_name = safe_display_name(attachment.name)
    standard.full_clean()
    standard.save()
    return standard


@transaction.atomic
def standard_submit(*, actor, standard: TeamStandard) -> TeamStandard:
    _check_team(actor, standard.team)
    standard = (
        TeamStandard.objects.select_for_update(of=("self",))
        .select_related("team__branch")
        .get(pk=standard.pk)
    )
    if standard.status not in (PlanStatus.DRAFT, PlanStatus.WITHDRAWN):
        raise ValidationError(
            _("This document is %(status)s; it cannot be submitted again.")
            % {"status": standard.get_status_display()}
        )
    request = request_submit(
        actor=actor,
        flow_code=STANDARD_FLOW,
        subject=standard,
        title=standard.title,
        branch=standard.team.branch,
        team=standard.team,
    )
    standard.refresh_from_db()
    standard.approval = request
    standard.save(update_fields=["approval"])
    return standard


@on_status_change("planning.TeamStandard")
def _standard_follows_its_request(*, request: Request, status: str) -> None:
    new = SUBJECT_STATUS[status]
    TeamStandard.objects.filter(pk=request.subject_id).update(status=new)
