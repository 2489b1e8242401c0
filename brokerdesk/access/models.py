from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from brokerdesk.access.roles import ROLE_DEFS, Role


class RoleAssignment(models.Model):
    """One role held by one login, anchored where its scope needs it.

    A client manager's and a regional manager's scope is anchored on the login's staff
    record; a team lead's on a team; branch roles on a branch; a regional HQ head on a
    region; company departments need no anchor.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("login"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("regional HQ")
    )
    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("branch")
    )
    team = models.ForeignKey(
        "org.Team", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("team")
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("department"),
        help_text=_("For a countersigning department: which one."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region", "branch", "team"], name="role_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        anchor = self.team or self.branch or self.region or self.department or ""
        return f"{self.get_role_display()} {anchor}".strip()

    def clean(self) -> None:
        anchor = ROLE_DEFS[self.role].anchor if self.role in ROLE_DEFS else ""
        if anchor and getattr(self, f"{anchor}_id") is None:
            raise ValidationError({anchor: _("This role needs this field to locate its scope.")})


class SensitiveAccess(models.Model):
    """A full view of a masked field (ID number, mobile): who saw what, when, from where.

    Kept at least six months (网络安全法); rows are never edited.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    model = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    field = models.CharField(max_length=40)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    channel = models.CharField(max_length=10, default="page")  # page, api, export
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sensitive field view")
        verbose_name_plural = _("sensitive field views")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.model}#{self.object_id}.{self.field} {self.at:%Y-%m-%d %H:%M}"
