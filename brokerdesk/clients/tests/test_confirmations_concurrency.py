"""Serial numbers under concurrent creation (PostgreSQL only): twenty client managers' clients
created at the same moment in one branch and month get the numbers 1..20, no gap, no duplicate."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from brokerdesk.clients import services
from brokerdesk.clients.models import Client, ConfirmationBatch, ConfirmationForm
from brokerdesk.org.tests.factories import make_id_number

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_creations_get_serials_one_to_twenty(org):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is tested on PostgreSQL")
    user_ids = [org.users.cm.pk, org.users.cm_peer.pk, org.users.cm_b.pk, org.users.trade.pk]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    made: list[int] = []
    lock = threading.Lock()
    opened = timezone.localdate().replace(day=1)

    def work(i: int) -> None:
        from django.db import connection as conn

        try:
            actor = get_user_model().objects.get(pk=user_ids[i % len(user_ids)])
            client = Client(
                client_no=f"{660000000 + i}",
                name=f"并发客户{i}",
                id_number=make_id_number(700 + i, area="110102"),
                mobile=f"136{i:08d}",
                opened_on=opened,
                source=Client.Source.WALK_IN,
            )
            manager = org.staff.cm if actor.pk == org.users.trade.pk else None
            barrier.wait(timeout=30)
            created = services.client_create(actor=actor, client=client, manager=manager)
            with lock:
                made.append(created.pk)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            with lock:
                errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(made) == THREADS
    month = timezone.localdate().replace(day=1)
    forms = ConfirmationForm.objects.filter(branch=org.branches.b1, month=month)
    sequences = sorted(forms.values_list("sequence", flat=True))
    assert sequences == list(range(1, THREADS + 1))
    serials = set(forms.values_list("serial_no", flat=True))
    assert serials == {f"QR-BJ01-{month:%Y%m}-{n:04d}" for n in range(1, THREADS + 1)}
    batch = ConfirmationBatch.objects.get(branch=org.branches.b1, month=month)
    assert batch.forms.count() == THREADS
