"""Serial numbers and closing under concurrent use (PostgreSQL only: SQLite serialises writers).

Twenty keepers filing the same kind in the same branch and month at the same moment get the
numbers 1..20, no gap, no duplicate; filings racing the month's closing either land before it
(and are in the closed batch) or are refused, never after it."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from brokerdesk.archives import services
from brokerdesk.archives.models_register import RegisterBatch, RegisterEntry
from brokerdesk.archives.tests.factories import last_month, office, this_month
from brokerdesk.org.models import Branch

THREADS = 20


def _run(work, n):
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []
    results: list = []
    lock = threading.Lock()

    def wrapped(i):
        from django.db import connection as conn

        try:
            barrier.wait(timeout=30)
            result = work(i)
            with lock:
                results.append(result)
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            with lock:
                errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_filings_get_serials_one_to_twenty(org):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is tested on PostgreSQL")
    user_ids = [org.users.trade.pk, org.users.manager.pk, org.users.deputy.pk, office(org).pk]
    branch_id = org.branches.b1.pk
    month = this_month()

    def work(i):
        actor = get_user_model().objects.get(pk=user_ids[i % len(user_ids)])
        return services.entry_file(
            actor=actor,
            branch=Branch.objects.get(pk=branch_id),
            kind=RegisterEntry.Kind.APPROVAL,
            month=month,
            title=f"报批材料{i}",
            cabinet="柜1",
        ).pk

    made, errors = _run(work, THREADS)
    assert not errors, errors
    assert len(made) == THREADS
    entries = RegisterEntry.objects.filter(branch_id=branch_id, month=month, kind=RegisterEntry.Kind.APPROVAL)
    assert sorted(entries.values_list("sequence", flat=True)) == list(range(1, THREADS + 1))
    assert set(entries.values_list("serial_no", flat=True)) == {
        f"SP-BJ01-{month:%Y%m}-{n:04d}" for n in range(1, THREADS + 1)
    }
    assert RegisterBatch.objects.filter(branch_id=branch_id, month=month).count() == 1


@pytest.mark.django_db(transaction=True)
def test_filings_racing_the_close_land_before_it_or_are_refused(org):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is tested on PostgreSQL")
    month = last_month()
    first = services.entry_file(
        actor=org.users.trade,
        branch=org.branches.b1,
        kind=RegisterEntry.Kind.MINUTES,
        month=month,
        title="月度总结会纪要",
        cabinet="柜2",
    )
    batch_id = first.batch_id
    trade_id = org.users.trade.pk
    n = 12

    def work(i):
        actor = get_user_model().objects.get(pk=trade_id)
        if i == n // 2:
            services.batch_close(actor=actor, batch=RegisterBatch.objects.get(pk=batch_id))
            return "closed"
        try:
            return services.entry_file(
                actor=actor,
                branch=Branch.objects.get(code="BJ01"),
                kind=RegisterEntry.Kind.MINUTES,
                month=month,
                title=f"晨会纪要{i}",
                cabinet="柜2",
            ).pk
        except ValidationError:
            return "refused"

    results, errors = _run(work, n)
    assert not errors, errors
    assert results.count("closed") == 1
    filed = [r for r in results if isinstance(r, int)]
    batch = RegisterBatch.objects.get(pk=batch_id)
    assert batch.closed
    entries = RegisterEntry.objects.filter(batch=batch)
    # Everything filed is in the batch, filed before the close, and numbered without a gap.
    assert set(entries.values_list("pk", flat=True)) == {first.pk, *filed}
    assert all(e.filed_at <= batch.closed_at for e in entries)
    assert sorted(entries.values_list("sequence", flat=True)) == list(range(1, len(filed) + 2))
