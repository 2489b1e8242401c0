"""Assessment pages (第十六、十七条): the list in scope, generating a period, one assessment with
what every score came from, the lead's marks (htmx), confirming, "My assessments", a
person's level history, and the checklist and policy configuration."""

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerdesk.access import roles
from brokerdesk.access.scope import get_for_user, has_perm, visible
from brokerdesk.core.views import add_service_errors
from brokerdesk.org.models import Staff, Team
from brokerdesk.performance import rules_assess as rules
from brokerdesk.performance import selectors_assess as selectors
from brokerdesk.performance import services_assess as services
from brokerdesk.performance.forms_assess import (
    AssessmentFilterForm,
    DutyItemForm,
    GenerateForm,
    LeadScoreForm,
    PolicyForm,
    service_field,
)
from brokerdesk.performance.models import Assessment, DutyItem

PAGE_SIZE = 25


def _may_configure(user) -> bool:
    return has_perm(user, services.CONFIG_PERM)


# --- list --------------------------------------------------------------------------------------


@login_required
def assessment_list(request):
    form = AssessmentFilterForm(request.GET or None, user=request.user)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    rows = selectors.assessment_list(user=request.user, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "confirm_period": _confirm_period(request.user, filters),
        "may_generate": has_perm(request.user, roles.ASSESS),
        "may_configure": _may_configure(request.user),
        "me": services.staff_of(request.user),
    }
    template = "performance/assess_list_results.html" if request.htmx else "performance/assess_list.html"
    return render(request, template, context)


def _confirm_period(user, filters: dict) -> dict | None:
    """The "confirm the marked drafts" form of the list, when it shows one period."""
    period, year, month = filters.get("period"), filters.get("year"), filters.get("month")
    if not period or not year or (period != Assessment.Period.YEAR and not month):
        return None
    branches = list(services.confirm_branches(user))
    if not branches:
        return None
    starts_on, _end = rules.period_bounds(period, dt.date(int(year), int(month or 1), 1))
    return {
        "period": period,
        "starts_on": starts_on,
        "label": rules.period_label(period, starts_on),
        "team": filters.get("team"),
        "branches": branches,
    }


@login_required
@require_POST
def assessment_confirm_period(request):
    """Confirm every marked draft of one period of a branch (from the filtered list)."""
    if not has_perm(request.user, roles.ASSESS):
        raise Http404
    back = request.POST.get("next") or reverse("performance:assessment-list")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("performance:assessment-list")
    branch = services.confirm_branches(request.user).filter(pk=_int(request.POST.get("branch"))).first()
    team = (
        Team.objects.filter(pk=_int(request.POST.get("team"))).first() if request.POST.get("team") else None
    )
    try:
        starts_on = dt.date.fromisoformat(request.POST.get("starts_on", ""))
    except ValueError:
        starts_on = None
    if branch is None or starts_on is None:
        messages.error(request, _("Choose the branch and the period to confirm."))
        return redirect(back)
    try:
        result = services.assessments_confirm_period(
            actor=request.user,
            branch=branch,
            period=request.POST.get("period", ""),
            starts_on=starts_on,
            team=team,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(back)
    moved = sum(1 for r in result.confirmed if r.level_change is not None)
    messages.success(
        request,
        _("%(n)s assessments confirmed (%(moved)s level changes).")
        % {"n": len(result.confirmed), "moved": moved},
    )
    for a, reason in result.refused:
        messages.warning(
            request, _("%(name)s not confirmed: %(reason)s") % {"name": a.staff.name, "reason": reason}
        )
    return redirect(back)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def assessment_generate(request):
    if not has_perm(request.user, roles.ASSESS):
        raise Http404
    form = GenerateForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                result = services.assess_period(
                    actor=request.user,
                    branch=d["branch"],
                    period=d["period"],
                    starts_on=d["starts_on"],
                    team=d.get("team"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                label = rules.period_label(result.period, result.starts_on)
                messages.success(
                    request,
                    _(
                        "%(period)s: %(created)s assessments created, %(updated)s drafts recomputed, "
                        "%(kept)s confirmed kept."
                    )
                    % {
                        "period": label,
                        "created": result.created,
                        "updated": result.updated,
                        "kept": len(result.confirmed_kept),
                    },
                )
                query = f"?period={result.period}&year={result.starts_on.year}&month={result.starts_on.month}"
                if d.get("team"):
                    query += f"&team={d['team'].pk}"
                return redirect(reverse("performance:assessment-list") + query)
    return render(request, "performance/assess_generate.html", {"form": form}, status=status)


# --- one assessment ----------------------------------------------------------------------------


def _detail_context(request, a: Assessment, *, form: LeadScoreForm | None = None, error: str = "") -> dict:
    inputs = a.performance_inputs or {}
    items = inputs.get("items", [])
    stored = {row.item_id: row for row in selectors.duty_rows(a)}
    duty = []
    for item in items:
        row = stored.get(item["id"])
        counts = row.inputs if row else {}
        nothing = item["source"] in rules.SOURCE_COUNTS and not int(
            counts.get(rules.SOURCE_COUNTS[item["source"]][1], 0)
        )
        duty.append(
            {
                "item": item,
                "score": row.score if row else None,
                "text": rules.item_text(item["source"], counts) if row else "",
                "nothing": bool(row) and nothing,
                "is_lead": item["source"] == DutyItem.Source.LEAD,
            }
        )
    metrics = [
        {
            **m,
            "label": rules.METRIC_LABELS.get(m["metric"], m["metric"]),
            "money": m["metric"] != "new_accounts",
        }
        for m in inputs.get("metrics", [])
    ]
    decision = inputs.get("decision") or {}
    reason = rules.decision_text(decision.get("code", ""), decision.get("params", {})) or a.outcome_reason
    ladder = decision.get("ladder")
    if isinstance(ladder, dict):
        reason = f"{reason} {rules.ladder_text(ladder.get('why', ''), ladder.get('level', ''))}"
    leads = services.lead_items(items)
    may_score = bool(leads) and services.may_score(request.user, a)
    if may_score and form is None:
        form = LeadScoreForm(
            items=leads,
            current={i["id"]: stored[i["id"]].score for i in leads if i["id"] in stored},
            initial={"comment": a.lead_comment},
        )
    policy = inputs.get("policy", {})
    monthly = [
        {
            "month": dt.date.fromisoformat(m["month"]),
            "score": None if m["score"] is None else Decimal(m["score"]),
            "below": m["score"] is not None and Decimal(m["score"]) < Decimal(policy.get("monthly_floor", 0)),
        }
        for m in inputs.get("monthly", [])
    ]
    return {
        "a": a,
        "label": rules.period_label(a.period, a.starts_on),
        "duty": duty,
        "metrics": metrics,
        "no_targets": inputs.get("no_targets", False),
        "ratio_cap_pct": int(Decimal(inputs.get("ratio_cap", "1.2")) * 100),
        "level": inputs.get("level"),
        "policy": policy,
        "monthly": monthly,
        "reason": reason,
        "form": form if may_score else None,
        "may_score": may_score,
        "may_confirm": a.status == Assessment.Status.DRAFT and services.may_confirm(request.user, a),
        "pending_lead": [i["name"] for i in leads if i["id"] not in stored],
        "change": selectors.level_change_for(a) if a.status == Assessment.Status.CONFIRMED else None,
        "error": error,
    }


def _file_context(user, a: Assessment) -> dict:
    """What the personnel file holds for the period (第十六条 duties, 第二十四条 training): the
    training attended and the standing rewards and punishments, for whoever scores or reads the
    assessment — each through its own scope rule (a regional manager, for instance, may read
    the assessment of a manager assigned to them but not that person's file)."""
    from brokerdesk.people.models_archive import RewardPunishment
    from brokerdesk.people.models_training import TrainingAttendance

    training = visible(
        user,
        TrainingAttendance.objects.filter(
            staff_id=a.staff_id,
            session__starts_at__date__gte=a.starts_on,
            session__starts_at__date__lte=a.ends_on,
        ),
    ).select_related("session__programme")
    decisions = visible(
        user,
        RewardPunishment.objects.filter(
            staff_id=a.staff_id,
            withdrawn_at__isnull=True,
            decided_on__gte=a.starts_on,
            decided_on__lte=a.ends_on,
        ),
    )
    return {
        "file_training": list(training.order_by("session__starts_at", "pk")),
        "file_decisions": list(decisions.order_by("decided_on", "pk")),
    }


@login_required
def assessment_detail(request, pk):
    a = selectors.assessment_get(user=request.user, pk=pk)
    context = {**_detail_context(request, a), **_file_context(request.user, a)}
    return render(request, "performance/assess_detail.html", context)


@login_required
@require_POST
def assessment_score(request, pk):
    """The lead's marks and comments; an htmx post gets the assessment's body back."""
    a = selectors.assessment_get(user=request.user, pk=pk, perm=roles.ASSESS)
    leads = services.lead_items((a.performance_inputs or {}).get("items", []))
    form = LeadScoreForm(request.POST, items=leads)
    error = ""
    saved = False
    if form.is_valid():
        try:
            a = services.assessment_score_lead(
                actor=request.user, assessment=a, scores=form.scores(), comment=form.cleaned_data["comment"]
            )
            saved = True
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    target = service_field(name, leads)
                    form.add_error(target if target in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        except PermissionDenied as exc:
            error = str(exc)
    a = selectors.assessment_get(user=request.user, pk=pk)
    if request.htmx:
        # htmx swaps only successful answers: a refusal comes back as a 200 body showing it.
        context = _detail_context(request, a, form=None if saved else form, error=error)
        context["saved"] = saved
        return render(request, "performance/assess_body.html", context)
    if saved:
        messages.success(request, _("The lead's marks are saved."))
        return redirect(a.get_absolute_url())
    if error:
        messages.error(request, error)
        return redirect(a.get_absolute_url())
    return render(
        request, "performance/assess_detail.html", _detail_context(request, a, form=form), status=400
    )


@login_required
@require_POST
def assessment_confirm(request, pk):
    a = selectors.assessment_get(user=request.user, pk=pk)
    try:
        result = services.assessment_confirm(actor=request.user, assessment=a)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        if result.level_change is not None:
            messages.success(
                request,
                _("Confirmed. %(name)s moves from %(old)s to %(new)s from %(day)s.")
                % {
                    "name": a.staff.name,
                    "old": result.level_change.previous or "—",
                    "new": result.level_change.level,
                    "day": result.level_change.effective_from.isoformat(),
                },
            )
        else:
            messages.success(
                request, _("Confirmed. The assessment is in %(name)s's file.") % {"name": a.staff.name}
            )
    return redirect(a.get_absolute_url())


# --- a person's file -----------------------------------------------------------------------------


@login_required
def my_assessments(request):
    """The person's own assessments and level history ("My assessments")."""
    me = services.staff_of(request.user)
    if me is None:
        raise Http404
    rows = selectors.assessment_list(user=request.user, filters={"staff": me})
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    changes = list(selectors.level_changes(user=request.user, staff=me)[:50])
    return render(request, "performance/assess_mine.html", {"page": page, "person": me, "changes": changes})


@login_required
def level_history(request, staff_pk):
    person = get_for_user(request.user, Staff.objects.select_related("level", "team", "branch"), staff_pk)
    changes = selectors.level_changes(user=request.user, staff=person)
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    assessments = selectors.assessment_list(user=request.user, filters={"staff": person}).exclude(
        period=Assessment.Period.MONTH
    )[:20]
    return render(
        request,
        "performance/level_history.html",
        {"person": person, "page": page, "assessments": assessments},
    )


# --- configuration ---------------------------------------------------------------------------------


@login_required
def assessment_config(request):
    if not _may_configure(request.user):
        raise Http404
    policy = services.current_policy()
    initial = {f: getattr(policy, f) for f in ("name", *services.POLICY_FIELDS, "floor_months")}
    form = PolicyForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.policy_save(actor=request.user, policy=policy, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The assessment policy is saved."))
                return redirect("performance:assessment-config")
    items = list(DutyItem.objects.order_by("order", "pk"))
    total = sum((i.weight for i in items if i.is_active), Decimal(0))
    return render(
        request,
        "performance/assess_config.html",
        {"form": form, "policy": policy, "items": items, "total_weight": total},
        status=status,
    )


@login_required
def duty_item_form(request, pk=None):
    if not _may_configure(request.user):
        raise Http404
    item = get_for_user(request.user, DutyItem, pk) if pk else None
    initial = (
        {f: getattr(item, f) for f in ("name", "code", "source", "weight", "order", "is_active")}
        if item
        else None
    )
    form = DutyItemForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.duty_item_save(actor=request.user, item=item, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The checklist item is saved."))
                return redirect("performance:assessment-config")
    title = _("Change a checklist item") if item else _("Add a checklist item")
    return render(
        request,
        "performance/assess_item_form.html",
        {"form": form, "object": item, "title": title},
        status=status,
    )


urlpatterns = [
    path("assessments/", assessment_list, name="assessment-list"),
    path("assessments/generate/", assessment_generate, name="assessment-generate"),
    path("assessments/confirm-period/", assessment_confirm_period, name="assessment-confirm-period"),
    path("assessments/mine/", my_assessments, name="assessment-mine"),
    path("assessments/config/", assessment_config, name="assessment-config"),
    path("assessments/config/items/new/", duty_item_form, name="duty-item-create"),
    path("assessments/config/items/<int:pk>/", duty_item_form, name="duty-item-edit"),
    path("assessments/<int:pk>/", assessment_detail, name="assessment-detail"),
    path("assessments/<int:pk>/score/", assessment_score, name="assessment-score"),
    path("assessments/<int:pk>/confirm/", assessment_confirm, name="assessment-confirm"),
    path("levels/<int:staff_pk>/", level_history, name="level-history"),
]
