"""Team meetings (第九条, 第十条): the daily morning meeting, the weekly work meeting and the
monthly summary meeting, each with its chair, attendance, minutes per agenda part and the
decisions taken, each decision with its owner."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from brokerdesk.meetings import rules


class Meeting(models.Model):
    class Kind(models.TextChoices):
        MORNING = rules.MORNING, _("Morning meeting")
        WEEKLY = rules.WEEKLY, _("Weekly work meeting")
        MONTHLY = rules.MONTHLY, _("Monthly summary meeting")

    team = models.ForeignKey(
        "org.Team", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("team")
    )
    kind = models.CharField(_("kind of meeting"), max_length=10, choices=Kind.choices)
    held_on = models.DateField(_("held on"))
    # The day, ISO week (Monday) or month (1st) the meeting counts for (rules.period_start):
    # the unique constraint below makes a second meeting of a kind in one period impossible,
    # even for two requests at once.
    period_start = models.DateField(_("period"), editable=False)
    chair = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("chaired by")
    )
    # {agenda part code: text}; the parts of each kind are rules.AGENDA.
    minutes = models.JSONField(_("minutes"), default=dict)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "team_id", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "kind", "period_start"], name="meeting_one_per_team_kind_period"
            ),
            models.CheckConstraint(condition=Q(period_start__lte=F("held_on")), name="meeting_period_start"),
            models.CheckConstraint(condition=Q(kind__in=rules.KINDS), name="meeting_kind_valid"),
        ]
        indexes = [models.Index(fields=["team", "held_on"], name="meeting_team_held_idx")]

    def __str__(self) -> str:
        return f"{self.team} {self.get_kind_display()} {self.held_on}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    @property
    def recorded_on(self):
        return timezone.localdate(self.created_at) if self.created_at else None

    def minutes_parts(self) -> list[tuple[str, object, str]]:
        """(code, label, text) of each agenda part of the meeting's kind, in order."""
        return [(code, label, (self.minutes or {}).get(code, "")) for code, label in rules.AGENDA[self.kind]]


class Attendance(models.Model):
    """Whether one team member was at the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="meeting_attendance", verbose_name=_("person")
    )
    present = models.BooleanField(_("attended"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting attendance")
        verbose_name_plural = _("meeting attendance")
        ordering = ["meeting_id", "staff__emp_no"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "staff"], name="meeting_attendance_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.staff_id}"


class Decision(models.Model):
    """A decision taken at a meeting, and who carries it out."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    position = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("resolution"))
    owner = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="meeting_decisions", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["meeting_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="meeting_decision_position")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.position}"
