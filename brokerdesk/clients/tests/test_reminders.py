"""Reminders of what is past its deadline: each person hears of each item once a day."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from brokerdesk.approvals.models import Notification
from brokerdesk.clients.models import FollowUp
from brokerdesk.clients.reminders import send_reminders
from brokerdesk.clients.tests.factories import make_client, make_followup, make_important_matter

pytestmark = pytest.mark.django_db


def test_overdue_follow_ups_and_late_matters_are_reminded_once_a_day(org):
    today = timezone.localdate()
    client = make_client(org.users.cm, name="陈先生")
    late = make_followup(org, client, due_on=today - dt.timedelta(days=2))
    due_today = make_followup(org, client, due_on=today, matter="未到期")
    matter = make_important_matter(org, acknowledge_in_hours=-1)
    assert send_reminders(today) == 3  # the follow-up's owner; the matter's assignee and receiver
    assert Notification.objects.filter(user=org.users.cm, url=late.get_absolute_url()).count() == 1
    assert Notification.objects.filter(user=org.users.cm_peer, url=matter.get_absolute_url()).exists()
    call_command("service_reminders")
    assert send_reminders(today) == 0  # not twice on the same day
    # The next day: again, and the follow-up due today is now overdue too.
    assert send_reminders(today + dt.timedelta(days=1)) == 4
    matter.acknowledged_at = timezone.now()
    matter.save()
    late.status = FollowUp.Status.CLOSED
    late.informed_on, late.informed_how = today, "phone"
    late.save()
    assert send_reminders(today + dt.timedelta(days=2)) == 1
    assert Notification.objects.filter(url=due_today.get_absolute_url()).count() == 2
