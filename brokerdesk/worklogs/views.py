"""Work-log pages: my logs and missing days, today's log on a phone, the team's logs, missing
days of the people in scope, spot-checks and their results."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerdesk.access import roles
from brokerdesk.access.scope import can, get_for_user, has_perm, visible
from brokerdesk.clients.models import Visit
from brokerdesk.core.views import add_service_errors
from brokerdesk.worklogs import rules, selectors, services
from brokerdesk.worklogs.forms import LogFilterForm, RecordForm, SpotCheckForm, WorkLogForm
from brokerdesk.worklogs.models import SpotCheckItem, WorkLog


def _month(value: str, today: dt.date) -> dt.date:
    try:
        month = dt.datetime.strptime(value, "%Y-%m").date()
    except (TypeError, ValueError):
        return today.replace(day=1)
    return month if dt.date(2000, 1, 1) <= month <= today else today.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


@login_required
def my_logs(request):
    """The author's month: today's log, the working days with no log, and every log's check."""
    me = services.staff_of(request.user)
    today = timezone.localdate()
    month = _month(request.GET.get("month", ""), today)
    end = _next_month(month) - dt.timedelta(days=1)
    context = {"me": me, "month": month, "today": today}
    if me is not None:
        logs = list(
            selectors.worklog_list(user=request.user, filters={"staff": me, "start": month, "end": end})
        )
        row = selectors.missing_rows(people=[me], start=month, end=end, today=today)[0]
        context.update(
            logs=logs,
            missing=[(d, rules.day_error(d, today) is None) for d in row.missing],
            today_log=next((log for log in logs if log.day == today), None),
            today_is_workday=rules.is_working_day(today),
            previous=(month - dt.timedelta(days=1)).replace(day=1),
            following=_next_month(month) if _next_month(month) <= today else None,
        )
    return render(request, "worklogs/my_logs.html", context)


@login_required
def write(request):
    """Write (or, on its own day, change) the user's log of a day: today unless ?day= says."""
    me = services.staff_of(request.user)
    if me is None:
        raise Http404
    today = timezone.localdate()
    try:
        day = dt.date.fromisoformat(request.GET.get("day") or request.POST.get("day") or today.isoformat())
    except ValueError:
        day = today
    log = WorkLog.objects.filter(staff=me, day=day).first()
    if log is not None and not services.log_may_change(log, user=request.user, today=today):
        messages.info(request, _("This log can no longer be changed."))
        return redirect(log.get_absolute_url())
    form = WorkLogForm(request.POST or None, instance=log, initial={"day": day})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.worklog_save(
                    actor=request.user,
                    day=log.day if log else data["day"],
                    work_done=data["work_done"],
                    clients_contacted=data["clients_contacted"],
                    visited=data["visited"],
                    tomorrow_plan=data["tomorrow_plan"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your work log of %(day)s is saved.") % {"day": saved.day})
                return redirect("worklogs:mine")
    title = _("Edit work log") if log else _("Write work log")
    context = {"form": form, "log": log, "title": title, "visits": _visits_of(request.user, me, day)}
    return render(request, "worklogs/write.html", context, status=status)


@login_required
def log_detail(request, pk):
    log = selectors.worklog_get(user=request.user, pk=pk)
    checks = list(log.checks.all())
    return render(
        request,
        "worklogs/log_detail.html",
        {
            "log": log,
            "checks": checks,
            "may_edit": services.log_may_change(log, user=request.user),
            "is_author": log.staff.user_id == request.user.pk,
            "visits": _visits_of(request.user, log.staff, log.day),
        },
    )


def _visits_of(user, staff, day):
    """The client visits the person logged on the day (those the viewer may see)."""
    return list(
        visible(user, Visit)
        .filter(author=staff, visited_on=day, status=Visit.Status.DONE)
        .select_related("client")
        .order_by("id")
    )


def _filters(request):
    form = LogFilterForm(request.GET or None, user=request.user)
    return form, (form.cleaned_data if form.is_valid() else {})


@login_required
def team_logs(request):
    """Every log in the user's scope (a lead: the team's), filterable, newest first."""
    form, filters = _filters(request)
    rows = selectors.worklog_list(user=request.user, filters=filters)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "worklogs/team_logs.html",
        {"form": form, "page": page, "can_check": has_perm(request.user, roles.SPOTCHECK)},
    )


@login_required
def missing(request):
    """Who in scope has working days with no log, and which, for a period (default: this month)."""
    form, filters = _filters(request)
    today = timezone.localdate()
    start = filters.get("start") or today.replace(day=1)
    end = min(filters.get("end") or today, today)
    people = selectors.log_writers(user=request.user, team=filters.get("team"))
    page = Paginator(people, 25).get_page(request.GET.get("page"))
    rows = selectors.missing_rows(people=list(page), start=start, end=end, today=today)
    return render(
        request,
        "worklogs/missing.html",
        {"form": form, "page": page, "rows": rows, "start": start, "end": end},
    )


# --- spot-checks --------------------------------------------------------------------------------


@login_required
def check_list(request):
    page = Paginator(selectors.spotcheck_list(user=request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "worklogs/check_list.html",
        {"page": page, "can_check": has_perm(request.user, roles.SPOTCHECK)},
    )


@login_required
def check_create(request):
    if not has_perm(request.user, roles.SPOTCHECK):
        raise Http404
    form = SpotCheckForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                check = services.spotcheck_create(
                    actor=request.user,
                    team=data["team"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    **form.sample(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(n)s logs were drawn.") % {"n": check.items.count()})
                return redirect(check.get_absolute_url())
    return render(request, "worklogs/check_form.html", {"form": form}, status=status)


@login_required
def check_detail(request, pk):
    check = selectors.spotcheck_get(user=request.user, pk=pk)
    items = list(check.items.all())
    may_record = can(request.user, roles.SPOTCHECK, check)
    return render(
        request,
        "worklogs/check_detail.html",
        {
            "check": check,
            "items": items,
            "may_record": may_record,
            "form": RecordForm(),
            "reproduced": services.spotcheck_redraw(check) == [i.log_id for i in items],
        },
    )


@login_required
@require_POST
def record(request, pk):
    item = get_for_user(request.user, SpotCheckItem.objects.select_related("spot_check"), pk, roles.SPOTCHECK)
    form = RecordForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        services.spotcheck_record(
            actor=request.user,
            item=item,
            result=form.cleaned_data["result"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("The result is recorded."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect(f"{item.spot_check.get_absolute_url()}#item-{item.pk}")
