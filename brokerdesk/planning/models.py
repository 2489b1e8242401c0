"""Annual work plans and targets (第三条), their decomposition to people (第五条), monthly
actuals and progress, plan reviews with corrective actions, and team standards (第二条)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 18, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class Metric(models.TextChoices):
    NEW_ACCOUNTS = "new_accounts", _("New accounts")
    ASSET_GROWTH = "asset_growth", _("Client asset growth")
    NET_REVENUE = "net_revenue", _("Net revenue")
    PRODUCT_SALES = "product_sales", _("Product sales")


METRICS = [m.value for m in Metric]
MONEY_METRICS = {Metric.ASSET_GROWTH, Metric.NET_REVENUE, Metric.PRODUCT_SALES}


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_APPROVAL = "in_approval", _("In approval")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Superseded")


EDITABLE = (PlanStatus.DRAFT, PlanStatus.RETURNED, PlanStatus.WITHDRAWN)


def plan_upload_to(instance, filename: str) -> str:
    import uuid

    return f"plans/{instance.team_id}/{uuid.uuid4().hex}"


class AnnualPlan(models.Model):
    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual work plan")
        FOUNDING = "founding", _("Founding one-year plan")

    class Split(models.TextChoices):
        MONTH = "month", _("By month")
        QUARTER = "quarter", _("By quarter")

    team = models.ForeignKey(
        "org.Team", on_delete=models.PROTECT, related_name="plans", verbose_name=_("team")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ANNUAL)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("revises"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    target_new_accounts = models.PositiveIntegerField(_("target new accounts"))
    target_asset_growth = models.DecimalField(_("target client asset growth (¥)"), **MONEY)
    target_net_revenue = models.DecimalField(_("target net revenue (¥)"), **MONEY)
    target_product_sales = models.DecimalField(_("target product sales (¥)"), **MONEY)
    split_by = models.CharField(
        _("targets split"), max_length=10, choices=Split.choices, default=Split.QUARTER
    )
    marketing_plan = models.TextField(_("marketing plan for the local market"))
    bank_cooperation_plan = models.TextField(_("cooperation plan with the partner bank"), blank=True)
    partner_bank = models.ForeignKey(
        "org.PartnerBank", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("partner bank")
    )
    attachment = models.FileField(_("attachment"), upload_to=plan_upload_to, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    approval = models.ForeignKey(
        "approvals.Request",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approval"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        ordering = ["-year", "team_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "year"],
                condition=Q(status="approved"),
                name="plan_one_approved_per_team_year",
            ),
            models.UniqueConstraint(fields=["team", "year", "version"], name="plan_unique_version"),
            models.CheckConstraint(
                condition=Q(target_asset_growth__gte=0)
                & Q(target_net_revenue__gte=0)
                & Q(target_product_sales__gte=0),
                name="plan_targets_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.year}年度工作计划（v{self.version}）"

    def get_absolute_url(self) -> str:
        return reverse("planning:plan-detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    def target(self, metric: str):
        return getattr(self, f"target_{metric}")

    def periods(self) -> list[int]:
        return list(range(1, 13)) if self.split_by == AnnualPlan.Split.MONTH else [1, 2, 3, 4]


class TargetShare(models.Model):
    """A person's part of an approved plan's targets for one month or quarter."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="shares")
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="target_shares")
    period = models.PositiveSmallIntegerField(_("period"))
    new_accounts = models.PositiveIntegerField(default=0)
    asset_growth = models.DecimalField(default=0, **MONEY)
    net_revenue = models.DecimalField(default=0, **MONEY)
    product_sales = models.DecimalField(default=0, **MONEY)

    class Meta:
        verbose_name = _("target share")
        verbose_name_plural = _("target shares")
        ordering = ["plan_id", "staff_id", "period"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "staff", "period"], name="share_unique_per_period"),
            models.CheckConstraint(
                condition=Q(asset_growth__gte=0) & Q(net_revenue__gte=0) & Q(product_sales__gte=0),
                name="share_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.staff_id}/{self.period}"


class MonthlyActual(models.Model):
    """A person's actual figures for a month: entered or imported until the performance
    module supplies them from CRM statistics."""

    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="monthly_actuals")
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    new_accounts = models.PositiveIntegerField(_("new accounts"), default=0)
    asset_growth = models.DecimalField(_("client asset growth"), default=0, **MONEY)
    net_revenue = models.DecimalField(_("net revenue"), default=0, **MONEY)
    product_sales = models.DecimalField(_("product sales"), default=0, **MONEY)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("monthly actual")
        verbose_name_plural = _("monthly actuals")
        ordering = ["-month", "staff_id"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "month"], name="actual_one_per_staff_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="actual_month_is_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.month:%Y-%m}"


class PlanReview(models.Model):
    """A periodic look back at a plan (第五条): what was found and what will be corrected."""

    plan = models.ForeignKey(
        AnnualPlan, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("plan")
    )
    held_on = models.DateField(_("held on"))
    findings = models.TextField(_("findings"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} {self.held_on}"


class CorrectiveAction(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    review = models.ForeignKey(PlanReview, on_delete=models.PROTECT, related_name="actions")
    description = models.CharField(_("corrective action"), max_length=300)
    owner = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.CharField(_("what was done"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["status", "due_on", "id"]

    def __str__(self) -> str:
        return self.description


class TeamStandard(models.Model):
    """A team's management and pay standards (第二条), filed through the same route."""

    team = models.ForeignKey(
        "org.Team", on_delete=models.PROTECT, related_name="standards", verbose_name=_("team")
    )
    title = models.CharField(_("title"), max_length=120)
    content = models.TextField(_("content"))
    attachment = models.FileField(_("attachment"), upload_to=plan_upload_to, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    approval = models.ForeignKey(
        "approvals.Request", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team standard")
        verbose_name_plural = _("team standards")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("planning:standard-detail", args=[self.pk])
