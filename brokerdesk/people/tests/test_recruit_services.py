"""Recruitment through the services (第二十、二十三条): the application, documents and their
authenticity check, the decision through the approvals engine, probation, conversion to
regular staff with the first contract, and the talent reserve."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from brokerdesk.approvals import services as approvals
from brokerdesk.approvals.models import Request
from brokerdesk.org.models import Staff
from brokerdesk.people import services_recruitment as recruit
from brokerdesk.people.models_archive import ArchiveDocument, Contract
from brokerdesk.people.models_recruitment import Candidate, CandidateDocument
from brokerdesk.people.models_training import TrainingAttendance
from brokerdesk.people.selectors_training import records_for
from brokerdesk.people.tests.test_recruit_fixtures import (
    candidate_data,
    documents_in,
    exe_as_pdf,
    make_candidate,
    on_probation,
    pdf,
    probation_passed,
    ready_for_decision,
    trained,
)

pytestmark = pytest.mark.django_db


def _propose(org, candidate, decision="probation", **kw):
    kw.setdefault("probation_starts_on", dt.date(2026, 4, 1))
    kw.setdefault("probation_ends_on", dt.date(2026, 6, 30))
    return recruit.candidate_propose(
        actor=org.users.trade, candidate=candidate, decision=decision, note="建议", **kw
    )


def _errors(exc) -> dict:
    return exc.value.message_dict


# --- the application --------------------------------------------------------------------


def test_application_is_recorded_with_pinyin_and_validated_id(org):
    candidate = make_candidate(org, name="欧阳娜娜")
    assert candidate.status == Candidate.Status.APPLIED
    assert candidate.name_pinyin == "ouyangnana" and " oynn" in candidate.pinyin_keys
    with pytest.raises(ValidationError) as exc:
        make_candidate(org, id_number="110101199001011234")  # wrong check digit
    assert "id_number" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        make_candidate(org, mobile="12345")
    assert "mobile" in _errors(exc)


def test_a_person_has_one_open_application_and_staff_cannot_apply_again(org):
    first = make_candidate(org)
    with pytest.raises(ValidationError) as exc:
        make_candidate(org, id_number=first.id_number)
    assert "id_number" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        make_candidate(org, id_number=org.staff.cm.id_number)
    assert "id_number" in _errors(exc)


def test_recruiter_of_another_branch_or_without_the_permission_is_refused(org):
    with pytest.raises(PermissionDenied):
        make_candidate(org, actor=org.users.trade, branch=org.branches.b2, team=org.teams.c)
    with pytest.raises(PermissionDenied):
        make_candidate(org, actor=org.users.lead)
    candidate = make_candidate(org)
    with pytest.raises(PermissionDenied):
        recruit.candidate_document_upload(
            actor=org.users.keeper, candidate=candidate, slot="resume", upload=pdf()
        )
    # HR (company department) records candidates of any branch.
    assert make_candidate(org, actor=org.users.hr, branch=org.branches.b2, team=org.teams.c).pk


def test_team_of_another_branch_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        make_candidate(org, team=org.teams.c)
    assert "team" in _errors(exc)


# --- documents ---------------------------------------------------------------------------


def test_executable_renamed_pdf_is_refused_and_nothing_is_saved(org, settings):
    candidate = make_candidate(org)
    with pytest.raises(ValidationError) as exc:
        recruit.candidate_document_upload(
            actor=org.users.trade, candidate=candidate, slot="diploma", upload=exe_as_pdf()
        )
    assert "file" in _errors(exc)
    assert not CandidateDocument.objects.exists()
    stored = settings.MEDIA_ROOT / "candidates"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_photo_must_be_an_image(org):
    candidate = make_candidate(org)
    with pytest.raises(ValidationError) as exc:
        recruit.candidate_document_upload(
            actor=org.users.trade, candidate=candidate, slot="photo", upload=pdf()
        )
    assert "file" in _errors(exc)


def test_authenticity_check_records_who_and_when_once_and_needs_the_designated_person(org):
    candidate = make_candidate(org)
    doc = recruit.candidate_document_upload(
        actor=org.users.trade, candidate=candidate, slot="diploma", upload=pdf()
    )
    with pytest.raises(PermissionDenied):  # the branch manager recruits but does not check
        recruit.candidate_document_check(actor=org.users.manager, document=doc, result="authentic")
    with pytest.raises(ValidationError) as exc:
        recruit.candidate_document_check(actor=org.users.hr, document=doc, result="doubtful")
    assert "note" in _errors(exc)
    recruit.candidate_document_check(actor=org.users.hr, document=doc, result="authentic")
    doc.refresh_from_db()
    assert (doc.check_result, doc.checked_by, doc.checked_at is not None) == ("authentic", org.users.hr, True)
    with pytest.raises(ValidationError):
        recruit.candidate_document_check(actor=org.users.trade, document=doc, result="doubtful", note="x")
    # An authentic document is no longer replaced.
    with pytest.raises(ValidationError) as exc:
        recruit.candidate_document_upload(
            actor=org.users.trade, candidate=candidate, slot="diploma", upload=pdf()
        )
    assert "file" in _errors(exc)


def test_a_new_upload_supersedes_an_unchecked_document(org):
    candidate = make_candidate(org)
    first = recruit.candidate_document_upload(
        actor=org.users.trade, candidate=candidate, slot="resume", upload=pdf()
    )
    second = recruit.candidate_document_upload(
        actor=org.users.trade, candidate=candidate, slot="resume", upload=pdf("new.pdf")
    )
    first.refresh_from_db()
    assert first.superseded_at is not None and second.is_current
    assert recruit.current_documents(candidate) == {"resume": "pending"}


# --- the decision ------------------------------------------------------------------------


def test_decision_before_documents_are_verified_is_refused(org):
    candidate = make_candidate(org)
    documents_in(org, candidate, verifier=False)
    trained(org, candidate)
    recruit.candidate_evaluate(actor=org.users.trade, candidate=candidate, score=Decimal("80"), comment="好")
    with pytest.raises(ValidationError) as exc:
        _propose(org, candidate)
    assert "documents" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        _propose(org, candidate, decision="not_hired")
    assert "documents" in _errors(exc)
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.APPLIED and candidate.approval is None


def test_decision_before_pre_job_training_has_a_result_is_refused(org):
    candidate = make_candidate(org)
    documents_in(org, candidate)
    with pytest.raises(ValidationError) as exc:
        _propose(org, candidate, decision="not_hired")
    assert "training" in _errors(exc)


def test_probation_needs_every_document_the_training_passed_and_an_evaluation(org):
    candidate = make_candidate(org)
    documents_in(org, candidate, slots=["resume", "id_copy"])
    trained(org, candidate, score="40")
    with pytest.raises(ValidationError) as exc:
        _propose(org, candidate)
    assert {"documents", "training", "evaluation"} <= set(_errors(exc))
    # Not hired can still be proposed: everything handed in was checked, the training has a result.
    _propose(org, candidate, decision="not_hired")
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.IN_APPROVAL


def test_probation_ending_before_it_starts_is_refused(org):
    candidate = ready_for_decision(org)
    with pytest.raises(ValidationError) as exc:
        _propose(
            org, candidate, probation_starts_on=dt.date(2026, 4, 1), probation_ends_on=dt.date(2026, 3, 1)
        )
    assert "probation_ends_on" in _errors(exc)
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.APPLIED and candidate.probation_ends_on is None


def test_approved_probation_decision_puts_the_candidate_on_probation(org):
    candidate = ready_for_decision(org)
    _propose(org, candidate)
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.IN_APPROVAL
    request = candidate.approval
    assert request.flow.code == "recruit_decision" and request.branch == org.branches.b1
    # Nobody changes the application while it is in approval.
    with pytest.raises(ValidationError):
        recruit.candidate_evaluate(
            actor=org.users.trade, candidate=candidate, score=Decimal("10"), comment="x"
        )
    task = approvals.inbox(org.users.manager).get(request=request)
    approvals.task_act(actor=org.users.manager, task=task, decision="approve", opinion="同意试用")
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.PROBATION
    assert candidate.decided_at is not None
    assert (candidate.probation_starts_on, candidate.probation_ends_on) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
    )


def test_returned_decision_goes_back_and_is_resubmitted_by_proposing_again(org):
    candidate = ready_for_decision(org)
    _propose(org, candidate)
    candidate.refresh_from_db()
    task = approvals.inbox(org.users.manager).get(request=candidate.approval)
    approvals.task_act(actor=org.users.manager, task=task, decision="return", opinion="试用期改为两个月")
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.APPLIED
    _propose(org, candidate, probation_ends_on=dt.date(2026, 5, 31))
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.IN_APPROVAL
    assert candidate.approval.round == 2 and Request.objects.count() == 1


def test_rejected_decision_leaves_the_application_open_and_not_hired_goes_to_the_reserve(org):
    candidate = ready_for_decision(org)
    _propose(org, candidate)
    candidate.refresh_from_db()
    task = approvals.inbox(org.users.manager).get(request=candidate.approval)
    approvals.task_act(actor=org.users.manager, task=task, decision="reject", opinion="名额已满")
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.APPLIED
    _propose(org, candidate, decision="not_hired")
    candidate.refresh_from_db()
    task = approvals.inbox(org.users.manager).get(request=candidate.approval)
    approvals.task_act(actor=org.users.manager, task=task, decision="approve", opinion="同意")
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.NOT_HIRED and candidate.in_reserve


# --- probation and conversion ---------------------------------------------------------------


def test_probation_dates_can_be_extended_but_not_reversed(org):
    candidate = on_probation(org)
    with pytest.raises(ValidationError) as exc:
        recruit.candidate_probation_set(
            actor=org.users.trade,
            candidate=candidate,
            starts_on=dt.date(2026, 4, 1),
            ends_on=dt.date(2026, 4, 1),
        )
    assert "probation_ends_on" in _errors(exc)
    recruit.candidate_probation_set(
        actor=org.users.trade,
        candidate=candidate,
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 7, 31),
    )
    candidate.refresh_from_db()
    assert candidate.probation_ends_on == dt.date(2026, 7, 31)


def test_conversion_is_refused_before_probation_ends_or_when_not_passed(org):
    candidate = on_probation(org)
    with pytest.raises(ValidationError):  # no result yet
        recruit.candidate_convert(
            actor=org.users.trade, candidate=candidate, emp_no="BJ0100", today=dt.date(2026, 7, 1)
        )
    recruit.candidate_probation_assess(
        actor=org.users.trade, candidate=candidate, result="passed", comment="良好"
    )
    with pytest.raises(ValidationError):  # before the end
        recruit.candidate_convert(
            actor=org.users.trade, candidate=candidate, emp_no="BJ0100", today=dt.date(2026, 6, 29)
        )
    assert not Staff.objects.filter(emp_no="BJ0100").exists()
    other = on_probation(org, name="刘备")
    recruit.candidate_probation_assess(
        actor=org.users.trade, candidate=other, result="failed", comment="业绩不达标"
    )
    other.refresh_from_db()
    assert other.status == Candidate.Status.NOT_HIRED
    with pytest.raises(ValidationError):
        recruit.candidate_convert(
            actor=org.users.trade, candidate=other, emp_no="BJ0101", today=dt.date(2026, 7, 1)
        )


def test_conversion_creates_staff_files_the_documents_links_training_and_signs_the_first_contract(org):
    candidate = probation_passed(org)
    staff = recruit.candidate_convert(
        actor=org.users.trade,
        candidate=candidate,
        emp_no="BJ0100",
        outlet=org.outlets.o1,
        level=org.levels[0],
        original_location="档案柜A-3",
        today=dt.date(2026, 7, 1),
    )
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.HIRED and candidate.staff == staff
    assert (staff.name, staff.status, staff.branch, staff.team) == (
        "陈晓明",
        Staff.Status.ACTIVE,
        org.branches.b1,
        org.teams.a,
    )
    assert staff.hired_on == dt.date(2026, 7, 1) and staff.id_number == candidate.id_number
    assert staff.assignments.get().starts_on == dt.date(2026, 7, 1)
    contract = Contract.objects.get(staff=staff)
    assert (contract.kind, contract.starts_on, contract.ends_on) == (
        "labour",
        dt.date(2026, 7, 1),
        dt.date(2027, 6, 30),
    )
    docs = ArchiveDocument.objects.filter(staff=staff)
    assert sorted(docs.values_list("slot", flat=True)) == sorted(
        ["photo", "resume", "id_copy", "diploma", "guarantee", "guarantor_id"]
    )
    assert all(d.verified_by == org.users.hr and d.verified_at for d in docs)
    assert docs.get(slot="diploma").file.read().startswith(b"%PDF")
    rows = list(records_for(staff))
    assert len(rows) == 1 and rows[0].result == TrainingAttendance.Result.PASSED
    with pytest.raises(ValidationError):  # only once
        recruit.candidate_convert(
            actor=org.users.trade, candidate=candidate, emp_no="BJ0102", today=dt.date(2026, 7, 1)
        )


def test_part_timer_gets_a_cooperation_agreement(org):
    candidate = probation_passed(org, employment_type=Staff.EmploymentType.PART_TIME)
    staff = recruit.candidate_convert(
        actor=org.users.hr, candidate=candidate, emp_no="BJ0200", today=dt.date(2026, 7, 1)
    )
    assert Contract.objects.get(staff=staff).kind == "cooperation"


def test_conversion_with_a_taken_employee_number_saves_nothing(org):
    candidate = probation_passed(org)
    with pytest.raises(ValidationError) as exc:
        recruit.candidate_convert(
            actor=org.users.trade, candidate=candidate, emp_no="BJ0001", today=dt.date(2026, 7, 1)
        )
    assert "emp_no" in _errors(exc)
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.PROBATION and candidate.staff is None
    assert not ArchiveDocument.objects.exists() and not Contract.objects.exists()


# --- the talent reserve -------------------------------------------------------------------


def test_withdrawn_candidate_is_reactivated_as_a_new_application_with_their_materials(org):
    candidate = make_candidate(org)
    documents_in(org, candidate, slots=["resume", "diploma"])
    with pytest.raises(ValidationError) as exc:
        recruit.candidate_withdraw(actor=org.users.trade, candidate=candidate, note="")
    assert "note" in _errors(exc)
    recruit.candidate_withdraw(actor=org.users.trade, candidate=candidate, note="本人另有打算")
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.WITHDRAWN
    fresh = recruit.candidate_reactivate(
        actor=org.users.trade, candidate=candidate, applied_on=dt.date(2026, 9, 1)
    )
    assert fresh.status == Candidate.Status.APPLIED and fresh.previous == candidate
    assert recruit.current_documents(fresh) == {"resume": "authentic", "diploma": "authentic"}
    with pytest.raises(ValidationError):
        recruit.candidate_reactivate(actor=org.users.trade, candidate=candidate)


def test_only_reserve_candidates_are_reactivated(org):
    candidate = make_candidate(org, **{k: v for k, v in candidate_data(org).items() if k == "name"})
    with pytest.raises(ValidationError):
        recruit.candidate_reactivate(actor=org.users.trade, candidate=candidate)
