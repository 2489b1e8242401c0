"""Attendance (第八条): the working calendar, daily punches, leave, missed-punch corrections,
outing forms (营销人员出访单), team-lead patrols, and the policy a branch applies."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarException(models.Model):
    """A local exception to the national calendar: an extra day off, or a working day."""

    day = models.DateField(_("date"))
    branch = models.ForeignKey(
        "org.Branch",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("branch"),
        help_text=_("Empty: the whole company."),
    )
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["day", "branch"], name="calendar_exception_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.note}"


class Policy(models.Model):
    """A branch's attendance rules (empty branch: the company default)."""

    branch = models.OneToOneField(
        "org.Branch", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("branch")
    )
    grace_minutes = models.PositiveSmallIntegerField(_("grace minutes"), default=0)
    free_late_early_per_month = models.PositiveSmallIntegerField(
        _("free late/early arrivals per month"), default=0
    )
    deduction_per_excess = models.DecimalField(
        _("deduction per excess late/early (¥)"),
        max_digits=18,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    corrections_per_month = models.PositiveSmallIntegerField(
        _("missed-punch corrections per month"), default=3
    )

    class Meta:
        verbose_name = _("attendance policy")
        verbose_name_plural = _("attendance policies")

    def __str__(self) -> str:
        return str(self.branch or _("Company default"))


class DailyRecord(models.Model):
    """One person's punches for one day. Check-in and check-out times come from the server."""

    class Source(models.TextChoices):
        SELF = "self", _("Self (phone)")
        RECORDER = "recorder", _("Attendance recorder")
        CORRECTION = "correction", _("Approved correction")

    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="daily_records")
    day = models.DateField(_("date"))
    outlet = models.ForeignKey(
        "org.Outlet", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("outlet")
    )
    check_in = models.DateTimeField(_("check-in"), null=True, blank=True)
    check_out = models.DateTimeField(_("check-out"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.SELF)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Every change by hand (recorder) or by an approved correction keeps the earlier version.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("daily attendance record")
        verbose_name_plural = _("daily attendance records")
        ordering = ["-day", "staff_id"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "day"], name="daily_record_one_per_staff_day"),
            models.CheckConstraint(
                condition=Q(check_out__isnull=True)
                | Q(check_in__isnull=True)
                | Q(check_out__gte=models.F("check_in")),
                name="daily_record_out_after_in",
            ),
        ]
        indexes = [models.Index(fields=["day", "staff"], name="daily_record_day_idx")]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.day}"


class LeaveType(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=20)
    notice_days = models.PositiveSmallIntegerField(_("notice in days"), default=1)
    flow_code = models.CharField(_("approval flow"), max_length=40, default="leave")
    annual_days = models.DecimalField(
        _("days per year"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Empty: no balance is kept for this type."),
    )

    class Meta:
        verbose_name = _("leave type")
        verbose_name_plural = _("leave types")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Workflow(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_APPROVAL = "in_approval", _("In approval")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LeaveRequest(models.Model):
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="leave_requests")
    leave_type = models.ForeignKey(LeaveType, on_delete=models.PROTECT, verbose_name=_("leave type"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    days = models.DecimalField(_("working days"), max_digits=5, decimal_places=1)
    reason = models.CharField(_("reason"), max_length=300)
    is_late = models.BooleanField(_("requested after it started"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Workflow.choices, default=Workflow.IN_APPROVAL
    )
    approval = models.ForeignKey(
        "approvals.Request", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="leave_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leave_type} {self.starts_on}–{self.ends_on}"

    def get_absolute_url(self) -> str:
        return reverse("attendance:leave-detail", args=[self.pk])


class PunchCorrection(models.Model):
    """A missed punch (补卡): the time it should have been, with a reason, approved by the lead."""

    class Kind(models.TextChoices):
        CHECK_IN = "in", _("Check-in")
        CHECK_OUT = "out", _("Check-out")

    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="punch_corrections")
    day = models.DateField(_("date"))
    kind = models.CharField(_("punch"), max_length=3, choices=Kind.choices)
    at = models.TimeField(_("time"))
    reason = models.CharField(_("reason"), max_length=300)
    original = models.DateTimeField(_("original punch"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Workflow.choices, default=Workflow.IN_APPROVAL
    )
    approval = models.ForeignKey(
        "approvals.Request", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("missed-punch correction")
        verbose_name_plural = _("missed-punch corrections")
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.day} {self.kind}"

    def get_absolute_url(self) -> str:
        return reverse("attendance:my-month")


class Outing(models.Model):
    """An outing form (营销人员出访单, 第八条(三)): where, whom, how to reach them, why."""

    class Check(models.TextChoices):
        NOT_CHECKED = "", _("Not checked")
        CONFIRMED = "confirmed", _("Confirmed")
        NOT_CONFIRMED = "not_confirmed", _("Not confirmed")

    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="outings")
    destination = models.CharField(_("destination"), max_length=200)
    person_visited = models.CharField(_("person visited"), max_length=60)
    contact = models.CharField(_("contact"), max_length=60)
    purpose = models.CharField(_("purpose"), max_length=300)
    starts_at = models.DateTimeField(_("leaves at"))
    ends_at = models.DateTimeField(_("back at"))
    status = models.CharField(
        _("status"), max_length=20, choices=Workflow.choices, default=Workflow.IN_APPROVAL
    )
    approval = models.ForeignKey(
        "approvals.Request", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    check_result = models.CharField(_("check"), max_length=20, choices=Check.choices, blank=True, default="")
    check_remark = models.CharField(_("check remark"), max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outing form")
        verbose_name_plural = _("outing forms")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="outing_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.destination} {self.starts_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("attendance:outing-list")


class Patrol(models.Model):
    """A team lead's patrol of an outlet (第八条(四))."""

    lead = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="patrols", verbose_name=_("team lead")
    )
    day = models.DateField(_("date"))
    outlet = models.ForeignKey("org.Outlet", on_delete=models.PROTECT, verbose_name=_("outlet"))
    present = models.ManyToManyField("org.Staff", blank=True, related_name="+", verbose_name=_("present"))
    findings = models.TextField(_("findings"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return f"{self.outlet} {self.day}"
