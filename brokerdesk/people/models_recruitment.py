"""Recruitment and probation (第二十、二十三条): candidates with their application, their
documents checked for authenticity by a designated person, pre-job training (as attendees of
training sessions), a comprehensive evaluation, the decision (probation or not hired) through
the approvals engine, probation and conversion to regular staff. Candidates not hired stay
as the talent reserve (人才储备) with their materials."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from brokerdesk.core.validators import normalize_id_number, validate_id_number, validate_mobile
from brokerdesk.org.models import Staff
from brokerdesk.people.models_archive import SINGLE_SLOTS, Slot

__all__ = ["Candidate", "CandidateDocument"]

# The documents a candidate hands in (第二十条): the single slots of the personnel file.
CANDIDATE_SLOTS = [(s.value, s.label) for s in SINGLE_SLOTS]


class Candidate(models.Model):
    """One application of a person to a branch (拟聘客户经理)."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        IN_APPROVAL = "in_approval", _("Decision in approval")
        PROBATION = "probation", _("On probation")
        HIRED = "hired", _("Regular staff")
        NOT_HIRED = "not_hired", _("Not hired (talent reserve)")
        WITHDRAWN = "withdrawn", _("Withdrawn (talent reserve)")

    class Education(models.TextChoices):
        HIGH_SCHOOL = "high_school", _("High school or below")
        COLLEGE = "college", _("College (大专)")
        BACHELOR = "bachelor", _("Bachelor")
        MASTER = "master", _("Master")
        DOCTOR = "doctor", _("Doctorate")

    class Source(models.TextChoices):
        CAMPUS = "campus", _("Campus recruitment")
        JOB_SITE = "job_site", _("Job website")
        REFERRAL = "referral", _("Recommended by someone")
        WALK_IN = "walk_in", _("Walk-in application")
        AGENCY = "agency", _("Recruitment agency")
        PARTNER_BANK = "partner_bank", _("Partner bank")
        OTHER = "other", _("Other")

    class Decision(models.TextChoices):
        PROBATION = "probation", _("Probation")
        NOT_HIRED = "not_hired", _("Not hired")

    class ProbationResult(models.TextChoices):
        PENDING = "pending", _("Not yet assessed")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Not passed")

    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="candidates", verbose_name=_("branch")
    )
    team = models.ForeignKey(
        "org.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidates",
        verbose_name=_("intended team"),
    )
    position = models.CharField(
        _("intended position"),
        max_length=30,
        choices=Staff.Position.choices,
        default=Staff.Position.CLIENT_MANAGER,
    )
    employment_type = models.CharField(
        _("employment type"), max_length=20, choices=Staff.EmploymentType.choices
    )
    name = models.CharField(_("full name"), max_length=40)
    name_pinyin = models.CharField(_("pinyin"), max_length=120, blank=True, editable=False)
    pinyin_keys = models.CharField(max_length=600, blank=True, editable=False, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Staff.Gender.choices)
    mobile = models.CharField(_("mobile"), max_length=11, validators=[validate_mobile])
    id_number = models.CharField(
        _("ID number"), max_length=18, validators=[validate_id_number], db_index=True
    )
    education = models.CharField(_("education"), max_length=20, choices=Education.choices)
    school = models.CharField(_("school"), max_length=80, blank=True)
    major = models.CharField(_("major"), max_length=80, blank=True)
    skills = models.CharField(
        _("skills and certificates"),
        max_length=300,
        blank=True,
        help_text=_("E.g. securities qualification, fund qualification, CFA level I, English."),
    )
    experience = models.TextField(_("work experience"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_note = models.CharField(
        _("source details"), max_length=120, blank=True, help_text=_("Who referred them, which website…")
    )
    applied_on = models.DateField(_("applied on"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.APPLIED, db_index=True
    )
    # Comprehensive evaluation (综合考评, 第二十三条).
    evaluation_score = models.DecimalField(
        _("evaluation score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    evaluation_comment = models.TextField(_("evaluation comments"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evaluated by"),
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    # The decision and its approval.
    decision = models.CharField(_("hiring decision"), max_length=20, choices=Decision.choices, blank=True)
    decision_note = models.TextField(_("reasons for the decision"), blank=True)
    approval = models.ForeignKey(
        "approvals.Request",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approval"),
    )
    decided_at = models.DateTimeField(_("decision approved at"), null=True, blank=True)
    # Probation (试用).
    probation_starts_on = models.DateField(_("probation starts on"), null=True, blank=True)
    probation_ends_on = models.DateField(_("probation ends on"), null=True, blank=True)
    probation_result = models.CharField(
        _("probation result"), max_length=10, choices=ProbationResult.choices, default=ProbationResult.PENDING
    )
    probation_comment = models.TextField(_("probation assessment"), blank=True)
    probation_assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("probation assessed by"),
    )
    # Conversion to regular staff.
    staff = models.OneToOneField(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidate",
        verbose_name=_("staff record"),
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("converted by"),
    )
    # A reserve candidate re-activated as a new application points back to the old one.
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_application",
        verbose_name=_("previous application"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["pinyin_keys"])

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["-applied_on", "-id"]
        constraints = [
            # One open application per person: a reserve candidate is re-activated, not duplicated.
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(status__in=["applied", "in_approval", "probation"]),
                name="candidate_one_open_application",
                violation_error_message=_("This person already has an open application."),
            ),
            models.CheckConstraint(
                condition=Q(probation_ends_on__isnull=True)
                | Q(probation_starts_on__isnull=True)
                | Q(probation_ends_on__gt=models.F("probation_starts_on")),
                name="candidate_probation_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(evaluation_score__isnull=True)
                | Q(evaluation_score__gte=0, evaluation_score__lte=100),
                name="candidate_evaluation_score_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="hired") | Q(staff__isnull=False), name="candidate_hired_has_staff"
            ),
        ]
        indexes = [models.Index(fields=["branch", "status"], name="candidate_branch_status_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("people:recruit-detail", args=[self.pk])

    @property
    def in_reserve(self) -> bool:
        return self.status in (Candidate.Status.NOT_HIRED, Candidate.Status.WITHDRAWN)

    def clean(self) -> None:
        self.id_number = normalize_id_number(self.id_number)
        self.mobile = (self.mobile or "").strip()
        errors = {}
        if self.team_id and self.branch_id and self.team.branch_id != self.branch_id:
            errors["team"] = _("This team belongs to another branch.")
        if (
            self.probation_starts_on
            and self.probation_ends_on
            and self.probation_ends_on <= self.probation_starts_on
        ):
            errors["probation_ends_on"] = _("The probation must end after it starts.")
        if errors:
            raise ValidationError(errors)


def candidate_upload_to(instance: "CandidateDocument", filename: str) -> str:
    # Generated server-side: the user's file name is never part of the stored path.
    return f"candidates/{instance.candidate_id}/{instance.slot}/{uuid.uuid4().hex}"


class CandidateDocument(models.Model):
    """One document a candidate handed in, and its authenticity check (第二十条:
    指定专人负责检查各种证件的真实性). A new upload to a slot supersedes the current one; a
    document found authentic no longer changes."""

    class Check(models.TextChoices):
        PENDING = "pending", _("Not yet checked")
        AUTHENTIC = "authentic", _("Authentic")
        DOUBTFUL = "doubtful", _("Doubtful / not authentic")

    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="documents", verbose_name=_("candidate")
    )
    slot = models.CharField(_("document"), max_length=30, choices=CANDIDATE_SLOTS)
    file = models.FileField(_("file"), upload_to=candidate_upload_to, max_length=200)
    file_name = models.CharField(_("file name"), max_length=200)
    file_kind = models.CharField(_("file type"), max_length=10)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    check_result = models.CharField(
        _("authenticity"), max_length=10, choices=Check.choices, default=Check.PENDING
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("authenticity checked at"), null=True, blank=True)
    check_note = models.CharField(_("check note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("candidate document")
        verbose_name_plural = _("candidate documents")
        ordering = ["candidate_id", "slot", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "slot"],
                condition=Q(superseded_at__isnull=True),
                name="candidatedoc_one_current_per_slot",
            ),
            models.CheckConstraint(
                condition=Q(check_result="pending") | Q(checked_by__isnull=False, checked_at__isnull=False),
                name="candidatedoc_checked_has_checker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} · {self.get_slot_display()}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    def get_download_url(self) -> str:
        return reverse("people:recruit-document-download", args=[self.pk])


PHOTO_SLOT = Slot.PHOTO
