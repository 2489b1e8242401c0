"""Personnel archive pages: the list of files in scope, one person's file, and the keeper's
forms (documents, verification, contracts, qualifications, rewards and punishments).

Every page fetches through the scope (第二十五条): a client manager or a regional manager
reaches only their own file; another person's file answers 404. Changes need
``people.archive`` over the person, verification ``people.verify``; the services check
again, so a hand-made POST is refused too.
"""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access.roles import ARCHIVE_CHANGE, ARCHIVE_VERIFY
from brokerdesk.access.sensitive import log_access
from brokerdesk.core.files import attachment_response
from brokerdesk.core.views import add_service_errors
from brokerdesk.org.views import client_ip
from brokerdesk.people import forms_archive as forms
from brokerdesk.people import selectors_archive as selectors
from brokerdesk.people import services_archive as services
from brokerdesk.people.models_archive import SINGLE_SLOTS, ArchiveDocument, DocumentDownload, Slot


def _file_for_change(request, pk):
    """The person's file if the user keeps it (404 otherwise: outside the scope, or own file
    without the permission)."""
    return selectors.file_get(user=request.user, pk=pk, perm=ARCHIVE_CHANGE)


def _bound(request) -> tuple:
    """Form data of a POST (even an empty one: every field of a renewal may be left out)."""
    if request.method == "POST":
        return (request.POST, request.FILES)
    return (None, None)


def _form_page(request, *, staff, form, title, submit=None, intro=""):
    return render(
        request,
        "people/archive_form.html",
        {"staff": staff, "form": form, "title": title, "submit": submit or _("Save"), "intro": intro},
    )


# --- the list ---------------------------------------------------------------------------


@login_required
def file_list(request):
    form = forms.FileFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.file_list(user=request.user, filters=filters)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    context = {
        "filter": SimpleNamespace(form=form),
        "page": page,
        "flags": selectors.flags_for(page.object_list),
        "n_required": len(selectors.REQUIRED_SLOTS),
    }
    template = "people/_file_table.html" if request.htmx else "people/file_list.html"
    return render(request, template, context)


@login_required
def my_file(request):
    own = selectors.own_file(request.user)
    if own is None:
        raise Http404
    return redirect("people:file-detail", own.pk)


# --- one file ---------------------------------------------------------------------------


def _training_partial() -> str | None:
    try:
        get_template("people/_file_training.html")
    except TemplateDoesNotExist:
        return None
    return "people/_file_training.html"


@login_required
def file_detail(request, pk):
    staff = selectors.file_get(user=request.user, pk=pk)
    today = timezone.localdate()
    slots = selectors.file_slots(staff)
    may_keep = services.may_keep(request.user, staff)
    may_verify = services.may_verify(request.user, staff)
    context = {
        "staff": staff,
        "today": today,
        "slots": slots,
        "summary": selectors._summary(staff, slots, today),
        "contracts": selectors.contracts_of(staff),
        "qualifications": selectors.qualifications_of(staff),
        "rewards": selectors.rewards_punishments_of(staff),
        "assessments": selectors.assessments_of(staff),
        "training_records": selectors.training_of(staff),
        "training_partial": _training_partial(),
        "may_keep": may_keep,
        "may_verify": may_verify,
        "single_slots": [s.value for s in SINGLE_SLOTS],
        "is_own": staff.user_id == request.user.pk,
        "downloads": selectors.downloads_of(user=request.user, staff=staff, limit=10),
        "warn_days": selectors.warn_days(),
    }
    return render(request, "people/file_detail.html", context)


@login_required
def download_log(request, pk):
    staff = selectors.file_get(user=request.user, pk=pk)
    rows = selectors.downloads_of(user=request.user, staff=staff, limit=500)
    return render(request, "people/download_log.html", {"staff": staff, "rows": rows})


# --- documents --------------------------------------------------------------------------


@login_required
def document_upload(request, pk):
    staff = _file_for_change(request, pk)
    initial = {"slot": request.GET.get("slot") or Slot.PHOTO, "replaces": request.GET.get("replaces")}
    form = forms.DocumentUploadForm(*_bound(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        replaces = None
        if d.get("replaces"):
            replaces = ArchiveDocument.objects.filter(pk=d["replaces"], staff=staff).first()
            if replaces is None:
                raise Http404
        try:
            services.document_upload(
                actor=request.user,
                staff=staff,
                slot=d["slot"],
                upload=d["file"],
                title=d["title"],
                note=d["note"],
                replaces=replaces,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The document was filed."))
            return redirect(staff.get_absolute_url() + "#slots")
    return _form_page(request, staff=staff, form=form, title=_("Upload a document"), submit=_("Upload"))


@login_required
def document_download(request, pk):
    """Serve one document after the scope check; every download is logged (第二十五条)."""
    doc = selectors.document_get(user=request.user, pk=pk)
    ip = client_ip(request)
    DocumentDownload.objects.create(document=doc, user=request.user, ip_address=ip, channel="page")
    log_access(user=request.user, obj=doc, field="file", ip_address=ip, channel="page")
    return attachment_response(doc.file, doc.file_name)


@login_required
def document_verify(request, pk):
    doc = selectors.document_get(user=request.user, pk=pk, perm=ARCHIVE_VERIFY)
    form = forms.VerifyForm(*_bound(request)[:1])
    if request.method == "POST" and form.is_valid():
        try:
            services.document_verify(actor=request.user, document=doc, note=form.cleaned_data["note"])
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not do this."))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The original is recorded as verified."))
            return redirect(doc.staff.get_absolute_url() + "#slots")
    return _form_page(
        request,
        staff=doc.staff,
        form=form,
        title=_("Verify the original: %(doc)s") % {"doc": doc.get_slot_display()},
        submit=_("Original verified"),
        intro=_("Confirm that you have seen the original and that this copy matches it (第二十条)."),
    )


# --- contracts --------------------------------------------------------------------------


@login_required
def contract_create(request, pk):
    staff = _file_for_change(request, pk)
    form = forms.ContractForm(*_bound(request), staff=staff)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.contract_create(
                actor=request.user,
                staff=staff,
                kind=d["kind"],
                starts_on=d["starts_on"],
                ends_on=d.get("ends_on"),
                signed_copy=d.get("signed_copy"),
                original_location=d.get("original_location") or "",
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The contract was recorded."))
            return redirect(staff.get_absolute_url() + "#contracts")
    return _form_page(request, staff=staff, form=form, title=_("New contract"))


@login_required
def contract_renew(request, pk):
    contract = selectors.contract_get(user=request.user, pk=pk, perm=ARCHIVE_CHANGE)
    form = forms.ContractRenewForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.contract_renew(
                actor=request.user,
                contract=contract,
                starts_on=d.get("starts_on"),
                ends_on=d.get("ends_on"),
                signed_copy=d.get("signed_copy"),
                original_location=d.get("original_location") or "",
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The renewal was recorded."))
            return redirect(contract.staff.get_absolute_url() + "#contracts")
    return _form_page(request, staff=contract.staff, form=form, title=_("Renew: %(c)s") % {"c": contract})


@login_required
def contract_edit(request, pk):
    contract = selectors.contract_get(user=request.user, pk=pk, perm=ARCHIVE_CHANGE)
    form = forms.ContractUpdateForm(
        *_bound(request), initial={"original_location": contract.original_location}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.contract_update(
                actor=request.user,
                contract=contract,
                original_location=d.get("original_location") or "",
                signed_copy=d.get("signed_copy"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The contract was updated."))
            return redirect(contract.staff.get_absolute_url() + "#contracts")
    return _form_page(request, staff=contract.staff, form=form, title=str(contract))


@login_required
def contract_terminate(request, pk):
    contract = selectors.contract_get(user=request.user, pk=pk, perm=ARCHIVE_CHANGE)
    form = forms.ContractTerminateForm(*_bound(request)[:1])
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_terminate(actor=request.user, contract=contract, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The contract was terminated."))
            return redirect(contract.staff.get_absolute_url() + "#contracts")
    return _form_page(request, staff=contract.staff, form=form, title=_("Terminate: %(c)s") % {"c": contract})


# --- qualifications ---------------------------------------------------------------------


@login_required
def qualification_create(request, pk):
    staff = _file_for_change(request, pk)
    form = forms.QualificationForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.qualification_create(
                actor=request.user,
                staff=staff,
                kind=d["kind"],
                name=d.get("name") or "",
                number=d["number"],
                issued_on=d["issued_on"],
                expires_on=d.get("expires_on"),
                authority=d.get("authority") or "",
                ce_hours=d.get("ce_hours") or 0,
                document=d.get("document"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The qualification was recorded."))
            return redirect(staff.get_absolute_url() + "#qualifications")
    return _form_page(request, staff=staff, form=form, title=_("New qualification"))


@login_required
def qualification_edit(request, pk):
    q = selectors.qualification_get(user=request.user, pk=pk, perm=ARCHIVE_CHANGE)
    form = forms.QualificationUpdateForm(
        *_bound(request),
        initial={"expires_on": q.expires_on, "ce_hours": q.ce_hours, "authority": q.authority},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.qualification_update(
                actor=request.user,
                qualification=q,
                expires_on=d.get("expires_on"),
                ce_hours=d.get("ce_hours"),
                authority=d.get("authority") or "",
                document=d.get("document"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The qualification was updated."))
            return redirect(q.staff.get_absolute_url() + "#qualifications")
    return _form_page(request, staff=q.staff, form=form, title=str(q))


@login_required
def qualification_revoke(request, pk):
    q = selectors.qualification_get(user=request.user, pk=pk, perm=ARCHIVE_CHANGE)
    form = forms.RevokeForm(*_bound(request)[:1])
    if request.method == "POST" and form.is_valid():
        try:
            services.qualification_revoke(actor=request.user, qualification=q, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The qualification is recorded as revoked."))
            return redirect(q.staff.get_absolute_url() + "#qualifications")
    return _form_page(request, staff=q.staff, form=form, title=_("Revoke: %(q)s") % {"q": q})


# --- rewards and punishments ------------------------------------------------------------


@login_required
def reward_create(request, pk):
    staff = _file_for_change(request, pk)
    form = forms.RewardForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.reward_record(actor=request.user, staff=staff, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect(staff.get_absolute_url() + "#rewards")
    return _form_page(request, staff=staff, form=form, title=_("New reward or punishment"))


@login_required
def reward_withdraw(request, pk):
    record = selectors.reward_get(user=request.user, pk=pk, perm=ARCHIVE_CHANGE)
    form = forms.WithdrawForm(*_bound(request)[:1])
    if request.method == "POST" and form.is_valid():
        try:
            services.reward_withdraw(actor=request.user, record=record, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The decision is recorded as withdrawn."))
            return redirect(record.staff.get_absolute_url() + "#rewards")
    return _form_page(request, staff=record.staff, form=form, title=_("Withdraw: %(r)s") % {"r": record})


urlpatterns = [
    path("staff/", file_list, name="file-list"),
    path("me/", my_file, name="file-mine"),
    path("staff/<int:pk>/", file_detail, name="file-detail"),
    path("staff/<int:pk>/downloads/", download_log, name="file-downloads"),
    path("staff/<int:pk>/upload/", document_upload, name="document-upload"),
    path("staff/<int:pk>/contracts/new/", contract_create, name="contract-create"),
    path("staff/<int:pk>/qualifications/new/", qualification_create, name="qualification-create"),
    path("staff/<int:pk>/rewards/new/", reward_create, name="reward-create"),
    path("documents/<int:pk>/download/", document_download, name="document-download"),
    path("documents/<int:pk>/verify/", document_verify, name="document-verify"),
    path("contracts/<int:pk>/renew/", contract_renew, name="contract-renew"),
    path("contracts/<int:pk>/edit/", contract_edit, name="contract-edit"),
    path("contracts/<int:pk>/terminate/", contract_terminate, name="contract-terminate"),
    path("qualifications/<int:pk>/edit/", qualification_edit, name="qualification-edit"),
    path("qualifications/<int:pk>/revoke/", qualification_revoke, name="qualification-revoke"),
    path("rewards/<int:pk>/withdraw/", reward_withdraw, name="reward-withdraw"),
]
