"""Confirmation forms (营销客户确认单, 第二十一条): the register of forms in scope, each form with its
signed copy, voiding and re-issuing, the printable form, and the monthly batches the
trade-management post archives (编制流水号，每月整理归档)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerdesk.access import roles
from brokerdesk.access.scope import can, get_for_user, has_perm, visible
from brokerdesk.clients import services
from brokerdesk.clients.forms_confirmations import BatchCloseForm, ConfirmationFilterForm, SignForm, VoidForm
from brokerdesk.clients.models import Client, ConfirmationBatch, ConfirmationForm
from brokerdesk.core.excel import workbook_response
from brokerdesk.core.files import attachment_response
from brokerdesk.core.views import add_service_errors


def _forms(user):
    return visible(user, ConfirmationForm).select_related("manager", "branch", "batch")


def _errors(exc) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


@login_required
def confirmation_list(request):
    """Every form in scope, newest month first; filter by month, status, manager."""
    form = ConfirmationFilterForm(request.GET or None, user=request.user)
    rows = _forms(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("month"):
            rows = rows.filter(month=data["month"])
        if data.get("status"):
            rows = rows.filter(status=data["status"])
        if data.get("manager"):
            rows = rows.filter(manager=data["manager"])
        if data.get("q"):
            text = data["q"].strip()
            rows = rows.filter(
                Q(serial_no__icontains=text) | Q(client_name__contains=text) | Q(client_no__startswith=text)
            )
    rows = rows.order_by("-month", "branch_id", "-sequence")
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "clients/confirmation_list.html",
        {
            "form": form,
            "page": page,
            "may_archive": has_perm(request.user, roles.CONFIRMATION_ARCHIVE),
            "sees_batches": bool(visible(request.user, ConfirmationBatch).exists()),
        },
    )


def _detail(request, cform: ConfirmationForm, status: int = 200, sign_form=None, void_form=None):
    user = request.user
    closed = cform.batch.closed
    live = cform.status != ConfirmationForm.Status.VOID
    may_file = services._may_file(user, cform)
    may_archive = can(user, roles.CONFIRMATION_ARCHIVE, cform)
    client = cform.client
    may_issue = (
        not live
        and client.status == Client.Status.ACTIVE
        and not client.confirmations.exclude(status=ConfirmationForm.Status.VOID).exists()
        and (can(user, roles.CLIENT_CHANGE, client) or can(user, roles.CONFIRMATION_ARCHIVE, client))
    )
    others = list(client.confirmations.exclude(pk=cform.pk).order_by("-id"))
    return render(
        request,
        "clients/confirmation_detail.html",
        {
            "cform": cform,
            "closed": closed,
            "may_sign": may_file and live and not closed,
            "may_void": may_archive and live and not closed,
            "may_issue": may_issue,
            "sign_form": sign_form or SignForm(),
            "void_form": void_form or VoidForm(),
            "others": others,
        },
        status=status,
    )


def _get(request, pk) -> ConfirmationForm:
    return get_for_user(request.user, _forms(request.user).select_related("client"), pk)


@login_required
def confirmation_detail(request, pk):
    return _detail(request, _get(request, pk))


@login_required
@require_POST
def confirmation_sign(request, pk):
    """File (or replace) the signed copy: the form's manager or the trade-management post."""
    cform = _get(request, pk)
    form = SignForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.confirmation_sign(
                actor=request.user, form=cform, upload=form.cleaned_data["signed_copy"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("The signed copy of %(serial)s is filed.") % {"serial": cform.serial_no}
            )
            return redirect(cform.get_absolute_url())
    return _detail(request, _get(request, pk), status=400, sign_form=form)


@login_required
def confirmation_file(request, pk):
    cform = _get(request, pk)
    if not cform.signed_copy:
        raise Http404
    suffix = cform.signed_copy_name.rsplit(".", 1)[-1] if "." in cform.signed_copy_name else "pdf"
    return attachment_response(cform.signed_copy, f"{cform.serial_no}.{suffix}")


@login_required
@require_POST
def confirmation_void(request, pk):
    cform = _get(request, pk)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.confirmation_void(
                actor=request.user, form=cform, reason=form.cleaned_data["void_reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Form %(serial)s is void.") % {"serial": cform.serial_no})
            return redirect(cform.get_absolute_url())
    return _detail(request, _get(request, pk), status=400, void_form=form)


@login_required
@require_POST
def confirmation_issue(request, client_pk):
    """Issue a new form for a client (after its form was voided) with the next serial number."""
    client = get_for_user(request.user, Client.objects.select_related("branch", "manager"), client_pk)
    back = request.POST.get("back", "")
    try:
        if client.confirmations.exclude(status=ConfirmationForm.Status.VOID).exists():
            raise ValidationError(_("This client already has a form that is not void."))
        cform = services.confirmation_issue(actor=request.user, client=client)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
        if back.isdigit():
            return redirect("clients:confirmation-detail", int(back))
        return redirect(client.get_absolute_url())
    messages.success(request, _("Form %(serial)s is issued.") % {"serial": cform.serial_no})
    return redirect(cform.get_absolute_url())


@login_required
def confirmation_print(request, pk):
    """The form on one A4 page, to print and have signed."""
    cform = _get(request, pk)
    return render(request, "clients/confirmation_print.html", {"cform": cform, "today": timezone.localdate()})


# --- monthly batches ---------------------------------------------------------------------------------


def _batches(user, perm=roles.VIEW):
    issued = ConfirmationForm.Status.ISSUED
    return (
        visible(user, ConfirmationBatch, perm)
        .select_related("branch", "closed_by__staff")
        .annotate(
            n_total=Count("forms"),
            n_issued=Count("forms", filter=Q(forms__status=issued)),
            n_signed=Count("forms", filter=Q(forms__status=ConfirmationForm.Status.SIGNED)),
            n_void=Count("forms", filter=Q(forms__status=ConfirmationForm.Status.VOID)),
        )
        .prefetch_related(
            Prefetch(
                "forms",
                queryset=ConfirmationForm.objects.filter(status=issued)
                .order_by("sequence")
                .only("pk", "serial_no", "batch_id", "sequence"),
                to_attr="unsigned",
            )
        )
        .order_by("-month", "branch__code")
    )


@login_required
def batch_list(request):
    """Per branch and month: forms issued, signed, void, and the serial numbers still unsigned."""
    page = Paginator(_batches(request.user), 25).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for batch in page.object_list:
        batch.month_over = batch.month < today.replace(day=1)
    return render(
        request,
        "clients/batch_list.html",
        {"page": page, "may_archive": has_perm(request.user, roles.CONFIRMATION_ARCHIVE)},
    )


def _batch(request, pk, perm=roles.VIEW) -> ConfirmationBatch:
    return get_for_user(request.user, _batches(request.user, perm), pk, perm)


@login_required
def batch_detail(request, pk, status=200, close_form=None):
    batch = _batch(request, pk)
    forms = list(batch.forms.select_related("manager").order_by("sequence"))
    today = timezone.localdate()
    return render(
        request,
        "clients/batch_detail.html",
        {
            "batch": batch,
            "forms": forms,
            "month_over": batch.month < today.replace(day=1),
            "may_close": not batch.closed and can(request.user, roles.CONFIRMATION_ARCHIVE, batch),
            "close_form": close_form or BatchCloseForm(),
        },
        status=status,
    )


@login_required
@require_POST
def batch_close(request, pk):
    batch = _batch(request, pk)
    form = BatchCloseForm(request.POST)
    if form.is_valid():
        try:
            services.batch_close(actor=request.user, batch=batch, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The month is archived."))
            return redirect("clients:batch-detail", batch.pk)
    return batch_detail(request, pk, status=400, close_form=form)


@login_required
def batch_export(request, pk):
    """The month's register of forms as Excel (流水号登记簿)."""
    batch = _batch(request, pk)
    forms = batch.forms.select_related("manager").order_by("sequence")
    headers = [
        _("serial number"),
        _("client number"),
        _("client name"),
        _("account opened on"),
        _("source"),
        _("client manager"),
        _("employee number"),
        _("issued at"),
        _("status"),
        _("signed copy filed at"),
        _("reason for voiding"),
    ]
    rows = [
        [
            f.serial_no,
            f.client_no,
            f.client_name,
            f.opened_on,
            f.source_label,
            f.manager.name,
            f.manager.emp_no,
            timezone.localtime(f.issued_at).replace(tzinfo=None),
            str(f.get_status_display()),
            timezone.localtime(f.signed_at).replace(tzinfo=None) if f.signed_at else None,
            f.void_reason,
        ]
        for f in forms
    ]
    name = f"{_('Confirmation forms')}-{batch.branch.code}-{batch.month:%Y%m}.xlsx"
    return workbook_response(name, [(f"{batch.branch.code} {batch.month:%Y-%m}", headers, rows)])


urlpatterns = [
    path("confirmations/", confirmation_list, name="confirmation-list"),
    path("confirmations/<int:pk>/", confirmation_detail, name="confirmation-detail"),
    path("confirmations/<int:pk>/sign/", confirmation_sign, name="confirmation-sign"),
    path("confirmations/<int:pk>/file/", confirmation_file, name="confirmation-file"),
    path("confirmations/<int:pk>/void/", confirmation_void, name="confirmation-void"),
    path("confirmations/<int:pk>/print/", confirmation_print, name="confirmation-print"),
    path("confirmations/issue/<int:client_pk>/", confirmation_issue, name="confirmation-issue"),
    path("confirmations/batches/", batch_list, name="batch-list"),
    path("confirmations/batches/<int:pk>/", batch_detail, name="batch-detail"),
    path("confirmations/batches/<int:pk>/close/", batch_close, name="batch-close"),
    path("confirmations/batches/<int:pk>/export/", batch_export, name="batch-export"),
]
