"""Setting up meetings for tests: written straight to the tables (any day, any recorder), so that
the behaviour under test goes through the service alone."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from brokerdesk.meetings import rules
from brokerdesk.meetings.models import Attendance, Meeting
from brokerdesk.meetings.selectors import team_members


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def minutes_for(kind: str, prefix: str = "") -> dict[str, str]:
    return {code: f"{prefix}{code}：要点" for code in rules.agenda_codes(kind)}


def make_meeting(team, day: dt.date, kind: str = rules.MORNING, *, recorded_by=None, chair=None) -> Meeting:
    members = list(team_members(team))
    meeting = Meeting.objects.create(
        team=team,
        kind=kind,
        held_on=day,
        period_start=rules.period_start(kind, day),
        chair=chair or members[0],
        minutes=minutes_for(kind),
        recorded_by=recorded_by or get_user_model().objects.get(username="manager"),
    )
    Attendance.objects.bulk_create(Attendance(meeting=meeting, staff=m, present=True) for m in members)
    return meeting
