"""One approval engine for every module (第二、四条 and later leave, pay, recruitment…).

A *flow* is data: ordered *steps*, each done by a role in the request's scope, a named
person, or several departments in parallel (会签). A *request* ties a flow to a subject
record; each step in progress has one *task* per approver slot; every action is an
append-only *action* row, the trail.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from brokerdesk.access.roles import Role


class Flow(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    submitter_signs = models.BooleanField(
        _("submitter may sign a step"),
        default=False,
        help_text=_("For reports signed first by whoever prepared them (the pay report)."),
    )

    class Meta:
        verbose_name = _("approval flow")
        verbose_name_plural = _("approval flows")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    class Kind(models.TextChoices):
        ROLE = "role", _("A role in the request's scope")
        PERSON = "person", _("A named person")
        COUNTERSIGN = "countersign", _("Departments in parallel (countersign)")

    class Op(models.TextChoices):
        GT = "gt", ">"
        GTE = "gte", "≥"
        LT = "lt", "<"
        EQ = "eq", "="

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="steps", verbose_name=_("flow"))
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("done by"), max_length=20, choices=Kind.choices)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    departments = models.ManyToManyField(
        "org.Department",
        blank=True,
        related_name="+",
        verbose_name=_("default countersigning departments"),
        help_text=_("Used when no earlier step named the departments."),
    )
    names_countersign = models.BooleanField(
        _("names the countersigning departments"),
        default=False,
        help_text=_("The approver of this step chooses which departments must countersign."),
    )
    # Routing: the step applies only when the request's figure satisfies the condition,
    # e.g. leave "days" gt 3 adds the branch manager's step.
    condition_key = models.CharField(_("only when figure"), max_length=40, blank=True)
    condition_op = models.CharField(_("is"), max_length=3, choices=Op.choices, blank=True)
    condition_value = models.DecimalField(_("value"), max_digits=18, decimal_places=2, null=True, blank=True)
    due_hours = models.PositiveIntegerField(_("due within hours"), default=48)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["flow_id", "order"]
        constraints = [models.UniqueConstraint(fields=["flow", "order"], name="step_unique_order_in_flow")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    def clean(self) -> None:
        if self.kind == Step.Kind.ROLE and not self.role:
            raise ValidationError({"role": _("Choose the role that does this step.")})
        if self.kind == Step.Kind.PERSON and not self.person_id:
            raise ValidationError({"person": _("Choose the person who does this step.")})
        if bool(self.condition_key) != bool(self.condition_op) or (
            self.condition_key and self.condition_value is None
        ):
            raise ValidationError(
                {"condition_key": _("A condition needs a figure, a comparison and a value.")}
            )


class Request(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("In approval")
        RETURNED = "returned", _("Returned for revision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    flow = models.ForeignKey(Flow, on_delete=models.PROTECT, related_name="requests", verbose_name=_("flow"))
    title = models.CharField(_("title"), max_length=200)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    branch = models.ForeignKey(
        "org.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("branch"),
    )
    team = models.ForeignKey(
        "org.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitter")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    # Figures the routing reads (days of leave, an amount…), as strings of Decimals.
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    countersign_departments = models.ManyToManyField(
        "org.Department", blank=True, related_name="+", verbose_name=_("countersigning departments")
    )
    current_step = models.ForeignKey(
        Step,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current step"),
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One live request per subject: a second submission of the same record is refused.
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=Q(status__in=["pending", "returned"]),
                name="request_one_open_per_subject",
            )
        ]
        indexes = [
            models.Index(fields=["status", "branch"], name="request_status_branch_idx"),
            # The lists' order (newest first): a page is read off the index instead of sorting
            # every request in scope (benchmarks/approvals_inbox.py).
            models.Index(fields=["submitted_at", "id"], name="request_submitted_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("approvals:request-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (Request.Status.PENDING, Request.Status.RETURNED)


class Task(models.Model):
    """One approver slot of the step in progress: a role, a person, or one department."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", _("Closed without action")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="tasks")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField()
    # Who may act, copied from the step so the inbox query needs no join to the flow.
    role = models.CharField(max_length=30, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    acted_at = models.DateTimeField(null=True, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("approval task")
        verbose_name_plural = _("approval tasks")
        ordering = ["request_id", "id"]
        indexes = [
            models.Index(fields=["status", "role"], name="task_status_role_idx"),
            models.Index(fields=["status", "department"], name="task_status_department_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}/{self.step.name}"


class Action(models.Model):
    """The trail: append-only. Rows are written by the engine and never updated or deleted."""

    class Kind(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        RESUBMIT = "resubmit", _("Resubmitted")
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        RETURN = "return", _("Returned for revision")
        COMMENT = "comment", _("Commented")
        WITHDRAW = "withdraw", _("Withdrawn")
        COMPLETE = "complete", _("Completed")

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="actions")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    step_name = models.CharField(max_length=80, blank=True)
    round = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opinion = models.TextField(blank=True)
    attachment = models.FileField(upload_to="approvals/%Y/%m/", blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("approval action")
        verbose_name_plural = _("approval actions")
        ordering = ["request_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"

    def save(self, *args, **kwargs):
        # The trail is evidence: a row, once written, is never rewritten.
        if self.pk is not None:
            raise ValidationError(_("An approval trail cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("An approval trail cannot be changed."))


class Delegation(models.Model):
    """An approver away names a stand-in for a period; the stand-in acts on their behalf."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="delegations_given",
        verbose_name=_("approver"),
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="delegations_taken",
        verbose_name=_("stand-in"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(delegator=models.F("delegate")), name="delegation_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate}"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.text
