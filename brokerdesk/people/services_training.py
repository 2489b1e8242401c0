"""Every write of the training archive (员工培训档案, 第二十四条).

Programmes and sessions are kept by ``people.training`` holders within their organiser
scope (a team lead their team's sessions, the branch's roles the branch's, company
departments any); attendees are staff or candidates; results are entered after the session
and, once confirmed, no longer change.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access.roles import RECRUIT, TRAINING_RECORD, ScopeLevel
from brokerdesk.access.scope import grants_for, security_log, visible
from brokerdesk.org.models import Branch, Staff
from brokerdesk.people import rules_recruitment
from brokerdesk.people.models_recruitment import Candidate
from brokerdesk.people.models_training import TrainingAttendance, TrainingProgramme, TrainingSession
from brokerdesk.people.selectors_training import may_record

Result = TrainingAttendance.Result


def _in_region(branch_id: int | None, region_id: int | None) -> bool:
    return branch_id is not None and Branch.objects.filter(pk=branch_id, region_id=region_id).exists()


def may_organise(user, *, branch_id: int | None, team_id: int | None = None) -> bool:
    """Whether the user may organise (and record) training at this place: a company-wide one
    needs a company grant, a branch's a grant over the branch, a team's also the team's lead."""
    for g in grants_for(user):
        if TRAINING_RECORD not in g.perms:
            continue
        if g.level == ScopeLevel.COMPANY:
            return True
        if g.level == ScopeLevel.REGION and _in_region(branch_id, g.region_id):
            return True
        if g.level == ScopeLevel.BRANCH and branch_id is not None and g.branch_id == branch_id:
            return True
        if g.level == ScopeLevel.TEAM and team_id and g.team_id == team_id:
            return True
    return False


def may_keep_programme(user, *, branch_id: int | None) -> bool:
    """Programmes are a branch's (any training organiser of the branch, a team lead included)
    or the company's (company departments)."""
    for g in grants_for(user):
        if TRAINING_RECORD not in g.perms:
            continue
        if g.level == ScopeLevel.COMPANY:
            return True
        if g.level == ScopeLevel.REGION and _in_region(branch_id, g.region_id):
            return True
        if (
            g.level in (ScopeLevel.BRANCH, ScopeLevel.TEAM)
            and branch_id is not None
            and g.branch_id == branch_id
        ):
            return True
    return False


def _refuse(user, what: str, pk) -> None:
    security_log.warning("refused training %s #%s for user %s", what, pk, getattr(user, "pk", None))


@transaction.atomic
def programme_save(*, actor, programme: TrainingProgramme) -> TrainingProgramme:
    if programme.pk is not None:
        before = TrainingProgramme.objects.get(pk=programme.pk)
        if not may_keep_programme(actor, branch_id=before.branch_id):
            _refuse(actor, "programme", programme.pk)
            raise PermissionDenied(_("You do not keep this programme."))
        programme.created_by_id = before.created_by_id
    else:
        programme.created_by = actor
    if not may_keep_programme(actor, branch_id=programme.branch_id):
        raise PermissionDenied(_("You do not organise training there."))
    programme.title = (programme.title or "").strip()
    programme.full_clean()
    programme._history_user = actor
    programme.save()
    return programme


@transaction.atomic
def session_save(*, actor, session: TrainingSession) -> TrainingSession:
    """Plan or correct a session (time, place, content, trainer). A session whose results
    are confirmed no longer changes."""
    if session.pk is not None:
        before = TrainingSession.objects.select_for_update().get(pk=session.pk)
        if not may_organise(actor, branch_id=before.branch_id, team_id=before.team_id):
            _refuse(actor, "session", session.pk)
            raise PermissionDenied(_("You do not organise this session."))
        if before.is_confirmed:
            raise ValidationError(_("The results of this session are confirmed; it no longer changes."))
        session.created_by_id = before.created_by_id
        session.results_confirmed_at = None
        session.results_confirmed_by = None
    else:
        session.created_by = actor
    if session.team_id and not session.branch_id:
        session.branch_id = session.team.branch_id
    if not may_organise(actor, branch_id=session.branch_id, team_id=session.team_id):
        raise PermissionDenied(_("You do not organise training there."))
    errors = {}
    programme = session.programme if session.programme_id else None
    if programme is None or not visible(actor, TrainingProgramme).filter(pk=programme.pk).exists():
        errors["programme"] = _("Choose a programme.")
    elif programme.branch_id and programme.branch_id != session.branch_id:
        errors["programme"] = _("This programme belongs to another branch.")
    if session.trainer_id and not visible(actor, Staff).filter(pk=session.trainer_id).exists():
        errors["trainer"] = _("Choose a trainer you can see.")
    if errors:
        raise ValidationError(errors)
    session.full_clean()
    session._history_user = actor
    session.save()
    return session


def _require_organiser(actor, session: TrainingSession) -> TrainingSession:
    if not may_record(actor, session):
        _refuse(actor, "session", session.pk)
        raise PermissionDenied(_("Only the organiser's designated person records this session."))
    session = (
        TrainingSession.objects.select_for_update(of=("self",)).select_related("programme").get(pk=session.pk)
    )
    if session.is_confirmed:
        raise ValidationError(_("The results of this session are confirmed; they no longer change."))
    return session


@transaction.atomic
def attendees_add(*, actor, session: TrainingSession, staff=(), candidates=()) -> list[TrainingAttendance]:
    """Put staff members or candidates on the session's list. Each person once."""
    session = _require_organiser(actor, session)
    staff = list(staff)
    candidates = list(candidates)
    if not staff and not candidates:
        raise ValidationError({"staff": _("Choose at least one attendee.")})
    seen_staff = set(visible(actor, Staff).filter(pk__in=[s.pk for s in staff]).values_list("pk", flat=True))
    if len(seen_staff) != len({s.pk for s in staff}):
        raise ValidationError({"staff": _("Choose staff members you can see.")})
    if candidates:
        seen = visible(actor, Candidate, RECRUIT).filter(pk__in=[c.pk for c in candidates])
        if seen.count() != len({c.pk for c in candidates}):
            raise ValidationError({"candidates": _("Choose candidates you handle.")})
        if seen.exclude(status=Candidate.Status.APPLIED).exists():
            raise ValidationError(
                {"candidates": _("Only candidates being considered attend pre-job training.")}
            )
        if session.branch_id and seen.exclude(branch_id=session.branch_id).exists():
            raise ValidationError({"candidates": _("These candidates applied to another branch.")})
    existing_staff = set(session.attendances.filter(staff__isnull=False).values_list("staff_id", flat=True))
    existing_cand = set(
        session.attendances.filter(candidate__isnull=False).values_list("candidate_id", flat=True)
    )
    rows = [TrainingAttendance(session=session, staff=s) for s in staff if s.pk not in existing_staff]
    rows += [
        TrainingAttendance(session=session, candidate=c) for c in candidates if c.pk not in existing_cand
    ]
    try:
        with transaction.atomic():
            for r in rows:
                r.save()
    except IntegrityError as e:
        raise ValidationError(_("Someone added the same attendee just now; reload the page.")) from e
    return rows


@transaction.atomic
def attendee_remove(*, actor, attendance: TrainingAttendance) -> None:
    """Take someone off the list before their result is entered (a mistaken entry)."""
    _require_organiser(actor, attendance.session)
    removed, _rows = TrainingAttendance.objects.filter(pk=attendance.pk, result=Result.PENDING).delete()
    if not removed:
        raise ValidationError(_("A result is recorded for this attendee; it stays on the list."))


def _check_result(row: dict, pass_score: Decimal | None) -> tuple[str, Decimal | None, dict]:
    result, score = row.get("result") or "", row.get("score")
    errors = {}
    if score is not None and not (Decimal("0") <= score <= Decimal("100")):
        errors["score"] = _("Give a score from 0 to 100.")
    if result == Result.ABSENT and score is not None:
        errors["score"] = _("An absent attendee has no score.")
    if not result or result == Result.PENDING:
        result = rules_recruitment.result_for_score(score, pass_score) or Result.PENDING
    if result not in Result.values:
        errors["result"] = _("Choose a result.")
    return result, score, errors


@transaction.atomic
def results_record(
    *, actor, session: TrainingSession, rows: list[dict], now: dt.datetime | None = None
) -> list[TrainingAttendance]:
    """Enter the assessment results after the session (第二十四条: 在培训项目完成后填写).

    ``rows``: ``{"attendance": id, "result": …, "score": Decimal | None, "comment": str}``.
    A result left empty follows the programme's pass mark when a score is given. Field errors
    come back as ``{"rows": [{…}, …]}`` in the order given; nothing is saved then.
    """
    session = _require_organiser(actor, session)
    now = now or timezone.now()
    if session.ends_at > now:
        raise ValidationError(_("Results are entered after the session has ended."))
    by_id = {a.pk: a for a in session.attendances.all()}
    all_errors, updates = [], []
    for row in rows:
        attendance = by_id.get(row.get("attendance"))
        if attendance is None:
            all_errors.append({"attendance": _("This attendee is not on the session's list.")})
            continue
        result, score, errors = _check_result(row, session.programme.pass_score)
        all_errors.append(errors)
        updates.append((attendance, result, score, (row.get("comment") or "").strip()[:300]))
    if any(all_errors):
        raise ValidationError(_row_errors(all_errors))
    saved = []
    for attendance, result, score, comment in updates:
        attendance.result, attendance.score, attendance.comment = result, score, comment
        attendance.recorded_by, attendance.recorded_at = actor, now
        attendance._history_user = actor
        attendance.save(update_fields=["result", "score", "comment", "recorded_by", "recorded_at"])
        saved.append(attendance)
    return saved


def _row_errors(all_errors: list[dict]) -> dict:
    """Row errors as one field error per row and field (``rows-2-score``), for forms and API."""
    out = {}
    for i, errors in enumerate(all_errors):
        for field, message in errors.items():
            out[f"rows-{i}-{field}"] = [message]
    return out


@transaction.atomic
def results_confirm(*, actor, session: TrainingSession) -> TrainingSession:
    """Close the session's results: every attendee has one; from now on nothing changes."""
    session = _require_organiser(actor, session)
    if not session.attendances.exists():
        raise ValidationError(_("The session has no attendees."))
    if session.attendances.filter(result=Result.PENDING).exists():
        raise ValidationError(_("Every attendee needs a result before the results are confirmed."))
    moved = TrainingSession.objects.filter(pk=session.pk, results_confirmed_at__isnull=True).update(
        results_confirmed_at=timezone.now(), results_confirmed_by=actor
    )
    if moved != 1:
        raise ValidationError(_("The results were confirmed just now by someone else."))
    session.refresh_from_db()
    session._history_user = actor
    session._change_reason = _("results confirmed")
    session.save(update_fields=["results_confirmed_at", "results_confirmed_by"])
    return session
