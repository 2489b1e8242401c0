"""The client-service tiles of the workbench: what is due, overdue or waiting, in a fixed
number of queries whatever the scope's size."""

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from brokerdesk.access import roles
from brokerdesk.access.scope import has_perm, visible
from brokerdesk.clients.models import FollowUp, Inquiry, Visit
from brokerdesk.clients.selectors import visits_due

OPEN_FOLLOWUP = [FollowUp.Status.OPEN, FollowUp.Status.SENT]


def service_counts(*, user, staff, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    now = timezone.now()
    counts: dict[str, int] = {}
    # Key accounts due for a visit: the "visits due" page's own selector (a person's own
    # clients when they have a staff record, the scope's otherwise).
    counts["visits_due"] = visits_due(user, today, mine_only=staff is not None).count()
    followups = visible(user, FollowUp).filter(status__in=OPEN_FOLLOWUP, due_on__lt=today)
    if staff is not None and not has_perm(user, roles.VISIT_VERIFY):
        followups = followups.filter(owner=staff)
    counts["followups_overdue"] = followups.count()
    if staff is not None:
        counts.update(
            Inquiry.objects.filter(assigned_to=staff).aggregate(
                inquiries_waiting=Count(
                    "pk", filter=Q(status=Inquiry.Status.OPEN, important=True, acknowledged_at__isnull=True)
                ),
                inquiries_late=Count(
                    "pk",
                    filter=Q(
                        status=Inquiry.Status.OPEN,
                        important=True,
                        acknowledged_at__isnull=True,
                        acknowledge_by__lt=now,
                    ),
                ),
            )
        )
    if has_perm(user, roles.VISIT_VERIFY):
        month_start = today.replace(day=1)
        counts["visits_unverified"] = (
            visible(user, Visit, roles.VISIT_VERIFY)
            .filter(status=Visit.Status.DONE, verified_at__isnull=True, visited_on__lt=month_start)
            .count()
        )
    return counts
