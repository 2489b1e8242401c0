"""The organisation: regional HQs, branches and departments, teams, outlets, partner banks
and their agreements, staff with levels and their transfer history (第二、三、五、七条).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from brokerdesk.core.validators import normalize_id_number, validate_id_number, validate_mobile


class Region(models.Model):
    """A regional HQ (地区管理总部), e.g. 北京, 上海."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("regional HQ")
        verbose_name_plural = _("regional HQs")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    """A branch (营业部)."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="branches", verbose_name=_("regional HQ")
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)
    city = models.CharField(_("city"), max_length=30)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org:branch-detail", args=[self.pk])


class Department(models.Model):
    """A department: at head office (branch empty) or inside a branch (财务部, 交易管理岗…)."""

    class Kind(models.TextChoices):
        INTEGRATED_OFFICE = "integrated_office", _("Brokerage integrated office")
        CHANNEL = "channel", _("Channel management dept")
        COMPLIANCE = "compliance", _("Compliance dept")
        HR = "hr", _("Human resources dept")
        FINANCE = "finance", _("Finance dept")
        TRADE_MANAGEMENT = "trade_management", _("Trade management post")
        OTHER = "other", _("Other")

    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="departments",
        verbose_name=_("branch"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=80)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["branch_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "name"], name="department_unique_name_per_branch"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(branch__isnull=True), name="department_unique_name_head_office"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch.name} {self.name}" if self.branch_id else self.name

    @property
    def is_head_office(self) -> bool:
        return self.branch_id is None


class PartnerBank(models.Model):
    """A partner bank (合作银行) whose outlets host client managers."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner bank")
        verbose_name_plural = _("partner banks")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org:bank-detail", args=[self.pk])


WEEKDAY_CHOICES = [
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
]


class Outlet(models.Model):
    """An outlet (网点), often a partner-bank outlet. Its hours are its client managers'
    working hours (第八条(一))."""

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="outlets", verbose_name=_("branch")
    )
    partner_bank = models.ForeignKey(
        PartnerBank,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outlets",
        verbose_name=_("partner bank"),
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))
    # ISO weekday digits the outlet is open on, e.g. "12345" for Monday to Friday.
    weekdays = models.CharField(_("open weekdays"), max_length=7, default="12345")
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        ordering = ["branch_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "name"], name="outlet_unique_name_per_branch"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="outlet_closes_after_opens"
            ),
            models.CheckConstraint(condition=~Q(weekdays=""), name="outlet_has_weekdays"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org:outlet-detail", args=[self.pk])

    def clean(self) -> None:
        # The database check constraint only says "violated"; name the field for forms and API.
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("Closing time must be after opening time.")})

    def weekday_labels(self) -> list[str]:
        labels = dict(WEEKDAY_CHOICES)
        return [str(labels[d]) for d in self.weekdays if d in labels]


def agreement_upload_to(instance: "CooperationAgreement", filename: str) -> str:
    # The stored name is generated server-side; the user's file name is never used as a path.
    import uuid

    return f"agreements/{instance.branch_id}/{uuid.uuid4().hex}"


class CooperationAgreement(models.Model):
    """A yearly cooperation agreement with a partner bank (第三条: 与合作银行签订当年的营销合作方案)."""

    bank = models.ForeignKey(
        PartnerBank, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("bank")
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("branch")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=120)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    outlets = models.ManyToManyField(
        Outlet, blank=True, related_name="agreements", verbose_name=_("outlets covered")
    )
    terms = models.TextField(_("terms"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to=agreement_upload_to, blank=True)
    attachment_name = models.CharField(_("attachment file name"), max_length=200, blank=True)
    history = HistoricalRecords(m2m_fields=[outlets])

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        ordering = ["-year", "branch_id", "bank_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="agreement_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["bank", "branch", "year"], name="agreement_one_per_bank_branch_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.bank} · {self.branch}"

    def get_absolute_url(self) -> str:
        return reverse("org:agreement-detail", args=[self.pk])

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date must not be before the start date.")})


class Team(models.Model):
    """A marketing team (营销团队) of a branch."""

    class Status(models.TextChoices):
        PREPARING = "preparing", _("Preparing")
        ACTIVE = "active", _("In operation")
        DISSOLVED = "dissolved", _("Dissolved")

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="teams", verbose_name=_("branch")
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80)
    lead = models.ForeignKey(
        "Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("team lead"),
    )
    founded_on = models.DateField(_("founded on"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("marketing team")
        verbose_name_plural = _("marketing teams")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["branch", "name"], name="team_unique_name_per_branch")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org:team-detail", args=[self.pk])

    def clean(self) -> None:
        if self.lead_id and self.lead.branch_id != self.branch_id:
            raise ValidationError({"lead": _("The team lead must work in the team's branch.")})


class Level(models.Model):
    """A rung of the configurable level ladder (见习/初级/中级/高级/资深 客户经理)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True, help_text=_("Higher is more senior."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    """A member of staff: client managers and everyone who leads or supports them."""

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class EmploymentType(models.TextChoices):
        FULL_TIME = "full_time", _("Full-time")
        PART_TIME = "part_time", _("Part-time")

    class Position(models.TextChoices):
        CLIENT_MANAGER = "client_manager", _("Client manager")
        REGIONAL_MANAGER = "regional_manager", _("Regional manager")
        TEAM_LEAD = "team_lead", _("Team lead")
        BRANCH_MANAGER = "branch_manager", _("Branch manager")
        DEPUTY_MANAGER = "deputy_manager", _("Deputy / assistant manager")
        ACCOUNTANT = "accountant", _("Chief accountant")
        BACK_OFFICE = "back_office", _("Back office")
        HEAD_OFFICE = "head_office", _("Head office staff")

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        PROBATION = "probation", _("Probation")
        ACTIVE = "active", _("Active")
        LEFT = "left", _("Left")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("login"),
    )
    emp_no = models.CharField(
        _("employee number"),
        max_length=20,
        unique=True,
        error_messages={"unique": _("This employee number is already in use.")},
    )
    name = models.CharField(_("full name"), max_length=40)
    # Derived from the name by the service layer, for pinyin search ("zs", "zsan", "zhangsan").
    name_pinyin = models.CharField(_("pinyin"), max_length=120, blank=True, editable=False)
    pinyin_keys = models.CharField(max_length=600, blank=True, editable=False, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    mobile = models.CharField(_("mobile"), max_length=11, validators=[validate_mobile])
    id_number = models.CharField(
        _("ID number"),
        max_length=18,
        unique=True,
        validators=[validate_id_number],
        error_messages={"unique": _("A staff member with this ID number already exists.")},
    )
    employment_type = models.CharField(_("employment type"), max_length=20, choices=EmploymentType.choices)
    position = models.CharField(_("position"), max_length=30, choices=Position.choices)
    level = models.ForeignKey(
        Level, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("level")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("branch"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("department"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("team")
    )
    regional_manager = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_managers",
        verbose_name=_("regional manager"),
    )
    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("outlet"),
    )
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["pinyin_keys"])

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["emp_no"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(hired_on__isnull=True)
                | Q(left_on__gte=models.F("hired_on")),
                name="staff_leaves_after_hire",
            ),
        ]
        indexes = [models.Index(fields=["branch", "status"], name="staff_branch_status_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.emp_no}）"

    def get_absolute_url(self) -> str:
        return reverse("org:staff-detail", args=[self.pk])

    def clean(self) -> None:
        self.id_number = normalize_id_number(self.id_number)
        self.mobile = (self.mobile or "").strip()
        errors = staff_placement_errors(self)
        in_field_team = self.position in (
            Staff.Position.CLIENT_MANAGER,
            Staff.Position.REGIONAL_MANAGER,
            Staff.Position.TEAM_LEAD,
        )
        if in_field_team and not self.branch_id:
            errors["branch"] = _("Client managers, regional managers and team leads belong to a branch.")
        if self.status == Staff.Status.LEFT and not self.left_on:
            errors["left_on"] = _("Give the date this person left.")
        if self.left_on and self.hired_on and self.left_on < self.hired_on:
            errors["left_on"] = _("The leaving date must not be before the hire date.")
        if errors:
            raise ValidationError(errors)


def staff_placement_errors(staff: "Staff") -> dict[str, str]:
    """A staff member's team, outlet and regional manager must all belong to their branch."""
    errors: dict[str, str] = {}
    if staff.team_id and staff.team.branch_id != staff.branch_id:
        errors["team"] = _("This team belongs to another branch.")
    if staff.outlet_id and staff.outlet.branch_id != staff.branch_id:
        errors["outlet"] = _("This outlet belongs to another branch.")
    rm = staff.regional_manager
    if rm is not None:
        if rm.pk and rm.pk == staff.pk:
            errors["regional_manager"] = _("A person cannot be their own regional manager.")
        elif rm.branch_id != staff.branch_id:
            errors["regional_manager"] = _("This regional manager works in another branch.")
        elif rm.position not in (Staff.Position.REGIONAL_MANAGER, Staff.Position.TEAM_LEAD):
            errors["regional_manager"] = _("This person is not a regional manager.")
    return errors


class StaffAssignment(models.Model):
    """One period of a staff member's placement: team, outlet and regional manager.

    Transfers (第五条(四): 客户经理在各网点的调整、调动) close the open period and open a new one,
    so "who was where on a date" is always answerable.
    """

    staff = models.ForeignKey(
        Staff, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("staff")
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("branch")
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("team"))
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("outlet")
    )
    regional_manager = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("regional manager"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")
        ordering = ["staff_id", "-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff"], condition=Q(ends_on__isnull=True), name="assignment_one_open_per_staff"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="assignment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.starts_on}–{self.ends_on or ''}"
