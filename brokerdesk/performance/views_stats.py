"""Business statistics pages (第十五条): a month's figures by client manager, regional manager,
team, branch, regional HQ or company, within the reader's scope, with a totals row and an Excel
export; finance marks a branch's month reviewed and writes notes, shown beside the figures."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerdesk.access import roles
from brokerdesk.access.scope import has_perm, visible
from brokerdesk.core.excel import workbook_response
from brokerdesk.core.views import add_service_errors
from brokerdesk.org.models import Staff
from brokerdesk.performance import selectors_stats, services_stats
from brokerdesk.performance.forms_stats import NoteForm, StatsFilterForm
from brokerdesk.performance.models import ManagerMonth
from brokerdesk.performance.selectors import add_months

DEFAULT_LEVEL = "manager"


def _choice(request) -> tuple[StatsFilterForm, dt.date, str, list[dt.date]]:
    form = StatsFilterForm(request.GET or None)
    months = selectors_stats.months_with_stats(request.user)
    data = form.cleaned_data if form.is_valid() else {}
    month = data.get("month") or (
        months[0] if months else add_months(timezone.localdate().replace(day=1), -1)
    )
    level = data.get("level") or DEFAULT_LEVEL
    if not form.is_bound or not form.is_valid() or not data.get("month"):
        form = StatsFilterForm(initial={"month": month, "level": level})
    return form, month, level, months


def _note_form(request, month, data=None):
    staff = Staff.objects.filter(
        pk__in=visible(request.user, ManagerMonth, roles.PAY_RUN).filter(month=month).values("staff_id")
    ).order_by("emp_no")
    return NoteForm(data, user=request.user, staff=staff, initial={"month": month})


def _page(request, *, note_form=None, status=200):
    form, month, level, months = _choice(request)
    rows = selectors_stats.stats_for(request.user, month, level)
    may_review = has_perm(request.user, roles.PAY_RUN)
    notes = list(selectors_stats.notes_for(request.user, month)[:200])
    staff_notes: dict[int, list] = {}
    for n in notes:
        if n.staff_id:
            staff_notes.setdefault(n.staff_id, []).append(n)
    if level == "manager":
        for r in rows:
            r.notes = staff_notes.get(r.staff_id, [])
    context = {
        "form": form,
        "month": month,
        "level": level,
        "level_label": selectors_stats.LEVEL_LABELS[level],
        "levels": list(selectors_stats.LEVEL_LABELS.items()),
        "months": months,
        "rows": rows,
        "total": selectors_stats.totals(rows),
        "notes": notes,
        "reviews": selectors_stats.review_state(request.user, month),
        "note_form": (note_form or _note_form(request, month)) if may_review else None,
        "export_query": urlencode({"month": f"{month:%Y-%m}", "level": level}),
    }
    return render(request, "performance/stats_page.html", context, status=status)


@login_required
def stats_page(request):
    return _page(request)


@login_required
def stats_export(request):
    _form, month, level, _months = _choice(request)
    rows = selectors_stats.stats_for(request.user, month, level)
    total = selectors_stats.totals(rows)
    headers = [
        str(selectors_stats.LEVEL_LABELS[level]),
        "",
        _("client managers"),
        _("clients developed"),
        _("qualified new accounts"),
        _("clients served"),
        _("net revenue (¥)"),
        _("client assets at month end (¥)"),
        _("average assets per client (¥)"),
        _("average daily client assets (¥)"),
        _("product sales (¥)"),
    ]

    def line(r):
        return [
            r.name,
            r.detail,
            r.managers,
            r.new_accounts,
            r.qualified_new_accounts,
            r.clients_served,
            r.net_revenue,
            r.total_assets,
            r.assets_per_client,
            r.avg_assets,
            r.product_sales,
        ]

    body = [line(r) for r in rows] + [line(total)]
    return workbook_response(
        f"statistics-{month:%Y-%m}-{level}.xlsx", [(f"{month:%Y-%m}", [str(h) for h in headers], body)]
    )


@login_required
@require_POST
def stats_note(request):
    if not has_perm(request.user, roles.PAY_RUN):
        return redirect("performance:stats")
    probe = NoteForm(request.POST, user=request.user)
    month = probe.fields["month"].clean(request.POST.get("month")) if request.POST.get("month") else None
    form = _note_form(request, month, request.POST) if month else probe
    if form.is_valid():
        data = form.cleaned_data
        try:
            services_stats.stat_note_add(
                actor=request.user,
                branch=data["branch"],
                month=data["month"],
                staff=data.get("staff"),
                text=data.get("text", ""),
                is_review=data.get("is_review", False),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("The month is marked reviewed.") if data.get("is_review") else _("The note is saved."),
            )
            level = request.POST.get("level") or DEFAULT_LEVEL
            query = urlencode({"month": f"{data['month']:%Y-%m}", "level": level})
            return redirect(f"{request.path.rsplit('notes/', 1)[0]}?{query}")
    request.GET = request.GET.copy()
    if month:
        request.GET["month"] = f"{month:%Y-%m}"
    return _page(request, note_form=form, status=400)


urlpatterns = [
    path("statistics/", stats_page, name="stats"),
    path("statistics/export.xlsx", stats_export, name="stats-export"),
    path("statistics/notes/", stats_note, name="stats-note"),
]
