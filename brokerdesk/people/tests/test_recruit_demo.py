"""The recruitment and training demo data: every stage present, written through the services."""

import datetime as dt

import pytest
from django.utils import timezone

from brokerdesk.org.demo import DemoBuilder
from brokerdesk.people.demo import build_recruitment
from brokerdesk.people.models_recruitment import Candidate
from brokerdesk.people.models_training import TrainingAttendance, TrainingSession
from brokerdesk.people.services_recruitment import conversion_blockers

pytestmark = pytest.mark.django_db


def test_demo_has_candidates_at_every_stage_and_training_records():
    today = timezone.localdate()
    DemoBuilder(seed=7, client_managers=60, today=today).build()
    build_recruitment(seed=7, today=today)
    statuses = set(Candidate.objects.values_list("status", flat=True))
    assert {"applied", "in_approval", "probation", "not_hired", "withdrawn"} <= statuses
    ready = [c for c in Candidate.objects.filter(status="probation") if not conversion_blockers(c, today)]
    assert len(ready) == 1
    assert TrainingSession.objects.filter(results_confirmed_at__isnull=False).count() >= 3
    assert TrainingAttendance.objects.filter(staff__isnull=False, result="passed").exists()
    assert TrainingSession.objects.filter(
        team__isnull=False, starts_at__date__gt=today - dt.timedelta(days=1)
    ).exists()
