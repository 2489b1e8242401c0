"""Reads of recruitment that pages, API and exports share, already scoped (第二十、二十三条)."""

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet

from brokerdesk.access.scope import visible
from brokerdesk.people import rules_recruitment as rules
from brokerdesk.people.models_recruitment import Candidate, CandidateDocument
from brokerdesk.people.models_training import TrainingAttendance, TrainingProgramme

_current_docs = Q(documents__superseded_at__isnull=True)


def candidate_list(*, user) -> QuerySet[Candidate]:
    """Candidates the user may see (recruitment and archive roles of the branch, company
    departments), with what the list shows counted in the same query."""
    return (
        visible(user, Candidate)
        .select_related("branch", "team", "approval")
        .annotate(
            doc_count=Count("documents", filter=_current_docs, distinct=True),
            checked_count=Count(
                "documents",
                filter=_current_docs & ~Q(documents__check_result=CandidateDocument.Check.PENDING),
                distinct=True,
            ),
        )
        .order_by("-applied_on", "-id")
    )


def search(qs: QuerySet[Candidate], q: str) -> QuerySet[Candidate]:
    """Name, pinyin (full or initials), mobile, school, major or skills."""
    q = (q or "").strip()
    if not q:
        return qs
    lowered = q.lower()
    cond = (
        Q(name__icontains=q)
        | Q(skills__icontains=q)
        | Q(school__icontains=q)
        | Q(major__icontains=q)
        | Q(experience__icontains=q)
    )
    if lowered.isalpha() and lowered.isascii():
        cond |= Q(pinyin_keys__contains=" " + lowered)
    if q.isdigit() and len(q) >= 4:
        cond |= Q(mobile__endswith=q)
    return qs.filter(cond)


def in_process(qs: QuerySet[Candidate]) -> QuerySet[Candidate]:
    return qs.filter(status__in=list(rules.OPEN))


def reserve_list(
    *,
    user,
    q: str = "",
    education: str = "",
    applied_from: dt.date | None = None,
    applied_to: dt.date | None = None,
    branch=None,
) -> QuerySet[Candidate]:
    """The talent reserve (人才储备, 第二十三条): candidates not hired or withdrawn who were
    not taken up again, searchable by name, pinyin, skills, education and date."""
    qs = candidate_list(user=user).filter(status__in=list(rules.RESERVE), next_application__isnull=True)
    qs = search(qs, q)
    if education:
        qs = qs.filter(education=education)
    if applied_from:
        qs = qs.filter(applied_on__gte=applied_from)
    if applied_to:
        qs = qs.filter(applied_on__lte=applied_to)
    if branch:
        qs = qs.filter(branch=branch)
    return qs


def candidate_detail_queryset(*, user) -> QuerySet[Candidate]:
    return (
        visible(user, Candidate)
        .select_related(
            "branch",
            "team",
            "approval",
            "evaluated_by__staff",
            "probation_assessed_by__staff",
            "staff",
            "previous",
            "created_by__staff",
            "converted_by__staff",
        )
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=CandidateDocument.objects.select_related(
                    "uploaded_by__staff", "checked_by__staff"
                ).order_by("slot", "-id"),
            ),
            Prefetch(
                "training_records",
                queryset=TrainingAttendance.objects.select_related(
                    "session__programme", "recorded_by__staff"
                ).order_by("-session__starts_at"),
            ),
        )
    )


def slot_rows(candidate: Candidate) -> list[dict]:
    """Each document slot with its current document (or none) and the superseded versions."""
    docs = list(candidate.documents.all())
    rows = []
    for value, label in CandidateDocument._meta.get_field("slot").choices:
        versions = [d for d in docs if d.slot == value]
        current = next((d for d in versions if d.superseded_at is None), None)
        rows.append(
            {
                "slot": value,
                "label": label,
                "required": value in rules.REQUIRED_SLOTS,
                "current": current,
                "older": [d for d in versions if d is not current],
            }
        )
    return rows


def pre_job_rows(candidate: Candidate) -> list[TrainingAttendance]:
    return [
        r
        for r in candidate.training_records.all()
        if r.session.programme.category == TrainingProgramme.Category.PRE_JOB
    ]
