"""Concurrency of the archive (PostgreSQL only): ten verifications of one document at the
same moment record one verifier; ten uploads to one single slot at the same moment leave one
current document and a gap-free chain of versions; two reminder runs at once warn once."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from brokerdesk.access.models import RoleAssignment
from brokerdesk.approvals.models import Notification
from brokerdesk.people import services_archive as services
from brokerdesk.people.models_archive import ArchiveDocument
from brokerdesk.people.reminders_archive import send_expiry_warnings
from brokerdesk.people.tests.test_archive_fixtures import give_contract, pdf

THREADS = 10


def _race(n: int, fn) -> list[str]:
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        from django.db import connection as conn

        try:
            barrier.wait(timeout=30)
            fn(i)
            result = "ok"
        except ValidationError:
            result = "refused"
        except BaseException as exc:  # noqa: BLE001 - reported by the assertions
            result = f"error: {exc!r}"
        finally:
            conn.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


@pytest.fixture
def pg():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is tested on PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_verifications_record_one(org, pg):
    RoleAssignment.objects.create(user=org.users.keeper, role="trade_management", branch=org.branches.b1)
    doc = services.document_upload(actor=org.users.hr, staff=org.staff.cm, slot="diploma", upload=pdf())
    users = [org.users.trade.pk, org.users.keeper.pk]

    def verify(i: int) -> None:
        actor = get_user_model().objects.get(pk=users[i % 2])
        services.document_verify(actor=actor, document=ArchiveDocument.objects.get(pk=doc.pk))

    outcomes = _race(THREADS, verify)
    assert sorted(outcomes) == ["ok"] + ["refused"] * (THREADS - 1), outcomes
    doc.refresh_from_db()
    assert doc.verified_by_id in users


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_to_one_slot_keep_one_current_version(org, pg):
    def upload(i: int) -> None:
        hr = get_user_model().objects.get(pk=org.users.hr.pk)
        services.document_upload(actor=hr, staff=org.staff.cm, slot="resume", upload=pdf(f"cv{i}.pdf"))

    outcomes = _race(THREADS, upload)
    assert outcomes.count("ok") == THREADS, outcomes  # the person's lock queues them
    docs = ArchiveDocument.objects.filter(staff=org.staff.cm, slot="resume")
    assert docs.filter(superseded_at__isnull=True).count() == 1
    assert sorted(docs.values_list("version", flat=True)) == list(range(1, THREADS + 1))


@pytest.mark.django_db(transaction=True)
def test_two_reminder_runs_at_once_warn_once(org, pg):
    import datetime as dt

    from django.utils import timezone

    give_contract(org.users.hr, org.staff.cm, starts_on=timezone.localdate() - dt.timedelta(days=350))
    outcomes = _race(2, lambda i: send_expiry_warnings())
    assert outcomes == ["ok", "ok"], outcomes
    assert Notification.objects.count() == 3  # hr, trade, lead — once each
