"""Training archive pages (员工培训档案, 第二十四条): programmes, sessions with their attendees
and results, and the training records each person may see (a client manager their own)."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access.roles import TRAINING_RECORD
from brokerdesk.access.scope import get_for_user, has_perm
from brokerdesk.core.views import add_service_errors
from brokerdesk.people import selectors_training as sel
from brokerdesk.people import services_training as svc
from brokerdesk.people.forms_training import (
    AttendeesForm,
    ProgrammeForm,
    RecordFilterForm,
    ResultFormSet,
    SessionFilterForm,
    SessionForm,
)
from brokerdesk.people.models_training import TrainingAttendance, TrainingProgramme, TrainingSession


@login_required
def session_list(request):
    form = SessionFilterForm(request.GET or None)
    rows = sel.session_list(user=request.user)
    if form.is_valid():
        d = form.cleaned_data
        if d.get("q"):
            rows = rows.filter(
                Q(programme__title__icontains=d["q"])
                | Q(content__icontains=d["q"])
                | Q(trainer_name__icontains=d["q"])
            )
        if d.get("category"):
            rows = rows.filter(programme__category=d["category"])
        if d.get("year"):
            rows = rows.filter(starts_at__year=d["year"])
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    context = {"page": page, "filter": form, "can_create": has_perm(request.user, TRAINING_RECORD)}
    template = "people/training_session_results.html" if request.htmx else "people/training_session_list.html"
    return render(request, template, context)


@login_required
def programme_list(request):
    rows = sel.programme_list(user=request.user)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "people/training_programme_list.html",
        {"page": page, "can_create": has_perm(request.user, TRAINING_RECORD)},
    )


@login_required
def programme_detail(request, pk):
    programme = get_for_user(request.user, sel.programme_list(user=request.user), pk)
    sessions = sel.session_list(user=request.user).filter(programme=programme)
    return render(
        request,
        "people/training_programme_detail.html",
        {
            "programme": programme,
            "sessions": sessions[:50],
            "may_edit": svc.may_keep_programme(request.user, branch_id=programme.branch_id),
            "can_create": has_perm(request.user, TRAINING_RECORD),
        },
    )


@login_required
def programme_form(request, pk=None):
    if not has_perm(request.user, TRAINING_RECORD):
        raise Http404
    programme = get_for_user(request.user, TrainingProgramme, pk) if pk else None
    form = ProgrammeForm(request.POST or None, instance=programme, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = svc.programme_save(actor=request.user, programme=form.instance)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The programme is saved."))
                return redirect(saved.get_absolute_url())
    title = _("Edit programme") if programme else _("New training programme")
    return render(
        request,
        "people/training_form.html",
        {
            "form": form,
            "title": title,
            "cancel": programme.get_absolute_url() if programme else None,
            "nav": "programmes",
        },
        status=status,
    )


@login_required
def session_form(request, pk=None):
    if not has_perm(request.user, TRAINING_RECORD):
        raise Http404
    session = get_for_user(request.user, TrainingSession, pk) if pk else None
    initial = {}
    if session is None and request.GET.get("programme", "").isdigit():
        initial["programme"] = int(request.GET["programme"])
    form = SessionForm(request.POST or None, instance=session, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = svc.session_save(actor=request.user, session=form.instance)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The session is saved; add its attendees."))
                return redirect(saved.get_absolute_url())
    title = _("Edit session") if session else _("New training session")
    return render(
        request,
        "people/training_form.html",
        {
            "form": form,
            "title": title,
            "cancel": session.get_absolute_url() if session else None,
            "nav": "sessions",
        },
        status=status,
    )


_ROW_KEY = re.compile(r"^rows-(\d+)-(\w+)$")


def _row_errors(formset, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        formset._non_form_errors = formset.error_class(exc.messages)
        return
    rest = []
    for key, errors in exc.error_dict.items():
        match = _ROW_KEY.match(key)
        if match and int(match.group(1)) < len(formset.forms):
            form = formset.forms[int(match.group(1))]
            field = match.group(2) if match.group(2) in form.fields else None
            for error in errors:
                form.add_error(field, error)
        else:
            rest.extend(m for e in errors for m in e.messages)
    if rest:
        formset._non_form_errors = formset.error_class(rest)


def _result_initial(rows) -> list[dict]:
    return [
        {
            "attendance": r.pk,
            "result": "" if r.result == TrainingAttendance.Result.PENDING else r.result,
            "score": r.score,
            "comment": r.comment,
        }
        for r in rows
    ]


@login_required
def session_detail(request, pk):
    user = request.user
    session = get_for_user(
        user,
        TrainingSession.objects.select_related(
            "programme", "branch", "team", "trainer", "results_confirmed_by__staff", "created_by__staff"
        ),
        pk,
    )
    attendances = list(
        sel.attendance_list(user=user)
        .filter(session=session)
        .select_related("staff__team", "candidate")
        .order_by("candidate_id", "staff__emp_no", "id")
    )
    may_record = sel.may_record(user, session)
    open_ = may_record and not session.is_confirmed
    ended = session.ends_at <= timezone.now()
    attendees_form = AttendeesForm(user=user, session=session) if open_ else None
    results = ResultFormSet(prefix="rows", initial=_result_initial(attendances)) if open_ and ended else None
    status = 200
    if request.method == "POST":
        if not open_:
            raise Http404
        which = request.POST.get("form")
        status = 400
        try:
            if which == "attendees":
                attendees_form = AttendeesForm(request.POST, user=user, session=session)
                if attendees_form.is_valid():
                    d = attendees_form.cleaned_data
                    svc.attendees_add(
                        actor=user,
                        session=session,
                        staff=d.get("staff") or [],
                        candidates=d.get("candidates") or [],
                    )
                    messages.success(request, _("The attendees are on the list."))
                    return redirect(session.get_absolute_url())
            elif which == "remove":
                row = next((a for a in attendances if str(a.pk) == request.POST.get("attendance")), None)
                if row is None:
                    raise Http404
                svc.attendee_remove(actor=user, attendance=row)
                messages.success(request, _("The attendee is taken off the list."))
                return redirect(session.get_absolute_url())
            elif which == "results":
                results = ResultFormSet(request.POST, prefix="rows", initial=_result_initial(attendances))
                if results.is_valid():
                    rows = [f.cleaned_data for f in results.forms if f.cleaned_data]
                    try:
                        svc.results_record(actor=user, session=session, rows=rows)
                    except ValidationError as exc:
                        _row_errors(results, exc)
                    else:
                        messages.success(request, _("The results are recorded."))
                        return redirect(session.get_absolute_url())
            elif which == "confirm":
                svc.results_confirm(actor=user, session=session)
                messages.success(request, _("The results are confirmed and no longer change."))
                return redirect(session.get_absolute_url())
            else:
                raise Http404
        except ValidationError as exc:
            target = attendees_form if which == "attendees" and attendees_form is not None else None
            if target is not None:
                add_service_errors(target, exc)
            else:
                messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
    rows = (
        list(zip(attendances, results.forms, strict=False))
        if results is not None
        else [(a, None) for a in attendances]
    )
    return render(
        request,
        "people/training_session_detail.html",
        {
            "session": session,
            "rows": rows,
            "results": results,
            "attendees_form": attendees_form,
            "may_record": may_record,
            "may_edit": open_,
            "ended": ended,
            "may_confirm": open_
            and ended
            and attendances
            and all(a.result != "pending" for a in attendances),
        },
        status=status,
    )


@login_required
def training_records(request):
    """Training records the user may see: a client manager their own, a team lead the team's…"""
    form = RecordFilterForm(request.GET or None)
    rows = (
        sel.attendance_list(user=request.user)
        .select_related("staff__branch")
        .order_by("-session__starts_at", "-id")
    )
    if form.is_valid():
        d = form.cleaned_data
        if d.get("q"):
            rows = rows.filter(
                Q(staff__name__icontains=d["q"])
                | Q(candidate__name__icontains=d["q"])
                | Q(session__programme__title__icontains=d["q"])
            )
        if d.get("result"):
            rows = rows.filter(result=d["result"])
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "people/training_records.html", {"page": page, "filter": form})


urlpatterns = [
    path("training/", session_list, name="training-session-list"),
    path("training/records/", training_records, name="training-records"),
    path("training/programmes/", programme_list, name="training-programme-list"),
    path("training/programmes/new/", programme_form, name="training-programme-create"),
    path("training/programmes/<int:pk>/", programme_detail, name="training-programme-detail"),
    path("training/programmes/<int:pk>/edit/", programme_form, name="training-programme-edit"),
    path("training/sessions/new/", session_form, name="training-session-create"),
    path("training/sessions/<int:pk>/", session_detail, name="training-session-detail"),
    path("training/sessions/<int:pk>/edit/", session_form, name="training-session-edit"),
]
