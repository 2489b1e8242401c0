"""Shared kernel records: the counters behind serial numbers (流水号)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SerialCounter(models.Model):
    """The last number handed out for one kind of document, in one branch, in one month.

    Numbers are taken inside the transaction that creates the document (``core.serials``),
    so a rolled-back creation gives its number back and the sequence has no gaps.
    """

    kind = models.CharField(_("kind"), max_length=30)
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))  # first day of the month
    value = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("serial-number counter")
        verbose_name_plural = _("serial-number counters")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "branch", "month"], name="serialcounter_unique_kind_branch_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.branch_id} {self.month:%Y-%m}: {self.value}"
