"""The demo's handovers: a completed transfer and a departure under way, made through the
services (so they pass the same rules as real ones)."""

import datetime as dt

import pytest
from django.utils import timezone

from brokerdesk.assets.demo import build_handovers
from brokerdesk.assets.models_handover import Handover
from brokerdesk.assets.selectors_handover import handover_blocking
from brokerdesk.assets.tests.factories_handover import issue
from brokerdesk.clients.tests.factories import make_client, make_followup
from brokerdesk.org.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_completed_transfer_and_a_departure_under_way(org):
    for _ in range(2):
        person = StaffFactory(branch=org.branches.b1, team=org.teams.a, outlet=org.outlets.o1)
        client = make_client(org.users.trade, manager=person)
        make_followup(org, client, due_on=timezone.localdate() + dt.timedelta(days=3), owner=person)
    issue(org, to=person)  # the second holds an asset: they are the one leaving
    build_handovers(seed=1, today=timezone.localdate())
    done = Handover.objects.get(status="completed")
    assert done.kind == "transfer" and done.staff.team != org.teams.a
    assert handover_blocking(done.staff, "transfer") is None
    leaving = Handover.objects.get(status="open")
    assert leaving.kind == "departure" and leaving.staff.user.username == "leaver"
    assert leaving.lines.filter(kind="followup", receiver=org.staff.cm).exists()
    assert leaving.lines.filter(kind="asset", status="open").exists()
    build_handovers(seed=1, today=timezone.localdate())  # a second run adds nothing
    assert Handover.objects.count() == 2
