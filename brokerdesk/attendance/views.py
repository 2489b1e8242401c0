"""Attendance pages: one-tap check-in on a phone, my month, leave, missed punches, outing
forms and their checks, patrols, the recorder's hand entries and the monthly sheet."""

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
from brokerdesk.access.scope import get_for_user, has_perm
from brokerdesk.attendance import selectors, services
from brokerdesk.attendance.forms import (
    CorrectionForm,
    LeaveForm,
    OutingCheckForm,
    OutingForm,
    PatrolForm,
    RecordForm,
    SheetForm,
)
from brokerdesk.attendance.models import DailyRecord, LeaveRequest, Outing
from brokerdesk.attendance.rules import MARKS, Status
from brokerdesk.core.excel import workbook_response
from brokerdesk.core.views import add_service_errors
from brokerdesk.org.models import Staff


def _me(request) -> Staff | None:
    return Staff.objects.filter(user=request.user).select_related("outlet", "team", "branch").first()


def _run(form, fn):
    """Call a service; put its refusal on the form. True when it went through."""
    try:
        fn()
    except ValidationError as exc:
        add_service_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    else:
        return True
    return False


@login_required
def today(request):
    me = _me(request)
    record = DailyRecord.objects.filter(staff=me, day=timezone.localdate()).first() if me else None
    return render(request, "attendance/today.html", {"me": me, "record": record, "now": timezone.localtime()})


@login_required
@require_POST
def punch(request, kind):
    try:
        if kind == "in":
            services.check_in(actor=request.user)
            messages.success(
                request, _("Checked in at %(t)s.") % {"t": timezone.localtime().strftime("%H:%M")}
            )
        elif kind == "out":
            services.check_out(actor=request.user)
            messages.success(
                request, _("Checked out at %(t)s.") % {"t": timezone.localtime().strftime("%H:%M")}
            )
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("attendance:today")


def _month_param(request) -> dt.date:
    raw = request.GET.get("month", "")
    try:
        return dt.datetime.strptime(raw[:7], "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
def my_month(request):
    me = _me(request)
    if me is None:
        raise Http404
    month = _month_param(request)
    sheet = selectors.month_sheet(people=Staff.objects.filter(pk=me.pk), month=month, branch_id=me.branch_id)
    row = sheet.rows[0] if sheet.rows else None
    days = list(zip(sheet.days, row.cells, strict=True)) if row else []
    return render(
        request,
        "attendance/my_month.html",
        {
            "me": me,
            "month": month,
            "days": days,
            "row": row,
            "prev": (month - dt.timedelta(days=1)).replace(day=1),
            "next": (month + dt.timedelta(days=32)).replace(day=1),
            "statuses": STATUS_LABELS,
            "leave": selectors.my_leave(user=request.user)[:10],
        },
    )


@login_required
def leave_new(request):
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = {}
        if _run(
            form,
            lambda: result.setdefault(
                "leave", services.leave_request(actor=request.user, **form.cleaned_data)
            ),
        ):
            leave = result["leave"]
            if leave.is_late:
                messages.warning(
                    request, _("Submitted, marked late: less notice than this leave type needs.")
                )
            else:
                messages.success(request, _("Submitted for approval."))
            return redirect(leave.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(
        request, "core/record_form.html", {"form": form, "title": _("Request leave")}, status=status
    )


@login_required
def leave_list(request):
    mine = selectors.my_leave(user=request.user).order_by("-starts_on")[:50]
    team = (
        selectors.team_leave(user=request.user).order_by("-starts_on")
        if has_perm(request.user, roles.OUTING_CHECK)
        else []
    )
    page = Paginator(team, 25).get_page(request.GET.get("page")) if team != [] else None
    return render(request, "attendance/leave_list.html", {"mine": mine, "page": page})


@login_required
def leave_detail(request, pk):
    leave = get_for_user(
        request.user, LeaveRequest.objects.select_related("leave_type", "staff", "approval"), pk
    )
    return render(request, "attendance/leave_detail.html", {"leave": leave})


@login_required
def correction_new(request):
    form = CorrectionForm(request.POST or None)
    submitted = request.method == "POST" and form.is_valid()
    if submitted and _run(form, lambda: services.correction_request(actor=request.user, **form.cleaned_data)):
        messages.success(request, _("Submitted for approval."))
        return redirect("attendance:my-month")
    status = 400 if request.method == "POST" else 200
    return render(request, "core/record_form.html", {"form": form, "title": _("Missed punch")}, status=status)


@login_required
def outing_list(request):
    rows = selectors.outing_list(user=request.user).order_by("-starts_at")
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    seed, sample = None, []
    may_check = has_perm(request.user, roles.OUTING_CHECK)
    if may_check and request.GET.get("sample"):
        size = (
            max(1, min(50, int(request.GET.get("sample") or 5))) if request.GET.get("sample").isdigit() else 5
        )
        seed, sample = services.outing_sample(actor=request.user, size=size)
    return render(
        request,
        "attendance/outing_list.html",
        {
            "page": page,
            "may_check": may_check,
            "sample": sample,
            "seed": seed,
            "check_form": OutingCheckForm(),
        },
    )


@login_required
def outing_new(request):
    form = OutingForm(request.POST or None)
    submitted = request.method == "POST" and form.is_valid()
    if submitted and _run(form, lambda: services.outing_submit(actor=request.user, **form.cleaned_data)):
        messages.success(request, _("Submitted for approval."))
        return redirect("attendance:outing-list")
    status = 400 if request.method == "POST" else 200
    return render(request, "core/record_form.html", {"form": form, "title": _("Outing form")}, status=status)


@login_required
@require_POST
def outing_check(request, pk):
    outing = get_for_user(request.user, Outing, pk, roles.OUTING_CHECK)
    form = OutingCheckForm(request.POST)
    if form.is_valid() and _run(
        form,
        lambda: services.outing_check(
            actor=request.user,
            outing=outing,
            result=form.cleaned_data["check_result"],
            remark=form.cleaned_data["check_remark"],
        ),
    ):
        messages.success(request, _("The check is recorded."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("attendance:outing-list")


@login_required
def patrols(request):
    may_patrol = has_perm(request.user, roles.OUTING_CHECK)
    form = PatrolForm(request.POST or None, user=request.user) if may_patrol else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        status = 400
        if form.is_valid() and _run(
            form, lambda: services.patrol_record(actor=request.user, **form.cleaned_data)
        ):
            messages.success(request, _("The patrol is recorded."))
            return redirect("attendance:patrols")
    page = Paginator(selectors.patrol_list(user=request.user).order_by("-day", "-id"), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "attendance/patrols.html", {"form": form, "page": page}, status=status)


@login_required
def record(request):
    if not has_perm(request.user, roles.ATTENDANCE_RECORD):
        raise Http404
    form = RecordForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and _run(
            form, lambda: services.record_by_hand(actor=request.user, **form.cleaned_data)
        ):
            messages.success(request, _("Saved; the earlier version stays in the record's history."))
            return redirect("attendance:record")
    return render(
        request, "core/record_form.html", {"form": form, "title": _("Keep the daily sheet")}, status=status
    )


STATUS_LABELS = {
    Status.ON_TIME: _("On time"),
    Status.LATE: _("Late"),
    Status.EARLY: _("Early leave"),
    Status.LATE_AND_EARLY: _("Late and early"),
    Status.MISSING_PUNCH: _("Missing punch"),
    Status.ABSENT: _("Absent"),
    Status.LEAVE: _("On leave"),
    Status.OUTING: _("On outing"),
    Status.REST: _("Rest day"),
    Status.HOLIDAY: _("Holiday"),
    Status.PENDING: _("—"),
}
TOTAL_COLUMNS = [
    Status.ON_TIME,
    Status.LATE,
    Status.EARLY,
    Status.LATE_AND_EARLY,
    Status.MISSING_PUNCH,
    Status.ABSENT,
    Status.LEAVE,
    Status.OUTING,
]


@login_required
def sheet(request):
    if not (has_perm(request.user, roles.OUTING_CHECK) or has_perm(request.user, roles.ATTENDANCE_RECORD)):
        raise Http404
    form = SheetForm(request.GET or None, user=request.user)
    result = None
    if form.is_valid():
        month = form.cleaned_data["month"].replace(day=1)
        team, branch = form.cleaned_data["team"], form.cleaned_data["branch"]
        people = selectors.sheet_people(user=request.user, team=team, branch=branch, month=month)
        branch_id = branch.pk if branch else team.branch_id
        result = selectors.month_sheet(people=people, month=month, branch_id=branch_id)
        if request.GET.get("format") == "xlsx":
            return _sheet_excel(result, team or branch)
    return render(
        request,
        "attendance/sheet.html",
        {
            "form": form,
            "sheet": result,
            "labels": STATUS_LABELS,
            "total_columns": TOTAL_COLUMNS,
            "legend": [(MARKS[s], STATUS_LABELS[s]) for s in Status if MARKS[s]],
        },
    )


def _sheet_excel(result, unit):
    month = result.month
    title = _("%(unit)s attendance, %(y)s-%(m)02d") % {"unit": unit, "y": month.year, "m": month.month}
    weekday = "一二三四五六日"
    headers = (
        [_("employee number"), _("full name"), _("team")]
        + [f"{d.day}\n{weekday[d.weekday()]}" for d, _w, _h in result.days]
        + [str(STATUS_LABELS[s]) for s in TOTAL_COLUMNS]
        + [_("overtime (hours)"), _("late/early beyond quota"), _("deduction (¥)")]
    )
    rows = []
    for r in result.rows:
        rows.append(
            [r.staff.emp_no, r.staff.name, str(r.staff.team or "")]
            + r.marks
            + [r.totals.get(s, 0) for s in TOTAL_COLUMNS]
            + [r.overtime_hours, r.excess, r.deduction]
        )
    return workbook_response(f"{title}.xlsx", [(str(_("Attendance")), headers, rows)])
