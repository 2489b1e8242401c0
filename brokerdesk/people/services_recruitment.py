"""Every write of recruitment and probation (第二十、二十三条).

Each service checks the actor's permission over the candidate first (``people.recruit`` to
record and decide, ``people.verify`` to check a document's authenticity), validates, and
writes in one transaction; a candidate's row is locked while it moves, and status moves are
conditional updates, so two people acting at once cannot both succeed.

The decision (probation or not hired) goes through the approvals engine with the
``recruit_decision`` flow; :func:`_decision_moved` applies the approver's answer.
"""

import contextlib
import contextvars
import datetime as dt
import functools
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access.roles import ARCHIVE_VERIFY, RECRUIT
from brokerdesk.access.scope import can, security_log, visible
from brokerdesk.approvals.models import Request
from brokerdesk.approvals.registry import on_status_change
from brokerdesk.approvals.services import request_resubmit, request_submit
from brokerdesk.core.files import DOCUMENT_KINDS, safe_display_name, validate_document
from brokerdesk.org.models import Branch, Staff
from brokerdesk.org.rules import name_pinyin, pinyin_search_keys
from brokerdesk.org.services import staff_save
from brokerdesk.people import rules_archive
from brokerdesk.people import rules_recruitment as rules
from brokerdesk.people.models_archive import PHOTO_KINDS, ArchiveDocument, Slot
from brokerdesk.people.models_recruitment import Candidate, CandidateDocument
from brokerdesk.people.models_training import TrainingAttendance, TrainingProgramme

FLOW_CODE = "recruit_decision"
EDITABLE = (Candidate.Status.APPLIED,)
DOCUMENTS_OPEN = (Candidate.Status.APPLIED, Candidate.Status.PROBATION)

# --- permission checks --------------------------------------------------------------------


def may_recruit(user, candidate: Candidate) -> bool:
    return can(user, RECRUIT, candidate)


def may_check(user, candidate: Candidate) -> bool:
    """The designated person who checks documents' authenticity (第二十条)."""
    return can(user, ARCHIVE_VERIFY, candidate)


def may_place(user, branch_id) -> bool:
    """Whether the user records candidates for this branch."""
    return bool(branch_id) and visible(user, Branch, RECRUIT).filter(pk=branch_id).exists()


def _require(user, perm: str, candidate: Candidate) -> None:
    if not can(user, perm, candidate):
        security_log.warning("refused %s on candidate #%s for user %s", perm, candidate.pk, user.pk)
        if perm == ARCHIVE_VERIFY:
            raise PermissionDenied(_("Only the designated person checks documents' authenticity."))
        raise PermissionDenied(_("You do not handle this candidate."))


def _lock(candidate: Candidate) -> Candidate:
    return (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("branch", "team")
        .get(pk=candidate.pk)
    )


def _move(candidate: Candidate, from_statuses, to: str, **fields) -> None:
    """Move the status with a conditional update: exactly one row must change."""
    if not rules.may_move(candidate.status, to):
        raise ValidationError(
            _("This application cannot move from “%(status)s”.") % {"status": candidate.get_status_display()}
        )
    moved = Candidate.objects.filter(pk=candidate.pk, status__in=list(from_statuses)).update(
        status=to, **fields
    )
    if moved != 1:
        raise ValidationError(_("Someone else changed this application just now; reload it."))
    candidate.refresh_from_db()
    # One history row for the move (the update above bypasses the model's save).
    candidate._change_reason = str(Candidate.Status(to).label)
    candidate.save(update_fields=["status"])


def _open_for(id_number: str, exclude_pk=None):
    return Candidate.objects.filter(id_number=id_number, status__in=list(rules.OPEN)).exclude(pk=exclude_pk)


# --- the application ------------------------------------------------------------------------


@transaction.atomic
def candidate_save(*, actor, candidate: Candidate) -> Candidate:
    """Record or correct an application (name, ID, education, branch, intended post, source…).

    Only an application still being considered changes; the branch must be one the actor
    recruits for.
    """
    creating = candidate.pk is None
    if not creating:
        _require(actor, RECRUIT, Candidate(pk=candidate.pk))
        before = _lock(candidate)
        if before.status not in EDITABLE:
            raise ValidationError(_("Only an application still being considered can be changed."))
        # What the workflow owns is never taken from the caller.
        for name in ("status", "decision", "approval_id", "staff_id", "previous_id", "created_by_id"):
            setattr(candidate, name, getattr(before, name))
    else:
        candidate.status = Candidate.Status.APPLIED
        candidate.created_by = actor
    if not may_place(actor, candidate.branch_id):
        raise PermissionDenied(_("You do not recruit for this branch."))
    candidate.name = (candidate.name or "").strip()
    candidate.name_pinyin = name_pinyin(candidate.name)
    candidate.pinyin_keys = pinyin_search_keys(candidate.name)
    candidate.full_clean(validate_constraints=False)
    errors = {}
    if _open_for(candidate.id_number, candidate.pk).exists():
        errors["id_number"] = _("This person already has an open application.")
    elif Staff.objects.filter(id_number=candidate.id_number).exclude(status=Staff.Status.LEFT).exists():
        errors["id_number"] = _("A member of staff already has this ID number.")
    if errors:
        raise ValidationError(errors)
    candidate._history_user = actor
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError as e:  # two people recording the same person at once
        raise ValidationError({"id_number": _("This person already has an open application.")}) from e
    return candidate


@transaction.atomic
def candidate_withdraw(*, actor, candidate: Candidate, note: str) -> Candidate:
    """The candidate withdraws (or is no longer considered) before a decision; they join the
    talent reserve with their materials."""
    _require(actor, RECRUIT, candidate)
    candidate = _lock(candidate)
    if not note.strip():
        raise ValidationError({"note": _("Say why the application is withdrawn.")})
    if candidate.status != Candidate.Status.APPLIED:
        raise ValidationError(_("Only an application still being considered can be withdrawn."))
    _move(
        candidate,
        [Candidate.Status.APPLIED],
        Candidate.Status.WITHDRAWN,
        decision_note=note.strip(),
        decided_at=timezone.now(),
    )
    return candidate


# --- documents and their authenticity (第二十条) ---------------------------------------------


_stored_files: contextvars.ContextVar[list] = contextvars.ContextVar("bd_recruit_stored_files")


def _cleans_files(fn):
    """Files written during a failed call are removed again: a refused or rolled-back write
    leaves nothing on disk (the rows roll back with the transaction)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        token = _stored_files.set([])
        try:
            return fn(*args, **kwargs)
        except BaseException:
            for storage, name in _stored_files.get():
                storage.delete(name)
            raise
        finally:
            _stored_files.reset(token)

    return wrapper


def _remember(field_file) -> None:
    with contextlib.suppress(LookupError):
        _stored_files.get().append((field_file.storage, field_file.name))


def _check_upload(upload, slot: str) -> str:
    kinds = PHOTO_KINDS if slot == Slot.PHOTO else DOCUMENT_KINDS
    try:
        return validate_document(upload, kinds)
    except ValidationError as e:
        if slot == Slot.PHOTO and e.code == "type":
            raise ValidationError({"file": _("A photo must be a JPEG or PNG image.")}, code="type") from e
        raise ValidationError({"file": e.messages}, code=e.code) from e


def _sha256(fileobj) -> str:
    digest = hashlib.sha256()
    fileobj.seek(0)
    for chunk in fileobj.chunks():
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


@_cleans_files
@transaction.atomic
def candidate_document_upload(*, actor, candidate: Candidate, slot: str, upload) -> CandidateDocument:
    """File a document the candidate handed in; it supersedes the slot's current one unless
    that one was already found authentic (then it no longer changes)."""
    _require(actor, RECRUIT, candidate)
    slots = dict(CandidateDocument._meta.get_field("slot").choices)
    if slot not in slots:
        raise ValidationError({"slot": _("Choose one of the candidate's documents.")})
    if upload is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    kind = _check_upload(upload, slot)
    candidate = _lock(candidate)
    if candidate.status not in DOCUMENTS_OPEN:
        raise ValidationError(_("The documents of this application no longer change."))
    current = CandidateDocument.objects.filter(
        candidate=candidate, slot=slot, superseded_at__isnull=True
    ).first()
    now = timezone.now()
    if current is not None:
        if current.check_result == CandidateDocument.Check.AUTHENTIC:
            raise ValidationError({"file": _("This document was found authentic; it is no longer replaced.")})
        moved = CandidateDocument.objects.filter(pk=current.pk, superseded_at__isnull=True).update(
            superseded_at=now
        )
        if moved != 1:
            raise ValidationError(_("This document was replaced in the meantime; reload the page."))
    doc = CandidateDocument(
        candidate=candidate,
        slot=slot,
        file_name=safe_display_name(upload.name),
        file_kind=kind,
        size=upload.size,
        sha256=_sha256(upload),
        uploaded_by=actor,
    )
    doc.file.save("upload", upload, save=False)
    _remember(doc.file)
    doc._history_user = actor
    try:
        with transaction.atomic():
            doc.save()
    except IntegrityError as e:
        raise ValidationError(_("This document was replaced in the meantime; reload the page.")) from e
    return doc


@transaction.atomic
def candidate_document_check(
    *, actor, document: CandidateDocument, result: str, note: str = ""
) -> CandidateDocument:
    """The designated person records that a document is authentic or doubtful, with who and
    when (第二十条: 指定专人负责检查各种证件的真实性). A check is recorded once."""
    _require(actor, ARCHIVE_VERIFY, document.candidate)
    if result not in (CandidateDocument.Check.AUTHENTIC, CandidateDocument.Check.DOUBTFUL):
        raise ValidationError({"result": _("Say whether the document is authentic or doubtful.")})
    if result == CandidateDocument.Check.DOUBTFUL and not note.strip():
        raise ValidationError({"note": _("Say what is doubtful about the document.")})
    # The candidate's row is locked first: its status is read under the lock, and the
    # conditional update below filters on the document's own columns only (a filter across a
    # join becomes a sub-select that PostgreSQL does not re-check after waiting for a lock).
    candidate = _lock(document.candidate)
    if candidate.status not in DOCUMENTS_OPEN:
        raise ValidationError(_("The documents of this application no longer change."))
    moved = CandidateDocument.objects.filter(
        pk=document.pk,
        superseded_at__isnull=True,
        check_result=CandidateDocument.Check.PENDING,
    ).update(check_result=result, checked_by=actor, checked_at=timezone.now(), check_note=note.strip()[:200])
    if moved != 1:
        raise ValidationError(_("This document was already checked or replaced; reload the page."))
    document.refresh_from_db()
    document._history_user = actor
    document._change_reason = str(CandidateDocument.Check(result).label)
    document.save(update_fields=["check_result", "checked_by", "checked_at", "check_note"])
    return document


# --- evaluation and decision (第二十三条) ---------------------------------------------------


@transaction.atomic
def candidate_evaluate(*, actor, candidate: Candidate, score, comment: str) -> Candidate:
    """The comprehensive evaluation (综合考评) after pre-job training and observation."""
    _require(actor, RECRUIT, candidate)
    candidate = _lock(candidate)
    if candidate.status not in EDITABLE:
        raise ValidationError(_("The evaluation can only change before the decision is proposed."))
    errors = {}
    if score is None or not (0 <= score <= 100):
        errors["evaluation_score"] = _("Give a score from 0 to 100.")
    if not (comment or "").strip():
        errors["evaluation_comment"] = _("Write the evaluation's comments.")
    if errors:
        raise ValidationError(errors)
    candidate.evaluation_score = score
    candidate.evaluation_comment = comment.strip()
    candidate.evaluated_by = actor
    candidate.evaluated_at = timezone.now()
    candidate._history_user = actor
    candidate.save(update_fields=["evaluation_score", "evaluation_comment", "evaluated_by", "evaluated_at"])
    return candidate


def pre_job_results(candidate: Candidate) -> list[str]:
    return list(
        TrainingAttendance.objects.filter(
            candidate=candidate, session__programme__category=TrainingProgramme.Category.PRE_JOB
        ).values_list("result", flat=True)
    )


def current_documents(candidate: Candidate) -> dict[str, str]:
    return dict(
        CandidateDocument.objects.filter(candidate=candidate, superseded_at__isnull=True).values_list(
            "slot", "check_result"
        )
    )


def decision_blockers(candidate: Candidate, decision: str) -> dict[str, list]:
    return rules.decision_blockers(
        decision=decision,
        documents=current_documents(candidate),
        training_results=pre_job_results(candidate),
        evaluation_score=candidate.evaluation_score,
    )


@transaction.atomic
def candidate_propose(
    *,
    actor,
    candidate: Candidate,
    decision: str,
    note: str = "",
    probation_starts_on: dt.date | None = None,
    probation_ends_on: dt.date | None = None,
) -> Candidate:
    """Propose probation or not hired and send it for approval (flow ``recruit_decision``).

    Refused until every document was checked and the pre-job training has a result; probation
    also needs every document authentic, the training passed, an evaluation and its dates.
    """
    _require(actor, RECRUIT, candidate)
    candidate = _lock(candidate)
    if candidate.status != Candidate.Status.APPLIED:
        raise ValidationError(_("A decision can only be proposed for an application being considered."))
    if decision not in Candidate.Decision.values:
        raise ValidationError({"decision": _("Choose probation or not hired.")})
    errors = decision_blockers(candidate, decision)
    if decision == Candidate.Decision.PROBATION:
        for field, messages in rules.probation_errors(probation_starts_on, probation_ends_on).items():
            errors.setdefault(field, []).extend(messages)
    else:
        probation_starts_on = probation_ends_on = None
    if errors:
        raise ValidationError(errors)
    candidate.decision = decision
    candidate.decision_note = note.strip()
    candidate.probation_starts_on = probation_starts_on
    candidate.probation_ends_on = probation_ends_on
    candidate._history_user = actor
    candidate.save(update_fields=["decision", "decision_note", "probation_starts_on", "probation_ends_on"])
    title = _("Hiring decision: %(name)s — %(decision)s") % {
        "name": candidate.name,
        "decision": candidate.get_decision_display(),
    }
    previous = candidate.approval
    if previous is not None and previous.status == Request.Status.RETURNED:
        if previous.submitter_id != actor.pk:
            raise ValidationError(
                _("The decision was returned to the person who proposed it; they resubmit or withdraw it.")
            )
        Request.objects.filter(pk=previous.pk).update(title=title[:200])
        request_resubmit(actor=actor, request=previous, opinion=candidate.decision_note)
    else:
        approval = request_submit(
            actor=actor,
            flow_code=FLOW_CODE,
            subject=candidate,
            title=title[:200],
            branch=candidate.branch,
            team=candidate.team,
            opinion=candidate.decision_note,
        )
        Candidate.objects.filter(pk=candidate.pk).update(approval=approval)
    candidate.refresh_from_db()
    return candidate


@on_status_change("people.Candidate")
def _decision_moved(*, request, status: str) -> None:
    """Apply the approval's answer: probation or the talent reserve once approved; back to
    "applied" (to be revised) when returned, rejected or withdrawn."""
    candidate = Candidate.objects.select_for_update().get(pk=request.subject_id)
    now = timezone.now()
    if status == Request.Status.PENDING:
        # Also on a resubmission from the approvals page: the conditions still have to hold.
        errors = decision_blockers(candidate, candidate.decision)
        if errors:
            raise ValidationError(errors)
        _move(candidate, [Candidate.Status.APPLIED], Candidate.Status.IN_APPROVAL)
    elif status == Request.Status.APPROVED:
        to = (
            Candidate.Status.PROBATION
            if candidate.decision == Candidate.Decision.PROBATION
            else Candidate.Status.NOT_HIRED
        )
        _move(candidate, [Candidate.Status.IN_APPROVAL], to, decided_at=now)
    elif candidate.status == Candidate.Status.IN_APPROVAL:
        _move(candidate, [Candidate.Status.IN_APPROVAL], Candidate.Status.APPLIED)


# --- probation and conversion -------------------------------------------------------------


@transaction.atomic
def candidate_probation_set(
    *, actor, candidate: Candidate, starts_on: dt.date, ends_on: dt.date
) -> Candidate:
    """Correct or extend the probation's dates while it runs and has no result."""
    _require(actor, RECRUIT, candidate)
    candidate = _lock(candidate)
    if (
        candidate.status != Candidate.Status.PROBATION
        or candidate.probation_result != Candidate.ProbationResult.PENDING
    ):
        raise ValidationError(_("Only a running probation without a result can change its dates."))
    errors = rules.probation_errors(starts_on, ends_on)
    if errors:
        raise ValidationError(errors)
    candidate.probation_starts_on, candidate.probation_ends_on = starts_on, ends_on
    candidate._history_user = actor
    candidate.save(update_fields=["probation_starts_on", "probation_ends_on"])
    return candidate


@transaction.atomic
def candidate_probation_assess(*, actor, candidate: Candidate, result: str, comment: str) -> Candidate:
    """Record whether the probation was passed. Not passed: the candidate joins the talent
    reserve. The result is recorded once."""
    _require(actor, RECRUIT, candidate)
    candidate = _lock(candidate)
    if result not in (Candidate.ProbationResult.PASSED, Candidate.ProbationResult.FAILED):
        raise ValidationError({"result": _("Say whether the probation was passed.")})
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Write the probation assessment.")})
    if candidate.status != Candidate.Status.PROBATION:
        raise ValidationError(_("This candidate is not on probation."))
    moved = Candidate.objects.filter(
        pk=candidate.pk, status=Candidate.Status.PROBATION, probation_result=Candidate.ProbationResult.PENDING
    ).update(probation_result=result, probation_comment=comment.strip(), probation_assessed_by=actor)
    if moved != 1:
        raise ValidationError(_("The probation's result is already recorded."))
    candidate.refresh_from_db()
    if result == Candidate.ProbationResult.FAILED:
        _move(candidate, [Candidate.Status.PROBATION], Candidate.Status.NOT_HIRED, decided_at=timezone.now())
    else:
        candidate._history_user = actor
        candidate.save(update_fields=["probation_result"])
    return candidate


def conversion_blockers(candidate: Candidate, today: dt.date | None = None) -> list:
    return rules.conversion_blockers(
        status=candidate.status,
        probation_result=candidate.probation_result,
        probation_ends_on=candidate.probation_ends_on,
        today=today or timezone.localdate(),
    )


def _application_chain(candidate: Candidate) -> list[int]:
    ids, current = [], candidate
    while current is not None and current.pk not in ids:
        ids.append(current.pk)
        current = current.previous
    return ids


def _carry_documents(*, candidate: Candidate, staff: Staff) -> list[ArchiveDocument]:
    """The documents found authentic become the first version of the person's file slots,
    verified by whoever checked them at recruitment (第二十条)."""
    carried = []
    docs = CandidateDocument.objects.filter(
        candidate=candidate, superseded_at__isnull=True, check_result=CandidateDocument.Check.AUTHENTIC
    ).select_related("candidate")
    for doc in docs:
        archived = ArchiveDocument(
            staff=staff,
            slot=doc.slot,
            file_name=doc.file_name,
            file_kind=doc.file_kind,
            size=doc.size,
            sha256=doc.sha256,
            note=_("Handed in at recruitment (application #%(pk)s)") % {"pk": candidate.pk},
            uploaded_by_id=doc.uploaded_by_id,
            verified_by_id=doc.checked_by_id,
            verified_at=doc.checked_at,
            verify_note=(doc.check_note or _("Checked at recruitment"))[:200],
        )
        with doc.file.open("rb") as fh:
            archived.file.save("upload", File(fh), save=False)
        _remember(archived.file)
        archived.save()
        carried.append(archived)
    return carried


@_cleans_files
@transaction.atomic
def candidate_convert(
    *,
    actor,
    candidate: Candidate,
    emp_no: str,
    hired_on: dt.date | None = None,
    team=None,
    outlet=None,
    regional_manager=None,
    level=None,
    contract_starts_on: dt.date | None = None,
    contract_ends_on: dt.date | None = None,
    signed_copy=None,
    original_location: str = "",
    today: dt.date | None = None,
) -> Staff:
    """Make a candidate who passed probation regular staff (转正): the org staff record, their
    authentic documents carried into the personnel file, their training rows linked, and the
    first contract — a one-year labour contract for full-time, a one-year marketing cooperation
    agreement for part-time (第十九条).

    Refused before the probation ends or when it was not passed.
    """
    _require(actor, RECRUIT, candidate)
    candidate = _lock(candidate)
    blockers = conversion_blockers(candidate, today)
    if blockers:
        raise ValidationError(blockers)
    hired_on = hired_on or (candidate.probation_ends_on + dt.timedelta(days=1))
    errors = {}
    if hired_on <= candidate.probation_ends_on:
        errors["hired_on"] = [_("A regular staff member's hire date is after the probation ends.")]
    if not (emp_no or "").strip():
        errors["emp_no"] = [_("Give the employee number.")]
    if Staff.objects.filter(id_number=candidate.id_number).exists():
        errors["id_number"] = [
            _("A staff record with this ID number exists (a former employee?): re-hire from that record.")
        ]
    contract_starts_on = contract_starts_on or hired_on
    contract_ends_on = contract_ends_on or rules_archive.default_contract_end(contract_starts_on)
    if contract_ends_on <= contract_starts_on:
        errors["contract_ends_on"] = [_("The contract must end after it starts.")]
    if errors:
        raise ValidationError(errors)
    staff = Staff(
        emp_no=emp_no.strip(),
        name=candidate.name,
        gender=candidate.gender,
        mobile=candidate.mobile,
        id_number=candidate.id_number,
        employment_type=candidate.employment_type,
        position=candidate.position,
        status=Staff.Status.ACTIVE,
        branch=candidate.branch,
        team=team if team is not None else candidate.team,
        outlet=outlet,
        regional_manager=regional_manager,
        level=level,
        hired_on=hired_on,
    )
    staff = staff_save(
        actor=actor,
        staff=staff,
        reason=_("hired after probation (application #%(pk)s)") % {"pk": candidate.pk},
    )
    _carry_documents(candidate=candidate, staff=staff)
    TrainingAttendance.objects.filter(
        candidate_id__in=_application_chain(candidate), staff__isnull=True
    ).update(staff=staff)
    _move(
        candidate,
        [Candidate.Status.PROBATION],
        Candidate.Status.HIRED,
        staff=staff,
        converted_at=timezone.now(),
        converted_by=actor,
    )
    # Last: the contract service keeps its own uploads (see its module).
    from brokerdesk.people.services_archive import contract_create

    try:
        contract_create(
            actor=actor,
            staff=staff,
            kind=rules_archive.contract_kind_for(staff.employment_type),
            starts_on=contract_starts_on,
            ends_on=contract_ends_on,
            signed_copy=signed_copy,
            original_location=original_location,
        )
    except ValidationError as e:
        # The contract's fields carry a prefix on the conversion form.
        if hasattr(e, "error_dict"):
            names = {
                "starts_on": "contract_starts_on",
                "ends_on": "contract_ends_on",
                "kind": "contract_starts_on",
            }
            raise ValidationError({names.get(k, k): v for k, v in e.error_dict.items()}) from e
        raise
    return staff


# --- the talent reserve -------------------------------------------------------------------


@_cleans_files
@transaction.atomic
def candidate_reactivate(
    *, actor, candidate: Candidate, applied_on: dt.date | None = None, team=None
) -> Candidate:
    """Take a reserve candidate up again as a new application of the same branch, carrying
    their details and documents (found authentic before stays authentic). The old application
    keeps its trail."""
    _require(actor, RECRUIT, candidate)
    candidate = _lock(candidate)
    if candidate.status not in rules.RESERVE:
        raise ValidationError(_("Only a candidate in the talent reserve can be taken up again."))
    if Candidate.objects.filter(previous=candidate).exists():
        raise ValidationError(_("This candidate was already taken up again."))
    if _open_for(candidate.id_number).exists():
        raise ValidationError(_("This person already has an open application."))
    fields = (
        "branch_id",
        "position",
        "employment_type",
        "name",
        "name_pinyin",
        "pinyin_keys",
        "gender",
        "mobile",
        "id_number",
        "education",
        "school",
        "major",
        "skills",
        "experience",
        "source",
        "source_note",
    )
    fresh = Candidate(**{f: getattr(candidate, f) for f in fields})
    fresh.team = team if team is not None else candidate.team
    if fresh.team_id and fresh.team.branch_id != fresh.branch_id:
        raise ValidationError({"team": _("This team belongs to another branch.")})
    fresh.applied_on = applied_on or timezone.localdate()
    fresh.previous = candidate
    fresh.created_by = actor
    fresh._history_user = actor
    try:
        with transaction.atomic():
            fresh.save()
    except IntegrityError as e:
        raise ValidationError(_("This person already has an open application.")) from e
    for doc in CandidateDocument.objects.filter(candidate=candidate, superseded_at__isnull=True):
        copy = CandidateDocument(
            candidate=fresh,
            slot=doc.slot,
            file_name=doc.file_name,
            file_kind=doc.file_kind,
            size=doc.size,
            sha256=doc.sha256,
            uploaded_by_id=doc.uploaded_by_id,
            check_result=doc.check_result,
            checked_by_id=doc.checked_by_id,
            checked_at=doc.checked_at,
            check_note=doc.check_note,
        )
        with doc.file.open("rb") as fh:
            copy.file.save("upload", File(fh), save=False)
        _remember(copy.file)
        copy.save()
    return fresh
