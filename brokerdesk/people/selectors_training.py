"""Reads of the training archive (第二十四条) that pages, API and other areas share."""

from django.db.models import Count, Q, QuerySet

from brokerdesk.access.roles import TRAINING_RECORD, ScopeLevel
from brokerdesk.access.scope import grants_for, visible
from brokerdesk.people.models_training import TrainingAttendance, TrainingProgramme, TrainingSession


def records_for(staff) -> QuerySet[TrainingAttendance]:
    """A person's training rows (session, date, programme, result), newest first.

    For the personnel file and for assessment. Not scoped here: the caller has already
    checked that the user may see ``staff``'s file. Rows the person attended as a candidate
    (pre-job training) are included once they became staff.
    """
    return (
        TrainingAttendance.objects.filter(staff=staff)
        .select_related("session__programme", "session__trainer", "session__branch", "session__team")
        .order_by("-session__starts_at", "-id")
    )


def programme_list(*, user) -> QuerySet[TrainingProgramme]:
    return (
        visible(user, TrainingProgramme)
        .select_related("branch")
        .annotate(session_count=Count("sessions"))
        .order_by("-is_active", "-created_at", "-id")
    )


def session_list(*, user) -> QuerySet[TrainingSession]:
    return (
        visible(user, TrainingSession)
        .select_related("programme", "branch", "team", "trainer")
        .annotate(
            attendee_count=Count("attendances", distinct=True),
            passed_count=Count(
                "attendances", filter=Q(attendances__result=TrainingAttendance.Result.PASSED), distinct=True
            ),
        )
        .order_by("-starts_at", "-id")
    )


def organiser_filter(user) -> Q | None:
    """Sessions whose results the user may record (第二十四条: the organiser's designated person).

    Narrower than what the user may *see*: a team lead records their own team's sessions, the
    branch's roles the branch's (its teams' included), company departments any session. None
    means none at all.
    """
    combined = None
    for g in grants_for(user):
        if TRAINING_RECORD not in g.perms:
            continue
        if g.level == ScopeLevel.COMPANY:
            return Q()
        if g.level == ScopeLevel.REGION:
            q = Q(branch__region_id=g.region_id)
        elif g.level == ScopeLevel.BRANCH and g.branch_id:
            q = Q(branch_id=g.branch_id)
        elif g.level == ScopeLevel.TEAM and g.team_id:
            q = Q(team_id=g.team_id)
        else:
            continue
        combined = q if combined is None else combined | q
    return combined


def recordable_sessions(user) -> QuerySet[TrainingSession]:
    q = organiser_filter(user)
    if q is None:
        return TrainingSession.objects.none()
    return TrainingSession.objects.filter(q)


def may_record(user, session: TrainingSession) -> bool:
    return recordable_sessions(user).filter(pk=session.pk).exists()


def attendance_list(*, user) -> QuerySet[TrainingAttendance]:
    """Training records the user may see: a client manager only their own."""
    return visible(user, TrainingAttendance).select_related(
        "session__programme", "staff", "candidate", "recorded_by"
    )
