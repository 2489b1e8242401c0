"""Properties of the CRM import (hypothesis): re-importing a file leaves every total unchanged;
moving a client to another manager moves exactly its revenue and assets, nothing else."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brokerdesk.clients import services as client_services
from brokerdesk.performance import services_import as svc
from brokerdesk.performance.models import CrmImport, ManagerMonth
from brokerdesk.performance.tests.import_helpers import book, csv_upload, last_month, row

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("9999999.99"), places=2)
assets = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999999.99"), places=2)
figures = st.tuples(amounts, assets, assets)
SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def imported(org, rows):
    imp = svc.import_start(
        actor=org.users.accountant, branch=org.branches.b1, month=last_month(), upload=csv_upload(rows)
    )
    assert imp.status == CrmImport.Status.DONE, (imp.error, list(imp.errors.values_list("line", "message")))
    return imp


def per_manager():
    rows = ManagerMonth.objects.filter(month=last_month()).values_list(
        "staff_id", "net_revenue", "total_assets", "avg_assets", "clients_served"
    )
    return {staff: (rev, end, avg, served) for staff, rev, end, avg, served in rows}


@pytest.fixture
def clients(org):
    return book(org)


@SETTINGS
@given(values=st.lists(figures, min_size=4, max_size=4), times=st.integers(min_value=1, max_value=3))
def test_reimport_leaves_totals_unchanged(org, clients, values, times):
    with transaction.atomic():
        c, s = clients, org.staff
        owners = [(c.a1, s.cm), (c.a2, s.cm), (c.p1, s.cm_peer), (c.b1, s.cm_b)]
        rows = [
            row(cl, st_.emp_no, rev, avg, end)
            for (cl, st_), (rev, avg, end) in zip(owners, values, strict=True)
        ]
        first = imported(org, rows)
        before = per_manager()
        for _ in range(times):
            again = imported(org, rows)
            assert per_manager() == before
            assert again.imported_totals == {**first.imported_totals}
        total = ManagerMonth.objects.filter(month=last_month()).aggregate(t=Sum("net_revenue"))["t"]
        assert total == sum(v[0] for v in values)
        assert all(r["ok"] for r in svc.reconciliation(again if times else first))
        transaction.set_rollback(True)


@SETTINGS
@given(values=st.lists(figures, min_size=4, max_size=4), moved=st.integers(min_value=0, max_value=3))
def test_moving_a_client_moves_exactly_its_revenue(org, clients, values, moved):
    with transaction.atomic():
        c, s = clients, org.staff
        owners = [(c.a1, s.cm), (c.a2, s.cm), (c.p1, s.cm_peer), (c.b1, s.cm_b)]
        rows = [
            row(cl, st_.emp_no, rev, avg, end)
            for (cl, st_), (rev, avg, end) in zip(owners, values, strict=True)
        ]
        imported(org, rows)
        before = per_manager()
        client, was = owners[moved]
        to = s.cm_b if was != s.cm_b else s.cm_peer
        client_services.client_transfer(
            actor=org.users.manager,
            client=client,
            to=to,
            effective=last_month() + dt.timedelta(days=9),
            note="调整",
        )
        imported(org, rows)  # the same file: the CRM's 工号 still names the old manager
        after = per_manager()
        rev, avg, end = values[moved]
        zero = (Decimal(0), Decimal(0), Decimal(0), 0)
        old_before, old_after = before.get(was.pk, zero), after.get(was.pk, zero)
        new_before, new_after = before.get(to.pk, zero), after.get(to.pk, zero)
        assert old_before[0] - old_after[0] == rev and new_after[0] - new_before[0] == rev
        assert old_before[1] - old_after[1] == end and new_after[1] - new_before[1] == end
        assert old_before[3] - old_after[3] == 1 and new_after[3] - new_before[3] == 1
        for staff in set(before) | set(after):
            if staff not in (was.pk, to.pk):
                assert before[staff] == after[staff]
        transaction.set_rollback(True)
