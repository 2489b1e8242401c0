"""Monthly batches of the archive register (每月整理归档): each branch's months with their counts,
one month's entries, closing it, and its printable index (卷内目录) and Excel register."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerdesk.access import roles
from brokerdesk.access.scope import can, get_for_user, has_perm
from brokerdesk.archives import rules_register as rules
from brokerdesk.archives import selectors, services
from brokerdesk.archives.forms import BatchFilterForm, CloseForm
from brokerdesk.archives.models_register import RegisterBatch
from brokerdesk.core.excel import workbook_response
from brokerdesk.core.views import add_service_errors

PAGE_SIZE = 25


@login_required
def batch_list(request):
    """Every month of every branch in scope: entries filed and withdrawn, originals out, closed."""
    form = BatchFilterForm(request.GET or None, user=request.user)
    rows = selectors.batches_in_scope(request.user)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        if d.get("branch"):
            rows = rows.filter(branch=d["branch"])
        if d.get("month"):
            rows = rows.filter(month=d["month"])
        if d.get("state") == "open":
            rows = rows.filter(closed_at__isnull=True)
        elif d.get("state") == "closed":
            rows = rows.filter(closed_at__isnull=False)
    page = selectors.CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for batch in page.object_list:
        batch.closable = not batch.closed and rules.may_close(batch.month, today)
    return render(
        request,
        "archives/batch_list.html",
        {
            "form": form,
            "page": page,
            "cap": selectors.COUNT_CAP,
            "may_file": has_perm(request.user, roles.REGISTER_FILE),
        },
    )


def _batch(request, pk, perm=roles.VIEW) -> RegisterBatch:
    return get_for_user(request.user, selectors.batches_in_scope(request.user, perm), pk, perm)


def _entries(batch: RegisterBatch):
    return batch.entries.select_related("custodian").order_by("kind", "sequence")


@login_required
def batch_detail(request, pk, status=200, close_form=None):
    batch = _batch(request, pk)
    today = timezone.localdate()
    return render(
        request,
        "archives/batch_detail.html",
        {
            "batch": batch,
            "entries": list(_entries(batch)),
            "month_over": rules.may_close(batch.month, today),
            "may_close": not batch.closed and can(request.user, roles.REGISTER_FILE, batch),
            "close_form": close_form or CloseForm(),
        },
        status=status,
    )


@login_required
@require_POST
def batch_close(request, pk):
    batch = _batch(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.batch_close(actor=request.user, batch=batch, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The month is closed."))
            return redirect("archives:batch-detail", batch.pk)
    return batch_detail(request, pk, status=400, close_form=form)


@login_required
def batch_print(request, pk):
    """The month's index on A4, to print and put at the front of the folder (做好表头)."""
    batch = _batch(request, pk)
    return render(
        request,
        "archives/batch_print.html",
        {"batch": batch, "entries": list(_entries(batch)), "today": timezone.localdate()},
    )


@login_required
def batch_export(request, pk):
    """The month's register as Excel (流水号登记簿)."""
    batch = _batch(request, pk)
    headers = [
        _("serial number"),
        _("kind"),
        _("title"),
        _("pages"),
        _("cabinet"),
        _("folder"),
        _("source record"),
        _("filed at"),
        _("custodian"),
        _("status"),
        _("corrects"),
    ]
    rows = [
        [
            e.serial_no,
            str(e.get_kind_display()),
            e.title,
            e.pages,
            e.cabinet,
            e.folder,
            e.source_ref,
            timezone.localtime(e.filed_at).replace(tzinfo=None),
            e.custodian.name if e.custodian else _("The archive room"),
            str(e.get_status_display()),
            e.corrects.serial_no if e.corrects_id else "",
        ]
        for e in _entries(batch).select_related("corrects")
    ]
    name = f"{_('Archive register')}-{batch.branch.code}-{batch.month:%Y%m}.xlsx"
    return workbook_response(name, [(f"{batch.branch.code} {batch.month:%Y-%m}", headers, rows)])


urlpatterns = [
    path("batches/", batch_list, name="batch-list"),
    path("batches/<int:pk>/", batch_detail, name="batch-detail"),
    path("batches/<int:pk>/close/", batch_close, name="batch-close"),
    path("batches/<int:pk>/print/", batch_print, name="batch-print"),
    path("batches/<int:pk>/export/", batch_export, name="batch-export"),
]
