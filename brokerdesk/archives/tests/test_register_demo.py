"""The register's demo data: filed through the services, so its numbers have no gaps and its
months are closed as a keeper would close them."""

from collections import defaultdict

import pytest
from django.utils import timezone

from brokerdesk.archives.demo import build
from brokerdesk.archives.models_register import CustodyMove, RegisterBatch, RegisterEntry
from brokerdesk.archives.tests.factories import office

pytestmark = pytest.mark.django_db


def test_demo_build_on_a_small_org(org):
    office(org)
    today = timezone.localdate()
    build(seed=7, today=today)
    entries = list(RegisterEntry.objects.all())
    assert {e.branch_id for e in entries} == {org.branches.b1.pk, org.branches.b2.pk}
    numbers = defaultdict(list)
    for e in entries:
        numbers[(e.kind, e.branch_id, e.month)].append(e.sequence)
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in numbers.values())
    closed = RegisterBatch.objects.filter(closed_at__isnull=False)
    assert closed.count() == 2 and all(b.month < today.replace(day=1) for b in closed)
    assert RegisterEntry.objects.filter(corrects__isnull=False, branch=org.branches.b1).count() == 1
    assert all(e.custodian_id is None or CustodyMove.objects.filter(entry=e).exists() for e in entries)
    build(seed=7, today=today)  # a second run leaves the data as it is
    assert RegisterEntry.objects.count() == len(entries)
