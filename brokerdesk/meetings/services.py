"""Every write of meetings: recording a team's meeting (第九条, 第十条) and correcting its minutes
on the day they were recorded.

The promises kept here: only a team's lead or its branch managers record its meetings; one
meeting of a kind per team and period (day, ISO week, month); attendees, chair and decision
owners are members of the team; minutes are locked once their day is over; every change is
kept in the history tables.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.scope import has_perm, visible
from brokerdesk.meetings import rules, selectors
from brokerdesk.meetings.models import Attendance, Decision, Meeting
from brokerdesk.org.models import Staff, Team

MAX_TEXT = 5000


@dataclass
class _Clean:
    minutes: dict[str, str]
    attendance: dict[int, tuple[bool, str]]  # staff id -> (present, note)
    decisions: list[dict]


def _pk(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, Staff):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _duplicate_message(team: Team, kind: str, held_on: dt.date) -> str:
    if kind == rules.MORNING:
        return _("%(team)s already has a morning meeting on %(day)s.") % {"team": team, "day": held_on}
    if kind == rules.WEEKLY:
        return _("%(team)s already has a weekly work meeting in the week of %(day)s.") % {
            "team": team,
            "day": rules.week_start(held_on),
        }
    return _("%(team)s already has a monthly summary meeting in %(month)s.") % {
        "team": team,
        "month": held_on.strftime("%Y-%m"),
    }


def _validate(
    *,
    team: Team,
    kind: str,
    held_on: dt.date,
    chair,
    minutes: Mapping[str, str] | None,
    attendance: Iterable[Mapping] | None,
    decisions: Iterable[Mapping] | None,
    errors: dict,
) -> _Clean:
    """Check everything but the date; collect field errors in ``errors``."""
    members = {s.pk: s for s in selectors.team_members(team)}

    chair_id = _pk(chair)
    if chair_id is None:
        errors["chair"] = _("Say who chaired the meeting.")
    elif chair_id not in members:
        errors["chair"] = _("The chair must be a member of the team.")

    minutes = minutes or {}
    clean_minutes = {}
    for code, _label in rules.AGENDA.get(kind, []):
        text = str(minutes.get(code) or "").strip()
        if not text:
            errors[f"minutes_{code}"] = _("Write the minutes of this part of the agenda.")
        elif len(text) > MAX_TEXT:
            errors[f"minutes_{code}"] = _("At most %(n)s characters.") % {"n": MAX_TEXT}
        clean_minutes[code] = text

    given: dict[int, tuple[bool, str]] = {}
    strangers = []
    for row in attendance or []:
        staff_id = _pk(row.get("staff"))
        if staff_id is None or staff_id not in members:
            strangers.append(str(row.get("staff")) if staff_id is None else staff_id)
            continue
        given[staff_id] = (bool(row.get("present", True)), str(row.get("note") or "").strip()[:200])
    if strangers:
        known = dict(
            Staff.objects.filter(pk__in=[s for s in strangers if isinstance(s, int)]).values_list(
                "pk", "name"
            )
        )
        errors["attendance"] = _("Not members of this team: %(names)s.") % {
            "names": "、".join(known.get(s, str(s)) for s in strangers)
        }
    # Members not named were there: the page's checklist has everyone present by default.
    clean_attendance = {pk: given.get(pk, (True, "")) for pk in members}
    if chair_id in clean_attendance and not clean_attendance[chair_id][0] and "chair" not in errors:
        errors["chair"] = _("The chair is marked absent.")
    if not any(present for present, _note in clean_attendance.values()) and "attendance" not in errors:
        errors["attendance"] = _("Nobody is marked present.")

    problems = []
    clean_decisions = []
    for row in decisions or []:
        text = str(row.get("text") or "").strip()
        owner_id = _pk(row.get("owner"))
        due_on = row.get("due_on") or None
        if not text and owner_id is None:
            continue  # an empty row of the form
        n = len(clean_decisions) + 1
        if not text:
            problems.append(_("Decision %(n)s has no text.") % {"n": n})
        elif owner_id is None:
            problems.append(_("Decision %(n)s has no owner: say who carries it out.") % {"n": n})
        elif owner_id not in members:
            problems.append(_("Decision %(n)s: the owner must be a member of the team.") % {"n": n})
        elif due_on is not None and due_on < held_on:
            problems.append(_("Decision %(n)s is due before the meeting was held.") % {"n": n})
        clean_decisions.append({"text": text[:MAX_TEXT], "owner_id": owner_id, "due_on": due_on})
    if problems:
        errors["decisions"] = problems
    return _Clean(minutes=clean_minutes, attendance=clean_attendance, decisions=clean_decisions)


def _may_record(actor, team: Team) -> None:
    if not has_perm(actor, roles.MEETING_CHANGE):
        raise PermissionDenied(_("You may not record meetings."))
    if not visible(actor, Team, roles.MEETING_CHANGE).filter(pk=team.pk).exists():
        raise ValidationError({"team": _("You may not record meetings of this team.")})


@transaction.atomic
def meeting_record(
    *,
    actor,
    team: Team,
    kind: str,
    held_on: dt.date,
    chair,
    minutes: Mapping[str, str],
    attendance: Iterable[Mapping] = (),
    decisions: Iterable[Mapping] = (),
) -> Meeting:
    """Record a meeting of ``team``: its chair, minutes per agenda part, who was there (members
    not named were present) and the decisions with their owners.

    ``attendance`` rows are {"staff": Staff or id, "present": bool, "note": str}; ``decisions``
    rows are {"text", "owner": Staff or id, "due_on": date or None} (rows with neither text nor
    owner are ignored). Errors come back as one ValidationError with field keys.
    """
    _may_record(actor, team)
    errors: dict = {}
    if kind not in rules.KINDS:
        raise ValidationError({"kind": _("Choose the kind of meeting.")})
    today = timezone.localdate()
    problem = rules.held_on_error(held_on, today)
    if problem == "future":
        errors["held_on"] = _("A meeting cannot be recorded for a day that has not come yet.")
    elif problem == "too_old":
        errors["held_on"] = _("Minutes can be recorded up to %(n)s days after the meeting.") % {
            "n": rules.BACKFILL_DAYS
        }
    elif team.founded_on and held_on < team.founded_on:
        errors["held_on"] = _("The team did not exist yet on that day.")
    period = rules.period_start(kind, held_on)
    if "held_on" not in errors and Meeting.objects.filter(team=team, kind=kind, period_start=period).exists():
        errors["held_on"] = _duplicate_message(team, kind, held_on)
    clean = _validate(
        team=team,
        kind=kind,
        held_on=held_on,
        chair=chair,
        minutes=minutes,
        attendance=attendance,
        decisions=decisions,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    meeting = Meeting(
        team=team,
        kind=kind,
        held_on=held_on,
        period_start=period,
        chair_id=_pk(chair),
        minutes=clean.minutes,
        recorded_by=actor,
    )
    meeting._history_user = actor
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError:
        # A double-click or a colleague at the same moment: the first one recorded it.
        raise ValidationError({"held_on": _duplicate_message(team, kind, held_on)}) from None
    for staff_id, (present, note) in clean.attendance.items():
        row = Attendance(meeting=meeting, staff_id=staff_id, present=present, note=note)
        row._history_user = actor
        row.save()
    for position, d in enumerate(clean.decisions, start=1):
        row = Decision(
            meeting=meeting, position=position, text=d["text"], owner_id=d["owner_id"], due_on=d["due_on"]
        )
        row._history_user = actor
        row.save()
    return meeting


def meeting_may_change(meeting: Meeting, *, user, today: dt.date | None = None) -> bool:
    """Whether ``user`` may still correct the minutes (for the page's Edit button)."""
    return rules.is_editable(
        recorded_on=meeting.recorded_on,
        today=today or timezone.localdate(),
        is_recorder=meeting.recorded_by_id == getattr(user, "pk", None),
    ) and has_perm(user, roles.MEETING_CHANGE)


@transaction.atomic
def meeting_update(
    *,
    actor,
    meeting: Meeting,
    chair,
    minutes: Mapping[str, str],
    attendance: Iterable[Mapping] = (),
    decisions: Iterable[Mapping] = (),
) -> Meeting:
    """Correct the chair, minutes, attendance and decisions of a meeting, on the day it was
    recorded and by whoever recorded it; the team, kind and date stay. History keeps every
    version."""
    if not visible(actor, Meeting, roles.MEETING_CHANGE).filter(pk=meeting.pk).exists():
        raise PermissionDenied(_("You may not change the minutes of this meeting."))
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting_may_change(meeting, user=actor):
        if meeting.recorded_by_id != actor.pk:
            raise ValidationError(_("Only the person who recorded these minutes may correct them."))
        raise ValidationError(
            _("These minutes were recorded on %(day)s and are now locked.") % {"day": meeting.recorded_on}
        )
    errors: dict = {}
    clean = _validate(
        team=meeting.team,
        kind=meeting.kind,
        held_on=meeting.held_on,
        chair=chair,
        minutes=minutes,
        attendance=attendance,
        decisions=decisions,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    meeting.chair_id = _pk(chair)
    meeting.minutes = clean.minutes
    meeting._history_user = actor
    meeting.save(update_fields=["chair", "minutes", "updated_at"])

    existing = {a.staff_id: a for a in meeting.attendance.all()}
    for staff_id, (present, note) in clean.attendance.items():
        row = existing.get(staff_id)
        if row is None:
            row = Attendance(meeting=meeting, staff_id=staff_id, present=present, note=note)
            row._history_user = actor
            row.save()
        elif (row.present, row.note) != (present, note):
            row.present, row.note = present, note
            row._history_user = actor
            row.save(update_fields=["present", "note"])

    old = list(meeting.decisions.order_by("position"))
    for position, d in enumerate(clean.decisions, start=1):
        row = old[position - 1] if position <= len(old) else None
        if row is None:
            row = Decision(
                meeting=meeting, position=position, text=d["text"], owner_id=d["owner_id"], due_on=d["due_on"]
            )
            row._history_user = actor
            row.save()
        elif (row.text, row.owner_id, row.due_on) != (d["text"], d["owner_id"], d["due_on"]):
            row.text, row.owner_id, row.due_on = d["text"], d["owner_id"], d["due_on"]
            row._history_user = actor
            row.save(update_fields=["text", "owner", "due_on"])
    for row in old[len(clean.decisions) :]:
        # Dropped on the day of recording; the history table keeps it.
        row._history_user = actor
        row.delete()
    return meeting
