"""Expiry warnings of the personnel archive (第十九条 and the practitioner registration):
contracts and licences ending within the warning window are announced to HR (the branch's
trade-management post and the company's HR department) and the person's team lead.

Each contract or licence is warned of once: the warning is claimed by a conditional update
of ``expiry_warned_on``, so two runs at once (cron and the task worker) cannot both send it.
A renewed expiry (a licence's new date, a contract's corrected dates) is warned of again.
Run by ``manage.py people_reminders`` or from a task: ``send_expiry_warnings()``.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from brokerdesk.access.models import RoleAssignment
from brokerdesk.access.roles import Role
from brokerdesk.approvals.services import notify
from brokerdesk.org.models import Department, Staff
from brokerdesk.people.models_archive import Contract, Qualification
from brokerdesk.people.selectors_archive import valid_contract_q, warn_days


def hr_user_ids(branch_ids) -> dict[int | None, set[int]]:
    """``{branch id: user ids}`` of who keeps personnel files for each branch: the branch's
    trade-management post (第十八条) and the company HR department (a countersigning
    department named HR, or not tied to a department). Key None: company-wide recipients."""
    out: dict[int | None, set[int]] = {None: set()}
    rows = RoleAssignment.objects.filter(
        Q(role=Role.TRADE_MANAGEMENT, branch_id__in=list(branch_ids))
        | Q(role=Role.COUNTERSIGN_DEPT)
        & (Q(department__isnull=True) | Q(department__kind=Department.Kind.HR)),
        user__is_active=True,
    ).values_list("role", "branch_id", "user_id")
    for role, branch_id, user_id in rows:
        key = branch_id if role == Role.TRADE_MANAGEMENT else None
        out.setdefault(key, set()).add(user_id)
    return out


def _recipients(staff: Staff, hr: dict) -> set[int]:
    users = set(hr.get(None, set())) | set(hr.get(staff.branch_id, set()))
    lead = staff.team.lead if staff.team_id else None
    if lead is not None and lead.user_id and lead.pk != staff.pk:
        users.add(lead.user_id)
    return users


def _claim(model, pk: int, today: dt.date) -> bool:
    return model.objects.filter(pk=pk, expiry_warned_on__isnull=True).update(expiry_warned_on=today) == 1


@transaction.atomic
def send_expiry_warnings(today: dt.date | None = None, days: int | None = None) -> int:
    """Warn of contracts and licences ending within ``days`` (setting
    ``PEOPLE_EXPIRY_WARN_DAYS``, 30); returns how many notifications were created."""
    today = today or timezone.localdate()
    days = warn_days() if days is None else days
    horizon = today + dt.timedelta(days=days)
    contracts = list(
        Contract.objects.filter(
            valid_contract_q(today), ends_on__lte=horizon, renewal__isnull=True, expiry_warned_on__isnull=True
        )
        .exclude(staff__status=Staff.Status.LEFT)
        .select_related("staff", "staff__team__lead")
    )
    licences = list(
        Qualification.objects.filter(
            revoked_on__isnull=True,
            expires_on__gte=today,
            expires_on__lte=horizon,
            expiry_warned_on__isnull=True,
        )
        .exclude(staff__status=Staff.Status.LEFT)
        .select_related("staff", "staff__team__lead")
    )
    hr = hr_user_ids({c.staff.branch_id for c in contracts} | {q.staff.branch_id for q in licences})
    sent = 0
    with override("zh-hans"):  # notifications are read in the firm's language
        for c in contracts:
            if c.terminated_on or not _claim(Contract, c.pk, today):
                continue
            text = _(
                "%(kind)s of %(name)s (%(emp_no)s) ends on %(day)s: renew it or record the departure."
            ) % {
                "kind": c.get_kind_display(),
                "name": c.staff.name,
                "emp_no": c.staff.emp_no,
                "day": c.ends_on,
            }
            sent += notify(sorted(_recipients(c.staff, hr)), text, c.get_absolute_url())
        for q in licences:
            if not _claim(Qualification, q.pk, today):
                continue
            text = _("%(licence)s of %(name)s (%(emp_no)s) expires on %(day)s.") % {
                "licence": q.name or q.get_kind_display(),
                "name": q.staff.name,
                "emp_no": q.staff.emp_no,
                "day": q.expires_on,
            }
            sent += notify(sorted(_recipients(q.staff, hr)), text, q.get_absolute_url())
    return sent
