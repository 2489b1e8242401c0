"""Reminders for what is past its deadline: overdue follow-ups (to the owner, and to the
department's people once sent) and important matters not acknowledged in time (to the person
they were passed to, and to whoever took the call). Each person hears of each item at most
once a day, so the command can run as often as wanted (cron, or the task worker)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from brokerdesk.approvals.models import Notification
from brokerdesk.clients.models import FollowUp, Inquiry
from brokerdesk.clients.services_visits import department_users


def _send(wanted: dict[tuple[int, str], str], today: dt.date) -> int:
    """Create the notifications of ``{(user id, url): text}`` not already sent today."""
    if not wanted:
        return 0
    users = {u for u, _url in wanted}
    urls = {url for _u, url in wanted}
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    sent = set(
        Notification.objects.filter(user_id__in=users, url__in=urls, created_at__gte=start).values_list(
            "user_id", "url"
        )
    )
    new = [
        Notification(user_id=u, url=url, text=text[:300])
        for (u, url), text in wanted.items()
        if (u, url) not in sent
    ]
    Notification.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def send_reminders(today: dt.date | None = None) -> int:
    """Send today's reminders; returns how many notifications were created."""
    today = today or timezone.localdate()
    now = timezone.now()
    wanted: dict[tuple[int, str], str] = {}
    with override("zh-hans"):  # notifications are read in the firm's language
        overdue = FollowUp.objects.filter(
            status__in=[FollowUp.Status.OPEN, FollowUp.Status.SENT], due_on__lt=today
        ).select_related("client", "owner")
        dept_users = department_users(
            {f.department_id for f in overdue if f.status == FollowUp.Status.SENT and f.department_id}
        )
        for f in overdue:
            text = _("Overdue since %(day)s: %(client)s — %(matter)s") % {
                "day": f.due_on,
                "client": f.client.name,
                "matter": f.matter[:60],
            }
            targets = [f.owner.user_id] if f.owner.user_id else []
            if f.status == FollowUp.Status.SENT:
                targets += dept_users.get(f.department_id, [])
            for user_id in targets:
                wanted[(user_id, f.get_absolute_url())] = text
        late = Inquiry.objects.filter(
            status=Inquiry.Status.OPEN, important=True, acknowledged_at__isnull=True, acknowledge_by__lt=now
        ).select_related("assigned_to", "received_by")
        for i in late:
            text = _("Not acknowledged in time: %(caller)s — %(topic)s") % {
                "caller": i.caller_name,
                "topic": i.topic[:60],
            }
            for person in (i.assigned_to, i.received_by):
                if person.user_id:
                    wanted[(person.user_id, i.get_absolute_url())] = text
    return _send(wanted, today)
