"""Recording and correcting meetings through the services: who may, what is refused (with a field
error and nothing saved), the edit window, and the history of every change."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from brokerdesk.meetings import rules, services
from brokerdesk.meetings.models import Attendance, Decision, Meeting
from brokerdesk.meetings.tests.helpers import days_ago, make_meeting, minutes_for

pytestmark = pytest.mark.django_db


def record(org, actor=None, **kw):
    args = {
        "actor": actor or org.users.lead,
        "team": org.teams.a,
        "kind": rules.MORNING,
        "held_on": timezone.localdate(),
        "chair": org.staff.lead,
        "minutes": minutes_for(kw.get("kind", rules.MORNING)),
        "attendance": [{"staff": org.staff.cm_peer, "present": False, "note": "病假"}],
        "decisions": [{"text": "本周回访十位客户", "owner": org.staff.cm, "due_on": None}],
    }
    args.update(kw)
    return services.meeting_record(**args)


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


def test_lead_records_a_morning_meeting_with_one_absent(org):
    meeting = record(org)
    assert meeting.period_start == meeting.held_on
    rows = {a.staff.name: a.present for a in meeting.attendance.select_related("staff")}
    assert rows == {"赵六": True, "钱七": True, "张三": True, "孙八": False}  # members not named: present
    assert meeting.attendance.get(staff=org.staff.cm_peer).note == "病假"
    decision = meeting.decisions.get()
    assert (decision.position, decision.owner) == (1, org.staff.cm)
    assert meeting.history.count() == 1
    assert meeting.history.first().history_user == org.users.lead


@pytest.mark.parametrize("kind", [rules.WEEKLY, rules.MONTHLY])
def test_weekly_and_monthly_meetings_have_their_own_agenda(org, kind):
    meeting = record(org, kind=kind, minutes=minutes_for(kind))
    assert set(meeting.minutes) == set(rules.agenda_codes(kind))
    assert meeting.period_start == rules.period_start(kind, meeting.held_on)


def test_branch_manager_records_for_any_team_of_the_branch(org):
    assert record(
        org, actor=org.users.manager, team=org.teams.b, chair=org.staff.cm_b, decisions=[], attendance=[]
    ).pk


@pytest.mark.parametrize("who", ["cm", "rm", "trade", "region", "vp", "sysadmin", "norole"])
def test_those_without_the_permission_are_refused(org, who):
    with pytest.raises(PermissionDenied):
        record(org, actor=getattr(org.users, who))
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("who, team", [("lead", "b"), ("lead_b", "a"), ("manager", "c")])
def test_minutes_for_a_team_outside_scope_are_a_field_error(org, who, team):
    with pytest.raises(ValidationError) as exc:
        record(org, actor=getattr(org.users, who), team=getattr(org.teams, team), decisions=[], attendance=[])
    assert "team" in errors_of(exc)
    assert not Meeting.objects.exists()


def test_a_second_morning_meeting_of_the_same_team_and_day_is_refused(org):
    record(org)
    with pytest.raises(ValidationError) as exc:
        record(org, actor=org.users.manager)
    assert "already has a morning meeting" in errors_of(exc)["held_on"][0]
    assert Meeting.objects.count() == 1
    # Another team, or another day, is fine.
    record(org, actor=org.users.manager, team=org.teams.b, chair=org.staff.cm_b, decisions=[], attendance=[])
    record(org, held_on=days_ago(1))
    assert Meeting.objects.count() == 3


def test_a_second_weekly_meeting_in_the_same_week_is_refused(org):
    today = timezone.localdate()
    monday = rules.week_start(today)
    record(org, kind=rules.WEEKLY, minutes=minutes_for(rules.WEEKLY), held_on=monday)
    other_day = monday + dt.timedelta(days=1) if today > monday else monday
    with pytest.raises(ValidationError) as exc:
        record(org, kind=rules.WEEKLY, minutes=minutes_for(rules.WEEKLY), held_on=other_day)
    assert "held_on" in errors_of(exc)


def test_an_attendee_who_is_not_a_team_member_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        record(org, attendance=[{"staff": org.staff.cm_b, "present": True}, {"staff": org.staff.outsider}])
    assert "李四" in errors_of(exc)["attendance"][0] and "王五" in errors_of(exc)["attendance"][0]
    assert not Meeting.objects.exists() and not Attendance.objects.exists()


def test_a_meeting_dated_in_the_future_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        record(org, held_on=timezone.localdate() + dt.timedelta(days=1))
    assert "held_on" in errors_of(exc)
    assert not Meeting.objects.exists()


def test_a_meeting_more_than_a_week_old_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        record(org, held_on=days_ago(rules.BACKFILL_DAYS + 1))
    assert "held_on" in errors_of(exc)


@pytest.mark.parametrize(
    "decision, message",
    [
        ({"text": "组织理财沙龙", "owner": None}, "no owner"),
        ({"text": "", "owner": 0}, "no text"),
        ({"text": "组织理财沙龙", "owner": "cm_b"}, "member of the team"),
        ({"text": "组织理财沙龙", "owner": "cm", "due_on": dt.date(2020, 1, 1)}, "due before"),
    ],
)
def test_a_bad_decision_is_refused(org, decision, message):
    owner = decision["owner"]
    decision = {**decision, "owner": getattr(org.staff, owner) if isinstance(owner, str) else owner}
    if owner == 0:
        decision["owner"] = org.staff.cm
    with pytest.raises(ValidationError) as exc:
        record(org, decisions=[decision])
    assert message in errors_of(exc)["decisions"][0]
    assert not Meeting.objects.exists() and not Decision.objects.exists()


def test_empty_decision_rows_are_ignored(org):
    meeting = record(org, decisions=[{"text": "", "owner": None}, {"text": "跟进", "owner": org.staff.cm}])
    assert list(meeting.decisions.values_list("position", "text")) == [(1, "跟进")]


def test_every_agenda_part_and_the_chair_are_required(org):
    minutes = minutes_for(rules.MORNING)
    minutes["cases"] = "  "
    with pytest.raises(ValidationError) as exc:
        record(org, minutes=minutes, chair=None)
    assert set(errors_of(exc)) == {"minutes_cases", "chair"}


def test_the_chair_must_be_a_present_member(org):
    with pytest.raises(ValidationError) as exc:
        record(org, chair=org.staff.cm_b)
    assert "chair" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        record(org, chair=org.staff.cm_peer)  # marked absent
    assert "absent" in errors_of(exc)["chair"][0]


# --- corrections ----------------------------------------------------------------------------------


def update(org, meeting, actor=None, **kw):
    args = {
        "actor": actor or org.users.lead,
        "meeting": meeting,
        "chair": org.staff.lead,
        "minutes": minutes_for(meeting.kind, "改："),
        "attendance": [
            {"staff": org.staff.cm_peer, "present": True},
            {"staff": org.staff.cm, "present": False},
        ],
        "decisions": [{"text": "改为回访二十位客户", "owner": org.staff.cm_peer}],
    }
    args.update(kw)
    return services.meeting_update(**args)


def test_the_recorder_corrects_the_minutes_the_same_day_and_history_keeps_both(org):
    meeting = record(org)
    update(org, meeting)
    meeting.refresh_from_db()
    assert meeting.minutes["market"].startswith("改：")
    assert not meeting.attendance.get(staff=org.staff.cm).present
    assert meeting.attendance.get(staff=org.staff.cm_peer).present
    assert meeting.decisions.get().owner == org.staff.cm_peer
    versions = list(meeting.history.order_by("history_date"))
    assert [v.history_type for v in versions] == ["+", "~"]
    assert not versions[0].minutes["market"].startswith("改：")
    assert Attendance.history.filter(staff_id=org.staff.cm.pk).count() == 2
    assert Decision.history.filter(meeting_id=meeting.pk).count() == 2


def test_dropped_decisions_stay_in_the_history(org):
    meeting = record(org)
    update(org, meeting, decisions=[])
    assert not meeting.decisions.exists()
    assert Decision.history.filter(meeting_id=meeting.pk, history_type="-").count() == 1


def test_minutes_are_locked_after_the_day_of_recording(org):
    meeting = record(org)
    Meeting.objects.filter(pk=meeting.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="locked"):
        update(org, meeting)
    meeting.refresh_from_db()
    assert not meeting.minutes["market"].startswith("改：")


def test_only_the_recorder_corrects_the_minutes(org):
    meeting = record(org)
    with pytest.raises(ValidationError, match="Only the person"):
        update(org, meeting, actor=org.users.manager)
    with pytest.raises(PermissionDenied):
        update(org, meeting, actor=org.users.lead_b)
    with pytest.raises(PermissionDenied):
        update(org, meeting, actor=org.users.cm)


def test_a_correction_with_a_bad_attendee_changes_nothing(org):
    meeting = record(org)
    with pytest.raises(ValidationError) as exc:
        update(org, meeting, attendance=[{"staff": org.staff.outsider, "present": True}])
    assert "attendance" in errors_of(exc)
    meeting.refresh_from_db()
    assert not meeting.minutes["market"].startswith("改：")
    assert meeting.history.count() == 1


def test_a_meeting_made_by_a_helper_shows_up_as_held(org):
    make_meeting(org.teams.a, days_ago(1))
    assert Meeting.objects.filter(team=org.teams.a).count() == 1
    assert connection.vendor in ("sqlite", "postgresql")
