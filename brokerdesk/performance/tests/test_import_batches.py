"""The import reads a file in batches and, on PostgreSQL, streams each batch's good rows to the
database while it reads (one COPY per batch, written a few rows at a time). With tiny batches a
small file crosses every boundary: every good row is stored once with its own line, a bad row
stops the storing, and a failure while a COPY is open leaves nothing behind and the
connection usable."""

import datetime as dt
from decimal import Decimal

import pytest

from brokerdesk.clients.tests.factories import make_client
from brokerdesk.performance import services_import as svc
from brokerdesk.performance.models import ClientMonth, CrmImport, ImportRowError, ManagerMonth
from brokerdesk.performance.selectors import current_import
from brokerdesk.performance.tests.import_helpers import csv_upload, last_month, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr(svc, "BATCH", 4)
    monkeypatch.setattr(svc, "STREAM_ROWS", 2)


def clients(org, n):
    opened = last_month() - dt.timedelta(days=100)
    return [make_client(org.users.manager, org.staff.cm, name=f"客户{i}", opened_on=opened) for i in range(n)]


def start(org, rows, accept=False):
    return svc.import_start(
        actor=org.users.accountant,
        branch=org.branches.b1,
        month=last_month(),
        upload=csv_upload(rows),
        accept_good_rows=accept,
    )


def stored(imp):
    return list(ClientMonth.objects.filter(crm_import=imp).order_by("line").values_list("line", "client_id"))


def test_every_row_is_stored_once_with_its_line_across_batches(org, tiny):
    people = clients(org, 11)
    emp = org.staff.cm.emp_no
    imp = start(org, [row(c, emp, f"{i}.25") for i, c in enumerate(people)])
    assert imp.status == CrmImport.Status.DONE, imp.error
    assert stored(imp) == [(i + 2, c.pk) for i, c in enumerate(people)]
    mm = ManagerMonth.objects.get(crm_import=imp, staff=org.staff.cm)
    assert mm.clients_served == 11
    assert mm.net_revenue == sum(Decimal(f"{i}.25") for i in range(11))
    assert imp.progress_done == imp.progress_total == 11


def test_a_bad_row_mid_batch_stores_nothing_unless_the_good_rows_are_accepted(org, tiny):
    people = clients(org, 9)
    emp = org.staff.cm.emp_no
    rows = [row(c, emp, "10") for c in people]
    rows[5] = row(people[5], emp, "ten")  # line 7, in the middle of the second batch
    imp = start(org, rows)
    assert imp.status == CrmImport.Status.INVALID
    assert list(ImportRowError.objects.filter(crm_import=imp).values_list("line", flat=True)) == [7]
    assert not ClientMonth.objects.filter(crm_import=imp).exists()

    imp = svc.import_accept_good_rows(actor=org.users.accountant, crm_import=imp)
    assert imp.status == CrmImport.Status.DONE, imp.error
    assert stored(imp) == [(i + 2, c.pk) for i, c in enumerate(people) if i != 5]
    assert ManagerMonth.objects.get(crm_import=imp, staff=org.staff.cm).net_revenue == Decimal("80.00")


def test_a_failure_while_rows_are_streamed_leaves_nothing_and_the_previous_version(org, tiny, monkeypatch):
    people = clients(org, 9)
    emp = org.staff.cm.emp_no
    first = start(org, [row(c, emp, "1") for c in people])
    assert first.status == CrmImport.Status.DONE, first.error

    real = svc.fen_of
    calls = {"n": 0}

    def failing(text):
        calls["n"] += 1
        if calls["n"] == 3 * 7:  # the seventh row: a COPY of its batch is open on PostgreSQL
            raise RuntimeError("the disk is full")
        return real(text)

    monkeypatch.setattr(svc, "fen_of", failing)
    second = start(org, [row(c, emp, "2") for c in people])  # the task's error is logged
    second.refresh_from_db()
    assert second.status == CrmImport.Status.FAILED and "the disk is full" in second.error
    assert not ClientMonth.objects.filter(crm_import=second).exists()
    assert current_import(org.branches.b1, last_month()) == first
    assert ManagerMonth.objects.get(staff=org.staff.cm).net_revenue == Decimal("9.00")
