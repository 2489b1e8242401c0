"""Clients and service (第二十一条; part 2: visits and follow-ups; part 4: inquiries).

Every client has one responsible client manager at a time (客户经理负责制); who held the
client on which day is kept exactly (``Ownership``), because statistics and pay attribute
by it. A client a manager brings in gets a confirmation form (营销客户确认单) with a
gap-free serial number (流水号), archived in monthly batches.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from brokerdesk.core.validators import validate_mobile

MONEY = {"max_digits": 18, "decimal_places": 2}


class Tier(models.Model):
    """A key-account tier (大客户分级) and its rule: assets or revenue at or above a floor.

    The highest-ranked tier whose rule a client meets is the client's tier; service standards
    (how often the client is visited) hang on the tier.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=40)
    rank = models.PositiveSmallIntegerField(
        _("rank"), unique=True, help_text=_("1 is the highest tier; a client gets the highest tier it meets.")
    )
    min_assets = models.DecimalField(_("assets at least (¥)"), null=True, blank=True, **MONEY)
    min_revenue = models.DecimalField(_("monthly revenue at least (¥)"), null=True, blank=True, **MONEY)
    visit_every_days = models.PositiveSmallIntegerField(
        _("visit at least every (days)"), help_text=_("The service standard: days between visits.")
    )
    service_notes = models.TextField(_("service standard"), blank=True)
    active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("key-account tier")
        verbose_name_plural = _("key-account tiers")
        ordering = ["rank"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_assets__isnull=False) | Q(min_revenue__isnull=False), name="tier_has_a_rule"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ServicePolicy(models.Model):
    """Firm-wide settings of client service (one row)."""

    overlap_days = models.PositiveSmallIntegerField(
        _("overlap window (days)"),
        default=30,
        help_text=_("Visiting a client someone else visits within this many days warns."),
    )
    followup_days = models.PositiveSmallIntegerField(_("default days to resolve a matter"), default=7)
    acknowledge_hours = models.PositiveSmallIntegerField(
        _("hours to acknowledge an important matter"), default=4
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("client service policy")
        verbose_name_plural = _("client service policy")

    def __str__(self) -> str:
        return str(_("client service policy"))

    @classmethod
    def current(cls) -> "ServicePolicy":
        return cls.objects.order_by("pk").first() or cls()


class Client(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        INSTITUTION = "institution", _("Institution")

    class Source(models.TextChoices):
        OUTLET = "outlet", _("Bank outlet")
        REFERRAL = "referral", _("Referral")
        CAMPAIGN = "campaign", _("Campaign")
        WALK_IN = "walk_in", _("Walk-in")
        INQUIRY = "inquiry", _("Inquiry or appointment")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Account open")
        CLOSED = "closed", _("Account closed")

    client_no = models.CharField(
        _("client number"),
        max_length=20,
        unique=True,
        help_text=_("客户号 / 资金账号: 6 to 20 digits."),
        error_messages={"unique": _("A client with this client number already exists.")},
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    # Derived by the service from the name, for search: "zs" and "zhangsan" find 张三.
    pinyin_initials = models.CharField(max_length=40, blank=True, editable=False, db_index=True)
    pinyin_full = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    id_number = models.CharField(
        _("ID number or credit code"),
        max_length=18,
        help_text=_("Resident ID number for individuals; unified social credit code for institutions."),
    )
    mobile = models.CharField(_("phone"), max_length=11, validators=[validate_mobile])
    phone_last4 = models.CharField(max_length=4, editable=False, db_index=True)
    opened_on = models.DateField(_("account opened on"))
    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="clients", verbose_name=_("branch")
    )
    manager = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        related_name="clients",
        verbose_name=_("responsible client manager"),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_outlet = models.ForeignKey(
        "org.Outlet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clients",
        verbose_name=_("outlet"),
    )
    source_note = models.CharField(_("source details"), max_length=200, blank=True)
    # The latest month of the hand figures (``Figure``, entered or imported in the clients app);
    # the history is in ``figures``. The CRM's months are not copied here: see ``latest_month``.
    assets = models.DecimalField(_("assets (¥)"), default=0, **MONEY)
    revenue = models.DecimalField(_("monthly revenue (¥)"), default=0, **MONEY)
    figures_month = models.DateField(_("figures of"), null=True, blank=True)
    # No index holds the tier: the monthly CRM import rewrites the tiers its figures change (a
    # tenth of the clients), and a row whose indexed columns stay the same is updated in place
    # on PostgreSQL (a HOT update, with the room the table's fillfactor leaves on each page)
    # instead of a new entry in each of the table's indexes (migration 0004).
    tier = models.ForeignKey(
        Tier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clients",
        verbose_name=_("tier"),
        db_index=False,
    )
    tier_manual = models.BooleanField(_("tier set by hand"), default=False)
    tier_reason = models.CharField(_("reason for the manual tier"), max_length=200, blank=True)
    last_visit_on = models.DateField(_("last visited on"), null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    address = models.CharField(_("address"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["pinyin_initials", "pinyin_full", "phone_last4"])

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["-opened_on", "-id"]
        indexes = [
            # The list's order (newest account first) served from an index at every scope level.
            models.Index(fields=["-opened_on", "-id"], name="client_opened_idx"),
            models.Index(fields=["manager", "-opened_on", "-id"], name="client_manager_idx"),
            models.Index(fields=["branch", "-opened_on", "-id"], name="client_branch_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(tier_manual=True) | ~Q(tier_reason=""), name="client_manual_tier_has_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.client_no}）"

    def get_absolute_url(self) -> str:
        return reverse("clients:detail", args=[self.pk])

    # --- the latest figures -------------------------------------------------------------------
    # ``assets``, ``revenue`` and ``figures_month`` hold the hand figures only (entered, or
    # imported in the clients app); the CRM's months stay in ``performance.ClientMonth``. A
    # client's latest figures are the later month of the two, the CRM's on the same month.
    # ``selectors.with_latest_figures`` annotates the current CRM month (``crm_month``,
    # ``crm_assets``, ``crm_revenue``); without the annotation these are the hand figures.

    @property
    def latest_from_crm(self) -> bool:
        crm_month = getattr(self, "crm_month", None)
        return crm_month is not None and (self.figures_month is None or crm_month >= self.figures_month)

    @property
    def latest_month(self):
        return self.crm_month if self.latest_from_crm else self.figures_month

    @property
    def latest_assets(self):
        return self.crm_assets if self.latest_from_crm else self.assets

    @property
    def latest_revenue(self):
        return self.crm_revenue if self.latest_from_crm else self.revenue


class Ownership(models.Model):
    """Who was the client's responsible manager from ``start`` until the day before ``end``.

    Periods of one client never overlap and leave no gap from the account opening on; the
    open period (``end`` empty) is the current manager, the same as ``Client.manager``.
    """

    class Reason(models.TextChoices):
        NEW = "new", _("Brought in")
        TRANSFER = "transfer", _("Reassigned")
        CLAIM = "claim", _("Claim approved")
        IMPORT = "import", _("Imported")

    # Indexed by ownership_client_idx (client first), which also holds what the monthly CRM
    # import reads of every client's ownership: a join on it never reads the table's rows.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="ownerships", db_index=False)
    manager = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="client_ownerships")
    start = models.DateField(_("from"))
    end = models.DateField(_("until (exclusive)"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    approval = models.ForeignKey(
        "approvals.Request", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("client ownership")
        verbose_name_plural = _("client ownership history")
        ordering = ["client_id", "start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(end__isnull=True), name="ownership_one_open_per_client"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=models.F("start")), name="ownership_end_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["manager", "start"], name="ownership_manager_idx"),
            models.Index(fields=["client", "start", "end", "manager"], name="ownership_client_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.manager_id} {self.start}–{self.end or ''}"


class Claim(models.Model):
    """A client manager's claim on a client another manager holds; decided through the
    approvals engine (flow ``client_claim``)."""

    class Status(models.TextChoices):
        IN_APPROVAL = "in_approval", _("In approval")
        RETURNED = "returned", _("Returned for revision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="claims", verbose_name=_("client")
    )
    claimant = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="client_claims", verbose_name=_("claimed by")
    )
    holder = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("held by")
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_APPROVAL)
    approval = models.ForeignKey(
        "approvals.Request", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("client claim")
        verbose_name_plural = _("client claims")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status__in=["in_approval", "returned"]),
                name="claim_one_open_per_client",
            )
        ]

    def __str__(self) -> str:
        return f"{self.claimant} → {self.client}"

    def get_absolute_url(self) -> str:
        return reverse("clients:detail", args=[self.client_id])


class Figure(models.Model):
    """A client's business figures of one month entered by hand or imported in the clients app
    (assets and revenue). The CRM's months are in ``performance.ClientMonth``; older rows with
    source "crm" are copies the CRM import used to make."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="figures")
    month = models.DateField(_("month"))  # first day
    assets = models.DecimalField(_("assets (¥)"), **MONEY)
    revenue = models.DecimalField(_("monthly revenue (¥)"), **MONEY)
    source = models.CharField(_("source"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("client figures")
        verbose_name_plural = _("client figures")
        ordering = ["client_id", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["client", "month"], name="figure_one_per_client_month")
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.month:%Y-%m}"


def confirmation_upload_to(instance: "ConfirmationForm", filename: str) -> str:
    return f"confirmations/{instance.branch_id}/{uuid.uuid4().hex}"


class ConfirmationBatch(models.Model):
    """One branch's confirmation forms of one month, closed (archived) by the trade-management
    post once every form in it is signed or void."""

    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    month = models.DateField(_("month"))
    closed_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("confirmation-form batch")
        verbose_name_plural = _("confirmation-form batches")
        ordering = ["-month", "branch_id"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "month"], name="confbatch_one_per_branch_month")
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.month:%Y-%m}"

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def form_count(self) -> int:
        """How many forms the month holds (lists annotate it instead of asking per row)."""
        return self.forms.count()


class ConfirmationForm(models.Model):
    """营销客户确认单 (第二十一条): one per client a manager brings in, numbered per branch and
    month without gaps. A number is never reused: a form made in error is voided, not deleted."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Awaiting signed copy")
        SIGNED = "signed", _("Signed copy filed")
        VOID = "void", _("Void")

    serial_no = models.CharField(
        _("serial number"),
        max_length=40,
        unique=True,
        error_messages={"unique": _("This serial number is already used.")},
    )
    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    month = models.DateField(_("month"))
    sequence = models.PositiveIntegerField(_("sequence"))
    batch = models.ForeignKey(ConfirmationBatch, on_delete=models.PROTECT, related_name="forms")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="confirmations", verbose_name=_("client")
    )
    manager = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="confirmations", verbose_name=_("client manager")
    )
    # What the form states, frozen when it is issued.
    client_name = models.CharField(_("client name"), max_length=100)
    client_no = models.CharField(_("client number"), max_length=20)
    opened_on = models.DateField(_("account opened on"))
    source = models.CharField(_("source"), max_length=100)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ISSUED)
    signed_copy = models.FileField(_("signed copy"), upload_to=confirmation_upload_to, blank=True)
    signed_copy_name = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed copy filed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("client confirmation form")
        verbose_name_plural = _("client confirmation forms")
        ordering = ["-month", "branch_id", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "month", "sequence"], name="confirmation_unique_sequence"
            )
        ]

    def __str__(self) -> str:
        return self.serial_no

    def get_absolute_url(self) -> str:
        return reverse("clients:confirmation-detail", args=[self.pk])

    @property
    def source_label(self) -> str:
        """The source as the form states it, in the reader's language."""
        try:
            return str(Client.Source(self.source).label)
        except ValueError:
            return self.source


class Visit(models.Model):
    """客户走访日志: a visit planned ahead or logged after it happened, verified monthly by the
    head with an opinion (part 2, 1)."""

    class Form(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        PHONE = "phone", _("Phone")
        EVENT = "event", _("Event")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="visits", verbose_name=_("client")
    )
    author = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="visits", verbose_name=_("visitor")
    )
    visitors = models.ManyToManyField(
        "org.Staff", blank=True, related_name="joint_visits", verbose_name=_("other visitors")
    )
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("org.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    form = models.CharField(_("form"), max_length=20, choices=Form.choices, default=Form.ON_SITE)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    content = models.TextField(_("what was discussed"), blank=True)
    opinions = models.TextField(_("client's opinions"), blank=True)
    suggestions = models.TextField(_("client's suggestions"), blank=True)
    difficulties = models.TextField(_("client's difficulties"), blank=True)
    overlap_acknowledged = models.BooleanField(_("overlap acknowledged"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verification_opinion = models.TextField(_("head's opinion"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("client visit")
        verbose_name_plural = _("client visits")
        ordering = ["-visited_on", "-planned_on", "-id"]
        indexes = [
            models.Index(fields=["author", "-visited_on"], name="visit_author_idx"),
            models.Index(fields=["client", "visited_on"], name="visit_client_idx"),
            models.Index(fields=["client", "planned_on"], name="visit_client_plan_idx"),
            models.Index(fields=["branch", "visited_on"], name="visit_branch_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(visited_on__isnull=False), name="visit_done_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="planned") | Q(planned_on__isnull=False), name="visit_planned_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.visited_on or self.planned_on}"

    def get_absolute_url(self) -> str:
        return reverse("clients:visit-detail", args=[self.pk])

    @property
    def day(self):
        return self.visited_on or self.planned_on


class VisitOverlap(models.Model):
    """A visit to a client that another person visited or planned to visit within the window,
    recorded when the visit was planned or logged (part 2, 2: 被走访人的重叠性)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="overlaps")
    other = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="+")
    days_apart = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit overlap")
        verbose_name_plural = _("visit overlaps")
        constraints = [models.UniqueConstraint(fields=["visit", "other"], name="overlap_unique_pair")]

    def __str__(self) -> str:
        return f"{self.visit_id} ~ {self.other_id}"


class FollowUp(models.Model):
    """督办: a matter the visitor could not answer on the spot, followed up by whoever made the
    visit ("谁走访谁督办"): sent to the responsible department, chased, resolved, and closed only
    once the client has been told the result."""

    class Category(models.TextChoices):
        PRODUCT = "product", _("Products")
        TRADING = "trading", _("Trading and systems")
        ACCOUNT = "account", _("Account and fees")
        SERVICE = "service", _("Service")
        COMPLAINT = "complaint", _("Complaint")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SENT = "sent", _("Sent to department")
        RESOLVED = "resolved", _("Resolved, client not yet told")
        CLOSED = "closed", _("Closed")

    class InformedHow(models.TextChoices):
        PHONE = "phone", _("Phone")
        VISIT = "visit", _("Visit")
        MESSAGE = "message", _("Message")
        LETTER = "letter", _("Letter or e-mail")

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="followups", verbose_name=_("client")
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("visit"),
    )
    inquiry = models.ForeignKey(
        "Inquiry", on_delete=models.PROTECT, null=True, blank=True, related_name="followups"
    )
    owner = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="followups", verbose_name=_("followed up by")
    )
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    matter = models.TextField(_("matter raised"))
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("responsible department"),
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    resolution = models.TextField(_("result"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    informed_on = models.DateField(_("client told on"), null=True, blank=True)
    informed_how = models.CharField(
        _("client told by"), max_length=20, choices=InformedHow.choices, blank=True
    )
    informed_note = models.TextField(_("what the client was told"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"], name="followup_owner_idx"),
            models.Index(fields=["department", "status", "due_on"], name="followup_dept_idx"),
            models.Index(fields=["branch", "status", "due_on"], name="followup_branch_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(informed_on__isnull=False) & ~Q(informed_how="")),
                name="followup_closed_client_informed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client.name}: {self.matter[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("clients:followup-detail", args=[self.pk])


class FollowUpEvent(models.Model):
    """One step of a follow-up's trail: sent, chased, answered, client told, closed."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Raised")
        SENT = "sent", _("Sent to department")
        CHASED = "chased", _("Chased")
        RESOLVED = "resolved", _("Resolved")
        REOPENED = "reopened", _("Reopened")
        CLOSED = "closed", _("Closed, client told")

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class Inquiry(models.Model):
    """来电咨询 and 预约开户 (part 4): who called, about what, passed on to whom, and what came of
    it. An important matter passed on is tracked until the person it went to acknowledges it."""

    class Kind(models.TextChoices):
        CALL = "call", _("Inquiry call")
        APPOINTMENT = "appointment", _("Account-opening appointment")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DONE = "done", _("Answered")
        CONVERTED = "converted", _("Account opened")
        LOST = "lost", _("No account")

    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CALL)
    caller_name = models.CharField(_("caller"), max_length=100)
    mobile = models.CharField(_("caller's phone"), max_length=11, validators=[validate_mobile])
    topic = models.CharField(_("about"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    important = models.BooleanField(_("important"), default=False)
    received_by = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        related_name="inquiries_received",
        verbose_name=_("received by"),
    )
    received_at = models.DateTimeField(_("received at"))
    assigned_to = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        related_name="inquiries_assigned",
        verbose_name=_("passed on to"),
    )
    acknowledge_by = models.DateTimeField(_("to be acknowledged by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    appointment_at = models.DateTimeField(_("appointment at"), null=True, blank=True)
    appointment_outlet = models.ForeignKey(
        "org.Outlet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("at outlet"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField(_("outcome"), blank=True)
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inquiries",
        verbose_name=_("client"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inquiry or appointment")
        verbose_name_plural = _("inquiries and appointments")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["assigned_to", "status"], name="inquiry_assigned_idx"),
            models.Index(fields=["branch", "-received_at"], name="inquiry_branch_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.caller_name}: {self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("clients:inquiry-detail", args=[self.pk])


class InquiryEvent(models.Model):
    """The trail of an inquiry: passed on, acknowledged, answered, converted."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class QuarterReport(models.Model):
    """The head's analysis text of a quarter's visit report (part 2, 2: 每季度以报表的形式将走访结果
    报相关领导 … 分析、评议). The figures are computed; the analysis is written."""

    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    analysis = models.TextField(_("analysis"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quarterly visit report")
        verbose_name_plural = _("quarterly visit reports")
        constraints = [
            models.UniqueConstraint(fields=["branch", "year", "quarter"], name="quarterreport_unique"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="quarterreport_quarter_1_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.year}Q{self.quarter}"
