"""Departure and transfer handover (第十三条: 办理人员变动的实物交接手续; issue 7).

A handover is one checklist generated for a person who leaves or moves: every asset they
hold, their clients, their open follow-ups and planned visits, the archive register items
in their custody, and the pay still owed to them or withheld. Each item is a
:class:`HandoverLine` that records who did what and when (:class:`HandoverEvent`). The
departure or transfer is performed only by completing the handover, once every line is
done and the person's live holdings are clear; a completed handover is a signed record
that never changes again.
"""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["Handover", "HandoverEvent", "HandoverFrozen", "HandoverLine"]

MONEY = {"max_digits": 18, "decimal_places": 2}


class HandoverFrozen(Exception):
    """A completed or cancelled handover (or one of its lines) was about to change."""


class Handover(models.Model):
    """One person's departure or transfer checklist."""

    class Kind(models.TextChoices):
        DEPARTURE = "departure", _("Departure")
        TRANSFER = "transfer", _("Transfer")

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    CLOSED = (Status.COMPLETED, Status.CANCELLED)

    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="handovers", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    # Where the person stood when the handover began: the scope of the record.
    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    team = models.ForeignKey(
        "org.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    effective_on = models.DateField(_("effective on"))
    # A transfer's destination (empty for a departure).
    to_branch = models.ForeignKey(
        "org.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to branch"),
    )
    to_team = models.ForeignKey(
        "org.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to team"),
    )
    to_outlet = models.ForeignKey(
        "org.Outlet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to outlet"),
    )
    to_regional_manager = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to regional manager"),
    )
    reason = models.CharField(_("reason"), max_length=200)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    started_at = models.DateTimeField(_("started at"))
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    # SHA-256 over the lines at completion: a recomputation proves the signed record unchanged.
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-started_at", "-id"]
        constraints = [
            # One checklist at a time per person: two open ones would each pass items around.
            models.UniqueConstraint(
                fields=["staff"], condition=Q(status="open"), name="handover_one_open_per_person"
            ),
            models.CheckConstraint(
                condition=~Q(kind="transfer") | Q(to_branch__isnull=False),
                name="handover_transfer_has_branch",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="handover_completed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["branch", "status", "-started_at"], name="handover_branch_idx"),
            models.Index(fields=["staff", "status"], name="handover_staff_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.staff_id} · {self.effective_on}"

    def save(self, *args, **kwargs):
        # The service closes a handover with a conditional UPDATE; nothing saves one afterwards.
        if self.pk and Handover.objects.filter(pk=self.pk, status__in=self.CLOSED).exists():
            raise HandoverFrozen("a completed or cancelled handover never changes")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("assets:handover-detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise HandoverFrozen("handovers are never deleted")

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def compute_fingerprint(self) -> str:
        rows = list(
            self.lines.order_by("pk").values_list(
                "pk",
                "kind",
                "status",
                "asset_id",
                "quantity",
                "client_id",
                "followup_id",
                "visit_id",
                "entry_id",
                "disposition",
                "receiver_id",
                "giver_confirmed_by_id",
                "receiver_confirmed_by_id",
                "effective_on",
                "client_notified_on",
                "pay_fingerprint",
                "done_by_id",
            )
        )
        payload = json.dumps(
            [self.pk, self.staff_id, self.kind, self.effective_on, rows], default=str, sort_keys=True
        )
        return hashlib.sha256(payload.encode()).hexdigest()


class HandoverLine(models.Model):
    """One item of the checklist and how it was handed over."""

    class Kind(models.TextChoices):
        ASSET = "asset", _("Asset")
        CLIENT = "client", _("Client")
        FOLLOWUP = "followup", _("Follow-up")
        VISIT = "visit", _("Planned visit")
        ARCHIVE = "archive", _("Archive item")
        PAY = "pay", _("Pay")

    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("No longer applies")

    class Disposition(models.TextChoices):
        RETURN = "return", pgettext_lazy("handover", "Returned")  # to the store or the archive room
        PASS = "pass", pgettext_lazy("handover", "Passed on")  # to a named person

    class Notified(models.TextChoices):
        PHONE = "phone", _("Phone")
        VISIT = "visit", _("Visit")
        MESSAGE = "message", _("Message")
        LETTER = "letter", _("Letter or e-mail")

    # Lines where the giver and the receiver each confirm with their own login.
    TWO_SIDED = ("asset", "archive")
    # Lines passed to a named colleague who accepts them.
    ACCEPTED = ("followup", "visit")

    handover = models.ForeignKey(Handover, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    label = models.CharField(_("item"), max_length=300)
    asset = models.ForeignKey(
        "assets.Asset",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asset"),
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
    )
    followup = models.ForeignKey(
        "clients.FollowUp",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("follow-up"),
    )
    visit = models.ForeignKey(
        "clients.Visit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visit"),
    )
    entry = models.ForeignKey(
        "archives.RegisterEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("archive item"),
    )
    disposition = models.CharField(
        _("handed over as"), max_length=20, choices=Disposition.choices, blank=True
    )
    receiver = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handover_receipts",
        verbose_name=pgettext_lazy("movement", "to"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    giver_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    giver_confirmed_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    receiver_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receiver_confirmed_at = models.DateTimeField(_("received at"), null=True, blank=True)
    # Clients: the reassignment's date and the client being told of the new manager.
    effective_on = models.DateField(_("reassigned from"), null=True, blank=True)
    reassigned_at = models.DateTimeField(null=True, blank=True)
    client_notified_on = models.DateField(_("client notified on"), null=True, blank=True)
    client_notified_how = models.CharField(
        _("client notified by"), max_length=20, choices=Notified.choices, blank=True
    )
    # Pay: what finance saw and acknowledged (owed = computed, not yet signed; withheld = held back).
    pay_owed = models.DecimalField(_("pay owed"), null=True, blank=True, **MONEY)
    pay_withheld = models.DecimalField(_("pay withheld"), null=True, blank=True, **MONEY)
    pay_detail = models.JSONField(_("pay position"), default=dict, blank=True)
    pay_fingerprint = models.CharField(max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    dropped_reason = models.CharField(_("why it no longer applies"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every change; a change is a conditional UPDATE on it, so two people pressing
    # at the same moment cannot both act on the same state of a line.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("handover line")
        verbose_name_plural = _("handover lines")
        ordering = ["handover_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["handover", "asset"],
                condition=Q(status="open", asset__isnull=False),
                name="handoverline_one_open_per_asset",
            ),
            models.UniqueConstraint(
                fields=["handover", "client"],
                condition=Q(status="open", client__isnull=False),
                name="handoverline_one_open_per_client",
            ),
            models.UniqueConstraint(
                fields=["handover", "followup"],
                condition=Q(status="open", followup__isnull=False),
                name="handoverline_one_open_per_followup",
            ),
            models.UniqueConstraint(
                fields=["handover", "visit"],
                condition=Q(status="open", visit__isnull=False),
                name="handoverline_one_open_per_visit",
            ),
            models.UniqueConstraint(
                fields=["handover", "entry"],
                condition=Q(status="open", entry__isnull=False),
                name="handoverline_one_open_per_entry",
            ),
            models.UniqueConstraint(
                fields=["handover"], condition=Q(status="open", kind="pay"), name="handoverline_one_open_pay"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_at__isnull=False), name="handoverline_done_has_time"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="handoverline_quantity_positive"),
        ]
        indexes = [models.Index(fields=["receiver", "status"], name="handoverline_receiver_idx")]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs):
        if Handover.objects.filter(pk=self.handover_id, status__in=Handover.CLOSED).exists():
            raise HandoverFrozen("the lines of a completed or cancelled handover never change")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.handover.get_absolute_url()}#line-{self.pk}"

    def delete(self, *args, **kwargs):
        raise HandoverFrozen("handover lines are never deleted")

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class HandoverEvent(models.Model):
    """The trail: who did what, and when, to the handover or one of its lines."""

    class Kind(models.TextChoices):
        STARTED = "started", _("Started")
        ADDED = "added", _("Added to the checklist")
        DROPPED = "dropped", _("No longer applies")
        CHANGED = "changed", _("Quantity changed")
        ASSIGNED = "assigned", _("Receiver named")
        GIVEN = "given", _("Handed over")
        RECEIVED = "received", _("Received")
        REASSIGNED = "reassigned", _("Client reassigned")
        NOTIFIED = "notified", _("Client notified")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged by finance")
        DONE = "done", _("Done")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    handover = models.ForeignKey(Handover, on_delete=models.PROTECT, related_name="events")
    line = models.ForeignKey(
        HandoverLine, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("handover event")
        verbose_name_plural = _("handover events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"

    def delete(self, *args, **kwargs):
        raise HandoverFrozen("the handover trail is never deleted")
