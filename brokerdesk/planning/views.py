"""Planning pages: plans through approval, decomposition, actuals, progress, reviews."""

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerdesk.access import roles
from brokerdesk.access.scope import can, get_for_user, has_perm, visible
from brokerdesk.core.excel import read_rows, workbook_response
from brokerdesk.core.files import attachment_response
from brokerdesk.core.views import add_service_errors
from brokerdesk.org.models import Department, Staff
from brokerdesk.planning import selectors, services
from brokerdesk.planning.forms import (
    ActionDoneForm,
    ImportForm,
    MonthTeamForm,
    PlanForm,
    ProgressForm,
    ReviewForm,
    StandardForm,
)
from brokerdesk.planning.models import (
    METRICS,
    AnnualPlan,
    CorrectiveAction,
    Metric,
    MonthlyActual,
    PlanStatus,
    TeamStandard,
)


@login_required
def plan_list(request):
    rows = selectors.plan_list(user=request.user)
    year = request.GET.get("year")
    if year and year.isdigit():
        rows = rows.filter(year=int(year))
    status = request.GET.get("status")
    if status in PlanStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows.order_by("-year", "team__code", "-version"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "planning/plan_list.html",
        {
            "page": page,
            "statuses": PlanStatus.choices,
            "can_create": has_perm(request.user, roles.PLAN_CHANGE),
            "can_enter_actuals": has_perm(request.user, roles.ACTUALS_CHANGE),
        },
    )


def _save_plan(request, plan, form):
    try:
        saved = services.plan_save(
            actor=request.user, plan=form.instance, attachment=form.cleaned_data.get("attachment")
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return None
    return saved


@login_required
def plan_form(request, pk=None):
    if not has_perm(request.user, roles.PLAN_CHANGE):
        raise Http404
    plan = get_for_user(request.user, AnnualPlan, pk, roles.PLAN_CHANGE) if pk else None
    if plan is not None and not plan.is_editable:
        messages.error(
            request,
            _("This plan is %(status)s and can no longer be edited.") % {"status": plan.get_status_display()},
        )
        return redirect(plan.get_absolute_url())
    form = PlanForm(request.POST or None, request.FILES or None, instance=plan, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            saved = _save_plan(request, plan, form)
            if saved:
                messages.success(request, _("Saved: %(record)s") % {"record": saved})
                return redirect(saved.get_absolute_url())
    title = _("Edit annual plan") if plan else _("New annual plan")
    return render(
        request, "core/record_form.html", {"form": form, "object": plan, "title": title}, status=status
    )


@login_required
def plan_detail(request, pk):
    plan = selectors.plan_detail(user=request.user, pk=pk)
    may_plan = can(request.user, roles.PLAN_CHANGE, plan.team)
    today = timezone.localdate()
    as_of = 12 if plan.year < today.year else (today.month if plan.year == today.year else 0)
    progress = []
    if plan.status == PlanStatus.APPROVED:
        progress = selectors.progress_rows(
            user=request.user, year=plan.year, as_of_month=as_of, level="person", team_id=plan.team_id
        )
    grid = selectors.share_grid(plan)
    people = list(services.share_candidates(plan)) if plan.status == PlanStatus.APPROVED else []
    totals = {m: sum((getattr(s, m) for s in grid.values()), Decimal(0)) for m in METRICS}
    context = {
        "plan": plan,
        "may_plan": may_plan,
        "targets": [(Metric(m).label, plan.target(m), totals[m], m) for m in METRICS],
        "decomposed": bool(grid),
        "people": people,
        "progress": progress,
        "as_of": as_of,
        "review_form": ReviewForm(plan=plan) if may_plan and plan.status == PlanStatus.APPROVED else None,
        "done_form": ActionDoneForm(),
        "metrics": [(m, Metric(m).label) for m in METRICS],
        "head_office_departments": Department.objects.filter(branch__isnull=True).order_by("kind", "name"),
    }
    return render(request, "planning/plan_detail.html", context)


@login_required
def plan_attachment(request, pk):
    plan = get_for_user(request.user, AnnualPlan, pk)
    return attachment_response(plan.attachment, plan.attachment_name)


@login_required
def standard_attachment(request, pk):
    standard = get_for_user(request.user, TeamStandard, pk)
    return attachment_response(standard.attachment, standard.attachment_name)


@login_required
@require_POST
def plan_submit(request, pk):
    plan = get_for_user(request.user, AnnualPlan, pk, roles.PLAN_CHANGE)
    named = Department.objects.filter(
        branch__isnull=True, pk__in=request.POST.getlist("countersign_departments")
    )
    try:
        services.plan_submit(
            actor=request.user,
            plan=plan,
            opinion=request.POST.get("opinion", ""),
            countersign_departments=list(named),
        )
        messages.success(request, _("Submitted for approval."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(plan.get_absolute_url())


@login_required
@require_POST
def plan_revise(request, pk):
    plan = get_for_user(request.user, AnnualPlan, pk, roles.PLAN_CHANGE)
    try:
        draft = services.plan_revise(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(plan.get_absolute_url())
    messages.success(
        request, _("A new draft version was made; the approved plan stays as it is until it is replaced.")
    )
    return redirect("planning:plan-edit", pk=draft.pk)


@login_required
def plan_decompose(request, pk):
    plan = get_for_user(request.user, AnnualPlan.objects.select_related("team"), pk, roles.PLAN_CHANGE)
    if plan.status != PlanStatus.APPROVED:
        messages.error(request, _("Targets are decomposed once the plan is approved."))
        return redirect(plan.get_absolute_url())
    people = list(services.share_candidates(plan))
    periods = plan.periods()
    grid = selectors.share_grid(plan)
    errors = []
    values = {}
    status = 200
    if request.method == "POST":
        rows = []
        for person in people:
            for period in periods:
                row = {"staff": person.pk, "period": period}
                for m in METRICS:
                    row[m] = request.POST.get(f"{m}-{person.pk}-{period}", "")
                    values[f"{m}-{person.pk}-{period}"] = row[m]
                rows.append(row)
        try:
            services.shares_save(actor=request.user, plan=plan, rows=rows)
        except ValidationError as exc:
            errors = exc.messages
            status = 400
        else:
            messages.success(request, _("The targets are decomposed."))
            return redirect(plan.get_absolute_url())
    else:
        for (staff_id, period), share in grid.items():
            for m in METRICS:
                values[f"{m}-{staff_id}-{period}"] = getattr(share, m)
    period_label = _("M%(n)s") if plan.split_by == AnnualPlan.Split.MONTH else _("Q%(n)s")
    tables = []
    for m in METRICS:
        rows = [
            (
                p,
                [
                    (
                        f"{m}-{p.pk}-{period}",
                        values.get(f"{m}-{p.pk}-{period}", ""),
                        period_label % {"n": period},
                    )
                    for period in periods
                ],
            )
            for p in people
        ]
        tables.append({"metric": m, "label": Metric(m).label, "total": plan.target(m), "rows": rows})
    return render(
        request,
        "planning/decompose.html",
        {
            "plan": plan,
            "tables": tables,
            "periods": [(p, period_label % {"n": p}) for p in periods],
            "errors": errors,
        },
        status=status,
    )


@login_required
def plan_export(request, pk):
    plan = selectors.plan_detail(user=request.user, pk=pk)
    grid = selectors.share_grid(plan, user=request.user)
    names = dict(Staff.objects.filter(pk__in={k[0] for k in grid}).values_list("pk", "name"))
    headers = [_("name"), _("period"), *[Metric(m).label for m in METRICS]]
    rows = [
        [names.get(s), p, *[getattr(share, m) for m in METRICS]] for (s, p), share in sorted(grid.items())
    ]
    summary = [[_("plan target"), "", *[plan.target(m) for m in METRICS]]]
    return workbook_response(f"{plan}.xlsx", [(_("Targets"), headers, summary + rows)])


@login_required
@require_POST
def review_create(request, pk):
    plan = get_for_user(request.user, AnnualPlan, pk, roles.PLAN_CHANGE)
    form = ReviewForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            services.review_create(
                actor=request.user,
                plan=plan,
                held_on=form.cleaned_data["held_on"],
                findings=form.cleaned_data["findings"],
                actions=form.actions(),
            )
            messages.success(request, _("The review is recorded."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(plan.get_absolute_url())


@login_required
@require_POST
def action_done(request, pk):
    action = CorrectiveAction.objects.select_related("review__plan__team", "owner").filter(pk=pk).first()
    if action is None or not visible(request.user, AnnualPlan).filter(pk=action.review.plan_id).exists():
        raise Http404
    form = ActionDoneForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say what was done."))
        services.action_complete(actor=request.user, action=action, note=form.cleaned_data["done_note"])
        messages.success(request, _("The action is closed."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect(action.review.plan.get_absolute_url())


@login_required
def my_targets(request):
    me = Staff.objects.filter(user=request.user).select_related("team").first()
    today = timezone.localdate()
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else today.year
    rows = []
    if me:
        as_of = today.month if year == today.year else 12
        rows = selectors.progress_rows(
            user=request.user, year=year, as_of_month=as_of, level="person", staff_id=me.pk
        )
    shares = (
        me.target_shares.filter(plan__year=year, plan__status=PlanStatus.APPROVED).order_by("period")
        if me
        else []
    )
    return render(
        request,
        "planning/my_targets.html",
        {
            "me": me,
            "year": year,
            "rows": rows,
            "shares": shares,
            "metrics": [(m, Metric(m).label) for m in METRICS],
        },
    )


# --- actuals ---------------------------------------------------------------------------------


def _actual_rows_from_post(post, people) -> list[dict]:
    rows = []
    for line, person in enumerate(people, start=1):
        row = {"staff": person.pk, "line": line, "label": person.name}
        for m in METRICS:
            row[m] = post.get(f"{m}-{person.pk}", "")
        rows.append(row)
    return rows


@login_required
def actuals(request):
    if not has_perm(request.user, roles.ACTUALS_CHANGE):
        raise Http404
    form = MonthTeamForm(request.GET or None, user=request.user)
    people, values, errors, status = [], {}, [], 200
    month = team = None
    if form.is_valid():
        month = services.first_of_month(form.cleaned_data["month"])
        team = form.cleaned_data["team"]
        people = list(
            visible(request.user, Staff, roles.ACTUALS_CHANGE)
            .filter(team=team, position__in=services.SHARE_POSITIONS)
            .exclude(status=Staff.Status.LEFT)
            .order_by("emp_no")
        )
        existing = {a.staff_id: a for a in MonthlyActual.objects.filter(month=month, staff__in=people)}
        if request.method == "POST":
            rows = _actual_rows_from_post(request.POST, people)
            values = {f"{m}-{r['staff']}": r[m] for r in rows for m in METRICS}
            try:
                count = services.actuals_save(actor=request.user, month=month, rows=rows)
            except ValidationError as exc:
                errors, status = exc.messages, 400
            else:
                messages.success(request, _("%(n)s people's figures saved.") % {"n": count})
                return redirect(request.get_full_path())
        else:
            values = {f"{m}-{a.staff_id}": getattr(a, m) for a in existing.values() for m in METRICS}
    grid = [
        (p, [(Metric(m).label, f"{m}-{p.pk}", values.get(f"{m}-{p.pk}", "")) for m in METRICS])
        for p in people
    ]
    return render(
        request,
        "planning/actuals.html",
        {
            "form": form,
            "grid": grid,
            "metrics": [(m, Metric(m).label) for m in METRICS],
            "errors": errors,
            "month": month,
            "team": team,
            "import_form": ImportForm(),
        },
        status=status,
    )


@login_required
def actuals_import(request):
    """Import a month's actuals from Excel: columns 工号, 月份 (YYYY-MM), then the four figures.
    Every bad row is reported with its line; nothing is written unless all rows are good."""
    if not has_perm(request.user, roles.ACTUALS_CHANGE):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                errors, count = _import_actuals(request.user, form.cleaned_data["file"])
            except ValidationError as exc:
                errors = exc.messages
            else:
                if not errors:
                    messages.success(request, _("%(n)s rows imported.") % {"n": count})
                    return redirect("planning:actuals")
        else:
            errors = [str(e) for errs in form.errors.values() for e in errs]
    return render(request, "planning/actuals_import.html", {"form": form, "errors": errors}, status=status)


class _Rollback(Exception):
    """Undo an import that had bad rows."""


def _import_actuals(user, upload) -> tuple[list[str], int]:
    try:
        lines = read_rows(upload)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the user's file, not our bug
        raise ValidationError(_("This file cannot be read as an Excel workbook.")) from None
    emp_nos = {str(v[0]).strip() for _line, v in lines if v and v[0] is not None}
    staff = dict(Staff.objects.filter(emp_no__in=emp_nos).values_list("emp_no", "pk"))
    by_month: dict[dt.date, list[dict]] = {}
    errors = []
    for line, values in lines:
        values = (values + [None] * 6)[:6]
        emp_no = str(values[0] or "").strip()
        try:
            month = dt.datetime.strptime(str(values[1]).strip()[:7], "%Y-%m").date()
        except ValueError:
            errors.append(_("Line %(line)s: month must look like 2026-11.") % {"line": line})
            continue
        if emp_no not in staff:
            errors.append(
                _("Line %(line)s: unknown employee number %(emp)s.") % {"line": line, "emp": emp_no}
            )
            continue
        row = {"staff": staff[emp_no], "line": line, "label": emp_no}
        row.update(dict(zip(METRICS, values[2:6], strict=True)))
        by_month.setdefault(month, []).append(row)
    # Every month's rows are checked too, even when some rows are already known bad, so the
    # user sees every bad line at once; nothing is kept unless all of them are good.
    count = 0
    try:
        with transaction.atomic():
            for month, rows in by_month.items():
                try:
                    with transaction.atomic():
                        count += services.actuals_save(actor=user, month=month, rows=rows)
                except ValidationError as exc:
                    errors.extend(exc.messages)
            if errors:
                raise _Rollback
    except _Rollback:
        return errors, 0
    return [], count


# --- progress --------------------------------------------------------------------------------


@login_required
def progress(request):
    today = timezone.localdate()
    # The filters show the year and month in use, also when the address does not name them.
    data = request.GET.copy()
    data["year"] = data.get("year") or str(today.year)
    data["month"] = data.get("month") or str(today.month if data["year"] == str(today.year) else 12)
    form = ProgressForm(data, user=request.user)
    level, year, month, branch_id, behind_only = "team", today.year, today.month, None, False
    if form.is_valid():
        level = form.cleaned_data["level"] or level
        year = form.cleaned_data["year"] or year
        month = form.cleaned_data["month"] or (today.month if year == today.year else 12)
        branch_id = form.cleaned_data["branch"].pk if form.cleaned_data["branch"] else None
        behind_only = form.cleaned_data["behind_only"]
    rows = selectors.progress_rows(
        user=request.user, year=year, as_of_month=month, level=level, branch_id=branch_id
    )
    if behind_only:
        rows = [r for r in rows if r.behind]
    metrics = [(m, Metric(m).label) for m in METRICS]
    if request.GET.get("format") == "xlsx":
        headers = [_("name")]
        target_word, actual_word, rate_word = _("target to date"), _("actual"), _("rate %")
        for _m, label in metrics:
            headers += [f"{label} {target_word}", f"{label} {actual_word}", f"{label} {rate_word}"]
        headers.append(_("behind schedule"))
        data = []
        for r in rows:
            line = [r.name]
            for m, _label in metrics:
                p = r.metrics[m]
                line += [p.target_to_date, p.actual_to_date, p.rate]
            line.append(_("Yes") if r.behind else "")
            data.append(line)
        return workbook_response(
            f"progress-{year}-{month:02d}-{level}.xlsx", [(_("Progress"), headers, data)]
        )
    return render(
        request,
        "planning/progress.html",
        {
            "form": form,
            "rows": rows,
            "metrics": metrics,
            "year": year,
            "month": month,
            "level": level,
            "can_enter_actuals": has_perm(request.user, roles.ACTUALS_CHANGE),
        },
    )


# --- team standards -------------------------------------------------------------------------


@login_required
def standard_list(request):
    rows = selectors.standard_list(user=request.user).order_by("-created_at")
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "planning/standard_list.html",
        {"page": page, "can_create": has_perm(request.user, roles.PLAN_CHANGE)},
    )


@login_required
def standard_form(request, pk=None):
    if not has_perm(request.user, roles.PLAN_CHANGE):
        raise Http404
    standard = get_for_user(request.user, TeamStandard, pk, roles.PLAN_CHANGE) if pk else None
    form = StandardForm(request.POST or None, request.FILES or None, instance=standard, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = services.standard_save(
                    actor=request.user, standard=form.instance, attachment=form.cleaned_data.get("attachment")
                )
            except (ValidationError, PermissionDenied) as exc:
                add_service_errors(form, exc) if isinstance(exc, ValidationError) else form.add_error(
                    None, str(exc)
                )
            else:
                return redirect(saved.get_absolute_url())
    title = _("Edit team standards") if standard else _("New team standards")
    return render(
        request, "core/record_form.html", {"form": form, "object": standard, "title": title}, status=status
    )


@login_required
def standard_detail(request, pk):
    standard = get_for_user(request.user, selectors.standard_list(user=request.user), pk)
    return render(
        request,
        "planning/standard_detail.html",
        {"standard": standard, "may_plan": can(request.user, roles.PLAN_CHANGE, standard.team)},
    )


@login_required
@require_POST
def standard_submit(request, pk):
    standard = get_for_user(request.user, TeamStandard, pk, roles.PLAN_CHANGE)
    try:
        services.standard_submit(actor=request.user, standard=standard)
        messages.success(request, _("Submitted for approval."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(standard.get_absolute_url())
