"""CRM import pages (第十五条): the list of imports, the upload, an import with its progress bar
(htmx polling while it runs), every bad row with its line and reason, the reconciliation and
the month's versions, and the explicit "import the good rows" decision."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerdesk.access import roles
from brokerdesk.access.scope import can, get_for_user, has_perm, visible
from brokerdesk.core.views import add_service_errors
from brokerdesk.performance import services_import
from brokerdesk.performance.forms_import import AcceptForm, ImportFilterForm, ImportForm
from brokerdesk.performance.models import CrmImport, ImportRowError

PAGE_SIZE = 25
ERRORS_PAGE_SIZE = 50
RUNNING = (CrmImport.Status.QUEUED, CrmImport.Status.VALIDATING, CrmImport.Status.LOADING)


def import_queryset(user):
    """The imports the user may see: PAY_VIEW holders of a branch and up (finance, managers)."""
    return visible(user, CrmImport.objects.select_related("branch", "uploaded_by__staff"), roles.PAY_VIEW)


def _get(request, pk) -> CrmImport:
    return get_for_user(
        request.user,
        CrmImport.objects.select_related("branch", "uploaded_by__staff", "superseded_by"),
        pk,
        roles.PAY_VIEW,
    )


@login_required
def import_list(request):
    if not has_perm(request.user, roles.PAY_VIEW):
        raise Http404
    form = ImportFilterForm(request.GET or None)
    qs = import_queryset(request.user).order_by("-uploaded_at", "-id")
    if form.is_valid():
        if form.cleaned_data.get("month"):
            qs = qs.filter(month=form.cleaned_data["month"])
        if form.cleaned_data.get("status"):
            qs = qs.filter(status=form.cleaned_data["status"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "can_import": has_perm(request.user, roles.PAY_RUN)}
    if request.htmx and request.htmx.target == "results":
        return render(request, "performance/import_list_results.html", context)
    return render(request, "performance/import_list.html", context)


@login_required
def import_create(request):
    if not has_perm(request.user, roles.PAY_RUN):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                imp = services_import.import_start(
                    actor=request.user,
                    branch=data.get("branch"),
                    month=data["month"],
                    upload=data["file"],
                    accept_good_rows=data.get("accept_good_rows", False),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The file is uploaded; its import is under way."))
                return redirect(imp.get_absolute_url())
    return render(request, "performance/import_form.html", {"form": form}, status=status)


def _versions(user, imp: CrmImport):
    """The month's imports that touch the same branch (or any branch, for a firm-wide file)."""
    qs = import_queryset(user).filter(month=imp.month)
    if imp.branch_id:
        qs = qs.filter(Q(branch_id=imp.branch_id) | Q(branch__isnull=True))
    return qs.order_by("-uploaded_at", "-id")


@login_required
def import_detail(request, pk):
    imp = _get(request, pk)
    errors = Paginator(imp.errors.order_by("line", "id"), ERRORS_PAGE_SIZE).get_page(request.GET.get("page"))
    if request.htmx and request.htmx.target == "errors":
        return render(request, "performance/import_errors.html", {"imp": imp, "errors": errors})
    may_accept = (
        imp.status == CrmImport.Status.INVALID
        and imp.rows_total > imp.rows_bad
        and can(request.user, roles.PAY_RUN, imp)
    )
    context = {
        "imp": imp,
        "running": imp.status in RUNNING,
        "errors": errors,
        "reconciliation": services_import.reconciliation(imp) if imp.status == CrmImport.Status.DONE else [],
        "versions": _versions(request.user, imp),
        "accept_form": AcceptForm() if may_accept else None,
    }
    return render(request, "performance/import_detail.html", context)


@login_required
def import_progress(request, pk):
    """The progress bar alone, polled by htmx; once the import has finished the page reloads."""
    imp = _get(request, pk)
    response = render(
        request, "performance/import_progress.html", {"imp": imp, "running": imp.status in RUNNING}
    )
    if imp.status not in RUNNING and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_accept(request, pk):
    imp = _get(request, pk)
    if not can(request.user, roles.PAY_RUN, imp):
        raise Http404
    form = AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm that only the good rows are to be imported."))
        return redirect(imp.get_absolute_url())
    try:
        services_import.import_accept_good_rows(actor=request.user, crm_import=imp)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The good rows are being imported."))
    return redirect(imp.get_absolute_url())


class _Echo:
    def write(self, value):
        return value


@login_required
def import_errors_csv(request, pk):
    """Every bad row as CSV (line, column, reason), for fixing the file in a spreadsheet."""
    imp = _get(request, pk)
    writer = csv.writer(_Echo())
    rows = ImportRowError.objects.filter(crm_import=imp).order_by("line", "id")

    def stream():
        yield "\ufeff"  # so that Excel reads the Chinese as UTF-8
        yield writer.writerow([_("line"), _("column"), _("reason")])
        for line, column, message in rows.values_list("line", "column", "message").iterator(chunk_size=5000):
            yield writer.writerow([line, column, message])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="crm-import-{imp.pk}-errors.csv"'
    return response


@login_required
def import_template(request):
    """A CSV with the header and one example row."""
    if not has_perm(request.user, roles.PAY_RUN):
        raise Http404
    example = "月份,客户号,客户经理工号,开户日期,新开户,净收入,日均资产,月末资产\n"
    example += "2026-10,880000001,BJ0001,2026-10-08,1,1234.56,500000.00,520000.00\n"
    response = HttpResponse("\ufeff" + example, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="crm-template.csv"'
    return response


def detail_url(imp) -> str:
    return reverse("performance:import-detail", args=[imp.pk])


urlpatterns = [
    path("imports/", import_list, name="import-list"),
    path("imports/new/", import_create, name="import-create"),
    path("imports/template.csv", import_template, name="import-template"),
    path("imports/<int:pk>/", import_detail, name="import-detail"),
    path("imports/<int:pk>/progress/", import_progress, name="import-progress"),
    path("imports/<int:pk>/accept/", import_accept, name="import-accept"),
    path("imports/<int:pk>/errors.csv", import_errors_csv, name="import-errors-csv"),
]
