"""The training archive (员工培训档案, 第二十四条): programmes, their sessions (time, content,
trainer), the attendees (staff or candidates) and each attendee's assessment result, entered
after the session by the organiser's designated person. A person's rows are part of their
file and of their assessment (``selectors_training.records_for``)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

__all__ = ["TrainingProgramme", "TrainingSession", "TrainingAttendance"]


class TrainingProgramme(models.Model):
    """A training programme: pre-job training, product, compliance, sales skills…

    A programme of a branch (``branch`` set) or of the company (``branch`` empty).
    """

    class Category(models.TextChoices):
        PRE_JOB = "pre_job", _("Pre-job training")
        PRODUCT = "product", _("Products and business")
        COMPLIANCE = "compliance", _("Compliance and risk")
        SKILLS = "skills", _("Sales and service skills")
        MANAGEMENT = "management", _("Management")
        OTHER = "other", _("Other")

    branch = models.ForeignKey(
        "org.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_programmes",
        verbose_name=_("branch"),
        help_text=_("Empty for a company-wide programme."),
    )
    title = models.CharField(_("title"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    organiser = models.CharField(
        _("organising department"), max_length=80, help_text=_("E.g. the branch, HR dept, compliance dept.")
    )
    description = models.TextField(_("description"), blank=True)
    pass_score = models.DecimalField(
        _("pass mark"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("When set, a score at or above it passes unless the recorder says otherwise."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_score__isnull=True) | Q(pass_score__gte=0, pass_score__lte=100),
                name="training_programme_pass_score_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("people:training-programme-detail", args=[self.pk])


class TrainingSession(models.Model):
    """One sitting of a programme: when, where, what was taught, by whom, for whom.

    The organiser is a team (``team`` set), a branch (``branch`` set, no team) or the company
    (both empty); it decides who may record the results (第二十四条: 培训组织部门指定专人).
    Once the results are confirmed they no longer change.
    """

    programme = models.ForeignKey(
        TrainingProgramme, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("programme")
    )
    branch = models.ForeignKey(
        "org.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_sessions",
        verbose_name=_("organising branch"),
        help_text=_("Empty for a company-wide session."),
    )
    team = models.ForeignKey(
        "org.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_sessions",
        verbose_name=_("organising team"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    content = models.TextField(_("content"))
    trainer = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trainer (staff)"),
    )
    trainer_name = models.CharField(
        _("trainer"), max_length=80, blank=True, help_text=_("For a trainer from outside: name and firm.")
    )
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    results_confirmed_at = models.DateTimeField(_("results confirmed at"), null=True, blank=True)
    results_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("results confirmed by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="training_session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(team__isnull=True) | Q(branch__isnull=False),
                name="training_session_team_has_branch",
            ),
        ]
        indexes = [models.Index(fields=["branch", "starts_at"], name="training_session_branch_idx")]

    def __str__(self) -> str:
        return f"{self.programme} {self.starts_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("people:training-session-detail", args=[self.pk])

    @property
    def trainer_display(self) -> str:
        if self.trainer_id:
            return self.trainer.name
        return self.trainer_name

    @property
    def is_confirmed(self) -> bool:
        return self.results_confirmed_at is not None

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The session must end after it starts.")
        if self.team_id and self.branch_id and self.team.branch_id != self.branch_id:
            errors["team"] = _("This team belongs to another branch.")
        if not self.trainer_id and not (self.trainer_name or "").strip():
            errors["trainer_name"] = _("Name the trainer: a member of staff or someone from outside.")
        if errors:
            raise ValidationError(errors)


class TrainingAttendance(models.Model):
    """One attendee of a session and their assessment result (考核结果).

    The attendee is a member of staff or a candidate (pre-job training, 第二十三条); when a
    candidate becomes staff their rows get the staff member too, so their file shows them.
    """

    class Result(models.TextChoices):
        PENDING = "pending", _("Not yet assessed")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Not passed")
        ABSENT = "absent", _("Did not attend")

    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("session")
    )
    staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_records",
        verbose_name=_("staff member"),
    )
    candidate = models.ForeignKey(
        "people.Candidate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_records",
        verbose_name=_("candidate"),
    )
    result = models.CharField(
        _("assessment result"), max_length=10, choices=Result.choices, default=Result.PENDING
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["session_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=False) | Q(candidate__isnull=False),
                name="training_attendance_has_person",
            ),
            models.UniqueConstraint(
                fields=["session", "staff"],
                condition=Q(staff__isnull=False),
                name="training_attendance_once_staff",
            ),
            models.UniqueConstraint(
                fields=["session", "candidate"],
                condition=Q(candidate__isnull=False),
                name="training_attendance_once_candidate",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="training_attendance_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.person_name}"

    @property
    def person_name(self) -> str:
        if self.staff_id:
            return self.staff.name
        return self.candidate.name if self.candidate_id else ""
