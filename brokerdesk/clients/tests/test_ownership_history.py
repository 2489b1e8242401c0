"""Ownership history is exact per date: periods never overlap, leave no gap from the opening
day, and the open period is the client's manager. Pay and statistics attribute by it."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brokerdesk.clients import services
from brokerdesk.clients.models import Client, Ownership
from brokerdesk.clients.tests.factories import make_client

pytestmark = pytest.mark.django_db


def _assert_contiguous(client: Client) -> None:
    periods = list(Ownership.objects.filter(client=client).order_by("start"))
    assert periods[0].start == client.opened_on
    for before, after in zip(periods, periods[1:], strict=False):
        assert before.end == after.start  # end is exclusive: no gap, no overlap
    assert periods[-1].end is None
    client.refresh_from_db()
    assert periods[-1].manager_id == client.manager_id


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(min_value=0, max_value=3), st.integers(0, 2)), max_size=6))
def test_any_sequence_of_transfers_keeps_one_exact_owner_per_day(org, steps):
    today = timezone.localdate()
    client = make_client(org.users.cm, opened_on=today - dt.timedelta(days=200))
    people = [org.staff.cm, org.staff.cm_peer, org.staff.cm_b]
    expected = {}  # day offset -> staff id, as the transfers say
    day = client.opened_on
    holder = org.staff.cm
    for gap, who in steps:
        effective = day + dt.timedelta(days=gap)
        try:
            services.client_transfer(
                actor=org.users.trade, client=client, to=people[who], effective=effective, note="调整"
            )
        except ValidationError:
            continue  # same person, or not after the current period's start: refused, nothing changed
        for d in range((effective - day).days):
            expected[day + dt.timedelta(days=d)] = holder.pk
        day, holder = effective, people[who]
    expected[day] = holder.pk
    expected[today] = holder.pk
    _assert_contiguous(client)
    for d, staff_id in expected.items():
        assert services.owner_on(client, d) == staff_id
    assert services.owner_on(client, client.opened_on - dt.timedelta(days=1)) is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_reassignments_at_once_leave_one_consistent_history(org):
    client = make_client(org.users.cm, opened_on=timezone.localdate() - dt.timedelta(days=30))
    barrier = threading.Barrier(2)
    outcomes = []

    def reassign(to):
        from django.db import connections

        try:
            barrier.wait()
            services.client_transfer(actor=org.users.trade, client=client, to=to, note="并发")
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        except Exception as exc:  # noqa: BLE001 - any other failure is the bug this test looks for
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reassign, args=(s,)) for s in (org.staff.cm_peer, org.staff.cm_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    _assert_contiguous(client)
    assert Ownership.objects.filter(client=client).count() == 2
