"""The asset register, its ledger (实物管理明细表) and incidents (第十一至十四条).

Every movement of an asset is one append-only :class:`LedgerLine` that moves a quantity
from one *place* to another: the keeper's store, a person, or outside the branch (bought
in, consumed, disposed of, lost). Stock in the store and each person's holding are sums
over the ledger; the register keeps them as cached columns (``on_hand``, ``quantity``,
``custodian``, :class:`Holding`) written in the same transaction as the line, for the
speed of the list, and a test proves they equal the ledger sums. A mistake is never edited
away: a reversing line moves the quantity back.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

__all__ = ["Asset", "Holding", "LedgerLine", "Incident"]

MONEY = {"max_digits": 18, "decimal_places": 2}


class Asset(models.Model):
    """One register entry: a single item (a computer) or a stock of consumables (leaflets)."""

    class Category(models.TextChoices):
        COMPUTER = "computer", _("Computer")
        OFFICE = "office", _("Office equipment")
        PROMOTIONAL = "promotional", _("Promotional material")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        IN_STORE = "in_store", _("In store")
        ISSUED = "issued", _("Issued")
        DISPOSED = "disposed", _("Gone")

    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="assets", verbose_name=_("branch")
    )
    # 第十一条: the team lead answers for the team's computers, equipment and promotional items.
    team = models.ForeignKey(
        "org.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("team"),
    )
    # 第十二条: the client manager keeps the items of the outlet they serve.
    outlet = models.ForeignKey(
        "org.Outlet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("outlet"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    tag = models.CharField(
        _("asset tag"), max_length=40, help_text=_("The number on the label, unique in the branch.")
    )
    description = models.CharField(_("description"), max_length=200)
    spec = models.CharField(_("model / specification"), max_length=120, blank=True)
    by_quantity = models.BooleanField(
        _("tracked by quantity"),
        default=False,
        help_text=_("Consumables such as leaflets and gifts: the ledger counts units."),
    )
    unit = models.CharField(_("unit"), max_length=10, default="件")
    value = models.DecimalField(_("unit value"), **MONEY, help_text=_("Value of one unit, in yuan."))
    acquired_on = models.DateField(_("acquired on"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    # Cached from the ledger in the same transaction as each line (the list reads them):
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_STORE, editable=False
    )
    on_hand = models.PositiveIntegerField(_("in store"), default=0, editable=False)
    quantity = models.PositiveIntegerField(_("quantity"), default=0, editable=False)
    custodian = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("custodian"),
    )
    # What the list's search box matches, lower-cased: tag, description, model, and each
    # holder's name, 工号 and pinyin keys. Kept with the cached stock (one LIKE per row instead
    # of three and a subquery: the company-wide search over 50,000 assets).
    search_text = models.TextField(default="", blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The register's own fields; the cached columns move by queryset update (no history row).
    history = HistoricalRecords(excluded_fields=["status", "on_hand", "quantity", "custodian", "search_text"])

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["branch_id", "tag"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "tag"], name="asset_tag_unique_in_branch"),
            models.CheckConstraint(condition=Q(value__gte=0), name="asset_value_not_negative"),
            models.CheckConstraint(condition=Q(on_hand__lte=F("quantity")), name="asset_store_within_total"),
        ]
        indexes = [
            models.Index(fields=["branch", "status", "tag"], name="asset_branch_status_idx"),
            models.Index(fields=["branch", "category", "tag"], name="asset_branch_category_idx"),
            models.Index(fields=["team", "tag"], name="asset_team_idx"),
            models.Index(fields=["custodian"], name="asset_custodian_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.tag} {self.description}"

    def get_absolute_url(self) -> str:
        return reverse("assets:asset-detail", args=[self.pk])

    @property
    def held_out(self) -> int:
        """Units with people (not in the store)."""
        return self.quantity - self.on_hand

    def clean(self) -> None:
        errors = {}
        if self.team_id and self.branch_id and self.team.branch_id != self.branch_id:
            errors["team"] = _("This team belongs to another branch.")
        if self.outlet_id and self.branch_id and self.outlet.branch_id != self.branch_id:
            errors["outlet"] = _("This outlet belongs to another branch.")
        if errors:
            raise ValidationError(errors)


class Holding(models.Model):
    """Cache: how many units of an asset a person holds now (the ledger's sum, kept in step)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="holdings")
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="asset_holdings")
    quantity = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        constraints = [
            models.UniqueConstraint(fields=["asset", "staff"], name="holding_one_row_per_person"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="holding_positive"),
        ]
        indexes = [models.Index(fields=["staff", "asset"], name="holding_staff_idx")]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.staff_id} ×{self.quantity}"


class LedgerLine(models.Model):
    """One line of the 实物管理明细表: a quantity moved from one place to another.

    Append-only: a saved line is never changed or deleted, not even through the ORM; a
    mistake is corrected by a reversing line (``reverses``), which moves the quantity back.
    """

    class Kind(models.TextChoices):
        RECEIVE = "receive", pgettext_lazy("asset movement", "In")
        DISPATCH = "dispatch", pgettext_lazy("asset movement", "Out")
        ISSUE = "issue", pgettext_lazy("asset movement", "Issue")
        RETURN = "return", pgettext_lazy("asset movement", "Return")
        TRANSFER = "transfer", pgettext_lazy("asset movement", "Transfer")
        DISPOSE = "dispose", pgettext_lazy("asset movement", "Disposal")
        LOSS = "loss", pgettext_lazy("asset movement", "Loss")
        REVERSAL = "reversal", pgettext_lazy("asset movement", "Reversal")

    class Place(models.TextChoices):
        STORE = "store", _("Store")
        PERSON = "person", _("Person")
        OUTSIDE = "outside", _("Outside")

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="lines", verbose_name=_("asset"))
    # The asset's branch, copied: the branch's ledger and its scope read one indexed column.
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("movement"), max_length=20, choices=Kind.choices)
    day = models.DateField(_("date"))
    quantity = models.PositiveIntegerField(_("quantity"))
    source = models.CharField(pgettext_lazy("movement", "from"), max_length=10, choices=Place.choices)
    from_staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from person"),
    )
    target = models.CharField(pgettext_lazy("movement", "to"), max_length=10, choices=Place.choices)
    to_staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to person"),
    )
    from_outlet = models.ForeignKey(
        "org.Outlet", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_outlet = models.ForeignKey(
        "org.Outlet", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ledger line")
        verbose_name_plural = _("ledger lines")
        ordering = ["day", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="ledger_quantity_positive"),
            models.CheckConstraint(
                condition=(Q(source="person") & Q(from_staff__isnull=False))
                | (~Q(source="person") & Q(from_staff__isnull=True)),
                name="ledger_from_person_named",
            ),
            models.CheckConstraint(
                condition=(Q(target="person") & Q(to_staff__isnull=False))
                | (~Q(target="person") & Q(to_staff__isnull=True)),
                name="ledger_to_person_named",
            ),
        ]
        indexes = [
            models.Index(fields=["asset", "day", "id"], name="ledger_asset_idx"),
            models.Index(fields=["branch", "day", "id"], name="ledger_branch_day_idx"),
            models.Index(fields=["from_staff"], name="ledger_from_staff_idx"),
            models.Index(fields=["to_staff"], name="ledger_to_staff_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()} {self.asset_id} ×{self.quantity}"

    def save(self, *args, **kwargs):
        # The ledger is evidence (第十三条 逐笔登记): a line, once written, is never rewritten.
        if self.pk is not None:
            raise ValidationError(_("A ledger line cannot be changed; record a reversing line."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A ledger line cannot be deleted; record a reversing line."))


class Incident(models.Model):
    """Damage, loss or theft of an asset and the charge to the person responsible (第十四条)."""

    class Kind(models.TextChoices):
        DAMAGE = "damage", _("Damage")
        LOSS = "loss", _("Loss")
        THEFT = "theft", _("Theft")

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded (no charge)")
        IN_APPROVAL = "in_approval", _("In approval")
        RETURNED = "returned", _("Returned for revision")
        APPROVED = "approved", _("Charge approved")
        REJECTED = "rejected", _("Charge rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    asset = models.ForeignKey(
        Asset, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("asset")
    )
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    happened_on = models.DateField(_("date"))
    description = models.TextField(_("what happened"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    responsible = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person responsible"),
    )
    amount = models.DecimalField(_("amount charged"), **MONEY, default=0)
    over_value_reason = models.CharField(
        _("reason for charging more than the value"), max_length=300, blank=True
    )
    pay_month = models.DateField(_("deducted in the pay of"), null=True, blank=True)  # first day
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECORDED)
    approval = models.ForeignKey(
        "approvals.Request", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The line that took a lost or stolen item out of the stock.
    loss_line = models.OneToOneField(
        LedgerLine, on_delete=models.PROTECT, null=True, blank=True, related_name="incident"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("asset incident")
        verbose_name_plural = _("asset incidents")
        ordering = ["-happened_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="incident_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(amount=0) | (Q(responsible__isnull=False) & Q(pay_month__isnull=False)),
                name="incident_charge_has_person_and_month",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="incident_quantity_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "pay_month", "responsible"], name="incident_charge_idx"),
            models.Index(fields=["branch", "happened_on"], name="incident_branch_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.asset_id} {self.happened_on}"

    def get_absolute_url(self) -> str:
        return reverse("assets:incident-detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.REJECTED)
