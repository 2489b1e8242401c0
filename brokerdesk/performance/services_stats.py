"""Finance's review of the month's statistics and its notes (第十五条: 财务部门审核).

A note or review belongs to a branch and month (optionally one client manager) and records the
import version it was written against, so a re-import after a review shows that the month
needs reviewing again. Notes are never edited or deleted: a later note corrects an earlier one.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.scope import visible
from brokerdesk.org.models import Branch, Staff
from brokerdesk.performance.models import ManagerMonth, StatReview
from brokerdesk.performance.selectors import current_import

MAX_TEXT = 2000


@transaction.atomic
def stat_note_add(
    *,
    actor,
    branch: Branch,
    month: dt.date,
    text: str = "",
    staff: Staff | None = None,
    is_review: bool = False,
) -> StatReview:
    """Mark the branch's month reviewed (``is_review``) and/or annotate it or one manager's row."""
    if branch is None or not visible(actor, Branch.objects.filter(pk=branch.pk), roles.PAY_RUN).exists():
        raise PermissionDenied(_("You may not review this branch's statistics."))
    if month is None:
        raise ValidationError({"month": _("Choose the month.")})
    month = month.replace(day=1)
    text = (text or "").strip()
    imp = current_import(branch, month)
    if imp is None:
        raise ValidationError({"month": _("No CRM figures are imported for this branch and month.")})
    if staff is not None:
        if is_review:
            raise ValidationError(
                {"staff": _("A review is of the whole branch: leave the client manager empty.")}
            )
        if not ManagerMonth.objects.filter(branch=branch, month=month, staff=staff).exists():
            raise ValidationError({"staff": _("This person has no statistics in this branch and month.")})
    if not text and not is_review:
        raise ValidationError({"text": _("Write the note.")})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": _("A note has at most %(n)s characters.") % {"n": MAX_TEXT}})
    return StatReview.objects.create(
        branch=branch,
        month=month,
        staff=staff,
        is_review=is_review,
        text=text,
        crm_import=imp,
        written_by=actor,
    )
