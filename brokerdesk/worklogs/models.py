"""Work logs and spot-checks (第五条(一)): "客户经理在开展工作时，必须记录工作日志，团队负责人
不定期对工作日志进行抽查"."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class WorkLog(models.Model):
    """One client manager's log of one day."""

    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="worklogs", verbose_name=_("author")
    )
    day = models.DateField(_("date"))
    work_done = models.TextField(_("work done today"))
    # Free text until the clients module exists; then a link to the clients themselves.
    clients_contacted = models.TextField(
        _("clients contacted"), blank=True, help_text=_("One per line: name, and what was discussed.")
    )
    visited = models.BooleanField(_("went out to visit clients"), default=False)
    tomorrow_plan = models.TextField(_("plan for tomorrow"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work log")
        verbose_name_plural = _("work logs")
        ordering = ["-day", "staff_id"]
        constraints = [models.UniqueConstraint(fields=["staff", "day"], name="worklog_one_per_staff_day")]
        indexes = [models.Index(fields=["day", "staff"], name="worklog_day_staff_idx")]

    def __str__(self) -> str:
        return f"{self.staff.name} {self.day}"

    def get_absolute_url(self) -> str:
        return reverse("worklogs:log-detail", args=[self.pk])

    @property
    def written_late(self) -> bool:
        return self.created_at is not None and timezone.localdate(self.created_at) > self.day


class SpotCheck(models.Model):
    """A lead's random check of a team's recent logs. The draw is recorded with its seed and
    its pool, so anyone can redraw it and get the same logs."""

    team = models.ForeignKey(
        "org.Team", on_delete=models.PROTECT, related_name="worklog_checks", verbose_name=_("team")
    )
    period_start = models.DateField(_("logs from"))
    period_end = models.DateField(_("logs until"))
    size = models.PositiveSmallIntegerField(_("number of logs"), null=True, blank=True)
    percent = models.PositiveSmallIntegerField(_("percentage of logs"), null=True, blank=True)
    seed = models.BigIntegerField(_("random seed"))
    # [[log id, weight], …]: exactly what was drawn from, so the draw can be repeated even
    # after later logs are written for days in the period.
    pool = models.JSONField(_("pool"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("work-log spot-check")
        verbose_name_plural = _("work-log spot-checks")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="spotcheck_period_in_order"
            ),
            models.CheckConstraint(
                condition=(Q(size__isnull=False) & Q(percent__isnull=True))
                | (Q(size__isnull=True) & Q(percent__isnull=False)),
                name="spotcheck_size_or_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.period_start}–{self.period_end}"

    def get_absolute_url(self) -> str:
        return reverse("worklogs:check-detail", args=[self.pk])


class Result(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class SpotCheckItem(models.Model):
    """One drawn log: why it was picked, and (once recorded, for good) the result and comment."""

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.PROTECT, related_name="items")
    log = models.ForeignKey(WorkLog, on_delete=models.PROTECT, related_name="checks", verbose_name=_("log"))
    position = models.PositiveSmallIntegerField(_("order drawn"))
    weight = models.PositiveSmallIntegerField(_("weight"))
    reasons = models.JSONField(_("why picked"), default=list)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, blank=True)
    comment = models.TextField(_("check comment"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("spot-checked log")
        verbose_name_plural = _("spot-checked logs")
        ordering = ["spot_check_id", "position"]
        constraints = [
            # A log is drawn into one check only: once checked it is never checked again.
            models.UniqueConstraint(fields=["log"], name="spotcheck_item_one_check_per_log"),
            models.CheckConstraint(
                condition=Q(result="") | (Q(checked_at__isnull=False) & Q(checked_by__isnull=False)),
                name="spotcheck_item_result_has_checker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spot_check_id}/{self.log_id}"

    @property
    def is_recorded(self) -> bool:
        return bool(self.result)

    def reason_texts(self) -> list[str]:
        """Why this log was picked, in the reader's language."""
        texts = []
        for r in self.reasons or []:
            code = r.get("code")
            if code == "near_duplicate":
                texts.append(
                    _("Nearly the same as the log of %(day)s (%(pct)s%% alike).")
                    % {"day": r.get("other_day", "?"), "pct": round(100 * float(r.get("similarity", 0)))}
                )
            elif code == "visit_without_outing":
                texts.append(_("Claims a client visit, but no approved outing form covers the day."))
            elif code == "no_client":
                texts.append(_("No client named for %(n)s logs in a row.") % {"n": r.get("days", "?")})
        return texts or [str(_("Chosen at random: nothing looked wrong."))]
