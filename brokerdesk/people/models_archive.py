"""Personnel archive (第十八、十九、二十、二十五条): each person's file of typed document
slots, their labour contracts or marketing cooperation agreements, practitioner
qualifications, and rewards and punishments.

Documents are versioned, never replaced in place: a new upload to a slot supersedes the
current version (kept in the trail). A verified original's record never changes.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from brokerdesk.org.models import Staff

__all__ = [
    "PersonnelFile",
    "ArchiveDocument",
    "DocumentDownload",
    "Contract",
    "Qualification",
    "RewardPunishment",
]


class PersonnelFile(Staff):
    """A staff member seen as their personnel file (第二十条).

    A proxy of ``org.Staff`` with its own scope rule (第二十五条): a client manager and a
    regional manager see only their own file, a team lead the team's, the branch's managers
    and trade-management post the branch's, the company departments all.
    """

    class Meta:
        proxy = True
        verbose_name = _("personnel file")
        verbose_name_plural = _("personnel files")

    def get_absolute_url(self) -> str:
        return reverse("people:file-detail", args=[self.pk])


class Slot(models.TextChoices):
    """The documents of 第二十条, plus the licence copies of the qualifications section."""

    PHOTO = "photo", _("1-inch photo")
    RESUME = "resume", _("Résumé")
    ID_COPY = "id_copy", _("ID card copy")
    DIPLOMA = "diploma", _("Diploma copy")
    GUARANTEE = "guarantee", _("Guarantee letter")
    GUARANTOR_ID = "guarantor_id", _("Guarantor's ID copy")
    CONTRACT = "contract", _("Labour contract / cooperation agreement")
    ASSESSMENT = "assessment", _("Assessment result")
    REWARD_PUNISHMENT = "reward_punishment", _("Reward or punishment document")
    QUALIFICATION = "qualification", _("Qualification certificate")


# Slots holding one current document (a new upload supersedes it); the others hold one per
# contract, period, decision or licence.
SINGLE_SLOTS = (Slot.PHOTO, Slot.RESUME, Slot.ID_COPY, Slot.DIPLOMA, Slot.GUARANTEE, Slot.GUARANTOR_ID)
# What every file must hold (the "missing" check). Contract copies are required through
# the contracts themselves; assessments and decisions only exist when there are some.
REQUIRED_SLOTS = (*SINGLE_SLOTS, Slot.CONTRACT)
# A photo is an image; the rest may be a scan (PDF or image) or an office document.
PHOTO_KINDS = ("png", "jpeg")


def document_upload_to(instance: "ArchiveDocument", filename: str) -> str:
    # Generated server-side: the user's file name is never part of the path.
    return f"people/{instance.staff_id}/{instance.slot}/{uuid.uuid4().hex}"


class ArchiveDocument(models.Model):
    """One version of one document of a person's file."""

    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="archive_documents", verbose_name=_("person")
    )
    slot = models.CharField(_("document"), max_length=30, choices=Slot.choices)
    title = models.CharField(
        _("title"), max_length=120, blank=True, help_text=_("E.g. the assessment period or the decision.")
    )
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=200)
    file_name = models.CharField(_("file name"), max_length=200)
    file_kind = models.CharField(_("file type"), max_length=10)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("previous version"),
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # 第二十条: a designated person checks that each copy matches its original.
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verify_note = models.CharField(_("verification note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("archive document")
        verbose_name_plural = _("archive documents")
        ordering = ["staff_id", "slot", "-version", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "slot"],
                condition=Q(superseded_at__isnull=True) & Q(slot__in=[s.value for s in SINGLE_SLOTS]),
                name="archivedoc_one_current_per_single_slot",
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | Q(verified_by__isnull=False),
                name="archivedoc_verified_has_verifier",
            ),
        ]
        indexes = [models.Index(fields=["staff", "slot", "superseded_at"], name="archivedoc_slot_idx")]

    def __str__(self) -> str:
        return f"{self.get_slot_display()} v{self.version}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def get_download_url(self) -> str:
        return reverse("people:document-download", args=[self.pk])


class DocumentDownload(models.Model):
    """Every download of an archive document: who, when, from where (第二十五条)."""

    document = models.ForeignKey(
        ArchiveDocument, on_delete=models.PROTECT, related_name="downloads", verbose_name=_("document")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("downloaded by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, default="page")

    class Meta:
        verbose_name = _("document download")
        verbose_name_plural = _("document downloads")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.user_id} {self.at:%Y-%m-%d %H:%M}"


class Contract(models.Model):
    """A one-year labour contract (employees) or marketing cooperation agreement
    (part-timers) (第十九条). A renewal is the next contract, linked to this one."""

    class Kind(models.TextChoices):
        LABOUR = "labour", _("Labour contract")
        COOPERATION = "cooperation", _("Marketing cooperation agreement")

    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal",
        verbose_name=_("renews"),
    )
    signed_copy = models.ForeignKey(
        ArchiveDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed copy"),
    )
    original_location = models.CharField(
        _("original kept at"), max_length=120, blank=True, help_text=_("Cabinet, folder…")
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.CharField(_("termination reason"), max_length=200, blank=True)
    expiry_warned_on = models.DateField(_("expiry warned on"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["staff_id", "-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="contract_ends_after_start"),
            models.CheckConstraint(
                condition=Q(terminated_on__isnull=True) | Q(terminated_on__gte=F("starts_on")),
                name="contract_terminated_after_start",
            ),
        ]
        indexes = [models.Index(fields=["staff", "ends_on"], name="contract_staff_end_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on}–{self.ends_on}"

    def get_absolute_url(self) -> str:
        return reverse("people:file-detail", args=[self.staff_id]) + f"#contract-{self.pk}"

    @property
    def last_day(self):
        """The last day the contract holds (its end, or an earlier termination)."""
        if self.terminated_on and self.terminated_on < self.ends_on:
            return self.terminated_on
        return self.ends_on

    def valid_on(self, day) -> bool:
        return self.starts_on <= day <= self.last_day

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": _("The end date must be after the start date.")})


class Qualification(models.Model):
    """A practitioner registration (证券从业人员执业登记) or another licence."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("Securities practitioner registration")
        SECURITIES = "securities", _("Securities qualification certificate")
        FUND = "fund", _("Fund qualification")
        FUTURES = "futures", _("Futures qualification")
        INVESTMENT_ADVISER = "adviser", _("Investment adviser registration")
        OTHER = "other", _("Other licence")

    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="qualifications", verbose_name=_("person")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=80, blank=True, help_text=_("For another licence: which."))
    number = models.CharField(_("number"), max_length=40)
    issued_on = models.DateField(_("date obtained"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    authority = models.CharField(_("issued by"), max_length=80, blank=True)
    ce_hours = models.DecimalField(_("continuing-education hours"), max_digits=6, decimal_places=1, default=0)
    document = models.ForeignKey(
        ArchiveDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("certificate copy"),
    )
    revoked_on = models.DateField(_("revoked or cancelled on"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason"), max_length=200, blank=True)
    expiry_warned_on = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["staff_id", "kind", "-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("issued_on")),
                name="qualification_expires_after_issue",
            ),
            models.CheckConstraint(condition=Q(ce_hours__gte=0), name="qualification_hours_not_negative"),
            models.UniqueConstraint(fields=["kind", "number"], name="qualification_unique_number"),
        ]
        indexes = [models.Index(fields=["staff", "kind", "expires_on"], name="qualification_staff_idx")]

    def __str__(self) -> str:
        return f"{self.name or self.get_kind_display()} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("people:file-detail", args=[self.staff_id]) + f"#qualification-{self.pk}"

    def valid_on(self, day) -> bool:
        if self.issued_on > day:
            return False
        if self.expires_on is not None and self.expires_on < day:
            return False
        return self.revoked_on is None or self.revoked_on > day

    def clean(self) -> None:
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            raise ValidationError({"expires_on": _("The expiry date must be after the date obtained.")})


class RewardPunishment(models.Model):
    """A reward or punishment decision in a person's file (第二十条), available to assessment."""

    class Kind(models.TextChoices):
        REWARD = "reward", _("Reward")
        PUNISHMENT = "punishment", _("Punishment")

    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="rewards_punishments", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    decided_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=120)
    reason = models.TextField(_("reason"))
    decided_by = models.CharField(_("decided by"), max_length=80)
    amount = models.DecimalField(
        _("amount"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("A bonus or a fine, if any."),
    )
    document = models.ForeignKey(
        ArchiveDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document"),
    )
    # Never deleted: a decision revoked later stays on file, marked withdrawn.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("why withdrawn"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reward or punishment")
        verbose_name_plural = _("rewards and punishments")
        ordering = ["staff_id", "-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="rewardpunishment_amount_not_negative",
            )
        ]
        indexes = [models.Index(fields=["staff", "decided_on"], name="rewardpunishment_staff_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decided_on} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("people:file-detail", args=[self.staff_id]) + f"#rp-{self.pk}"
