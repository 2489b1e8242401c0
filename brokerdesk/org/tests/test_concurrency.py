"""Two people transferring the same person at the same moment: exactly one transfer counts."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from brokerdesk.org.models import StaffAssignment
from brokerdesk.org.services import staff_transfer
from brokerdesk.org.tests.factories import build_org


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL")
def test_simultaneous_transfers_leave_one_open_placement():
    org = build_org()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def transfer(team, outlet):
        try:
            barrier.wait(timeout=5)
            staff = type(org.staff.cm).objects.get(pk=org.staff.cm.pk)
            staff_transfer(
                actor=org.users.manager,
                staff=staff,
                branch=org.branches.b1,
                team=team,
                outlet=outlet,
                regional_manager=None,
                starts_on=__import__("datetime").date(2026, 12, 1),
                reason="并发",
            )
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=transfer, args=(org.teams.b, org.outlets.o1b)),
        threading.Thread(target=transfer, args=(org.teams.a, org.outlets.o1)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    open_rows = StaffAssignment.objects.filter(staff=org.staff.cm, ends_on__isnull=True)
    assert open_rows.count() == 1
    assert StaffAssignment.objects.filter(staff=org.staff.cm).count() == 2
