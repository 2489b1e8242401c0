"""Recruitment pages (第二十、二十三条): candidates being considered and on probation, the
talent reserve, one candidate's page (documents and their authenticity check, pre-job
training, evaluation, decision, probation) and the conversion to regular staff.

Seen by the recruitment and archive roles of the candidate's branch and the company
departments; a client manager or team lead sees no candidate (404).
"""

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

from brokerdesk.access.roles import ARCHIVE_VERIFY, RECRUIT, TRAINING_RECORD, VIEW_SENSITIVE
from brokerdesk.access.scope import can, get_for_user, has_perm
from brokerdesk.access.sensitive import log_access
from brokerdesk.core.files import attachment_response
from brokerdesk.core.validators import mask_id_number, mask_mobile
from brokerdesk.core.views import add_service_errors
from brokerdesk.people import rules_archive
from brokerdesk.people import selectors_recruitment as sel
from brokerdesk.people import services_recruitment as svc
from brokerdesk.people.forms_recruitment import (
    CandidateFilterForm,
    CandidateForm,
    ConvertForm,
    DocumentCheckForm,
    DocumentUploadForm,
    EvaluationForm,
    ProbationForm,
    ProbationResultForm,
    ProposeForm,
    ReserveFilterForm,
    WithdrawForm,
)
from brokerdesk.people.models_recruitment import Candidate, CandidateDocument
from brokerdesk.people.rules_recruitment import default_probation_end


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


@login_required
def recruit_list(request):
    """Candidates being considered and on probation (or any status through the filter)."""
    form = CandidateFilterForm(request.GET or None, user=request.user)
    rows = sel.candidate_list(user=request.user)
    status = ""
    if form.is_valid():
        rows = sel.search(rows, form.cleaned_data.get("q"))
        status = form.cleaned_data.get("status") or ""
        if form.cleaned_data.get("branch"):
            rows = rows.filter(branch=form.cleaned_data["branch"])
    if status == "all":
        pass
    elif status:
        rows = rows.filter(status=status)
    else:
        rows = sel.in_process(rows)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    context = {"page": page, "filter": form, "can_create": has_perm(request.user, RECRUIT)}
    template = "people/recruit_list_results.html" if request.htmx else "people/recruit_list.html"
    return render(request, template, context)


@login_required
def recruit_reserve(request):
    """The talent reserve (人才储备): not hired or withdrawn, searchable, with their materials."""
    form = ReserveFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = sel.reserve_list(user=request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    context = {"page": page, "filter": form, "can_reactivate": has_perm(request.user, RECRUIT)}
    template = "people/recruit_reserve_results.html" if request.htmx else "people/recruit_reserve.html"
    return render(request, template, context)


@login_required
def recruit_form(request, pk=None):
    if not has_perm(request.user, RECRUIT):
        raise Http404
    candidate = get_for_user(request.user, Candidate, pk, RECRUIT) if pk else None
    if candidate is not None and candidate.status not in svc.EDITABLE:
        messages.error(request, _("Only an application still being considered can be changed."))
        return redirect(candidate.get_absolute_url())
    initial = {} if candidate else {"applied_on": timezone.localdate()}
    form = CandidateForm(request.POST or None, instance=candidate, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = svc.candidate_save(actor=request.user, candidate=form.instance)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The application is saved."))
                return redirect(saved.get_absolute_url())
    title = _("Edit application") if candidate else _("New candidate")
    return render(
        request,
        "people/recruit_form.html",
        {"form": form, "candidate": candidate, "title": title},
        status=status,
    )


def _forms(candidate: Candidate, bound: dict) -> dict:
    today = timezone.localdate()
    start = candidate.probation_starts_on or today
    defaults = {
        "upload": DocumentUploadForm(prefix="upload"),
        "check": None,
        "evaluate": EvaluationForm(
            prefix="evaluate",
            initial={
                "evaluation_score": candidate.evaluation_score,
                "evaluation_comment": candidate.evaluation_comment,
            },
        ),
        "propose": ProposeForm(
            prefix="propose",
            initial={
                "decision": candidate.decision or Candidate.Decision.PROBATION,
                "probation_starts_on": start,
                "probation_ends_on": candidate.probation_ends_on or default_probation_end(start),
                "note": candidate.decision_note,
            },
        ),
        "probation": ProbationForm(
            prefix="probation",
            initial={"starts_on": candidate.probation_starts_on, "ends_on": candidate.probation_ends_on},
        ),
        "assess": ProbationResultForm(prefix="assess"),
        "withdraw": WithdrawForm(prefix="withdraw"),
    }
    defaults.update(bound)
    return defaults


def _handle(request, candidate: Candidate, name: str):
    """Run one of the page's forms; returns (bound forms to show, error flag)."""
    user = request.user
    data, files = request.POST, request.FILES
    form_class = {
        "upload": DocumentUploadForm,
        "check": DocumentCheckForm,
        "evaluate": EvaluationForm,
        "propose": ProposeForm,
        "probation": ProbationForm,
        "assess": ProbationResultForm,
        "withdraw": WithdrawForm,
    }.get(name)
    if form_class is None:
        raise Http404
    form = form_class(data, files, prefix=name)
    if not form.is_valid():
        return {name: form}, None
    d = form.cleaned_data
    try:
        if name == "upload":
            svc.candidate_document_upload(actor=user, candidate=candidate, slot=d["slot"], upload=d["file"])
            done = _("The document is filed; the designated person checks it next.")
        elif name == "check":
            document = CandidateDocument.objects.filter(candidate=candidate, pk=d["document"]).first()
            if document is None:
                raise Http404
            svc.candidate_document_check(actor=user, document=document, result=d["result"], note=d["note"])
            done = _("The authenticity check is recorded.")
        elif name == "evaluate":
            svc.candidate_evaluate(
                actor=user, candidate=candidate, score=d["evaluation_score"], comment=d["evaluation_comment"]
            )
            done = _("The evaluation is recorded.")
        elif name == "propose":
            svc.candidate_propose(
                actor=user,
                candidate=candidate,
                decision=d["decision"],
                note=d["note"],
                probation_starts_on=d.get("probation_starts_on"),
                probation_ends_on=d.get("probation_ends_on"),
            )
            done = _("The decision is sent for approval.")
        elif name == "probation":
            svc.candidate_probation_set(
                actor=user, candidate=candidate, starts_on=d["starts_on"], ends_on=d["ends_on"]
            )
            done = _("The probation's dates are saved.")
        elif name == "assess":
            svc.candidate_probation_assess(
                actor=user, candidate=candidate, result=d["result"], comment=d["comment"]
            )
            done = _("The probation's result is recorded.")
        else:
            svc.candidate_withdraw(actor=user, candidate=candidate, note=d["note"])
            done = _("The application is withdrawn; the candidate stays in the talent reserve.")
    except ValidationError as exc:
        if name == "propose" and hasattr(exc, "error_dict"):
            # Blockers about documents, training or the evaluation are not fields of this form.
            for key in ("documents", "training", "evaluation"):
                for message in exc.error_dict.pop(key, []):
                    form.add_error(None, message)
        add_service_errors(form, exc)
        return {name: form}, None
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return {name: form}, None
    messages.success(request, done)
    return None, redirect(candidate.get_absolute_url())


@login_required
def recruit_detail(request, pk):
    candidate = get_for_user(request.user, sel.candidate_detail_queryset(user=request.user), pk)
    bound, status = {}, 200
    if request.method == "POST":
        bound, response = _handle(request, candidate, request.POST.get("form", ""))
        if response is not None:
            return response
        status = 400
        candidate = get_for_user(request.user, sel.candidate_detail_queryset(user=request.user), pk)
    user = request.user
    may_recruit = svc.may_recruit(user, candidate)
    reveal = request.GET.get("reveal") == "1" and can(user, VIEW_SENSITIVE, candidate)
    if reveal:
        for field in ("id_number", "mobile"):
            log_access(user=user, obj=candidate, field=field, ip_address=_client_ip(request))
    is_open = candidate.status in svc.DOCUMENTS_OPEN
    context = {
        "candidate": candidate,
        "forms": _forms(candidate, bound),
        "slots": sel.slot_rows(candidate),
        "pre_job": sel.pre_job_rows(candidate),
        "training_rows": list(candidate.training_records.all()),
        "id_number": candidate.id_number if reveal else mask_id_number(candidate.id_number),
        "mobile": candidate.mobile if reveal else mask_mobile(candidate.mobile),
        "may_reveal": not reveal and can(user, VIEW_SENSITIVE, candidate),
        "may_recruit": may_recruit,
        "may_edit": may_recruit and candidate.status in svc.EDITABLE,
        "may_upload": may_recruit and is_open,
        "may_check": is_open and svc.may_check(user, candidate),
        "may_propose": may_recruit and candidate.status == Candidate.Status.APPLIED,
        "blockers": svc.decision_blockers(candidate, Candidate.Decision.PROBATION)
        if candidate.status == Candidate.Status.APPLIED
        else {},
        "may_probation": may_recruit
        and candidate.status == Candidate.Status.PROBATION
        and candidate.probation_result == Candidate.ProbationResult.PENDING,
        "conversion_blockers": svc.conversion_blockers(candidate)
        if candidate.status == Candidate.Status.PROBATION
        else [],
        "may_convert": may_recruit and candidate.status == Candidate.Status.PROBATION,
        "may_reactivate": may_recruit and candidate.in_reserve and not hasattr(candidate, "next_application"),
        "may_train": has_perm(user, TRAINING_RECORD),
        "is_verifier": has_perm(user, ARCHIVE_VERIFY),
        "history": _history(candidate),
    }
    return render(request, "people/recruit_detail.html", context, status=status)


def _history(candidate: Candidate, limit: int = 30) -> list[dict]:
    """The application's change history, newest first, naming the fields each change touched
    (never their values: the ID number and mobile stay out of the trail)."""
    records = list(
        candidate.history.select_related("history_user__staff").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    rows = []
    for i, record in enumerate(records[:limit]):
        previous = records[i + 1] if i + 1 < len(records) else None
        fields = []
        if previous is not None and record.history_type == "~":
            for change in record.diff_against(previous).changes:
                field = Candidate._meta.get_field(change.field)
                fields.append(str(field.verbose_name))
        user = record.history_user
        who = getattr(getattr(user, "staff", None), "name", None) or (user.username if user else "")
        rows.append({"record": record, "who": who, "fields": fields})
    return rows


@login_required
def recruit_document_download(request, pk):
    document = CandidateDocument.objects.select_related("candidate").filter(pk=pk).first()
    if document is None:
        raise Http404
    get_for_user(request.user, Candidate, document.candidate_id)  # scope check, logged if refused
    log_access(user=request.user, obj=document, field="file", ip_address=_client_ip(request))
    return attachment_response(document.file, document.file_name)


@login_required
def recruit_convert(request, pk):
    candidate = get_for_user(request.user, Candidate.objects.select_related("branch", "team"), pk, RECRUIT)
    blockers = svc.conversion_blockers(candidate)
    if blockers:
        messages.error(request, " ".join(str(b) for b in blockers))
        return redirect(candidate.get_absolute_url())
    hired_on = max(candidate.probation_ends_on + dt.timedelta(days=1), timezone.localdate())
    initial = {
        "hired_on": hired_on,
        "team": candidate.team_id,
        "contract_starts_on": hired_on,
        "contract_ends_on": rules_archive.default_contract_end(hired_on),
    }
    form = ConvertForm(request.POST or None, request.FILES or None, candidate=candidate, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                staff = svc.candidate_convert(
                    actor=request.user,
                    candidate=candidate,
                    emp_no=d["emp_no"],
                    hired_on=d["hired_on"],
                    team=d.get("team"),
                    outlet=d.get("outlet"),
                    regional_manager=d.get("regional_manager"),
                    level=d.get("level"),
                    contract_starts_on=d["contract_starts_on"],
                    contract_ends_on=d["contract_ends_on"],
                    signed_copy=d.get("signed_copy"),
                    original_location=d.get("original_location") or "",
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("%(name)s is regular staff now; the first contract is on file.") % {"name": staff.name},
                )
                return redirect(candidate.get_absolute_url())
    kind = rules_archive.contract_kind_for(candidate.employment_type)
    return render(
        request,
        "people/recruit_convert.html",
        {"form": form, "candidate": candidate, "contract_kind": kind},
        status=status,
    )


@login_required
def recruit_reactivate(request, pk):
    if request.method != "POST":
        raise Http404
    candidate = get_for_user(request.user, Candidate, pk, RECRUIT)
    try:
        fresh = svc.candidate_reactivate(actor=request.user, candidate=candidate)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(candidate.get_absolute_url())
    messages.success(request, _("A new application is opened with the candidate's details and documents."))
    return redirect(fresh.get_absolute_url())


urlpatterns = [
    path("recruitment/", recruit_list, name="recruit-list"),
    path("recruitment/reserve/", recruit_reserve, name="recruit-reserve"),
    path("recruitment/new/", recruit_form, name="recruit-create"),
    path("recruitment/<int:pk>/", recruit_detail, name="recruit-detail"),
    path("recruitment/<int:pk>/edit/", recruit_form, name="recruit-edit"),
    path("recruitment/<int:pk>/convert/", recruit_convert, name="recruit-convert"),
    path("recruitment/<int:pk>/reactivate/", recruit_reactivate, name="recruit-reactivate"),
    path(
        "recruitment/documents/<int:pk>/download/",
        recruit_document_download,
        name="recruit-document-download",
    ),
]
