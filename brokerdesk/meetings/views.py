"""Meeting pages: the team's meetings with its missed ones, recording a meeting on a phone, one
meeting's minutes with its history, and the branch's overview of missed meetings per team."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.scope import has_perm
from brokerdesk.core.views import add_service_errors
from brokerdesk.meetings import rules, selectors, services
from brokerdesk.meetings.forms import MeetingFilterForm, MeetingForm, PickForm, decision_formset
from brokerdesk.meetings.models import Meeting

MAX_PERIOD_DAYS = 186


def _period(filters: dict, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the missed-meeting flags: the filter's, or last month and this month so far;
    never after yesterday (today counts once it is over), never longer than half a year."""
    start, end = selectors.default_period(today)
    end = min(filters.get("end") or end, today - dt.timedelta(days=1))
    start = filters.get("start") or start
    if start > end or (end - start).days > MAX_PERIOD_DAYS:
        start = max(end - dt.timedelta(days=MAX_PERIOD_DAYS), rules.month_start(end))
    return start, end


def _filters(request):
    form = MeetingFilterForm(request.GET or None, user=request.user)
    return form, (form.cleaned_data if form.is_valid() else {})


@login_required
def meeting_list(request):
    """Meetings in scope, newest first; above them, the missed meetings of the user's own team."""
    form, filters = _filters(request)
    page = Paginator(selectors.meeting_list(user=request.user, filters=filters), 25).get_page(
        request.GET.get("page")
    )
    start, end = _period(filters, timezone.localdate())
    own = list(
        selectors.overview_teams(user=request.user).filter(pk__in=selectors.own_team_ids(user=request.user))
    )
    return render(
        request,
        "meetings/list.html",
        {
            "form": form,
            "page": page,
            "missed": selectors.missed_rows(teams=own, start=start, end=end),
            "start": start,
            "end": end,
            "can_record": has_perm(request.user, roles.MEETING_CHANGE),
        },
    )


@login_required
def overview(request):
    """Per team in scope: the morning, weekly and monthly meetings it missed in a period."""
    form, filters = _filters(request)
    start, end = _period(filters, timezone.localdate())
    teams = selectors.overview_teams(user=request.user, team=filters.get("team"))
    page = Paginator(teams, 25).get_page(request.GET.get("page"))
    rows = selectors.missed_rows(teams=list(page), start=start, end=end)
    return render(
        request,
        "meetings/overview.html",
        {"form": form, "page": page, "rows": rows, "start": start, "end": end},
    )


def _team_and_kind(request, teams):
    """The team (in the user's recording scope, else 404) and kind from ?team=&kind=."""
    raw = request.GET.get("team") or request.POST.get("team")
    kind = request.GET.get("kind") or request.POST.get("kind") or rules.MORNING
    if kind not in rules.KINDS:
        kind = rules.MORNING
    if not raw:
        only = list(teams[:2])
        return (only[0] if len(only) == 1 else None), kind
    if not str(raw).isdigit():
        raise Http404
    team = teams.filter(pk=raw).first()
    if team is None:
        raise Http404
    return team, kind


@login_required
def record(request):
    """Record a meeting of a team the user may record: ?team=&kind= (morning by default)."""
    if not has_perm(request.user, roles.MEETING_CHANGE):
        raise Http404
    teams = selectors.recordable_teams(user=request.user)
    team, kind = _team_and_kind(request, teams)
    if team is None:
        pick = PickForm(request.GET or None, teams=teams)
        return render(request, "meetings/pick.html", {"form": pick})
    form = MeetingForm(request.POST or None, team=team, kind=kind)
    decisions = decision_formset(request.POST or None, team=team)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and decisions.is_valid():
            try:
                services.meeting_record(
                    actor=request.user,
                    team=team,
                    kind=kind,
                    held_on=form.cleaned_data["held_on"],
                    chair=form.cleaned_data["chair"],
                    minutes=form.minutes(),
                    attendance=form.attendance_rows(),
                    decisions=decisions.rows(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The meeting is recorded."))
                return redirect(f"{reverse('meetings:list')}?team={team.pk}")
    return render(
        request,
        "meetings/form.html",
        {
            "form": form,
            "decisions": decisions,
            "team": team,
            "kind": kind,
            "kind_label": Meeting.Kind(kind).label,
            "title": _("Record a meeting"),
            "kinds": Meeting.Kind.choices,
            "meeting": None,
        },
        status=status,
    )


def _history_row(record, previous) -> dict:
    """One version of the meeting with what changed from the one before: the chair, and each
    agenda part's minutes (old → new)."""
    changes = []
    if previous is not None and record.history_type == "~":
        if record.chair_id != previous.chair_id:
            changes.append({"field": _("chaired by"), "old": previous.chair.name, "new": record.chair.name})
        labels = dict(rules.AGENDA.get(record.kind, []))
        old, new = previous.minutes or {}, record.minutes or {}
        for code in labels:
            if old.get(code, "") != new.get(code, ""):
                changes.append({"field": labels[code], "old": old.get(code, ""), "new": new.get(code, "")})
    user = record.history_user
    who = (
        (getattr(getattr(user, "staff", None), "name", None) or user.get_username()) if user else _("system")
    )
    return {"record": record, "changes": changes, "who": who}


@login_required
def detail(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    history = list(
        meeting.history.select_related("history_user__staff").order_by("-history_date", "-history_id")
    )
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "attendance": list(meeting.attendance.all()),
            "decisions": list(meeting.decisions.all()),
            "may_edit": services.meeting_may_change(meeting, user=request.user),
            "history": [
                _history_row(r, history[i + 1] if i + 1 < len(history) else None)
                for i, r in enumerate(history)
            ],
        },
    )


@login_required
def edit(request, pk):
    """Correct the minutes: the recorder, on the day they were recorded."""
    meeting = selectors.meeting_get(user=request.user, pk=pk, perm=roles.MEETING_CHANGE)
    if not services.meeting_may_change(meeting, user=request.user):
        messages.info(request, _("These minutes are locked and can no longer be changed."))
        return redirect(meeting.get_absolute_url())
    team = meeting.team
    form = MeetingForm(request.POST or None, team=team, kind=meeting.kind, meeting=meeting)
    decisions = decision_formset(request.POST or None, team=team, meeting=meeting)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and decisions.is_valid():
            try:
                services.meeting_update(
                    actor=request.user,
                    meeting=meeting,
                    chair=form.cleaned_data["chair"],
                    minutes=form.minutes(),
                    attendance=form.attendance_rows(),
                    decisions=decisions.rows(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The minutes are saved."))
                return redirect(meeting.get_absolute_url())
    return render(
        request,
        "meetings/form.html",
        {
            "form": form,
            "decisions": decisions,
            "team": team,
            "kind": meeting.kind,
            "kind_label": meeting.get_kind_display(),
            "title": _("Correct the minutes"),
            "meeting": meeting,
        },
        status=status,
    )
