"""Monthly business statistics, pay and assessment (第二、十五、十六、十七条).

The month's client-level figures come from the firm's CRM as an import (``CrmImport``);
each import of a month for a branch is a new *version*: the current version's rows are
what statistics and pay read, older versions stay for audit. Statistics per client
manager and month (``ManagerMonth``) are derived from the current version, crediting each
client to its responsible manager by the ownership history, never to the CRM's own
manager column (that one is reconciled and reported).

Pay schemes (薪酬标准) are data: a versioned scheme per branch or team with its components
(base pay by level, commission brackets, new-account bonus, asset component, override,
holdback, clawback…), approved through the approvals engine. A pay run computes every
manager's pay of a branch and month line by line; its report (薪酬月报表) is signed in
order by the chief accountant, the deputy manager and the manager and never changes
afterwards: a correction is a new version of the run.

Assessments (duty and performance, monthly, quarterly, yearly) score people from the
system's own records and the lead's marks; quarterly and yearly results move levels
(``LevelChange``), which the next pay run's base-pay lookup follows.
"""

import hashlib
import json

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

MONEY = {"max_digits": 18, "decimal_places": 2}
RATE = {"max_digits": 9, "decimal_places": 6}  # a share: 0.012345 is 1.2345 %


class Frozen(Exception):
    """A signed record was about to be changed or deleted."""


# --- CRM import ----------------------------------------------------------------------


class CrmImport(models.Model):
    """One uploaded CRM file for one month (and one branch, or the whole firm)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Validating")
        INVALID = "invalid", _("Has bad rows")
        LOADING = "loading", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    month = models.DateField(_("month"))  # first day
    branch = models.ForeignKey(
        "org.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("branch"),
        help_text=_("Empty: a firm-wide file (every branch it names)."),
    )
    file = models.FileField(_("file"), upload_to="crm/%Y/%m/", max_length=200)
    file_name = models.CharField(_("file name"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    accept_good_rows = models.BooleanField(
        _("import the good rows"), default=False, help_text=_("Import the good rows and skip the bad ones.")
    )
    # Progress for the page and the command line: rows read of (estimated) rows.
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    phase = models.CharField(max_length=40, blank=True)
    rows_total = models.PositiveIntegerField(_("rows in file"), default=0)
    rows_bad = models.PositiveIntegerField(_("bad rows"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    # Reconciliation: the file's own totals (good rows) against what landed in the tables.
    file_totals = models.JSONField(default=dict, blank=True)
    imported_totals = models.JSONField(default=dict, blank=True)
    owner_mismatches = models.PositiveIntegerField(_("manager differs from ownership"), default=0)
    error = models.TextField(blank=True)
    is_current = models.BooleanField(_("current version"), default=False)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("superseded by"),
    )
    task_id = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("CRM import")
        verbose_name_plural = _("CRM imports")
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["month", "branch", "is_current"], name="crm_import_current_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("performance:import-detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status in (self.Status.DONE, self.Status.INVALID) else 0
        return min(100, int(self.progress_done * 100 / self.progress_total))


class ImportRowError(models.Model):
    """A bad row of an import: line number and reason (every one is kept and shown)."""

    crm_import = models.ForeignKey(CrmImport, on_delete=models.CASCADE, related_name="errors")
    line = models.PositiveIntegerField(_("line"))
    column = models.CharField(_("column"), max_length=40, blank=True)
    message = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("import error")
        verbose_name_plural = _("import errors")
        ordering = ["line", "id"]

    def __str__(self) -> str:
        return f"{self.line}: {self.message}"


class ClientMonth(models.Model):
    """One client's CRM figures of one month, as one import version loaded them.

    A million rows a month are written at once, so the table carries only the indexes its
    readers use: (import) for the statistics and the reconciliation, whose entries are appended
    in order as the rows are (an (import, manager) index cost a random insert per row);
    (client, month) for a client's history; and a small partial one for the month's new
    accounts (pay's new-account bonus). Django's default index per foreign key would be six
    more to update on every row (rows are never deleted, so no delete check needs them). For
    the same reason the foreign keys carry no database constraint: on PostgreSQL each would be
    a trigger per row locking the client's, the staff's and the branch's rows (six checks for
    each of a million rows). Every id the import writes comes from the rows it has just looked
    up (the clients, their ownership, the staff), and none of those rows is ever deleted
    (PROTECT).
    """

    crm_import = models.ForeignKey(
        CrmImport, on_delete=models.PROTECT, related_name="rows", db_index=False, db_constraint=False
    )
    month = models.DateField()
    line = models.PositiveIntegerField()
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    crm_manager = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
        help_text="The manager the CRM names.",
    )
    # The responsible manager by BrokerDesk's ownership history: on the last day of the
    # month for revenue and assets; on the opening day for a new account.
    manager = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    opened_on = models.DateField(null=True, blank=True)
    is_new = models.BooleanField(default=False)
    opener = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    net_revenue = models.DecimalField(**MONEY)
    avg_assets = models.DecimalField(**MONEY)
    end_assets = models.DecimalField(**MONEY)

    class Meta:
        verbose_name = _("client month (CRM)")
        verbose_name_plural = _("client months (CRM)")
        indexes = [
            models.Index(fields=["crm_import"], name="clientmonth_import_idx"),
            models.Index(fields=["client", "month"], name="clientmonth_client_idx"),
            models.Index(
                fields=["crm_import", "branch"], condition=Q(is_new=True), name="clientmonth_new_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.month:%Y-%m}"


class MonthVersion(models.Model):
    """Which import version is current for a branch and month (the one statistics read)."""

    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    crm_import = models.ForeignKey(CrmImport, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "month"], name="monthversion_one_per_branch")
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.month:%Y-%m} → {self.crm_import_id}"


# --- Statistics ----------------------------------------------------------------------


class ManagerMonth(models.Model):
    """A client manager's business statistics of a month (第十五条), from the current import."""

    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    month = models.DateField(_("month"))
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("client manager")
    )
    team = models.ForeignKey(
        "org.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    regional_manager = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("regional manager"),
    )
    crm_import = models.ForeignKey(CrmImport, on_delete=models.PROTECT, related_name="+")
    new_accounts = models.PositiveIntegerField(_("clients developed"), default=0)
    qualified_new_accounts = models.PositiveIntegerField(_("qualified new accounts"), default=0)
    clients_served = models.PositiveIntegerField(_("clients served"), default=0)
    net_revenue = models.DecimalField(_("net revenue"), default=0, **MONEY)
    total_assets = models.DecimalField(_("client assets (month end)"), default=0, **MONEY)
    avg_assets = models.DecimalField(_("average daily client assets"), default=0, **MONEY)
    product_sales = models.DecimalField(_("product sales"), default=0, **MONEY)

    class Meta:
        verbose_name = _("manager statistics")
        verbose_name_plural = _("manager statistics")
        ordering = ["branch_id", "-month", "staff_id"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "month", "staff"], name="managermonth_one_per_month")
        ]
        indexes = [models.Index(fields=["month", "branch"], name="managermonth_month_idx")]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.month:%Y-%m}"

    @property
    def average_assets_per_client(self):
        from brokerdesk.core.money import to_fen

        return to_fen(self.total_assets / self.clients_served) if self.clients_served else to_fen(0)


class StatReview(models.Model):
    """Finance's review of a branch's month of statistics, and its annotations."""

    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    month = models.DateField(_("month"))
    staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client manager"),
        help_text=_("Empty: about the whole branch."),
    )
    is_review = models.BooleanField(_("marks the month reviewed"), default=False)
    text = models.TextField(_("note"), blank=True)
    crm_import = models.ForeignKey(CrmImport, on_delete=models.PROTECT, null=True, related_name="+")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("statistics note")
        verbose_name_plural = _("statistics notes")
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.month:%Y-%m}"


# --- Levels --------------------------------------------------------------------------


class LevelChange(models.Model):
    """A person's level from a date on (history kept; the pay run looks the level up here)."""

    class Reason(models.TextChoices):
        HIRED = "hired", _("Starting level")
        QUARTERLY = "quarterly", _("Quarterly assessment")
        YEARLY = "yearly", _("Yearly evaluation")
        MANUAL = "manual", _("Decided by the branch")

    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="level_changes")
    level = models.ForeignKey(
        "org.Level", on_delete=models.PROTECT, related_name="+", verbose_name=_("level")
    )
    previous = models.ForeignKey(
        "org.Level",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous level"),
    )
    effective_from = models.DateField(_("effective from"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    assessment = models.ForeignKey(
        "performance.Assessment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")
        ordering = ["staff_id", "-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "effective_from"], name="levelchange_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.level_id} {self.effective_from}"


# --- Pay schemes ---------------------------------------------------------------------


class PayScheme(models.Model):
    """A pay standard (薪酬标准): versioned, in force from a month, for a branch or one team."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_APPROVAL = "in_approval", _("In approval")
        RETURNED = "returned", _("Returned for revision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    team = models.ForeignKey(
        "org.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
        help_text=_("Empty: every team of the branch without its own scheme."),
    )
    name = models.CharField(_("name"), max_length=120)
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous version"),
    )
    effective_from = models.DateField(_("in force from (month)"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    approval = models.ForeignKey(
        "approvals.Request", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Commission on the month's net revenue (progressive brackets, see SchemeBracket).
    min_performance_score = models.DecimalField(
        _("performance score for full commission"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    low_performance_factor = models.DecimalField(
        _("commission factor below that score"),
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        **RATE,
    )
    # Bonus per qualified new account.
    new_account_bonus = models.DecimalField(_("bonus per qualified new account"), default=0, **MONEY)
    new_account_min_assets = models.DecimalField(_("qualifies from month-end assets of"), default=0, **MONEY)
    # Asset component: a share of the managed clients' average daily assets.
    asset_rate = models.DecimalField(_("asset component rate"), default=0, **RATE)
    # Attendance deductions from the attendance module's month sheet.
    attendance_deductions = models.BooleanField(_("deduct attendance"), default=True)
    # A team lead's override on the team's net revenue (their own excluded).
    override_rate = models.DecimalField(_("team lead override rate"), default=0, **RATE)
    # Holdback: a share of the commission withheld until the quarter's end, released when
    # the quarter's net revenue reaches the floor.
    holdback_rate = models.DecimalField(
        _("holdback share of commission"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        **RATE,
    )
    holdback_release_revenue = models.DecimalField(
        _("quarter revenue to release the holdback"), default=0, **MONEY
    )
    clawback = models.BooleanField(_("claw back reversed revenue"), default=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pay scheme")
        verbose_name_plural = _("pay schemes")
        ordering = ["branch_id", "team_id", "-effective_from", "-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("performance:scheme-detail", args=[self.pk])


class SchemeBasePay(models.Model):
    """Base pay by level and employment type (part-timers may have none)."""

    scheme = models.ForeignKey(PayScheme, on_delete=models.CASCADE, related_name="base_pays")
    level = models.ForeignKey(
        "org.Level", on_delete=models.PROTECT, related_name="+", verbose_name=_("level")
    )
    employment_type = models.CharField(_("employment type"), max_length=20, default="full_time")
    amount = models.DecimalField(_("monthly base pay"), validators=[MinValueValidator(0)], **MONEY)

    class Meta:
        verbose_name = _("base pay")
        verbose_name_plural = _("base pay")
        ordering = ["scheme_id", "employment_type", "level__rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "level", "employment_type"], name="basepay_one_per_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.level_id} {self.amount}"


class SchemeBracket(models.Model):
    """One bracket of the progressive commission: revenue from ``lower`` up to ``upper``
    (exclusive; empty = no limit) earns ``rate`` on the part inside the bracket."""

    scheme = models.ForeignKey(PayScheme, on_delete=models.CASCADE, related_name="brackets")
    lower = models.DecimalField(_("from"), validators=[MinValueValidator(0)], **MONEY)
    upper = models.DecimalField(_("up to"), null=True, blank=True, **MONEY)
    rate = models.DecimalField(_("rate"), validators=[MinValueValidator(0), MaxValueValidator(1)], **RATE)

    class Meta:
        verbose_name = _("commission bracket")
        verbose_name_plural = _("commission brackets")
        ordering = ["scheme_id", "lower"]
        constraints = [models.UniqueConstraint(fields=["scheme", "lower"], name="bracket_unique_lower")]

    def __str__(self) -> str:
        return f"{self.lower}–{self.upper or '∞'} @ {self.rate}"


# --- Pay runs ------------------------------------------------------------------------


class PayRun(models.Model):
    """A branch's pay of one month, and its monthly pay report (薪酬月报表) once submitted."""

    class Status(models.TextChoices):
        COMPUTED = "computed", _("Computed")
        REVIEWED = "reviewed", _("Reviewed by finance")
        SIGNING = "signing", _("Being signed")
        RETURNED = "returned", _("Returned")
        SIGNED = "signed", _("Signed")
        SUPERSEDED = "superseded", _("Superseded (not signed)")

    LOCKED = (Status.SIGNING, Status.SIGNED)

    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    month = models.DateField(_("month"))
    version = models.PositiveIntegerField(_("version"), default=1)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    correction_reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.COMPUTED)
    crm_import = models.ForeignKey(
        CrmImport, on_delete=models.PROTECT, related_name="+", verbose_name=_("figures")
    )
    total = models.DecimalField(_("total pay"), default=0, **MONEY)
    people = models.PositiveIntegerField(_("people"), default=0)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField(_("computed at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("finance review note"), blank=True)
    approval = models.ForeignKey(
        "approvals.Request", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    filed_at = models.DateTimeField(_("filed with the integrated office"), null=True, blank=True)

    class Meta:
        verbose_name = _("pay run")
        verbose_name_plural = _("pay runs")
        ordering = ["-month", "branch_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "month", "version"], name="payrun_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.month:%Y-%m} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk and "update_fields" not in kwargs:
            stored = PayRun.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == self.Status.SIGNED:
                raise Frozen("a signed pay report never changes; correct it with a new version")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("performance:run-detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise Frozen("pay runs are never deleted")

    @property
    def is_locked(self) -> bool:
        return self.status in self.LOCKED

    def fingerprint(self) -> str:
        """SHA-256 over the report's lines: stored at signing, recomputed to prove no change."""
        lines = list(
            self.lines.order_by("staff_id", "order").values_list("staff_id", "component", "amount", "inputs")
        )
        payload = json.dumps(
            [
                self.branch_id,
                self.month.isoformat(),
                self.version,
                [[s, c, str(a), i] for s, c, a, i in lines],
            ],
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def _refuse_if_signed(run_id) -> None:
    if PayRun.objects.filter(pk=run_id, status__in=PayRun.LOCKED).exists():
        raise Frozen("a pay report being signed or signed never changes; correct it with a new version")


class PaySlip(models.Model):
    """One person's pay of a run: the total of their lines."""

    run = models.ForeignKey(PayRun, on_delete=models.PROTECT, related_name="slips")
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    team = models.ForeignKey("org.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    scheme = models.ForeignKey(PayScheme, on_delete=models.PROTECT, null=True, related_name="+")
    level = models.ForeignKey("org.Level", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    gross = models.DecimalField(_("earned"), default=0, **MONEY)
    deductions = models.DecimalField(_("deductions"), default=0, **MONEY)
    total = models.DecimalField(_("pay"), default=0, **MONEY)
    held_back = models.DecimalField(_("held back"), default=0, **MONEY)

    class Meta:
        verbose_name = _("pay slip")
        verbose_name_plural = _("pay slips")
        ordering = ["run_id", "staff_id"]
        constraints = [models.UniqueConstraint(fields=["run", "staff"], name="payslip_one_per_run")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.staff_id}"

    def save(self, *args, **kwargs):
        _refuse_if_signed(self.run_id)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("performance:slip-detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        _refuse_if_signed(self.run_id)
        return super().delete(*args, **kwargs)


class PayLine(models.Model):
    """One component of one person's pay, with what went in: "why is my commission ¥X"."""

    class Component(models.TextChoices):
        BASE = "base", _("Base pay")
        COMMISSION = "commission", _("Commission on net revenue")
        NEW_ACCOUNTS = "new_accounts", _("New-account bonus")
        ASSETS = "assets", _("Asset component")
        OVERRIDE = "override", _("Team lead override")
        HOLDBACK = "holdback", _("Held back until quarter end")
        RELEASE = "release", _("Holdback released")
        CLAWBACK = "clawback", _("Clawback of reversed revenue")
        ATTENDANCE = "attendance", _("Attendance deduction")
        LIABILITY = "liability", _("Liability charge")
        ADJUSTMENT = "adjustment", _("Manual adjustment")

    run = models.ForeignKey(PayRun, on_delete=models.PROTECT, related_name="lines")
    slip = models.ForeignKey(PaySlip, on_delete=models.PROTECT, related_name="lines")
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)
    component = models.CharField(_("component"), max_length=20, choices=Component.choices)
    inputs = models.JSONField(_("inputs"), default=dict, blank=True)
    explanation = models.CharField(_("how"), max_length=500, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("pay line")
        verbose_name_plural = _("pay lines")
        ordering = ["slip_id", "order", "id"]
        indexes = [models.Index(fields=["run", "staff"], name="payline_run_staff_idx")]

    def __str__(self) -> str:
        return f"{self.component} {self.amount}"

    def save(self, *args, **kwargs):
        _refuse_if_signed(self.run_id)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_if_signed(self.run_id)
        return super().delete(*args, **kwargs)


class PayAdjustment(models.Model):
    """A manual adjustment with its reason, applied by the next computation of the month."""

    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pay adjustment")
        verbose_name_plural = _("pay adjustments")
        ordering = ["-month", "staff_id", "id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero")]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.amount}"


# --- Assessments ---------------------------------------------------------------------


class DutyItem(models.Model):
    """One line of the duty checklist (工作职责考核): scored from the system's records, or
    by the lead; weights are configuration."""

    class Source(models.TextChoices):
        WORKLOGS = "worklogs", _("Work logs written on working days")
        SPOTCHECKS = "spotchecks", _("Spot-checked logs passed")
        ATTENDANCE = "attendance", _("Days without late, early or absent marks")
        MEETINGS = "meetings", _("Meetings attended")
        VISITS = "visits", _("Visit logs verified")
        FOLLOWUPS = "followups", _("Follow-ups closed on time")
        LEAD = "lead", _("Lead's score")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    source = models.CharField(_("scored from"), max_length=20, choices=Source.choices)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("duty checklist item")
        verbose_name_plural = _("duty checklist items")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class AssessmentPolicy(models.Model):
    """How scores turn into results: weights of duty and performance, level thresholds."""

    name = models.CharField(_("name"), max_length=80, default="default")
    duty_weight = models.DecimalField(_("duty weight"), max_digits=5, decimal_places=2, default=40)
    performance_weight = models.DecimalField(
        _("performance weight"), max_digits=5, decimal_places=2, default=60
    )
    promote_from = models.DecimalField(_("level up from score"), max_digits=5, decimal_places=2, default=90)
    demote_below = models.DecimalField(
        _("level down below score"), max_digits=5, decimal_places=2, default=60
    )
    monthly_floor = models.DecimalField(
        _("monthly performance floor"), max_digits=5, decimal_places=2, default=50
    )
    floor_months = models.PositiveSmallIntegerField(
        _("consecutive months below the floor that force a level down"), default=3
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment policy")
        verbose_name_plural = _("assessment policies")

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """A person's assessment of a month, quarter or year (第十六、十七条)."""

    class Period(models.TextChoices):
        MONTH = "month", _("Monthly")
        QUARTER = "quarter", _("Quarterly")
        YEAR = "year", _("Yearly")

    class Outcome(models.TextChoices):
        NONE = "", _("—")
        UP = "up", _("Level up")
        STAY = "stay", _("Stay")
        DOWN = "down", _("Level down")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", pgettext_lazy("assessment status", "Confirmed")

    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("person")
    )
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("org.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    duty_score = models.DecimalField(_("duty score"), max_digits=5, decimal_places=2, default=0)
    performance_score = models.DecimalField(_("performance score"), max_digits=5, decimal_places=2, default=0)
    total_score = models.DecimalField(_("comprehensive score"), max_digits=5, decimal_places=2, default=0)
    performance_inputs = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(_("result"), max_length=10, choices=Outcome.choices, blank=True, default="")
    outcome_reason = models.CharField(_("why"), max_length=300, blank=True)
    lead_comment = models.TextField(_("lead's comments"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-starts_on", "staff_id"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "period", "starts_on"], name="assessment_one_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.period} {self.starts_on}"

    def get_absolute_url(self) -> str:
        return reverse("performance:assessment-detail", args=[self.pk])


class DutyScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="duty_scores")
    item = models.ForeignKey(DutyItem, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(
        _("score"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    inputs = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["assessment_id", "item__order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="dutyscore_one_per_item")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.score}"
