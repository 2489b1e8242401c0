"""Visit and follow-up pages: the visit list and log (on a phone), a visit's record with its
matters and overlaps, the head's monthly verification, follow-ups and their trail, and the
overlap report (part 2 of the client-service rules)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerdesk.access import roles
from brokerdesk.access.scope import can, get_for_user, has_perm, visible
from brokerdesk.clients import selectors_visits as selectors
from brokerdesk.clients import services_visits as services
from brokerdesk.clients.forms_visits import (
    ChaseForm,
    CloseForm,
    CompleteForm,
    FollowUpFilterForm,
    PeriodForm,
    RaiseForm,
    ReopenForm,
    ResolveForm,
    SendForm,
    VerifyForm,
    VisitEditForm,
    VisitFilterForm,
    VisitForm,
)
from brokerdesk.clients.models import Client, FollowUp, ServicePolicy, Visit
from brokerdesk.clients.services import staff_of
from brokerdesk.core.views import add_service_errors

PAGE_SIZE = 25


def _month(value: str | None, today: dt.date) -> dt.date:
    try:
        month = dt.datetime.strptime((value or "")[:7], "%Y-%m").date()
    except ValueError:
        return today.replace(day=1)
    return month if dt.date(2000, 1, 1) <= month <= today else today.replace(day=1)


def _shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _overlap_text(exc: ValidationError) -> str:
    return " ".join(str(m) for e in exc.error_dict["acknowledge_overlap"] for m in e.messages)


# --- visits ------------------------------------------------------------------------------------


@login_required
def visit_list(request):
    """Visits in scope: mine, my team's, or all (the branch for its managers)."""
    me = staff_of(request.user)
    form = VisitFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    whose = request.GET.get("whose", "")
    if whose not in ("mine", "team", "all"):
        whose = "mine" if me is not None and not has_perm(request.user, roles.VISIT_VERIFY) else "all"
    filters["whose"] = whose
    client_id = request.GET.get("client_id", "")
    if client_id.isdigit():
        filters["client_id"] = int(client_id)
    rows = selectors.visit_list(user=request.user, me=me, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = [("mine", _("Mine"))] if me is not None else []
    if me is not None and me.team_id:
        tabs.append(("team", _("My team")))
    tabs.append(("all", _("All in my scope")))
    context = {"form": form, "page": page, "whose": whose, "tabs": tabs, "me": me}
    template = "clients/visit_list_results.html" if request.htmx else "clients/visit_list.html"
    return render(request, template, context)


@login_required
def visit_create(request):
    """Log a visit done or plan one ahead; the overlap warning asks for an acknowledgement."""
    me = staff_of(request.user)
    if me is None:
        raise Http404
    initial = {}
    preset = request.GET.get("client", "")
    if preset.isdigit():
        client = visible(request.user, Client).filter(pk=int(preset)).first()
        if client is not None:
            initial["client"] = client
    if request.GET.get("mode") in ("plan", "log"):
        initial["mode"] = request.GET["mode"]
    form = VisitForm(request.POST or None, initial=initial, user=request.user, me=me)
    overlap = ""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["mode"] == "plan":
                    visit = services.visit_plan(
                        actor=request.user,
                        client=data["client"],
                        planned_on=data["planned_on"],
                        form=data["form"],
                        purpose=data["purpose"],
                        visitors=list(data["visitors"]),
                        acknowledge_overlap=data["acknowledge_overlap"],
                    )
                else:
                    visit = services.visit_log(
                        actor=request.user,
                        client=data["client"],
                        visited_on=data["visited_on"],
                        form=data["form"],
                        purpose=data["purpose"],
                        content=data["content"],
                        opinions=data["opinions"],
                        suggestions=data["suggestions"],
                        difficulties=data["difficulties"],
                        visitors=list(data["visitors"]),
                        acknowledge_overlap=data["acknowledge_overlap"],
                    )
            except ValidationError as exc:
                if services.is_overlap(exc):
                    overlap = _overlap_text(exc)
                else:
                    add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                if visit.status == Visit.Status.PLANNED:
                    messages.success(request, _("The visit is planned."))
                else:
                    messages.success(request, _("The visit is logged."))
                return redirect(visit.get_absolute_url())
    return render(request, "clients/visit_form.html", {"form": form, "overlap": overlap}, status=status)


@login_required
def visit_detail(request, pk):
    visit = selectors.visit_get(user=request.user, pk=pk)
    visitors = list(visit.visitors.only("pk", "name"))
    is_author = visit.author.user_id == request.user.pk
    me = staff_of(request.user)
    may_verify = (
        visit.status == Visit.Status.DONE
        and visit.verified_at is None
        and not is_author
        and can(request.user, roles.VISIT_VERIFY, visit)
    )
    may_raise = visit.status != Visit.Status.CANCELLED and (
        is_author
        or any(v.pk == getattr(me, "pk", None) for v in visitors)
        or can(request.user, roles.VISIT_VERIFY, visit)
    )
    context = {
        "visit": visit,
        "visitors": visitors,
        "is_author": is_author,
        "followups": selectors.visit_followups(visit),
        "overlaps": selectors.visit_overlaps(visit),
        "may_verify": may_verify,
        "may_cancel": visit.status == Visit.Status.PLANNED
        and (is_author or can(request.user, roles.VISIT_VERIFY, visit)),
        "may_complete": visit.status == Visit.Status.PLANNED and is_author,
        "may_edit": is_author and services.visit_may_change(visit, user=request.user),
        "may_raise": may_raise,
        "raise_form": RaiseForm(client=visit.client) if may_raise else None,
        "verify_form": VerifyForm() if may_verify else None,
    }
    return render(request, "clients/visit_detail.html", context)


@login_required
def visit_complete(request, pk):
    visit = selectors.visit_get(user=request.user, pk=pk)
    if visit.author.user_id != request.user.pk or visit.status != Visit.Status.PLANNED:
        raise Http404
    form = CompleteForm(
        request.POST or None, initial={"visited_on": timezone.localdate(), "form": visit.form}
    )
    overlap = ""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.visit_log(actor=request.user, visit=visit, **data)
            except ValidationError as exc:
                if services.is_overlap(exc):
                    overlap = _overlap_text(exc)
                else:
                    add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The visit is logged."))
                return redirect(visit.get_absolute_url())
    return render(
        request,
        "clients/visit_complete.html",
        {"form": form, "visit": visit, "overlap": overlap},
        status=status,
    )


@login_required
def visit_edit(request, pk):
    """Correct a visit's record: its author, until the head has verified it."""
    visit = selectors.visit_get(user=request.user, pk=pk)
    if visit.author.user_id != request.user.pk:
        raise Http404
    if not services.visit_may_change(visit, user=request.user):
        messages.info(request, _("This visit is verified; it can no longer change."))
        return redirect(visit.get_absolute_url())
    initial = {f: getattr(visit, f) for f in ("form", "purpose", *services.LOG_FIELDS)}
    form = VisitEditForm(request.POST or None, initial=initial, visit=visit)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.visit_update(actor=request.user, visit=visit, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The visit record is corrected."))
                return redirect(visit.get_absolute_url())
    return render(request, "clients/visit_edit.html", {"form": form, "visit": visit}, status=status)


@login_required
@require_POST
def visit_cancel(request, pk):
    visit = selectors.visit_get(user=request.user, pk=pk)
    try:
        services.visit_cancel(actor=request.user, visit=visit, reason=request.POST.get("reason", ""))
        messages.success(request, _("The planned visit is cancelled."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect(visit.get_absolute_url())


@login_required
@require_POST
def visit_verify(request, pk):
    """Verify one log with an opinion: from the visit page, or a row of the monthly page (htmx)."""
    visit = get_for_user(
        request.user,
        Visit.objects.select_related("client", "author", "team", "verified_by__staff"),
        pk,
        roles.VISIT_VERIFY,
    )
    form = VerifyForm(request.POST)
    error = ""
    try:
        if not form.is_valid():
            raise ValidationError({"opinion": _("Write your opinion on how the visit was handled.")})
        visit = services.verify_visit(actor=request.user, visit=visit, opinion=form.cleaned_data["opinion"])
    except (ValidationError, PermissionDenied) as exc:
        error = " ".join(getattr(exc, "messages", [str(exc)]))
    if request.htmx:
        month = _month(request.POST.get("month"), timezone.localdate())
        counts = None
        if not error:
            visit = Visit.objects.select_related("client", "author", "team", "verified_by__staff").get(pk=pk)
            counts = selectors.verify_counts(user=request.user, month=month)  # the tiles, swapped out of band
        return render(
            request,
            "clients/verify_row.html",
            # htmx swaps only successful answers: a refusal comes back as a 200 row showing it.
            {
                "v": visit,
                "error": error,
                "opinion": request.POST.get("opinion", ""),
                "month": month,
                "oob_counts": counts,
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The visit is verified."))
    return redirect(visit.get_absolute_url())


@login_required
def verify(request):
    """The head's month: done visits in scope, unverified first, an opinion box per log."""
    if not has_perm(request.user, roles.VISIT_VERIFY):
        raise Http404
    today = timezone.localdate()
    month = _month(request.GET.get("month"), today)
    unverified_only = request.GET.get("unverified") == "1"
    rows = selectors.verify_list(user=request.user, month=month, unverified_only=unverified_only)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    following = _shift(month, 1)
    return render(
        request,
        "clients/verify_results.html" if request.htmx else "clients/verify.html",
        {
            "page": page,
            "month": month,
            "unverified_only": unverified_only,
            "counts": selectors.verify_counts(user=request.user, month=month),
            "previous": _shift(month, -1),
            "following": following if following <= today else None,
        },
    )


# --- follow-ups --------------------------------------------------------------------------------


@login_required
@require_POST
def followup_raise(request, pk):
    visit = selectors.visit_get(user=request.user, pk=pk)
    form = RaiseForm(request.POST, client=visit.client)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        data = form.cleaned_data
        fu = services.followup_raise(
            actor=request.user,
            visit=visit,
            category=data["category"],
            matter=data["matter"],
            department=data["department"],
            due_on=data["due_on"],
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(f"{visit.get_absolute_url()}#raise")
    messages.success(request, _("The matter is raised; you follow it up."))
    return redirect(fu.get_absolute_url())


@login_required
def followup_list(request):
    me = staff_of(request.user)
    tab = request.GET.get("tab", "")
    tabs = [("mine", _("Mine"))] if me is not None else []
    if me is not None and me.department_id:
        tabs.append(("department", _("My department's")))
    tabs.append(("all", _("All in my scope")))
    if tab not in dict(tabs):
        tab = "all" if me is None or has_perm(request.user, roles.VISIT_VERIFY) else tabs[0][0]
    form = FollowUpFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    rows, overdue = selectors.followup_list(user=request.user, me=me, tab=tab, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "tab": tab, "tabs": tabs, "overdue": overdue}
    template = "clients/followup_list_results.html" if request.htmx else "clients/followup_list.html"
    return render(request, template, context)


def _followup_forms(fu: FollowUp, user, data=None, which: str = "") -> dict:
    handler = services.is_owner_or_head(user, fu)
    resolver = handler or services.is_department_user(user, fu)
    forms: dict = {}
    if handler and fu.status == FollowUp.Status.OPEN:
        forms["send"] = SendForm(
            data if which == "send" else None, client=fu.client, initial={"department": fu.department_id}
        )
    if handler and fu.status == FollowUp.Status.SENT:
        forms["chase"] = ChaseForm(data if which == "chase" else None)
    if resolver and fu.status in services.OPEN_STATUSES:
        forms["resolve"] = ResolveForm(data if which == "resolve" else None)
    if handler and fu.status == FollowUp.Status.RESOLVED:
        forms["close"] = CloseForm(data if which == "close" else None)
    if handler and fu.status in (FollowUp.Status.RESOLVED, FollowUp.Status.CLOSED):
        forms["reopen"] = ReopenForm(data if which == "reopen" else None)
    return forms


@login_required
def followup_detail(request, pk):
    fu = selectors.followup_get(user=request.user, pk=pk)
    return render(
        request,
        "clients/followup_detail.html",
        {"fu": fu, "events": list(fu.events.all()), "forms": _followup_forms(fu, request.user)},
    )


ACTIONS = {
    "send": lambda actor, fu, d: services.followup_send(
        actor=actor, followup=fu, department=d["department"], note=d["note"]
    ),
    "chase": lambda actor, fu, d: services.followup_chase(actor=actor, followup=fu, note=d["note"]),
    "resolve": lambda actor, fu, d: services.followup_resolve(
        actor=actor, followup=fu, resolution=d["resolution"]
    ),
    "close": lambda actor, fu, d: services.followup_close(
        actor=actor,
        followup=fu,
        informed_on=d["informed_on"],
        informed_how=d["informed_how"],
        informed_note=d["informed_note"],
    ),
    "reopen": lambda actor, fu, d: services.followup_reopen(actor=actor, followup=fu, note=d["note"]),
}


def _done_message(action: str) -> str:
    return {
        "send": _("The matter is sent to the department."),
        "chase": _("The department is reminded."),
        "resolve": _("The result is recorded."),
        "close": _("The matter is closed."),
        "reopen": _("The matter is reopened."),
    }[action]


@login_required
@require_POST
def followup_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    fu = selectors.followup_get(user=request.user, pk=pk)
    forms = _followup_forms(fu, request.user, request.POST, action)
    form = forms.get(action)
    if form is None:
        messages.error(request, _("This step is not possible now."))
        return redirect(fu.get_absolute_url())
    if form.is_valid():
        try:
            ACTIONS[action](request.user, fu, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _done_message(action))
            return redirect(fu.get_absolute_url())
    return render(
        request,
        "clients/followup_detail.html",
        {"fu": fu, "events": list(fu.events.all()), "forms": forms, "failed": action},
        status=400,
    )


# --- overlaps ----------------------------------------------------------------------------------


@login_required
def overlap_report(request):
    """Overlaps recorded on visits of a period (default: the last three months and the plans of
    the coming overlap window), per team, and the pairs: who visited the same client within the
    window."""
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    end = data.get("end") or today + dt.timedelta(days=ServicePolicy.current().overlap_days)
    start = data.get("start") or _shift(today.replace(day=1), -2)
    per_team, pairs = selectors.overlap_report(user=request.user, start=start, end=end)
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    if not form.is_bound:
        form = PeriodForm(initial={"start": start, "end": end})
    return render(
        request,
        "clients/overlap_pairs.html" if request.htmx else "clients/overlap_report.html",
        {"form": form, "per_team": per_team, "page": page, "start": start, "end": end},
    )


urlpatterns = [
    path("visits/", visit_list, name="visit-list"),
    path("visits/new/", visit_create, name="visit-create"),
    path("visits/verify/", verify, name="verify"),
    path("visits/overlaps/", overlap_report, name="overlap-report"),
    path("visits/<int:pk>/", visit_detail, name="visit-detail"),
    path("visits/<int:pk>/complete/", visit_complete, name="visit-complete"),
    path("visits/<int:pk>/edit/", visit_edit, name="visit-edit"),
    path("visits/<int:pk>/cancel/", visit_cancel, name="visit-cancel"),
    path("visits/<int:pk>/verify/", visit_verify, name="visit-verify"),
    path("visits/<int:pk>/matters/", followup_raise, name="followup-raise"),
    path("followups/", followup_list, name="followup-list"),
    path("followups/<int:pk>/", followup_detail, name="followup-detail"),
    path("followups/<int:pk>/<str:action>/", followup_action, name="followup-action"),
]
