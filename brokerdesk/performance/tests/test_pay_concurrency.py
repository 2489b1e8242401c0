"""A double click on "compute" (PostgreSQL only): computations of one month started at the same
moment leave exactly one live run; the others get a clear message, never a 500 or two runs."""

import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from brokerdesk.performance import services_pay as svc
from brokerdesk.performance.models import PayRun
from brokerdesk.performance.tests.factories_pay import SEPTEMBER, month_ready, scheme

THREADS = 6


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("existing", [False, True])
def test_concurrent_computations_leave_one_live_run(org, existing):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")
    month_ready(org, cm={"net_revenue": Decimal(1000)})
    scheme(org)
    if existing:
        svc.run_compute(actor=org.users.accountant, branch=org.branches.b1, month=SEPTEMBER)
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    done, refused, errors = [], [], []

    def work():
        from django.db import connection as conn

        try:
            actor = get_user_model().objects.get(pk=org.users.accountant.pk)
            barrier.wait(timeout=30)
            run = svc.run_compute(actor=actor, branch=org.branches.b1, month=SEPTEMBER)
            with lock:
                done.append(run.pk)
        except ValidationError as exc:
            with lock:
                refused.append(exc)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            with lock:
                errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(done) >= 1 and len(done) + len(refused) == THREADS
    live = PayRun.objects.filter(branch=org.branches.b1, month=SEPTEMBER).exclude(
        status=PayRun.Status.SUPERSEDED
    )
    assert live.count() == 1
    versions = list(
        PayRun.objects.filter(branch=org.branches.b1, month=SEPTEMBER).values_list("version", flat=True)
    )
    assert len(versions) == len(set(versions))
