"""Helpers for the recruitment and training tests (no tests here): uploads, a candidate, the
pre-job training, a candidate ready for a decision, on probation, and regular staff."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from brokerdesk.approvals import services as approvals
from brokerdesk.org.models import Staff
from brokerdesk.org.tests.factories import make_id_number
from brokerdesk.people import services_recruitment as recruit
from brokerdesk.people import services_training as training
from brokerdesk.people.models_recruitment import Candidate, CandidateDocument
from brokerdesk.people.models_training import TrainingProgramme, TrainingSession
from brokerdesk.people.rules_recruitment import REQUIRED_SLOTS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
_n = [700]


def pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def exe_as_pdf(name: str = "diploma.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, EXE, content_type="application/pdf")


def upload_for(slot: str):
    return png() if slot == "photo" else pdf(f"{slot}.pdf")


def next_id_number() -> str:
    _n[0] += 1
    return make_id_number(_n[0], area="320102")


def candidate_data(org, **over) -> dict:
    data = {
        "branch": org.branches.b1,
        "team": org.teams.a,
        "position": Staff.Position.CLIENT_MANAGER,
        "employment_type": Staff.EmploymentType.FULL_TIME,
        "name": "陈晓明",
        "gender": Staff.Gender.MALE,
        "mobile": "13700001111",
        "id_number": next_id_number(),
        "education": Candidate.Education.BACHELOR,
        "school": "北京大学",
        "major": "金融学",
        "skills": "证券从业资格 基金从业资格",
        "source": Candidate.Source.CAMPUS,
        "applied_on": dt.date(2026, 3, 2),
    }
    data.update(over)
    return data


def make_candidate(org, actor=None, **over) -> Candidate:
    return recruit.candidate_save(
        actor=actor or org.users.trade, candidate=Candidate(**candidate_data(org, **over))
    )


def pre_job_session(org, *, branch=None, actor=None, days_ago: int = 3) -> TrainingSession:
    actor = actor or org.users.trade
    branch = branch or org.branches.b1
    programme = training.programme_save(
        actor=actor,
        programme=TrainingProgramme(
            branch=branch,
            title="客户经理岗前培训",
            category=TrainingProgramme.Category.PRE_JOB,
            organiser="营业部",
            pass_score=Decimal("60"),
        ),
    )
    start = timezone.now() - dt.timedelta(days=days_ago)
    return training.session_save(
        actor=actor,
        session=TrainingSession(
            programme=programme,
            branch=branch,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            place="三楼会议室",
            content="证券基础知识、合规要求、客户服务规范",
            trainer=org.staff.manager,
        ),
    )


def documents_in(org, candidate, *, verifier=None, slots=REQUIRED_SLOTS, result="authentic") -> None:
    for slot in slots:
        doc = recruit.candidate_document_upload(
            actor=org.users.trade, candidate=candidate, slot=slot, upload=upload_for(slot)
        )
        if verifier is not False:
            recruit.candidate_document_check(
                actor=verifier or org.users.hr,
                document=doc,
                result=result,
                note="" if result == CandidateDocument.Check.AUTHENTIC else "印章模糊",
            )


def trained(org, candidate, *, score: str = "85", session=None) -> TrainingSession:
    session = session or pre_job_session(org)
    (row,) = training.attendees_add(actor=org.users.trade, session=session, candidates=[candidate])
    training.results_record(
        actor=org.users.trade, session=session, rows=[{"attendance": row.pk, "score": Decimal(score)}]
    )
    return session


def ready_for_decision(org, **over) -> Candidate:
    candidate = make_candidate(org, **over)
    documents_in(org, candidate)
    trained(org, candidate)
    return recruit.candidate_evaluate(
        actor=org.users.trade, candidate=candidate, score=Decimal("82.5"), comment="表现积极，沟通能力强"
    )


def approve(user, candidate) -> None:
    candidate.refresh_from_db()
    task = approvals.inbox(user).get(request_id=candidate.approval_id)
    approvals.task_act(actor=user, task=task, decision="approve", opinion="同意")


def on_probation(org, *, starts_on=dt.date(2026, 4, 1), ends_on=dt.date(2026, 6, 30), **over) -> Candidate:
    candidate = ready_for_decision(org, **over)
    recruit.candidate_propose(
        actor=org.users.trade,
        candidate=candidate,
        decision="probation",
        note="综合考评合格，建议试用",
        probation_starts_on=starts_on,
        probation_ends_on=ends_on,
    )
    approve(org.users.manager, candidate)
    candidate.refresh_from_db()
    return candidate


def probation_passed(org, **over) -> Candidate:
    candidate = on_probation(org, **over)
    return recruit.candidate_probation_assess(
        actor=org.users.trade, candidate=candidate, result="passed", comment="试用期表现良好"
    )


def people(org) -> SimpleNamespace:
    return SimpleNamespace(recruiter=org.users.trade, verifier=org.users.hr, approver=org.users.manager)
