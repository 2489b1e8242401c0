"""Pages of the monthly pay report (薪酬月报表, 第十五条): the runs in scope, one run as the
people × components table with its versions and signatures, finance's review, sending it
for signing, corrections with their differences, the Excel workbook and the printable page.

Readers: ``pay.view`` (the branch's accountant, deputy and manager; the integrated office
company-wide). Writers: ``pay.run`` (finance). Signing happens in the approvals inbox.
"""

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

from brokerdesk.access.roles import PAY_RUN, PAY_VIEW
from brokerdesk.access.scope import can, has_perm
from brokerdesk.approvals.services import inbox
from brokerdesk.core.views import add_service_errors
from brokerdesk.performance import selectors_report as sel
from brokerdesk.performance import services_report as svc
from brokerdesk.performance.exports_report import report_response, report_title, signer_text, version_label
from brokerdesk.performance.forms_report import ComputeForm, CorrectForm, ReviewForm, RunFilterForm
from brokerdesk.performance.models import PayRun


def _errors(exc) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


@login_required
def run_list(request):
    if not has_perm(request.user, PAY_VIEW):
        raise Http404
    form = RunFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = sel.run_list(user=request.user, filters=filters)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    template = "performance/run_list_results.html" if request.htmx else "performance/run_list.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "may_compute": has_perm(request.user, PAY_RUN)},
    )


def _get(request, pk, perm=PAY_VIEW) -> PayRun:
    return sel.run_get_for_user(user=request.user, pk=pk, perm=perm)


def _detail(request, run: PayRun, status=200, review_form=None, correct_form=None):
    user = request.user
    may_run = can(user, PAY_RUN, run)
    chain = sel.version_chain(run)
    corrections = [r for r in chain if r.corrects_id == run.pk and r.status != PayRun.Status.SUPERSEDED]
    latest_signed = max((r.version for r in chain if r.status == PayRun.Status.SIGNED), default=None)
    open_correction = any(
        r.status not in (PayRun.Status.SIGNED, PayRun.Status.SUPERSEDED) for r in corrections
    )
    my_task = None
    if run.status == PayRun.Status.SIGNING and run.approval_id:
        my_task = inbox(user).filter(request_id=run.approval_id).first()
    table = sel.with_slip_urls(sel.report_table(run))
    context = {
        "run": run,
        "table": table,
        "components": sel.component_labels(),
        "chain": chain,
        "corrections": corrections,
        "signatures": [(s, signer_text(s)) for s in sel.signatures(run)],
        "trail": sel.trail(run),
        "version_label": version_label(run),
        "title": report_title(),
        "may_review": may_run and run.status in svc.EDITABLE,
        "may_recompute": may_run and run.status in svc.RECOMPUTABLE,
        "may_submit": may_run and run.status == PayRun.Status.REVIEWED,
        "may_correct": may_run
        and run.status == PayRun.Status.SIGNED
        and run.version == latest_signed
        and not open_correction,
        "my_task": my_task,
        "review_form": review_form or ReviewForm(),
        "correct_form": correct_form or CorrectForm(),
    }
    return render(request, "performance/run_detail.html", context, status=status)


@login_required
def run_detail(request, pk):
    return _detail(request, _get(request, pk))


def _refused(request, run, exc, status=400, **forms):
    messages.error(request, _errors(exc))
    return _detail(request, sel.run_get_for_user(user=request.user, pk=run.pk), status=status, **forms)


@login_required
@require_POST
def run_review(request, pk):
    run = _get(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _detail(request, run, status=400, review_form=form)
    try:
        svc.run_review(actor=request.user, run=run, note=form.cleaned_data["note"])
    except PermissionDenied as exc:
        return _refused(request, run, exc, status=403)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            add_service_errors(form, exc)
            return _detail(request, run, status=400, review_form=form)
        return _refused(request, run, exc)
    messages.success(request, _("The pay report is reviewed; send it for signing when ready."))
    return redirect(run.get_absolute_url())


@login_required
@require_POST
def run_submit(request, pk):
    run = _get(request, pk)
    try:
        svc.run_submit(actor=request.user, run=run)
    except PermissionDenied as exc:
        return _refused(request, run, exc, status=403)
    except ValidationError as exc:
        return _refused(request, run, exc)
    messages.success(request, _("The pay report is sent for signing. Sign the first step in your inbox."))
    return redirect(run.get_absolute_url())


@login_required
@require_POST
def run_recompute(request, pk):
    run = _get(request, pk)
    try:
        new = svc.run_recompute(actor=request.user, run=run)
    except PermissionDenied as exc:
        return _refused(request, run, exc, status=403)
    except ValidationError as exc:
        return _refused(request, run, exc)
    messages.success(request, _("The pay is computed again."))
    return redirect(new.get_absolute_url())


@login_required
@require_POST
def run_correct(request, pk):
    run = _get(request, pk)
    form = CorrectForm(request.POST)
    if not form.is_valid():
        return _detail(request, run, status=400, correct_form=form)
    try:
        new = svc.run_correct(actor=request.user, run=run, reason=form.cleaned_data["reason"])
    except PermissionDenied as exc:
        return _refused(request, run, exc, status=403)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            add_service_errors(form, exc)
            return _detail(request, run, status=400, correct_form=form)
        return _refused(request, run, exc)
    messages.success(
        request,
        _("Correction v%(version)s is computed. Check the differences, review it and send it for signing.")
        % {"version": new.version},
    )
    return redirect("performance:run-differences", new.pk)


@login_required
def run_differences(request, pk):
    run = _get(request, pk)
    if run.corrects_id is None:
        raise Http404
    diff = sel.run_differences(run)
    return render(request, "performance/run_diff.html", {"run": run, "diff": diff})


@login_required
def run_export(request, pk):
    return report_response(_get(request, pk))


@login_required
def run_print(request, pk):
    run = _get(request, pk)
    context = {
        "run": run,
        "table": sel.report_table(run),
        "components": sel.component_labels(),
        "signatures": [(s, signer_text(s)) for s in sel.signatures(run)],
        "version_label": version_label(run),
        "title": report_title(),
        "printed_at": timezone.now(),
        "prepared_by": sel.person_name(run.computed_by),
        "reviewer": sel.person_name(run.reviewed_by),
    }
    return render(request, "performance/run_print.html", context)


@login_required
def run_compute(request):
    """Finance computes a branch's month (the pay engine does the work)."""
    if not has_perm(request.user, PAY_RUN):
        raise Http404
    form = ComputeForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = svc.run_compute_month(actor=request.user, branch=data["branch"], month=data["month"])
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The pay of the month is computed."))
                return redirect(run.get_absolute_url())
    return render(request, "performance/run_compute.html", {"form": form}, status=status)


urlpatterns = [
    path("runs/", run_list, name="run-list"),
    path("runs/compute/", run_compute, name="run-compute"),
    path("runs/<int:pk>/", run_detail, name="run-detail"),
    path("runs/<int:pk>/review/", run_review, name="run-review"),
    path("runs/<int:pk>/submit/", run_submit, name="run-submit"),
    path("runs/<int:pk>/recompute/", run_recompute, name="run-recompute"),
    path("runs/<int:pk>/correct/", run_correct, name="run-correct"),
    path("runs/<int:pk>/differences/", run_differences, name="run-differences"),
    path("runs/<int:pk>/export/", run_export, name="run-export"),
    path("runs/<int:pk>/print/", run_print, name="run-print"),
]
