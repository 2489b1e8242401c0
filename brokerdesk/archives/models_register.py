"""The archive register (第十八、二十一、二十二、二十五条): the important documents a branch files —
monthly pay and business reports, plans, approval records, confirmation-form batches,
minutes, contracts — each with a gap-free serial number (流水号) per kind, branch and month,
the cabinet and folder where the original is kept (重要资料放入文件柜，做好表头，编制流水号),
who holds the original now and every move of it, and the monthly batch that closes a
branch's month (每月整理归档).

A closed month never changes: its entries refuse saving (except a move of the original) and
no entry is ever deleted — one filed in error is withdrawn, keeping its number.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from brokerdesk.archives import rules_register as rules

__all__ = ["CustodyMove", "MonthClosed", "RegisterBatch", "RegisterEntry"]


class MonthClosed(Exception):
    """A closed (archived) month's entry was about to be added, changed or deleted."""


def scan_upload_to(instance: "RegisterEntry", filename: str) -> str:
    # The stored name is made here; the user's file name is kept only for display.
    return f"archives/{instance.branch_id}/{uuid.uuid4().hex}"


class RegisterBatch(models.Model):
    """One branch's register of one month. Closing it (归档) freezes the month's entries."""

    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    month = models.DateField(_("period"))  # first day of the month
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("monthly register batch")
        verbose_name_plural = _("monthly register batches")
        ordering = ["-month", "branch_id"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "month"], name="registerbatch_one_per_branch_month")
        ]
        indexes = [models.Index(fields=["-month", "branch"], name="registerbatch_month_idx")]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("archives:batch-detail", args=[self.pk])

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    def delete(self, *args, **kwargs):
        raise MonthClosed("a month's register batch is never deleted")


class EntryQuerySet(models.QuerySet):
    def delete(self):
        raise MonthClosed("register entries are never deleted; withdraw one filed in error")

    def update(self, **kwargs):
        # Bulk updates keep the same promise as save(): a closed month only sees its originals move.
        if (
            not set(kwargs) <= RegisterEntry.CUSTODY_FIELDS
            and self.filter(batch__closed_at__isnull=False).exists()
        ):
            raise MonthClosed("the month of these entries is closed; file a correction in an open month")
        return super().update(**kwargs)


class RegisterEntry(models.Model):
    """One filed document: 流水号, kind, title, period, branch, where the original lies, an
    optional scanned copy, and who holds the original now."""

    class Kind(models.TextChoices):
        PAY_REPORT = "pay_report", _("Monthly pay report")
        BUSINESS_REPORT = "business_report", _("Monthly business report")
        STATISTICS = "statistics", _("Statistical report")
        WORK_PLAN = "work_plan", _("Work plan")
        APPROVAL = "approval", _("Approval record")
        CONFIRMATION_BATCH = "confirmation_batch", _("Confirmation form batch")
        MINUTES = "minutes", _("Meeting minutes")
        CONTRACT = "contract", _("Contract or agreement")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # What may change on an entry of a closed month: where its original is.
    CUSTODY_FIELDS = frozenset({"custodian", "custody_since"})
    # What may be edited while the month is open (kind, branch and period make the number).
    EDITABLE_FIELDS = ("title", "cabinet", "folder", "pages", "source_ref", "note")

    serial_no = models.CharField(
        _("serial number"),
        max_length=40,
        unique=True,
        error_messages={"unique": _("This serial number is already used.")},
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    month = models.DateField(_("period"))  # first day of the month; the batch's month
    sequence = models.PositiveIntegerField(_("sequence"))
    batch = models.ForeignKey(
        RegisterBatch, on_delete=models.PROTECT, related_name="entries", verbose_name=_("monthly batch")
    )
    title = models.CharField(_("title"), max_length=200)
    # The title folded for search (rules_register.title_key), written with the title by the
    # services; PostgreSQL indexes it by trigrams (migration 0002), so '%word%' finds it fast.
    title_key = models.CharField(max_length=400, blank=True, default="", editable=False)
    cabinet = models.CharField(_("cabinet"), max_length=40)
    folder = models.CharField(_("folder"), max_length=60, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    source_ref = models.CharField(
        _("source record"),
        max_length=300,
        blank=True,
        help_text=_("A link inside BrokerDesk (/performance/runs/12/), a web address or a reference."),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    note = models.TextField(_("note"), blank=True, max_length=1000)
    scan = models.FileField(_("scanned copy"), upload_to=scan_upload_to, blank=True)
    scan_name = models.CharField(max_length=200, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    # Who holds the original now: a person who borrowed it, or None for the archive room.
    custodian = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="archive_custody",
        verbose_name=_("custodian"),
    )
    custody_since = models.DateTimeField(_("held since"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.FILED)
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=200, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # The filing form's one-time key: the same form sent twice (a double click) files once.
    submission_key = models.CharField(max_length=40, null=True, blank=True, unique=True, editable=False)
    history = HistoricalRecords(excluded_fields=["title_key", "submission_key"])

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")
        ordering = ["-month", "serial_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "branch", "month", "sequence"], name="registerentry_unique_sequence"
            ),
            models.CheckConstraint(
                condition=models.Q(status="withdrawn") | models.Q(withdrawn_at__isnull=True),
                name="registerentry_withdrawn_consistent",
            ),
        ]
        # The search page's shapes (benchmarks/archive_search.py, 100,000 entries): a company
        # user's newest-first list walks (month, serial); a branch's list (branch, month,
        # serial); kind and period (kind, month, serial). The serial number's own unique index
        # serves exact and prefix searches; custodian (a foreign key) is indexed by Django.
        indexes = [
            models.Index(fields=["-month", "serial_no"], name="regentry_month_serial_idx"),
            models.Index(fields=["branch", "-month", "serial_no"], name="regentry_branch_month_idx"),
            models.Index(fields=["kind", "-month", "serial_no"], name="regentry_kind_month_idx"),
            # Originals out of the archive room are few: their own small indexes.
            models.Index(
                fields=["-month", "serial_no"],
                condition=models.Q(custodian__isnull=False),
                name="regentry_out_month_idx",
            ),
            models.Index(
                fields=["branch", "-month", "serial_no"],
                condition=models.Q(custodian__isnull=False),
                name="regentry_out_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.serial_no

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        custody_only = update_fields is not None and set(update_fields) <= self.CUSTODY_FIELDS
        if (
            not custody_only
            and RegisterBatch.objects.filter(pk=self.batch_id, closed_at__isnull=False).exists()
        ):
            raise MonthClosed("this entry's month is closed; file a correction in an open month")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("archives:entry-detail", args=[self.pk])

    @property
    def withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    @property
    def source_link(self) -> str:
        return rules.safe_source_link(self.source_ref)

    @property
    def location(self) -> str:
        return " / ".join(part for part in (self.cabinet, self.folder) if part)

    def delete(self, *args, **kwargs):
        raise MonthClosed("register entries are never deleted; withdraw one filed in error")


class CustodyMove(models.Model):
    """One move of an original: from the archive room (None) or a person, to a person or back
    to the archive room (None), with who recorded it, when and why."""

    entry = models.ForeignKey(RegisterEntry, on_delete=models.PROTECT, related_name="moves")
    from_staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("movement", "from"),
    )
    to_staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("movement", "to"),
    )
    moved_at = models.DateTimeField(_("moved at"), auto_now_add=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("custody move")
        verbose_name_plural = _("custody moves")
        ordering = ["entry_id", "moved_at", "id"]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.from_staff_id} → {self.to_staff_id}"

    def delete(self, *args, **kwargs):
        raise MonthClosed("the custody trail is never deleted")
