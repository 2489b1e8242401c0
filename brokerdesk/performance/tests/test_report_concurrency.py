"""Finance pressing at the same moment (PostgreSQL only): ten concurrent "send for signing" of one
reviewed run open exactly one approval request; ten concurrent reviews leave one note."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from brokerdesk.approvals.models import Request
from brokerdesk.performance import services_report as svc
from brokerdesk.performance.models import PayRun
from brokerdesk.performance.tests.factories_report import make_run

THREADS = 10


def _race(fn) -> tuple[list, list]:
    barrier = threading.Barrier(THREADS)
    wins, refusals, errors = [], [], []
    lock = threading.Lock()

    def work(i: int) -> None:
        from django.db import connection as conn

        try:
            barrier.wait(timeout=30)
            result = fn(i)
            with lock:
                wins.append(result)
        except ValidationError as exc:
            with lock:
                refusals.append(exc)
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
    return wins, refusals


@pytest.mark.django_db(transaction=True)
def test_concurrent_reviews_and_submits_have_one_winner(org):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is tested on PostgreSQL")
    run = make_run(org)
    accountant_id = org.users.accountant.pk

    def actor():
        return get_user_model().objects.get(pk=accountant_id)

    wins, refusals = _race(lambda i: svc.run_review(actor=actor(), run=run, note=f"note {i}"))
    assert len(wins) == 1 and len(refusals) == THREADS - 1
    assert PayRun.objects.get(pk=run.pk).review_note == wins[0].review_note

    wins, refusals = _race(lambda i: svc.run_submit(actor=actor(), run=run))
    assert len(wins) == 1 and len(refusals) == THREADS - 1
    assert Request.objects.filter(flow__code="pay_report").count() == 1
    assert PayRun.objects.get(pk=run.pk).status == PayRun.Status.SIGNING
