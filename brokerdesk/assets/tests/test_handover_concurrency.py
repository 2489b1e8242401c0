"""Two presses at the same moment: a receiver's double click moves the asset once, and two
people completing the same handover perform the transfer once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from brokerdesk.assets import services_handover as svc
from brokerdesk.assets.models_assets import LedgerLine
from brokerdesk.assets.models_handover import Handover, HandoverEvent, HandoverLine
from brokerdesk.assets.tests.factories_handover import finish_all, issue, line, start
from brokerdesk.org.models import StaffAssignment
from brokerdesk.org.tests.factories import build_org

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL"
    ),
]


def _race(*calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        try:
            barrier.wait(timeout=5)
            call()
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_a_double_click_on_received_moves_the_asset_once():
    org = build_org()
    laptop = issue(org)
    h = start(org)
    ln = line(h, HandoverLine.Kind.ASSET)
    svc.line_assign(actor=org.users.cm, line=ln, disposition="pass", receiver=org.staff.cm_peer)
    svc.line_confirm(actor=org.users.cm, line=ln, side="giver")

    def receive():
        svc.line_confirm(actor=org.users.cm_peer, line=HandoverLine.objects.get(pk=ln.pk), side="receiver")

    assert _race(receive, receive) == ["ok", "refused"]
    assert LedgerLine.objects.filter(asset=laptop, to_staff=org.staff.cm_peer).count() == 1
    assert HandoverEvent.objects.filter(line=ln, kind="received").count() == 1


def test_two_people_completing_at_once_transfer_the_person_once():
    org = build_org()
    issue(org)
    h = start(org, Handover.Kind.TRANSFER)
    finish_all(org, h)

    def complete(user):
        return lambda: svc.handover_complete(actor=user, handover=Handover.objects.get(pk=h.pk))

    assert _race(complete(org.users.trade), complete(org.users.manager)) == ["ok", "refused"]
    assert StaffAssignment.objects.filter(staff=org.staff.cm).count() == 2
    assert HandoverEvent.objects.filter(handover=h, kind="completed").count() == 1
