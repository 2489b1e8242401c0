"""The report on a run computed by the real pay engine (``services_pay.run_compute``): review,
signing in order, the stored hash, and a correction after an adjustment whose differences
show exactly that adjustment."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from brokerdesk.approvals.services import inbox, task_act
from brokerdesk.performance import services_pay
from brokerdesk.performance import services_report as svc
from brokerdesk.performance.models import PayLine, PayRun
from brokerdesk.performance.selectors_report import report_table, run_differences
from brokerdesk.performance.tests.factories import make_import, make_scheme, make_stat
from brokerdesk.performance.tests.factories_report import ensure_pay_flow

pytestmark = pytest.mark.skipif(
    not hasattr(services_pay, "run_compute"), reason="services_pay.run_compute is not written yet"
)

MONTH = dt.date(2026, 10, 1)


def sign_all(org, run):
    svc.run_review(actor=org.users.accountant, run=run, note="核对无误")
    svc.run_submit(actor=org.users.accountant, run=run)
    for user in (org.users.accountant, org.users.deputy, org.users.manager):
        task = inbox(user).get(request_id=PayRun.objects.get(pk=run.pk).approval_id)
        task_act(actor=user, task=task, decision="approve")
    run.refresh_from_db()
    return run


@pytest.fixture
def month(org):
    ensure_pay_flow()
    levels = org.levels
    make_scheme(
        org.branches.b1,
        org.users.accountant,
        levels=[(levels[0], 2000), (levels[1], 3000), (levels[2], 4000)],
    )
    imp = make_import(org.branches.b1, MONTH, org.users.accountant)
    make_stat(imp, org.staff.cm, net_revenue=Decimal("50000.00"), new_accounts=2, qualified_new_accounts=2)
    make_stat(imp, org.staff.cm_b, net_revenue=Decimal("150000.00"))
    return imp


def test_engine_run_is_reviewed_signed_and_corrected(org, month):
    run = svc.run_compute_month(actor=org.users.accountant, branch=org.branches.b1, month=MONTH)
    assert run.status == PayRun.Status.COMPUTED
    table = report_table(run)
    assert table.total == run.total == sum((r.slip.total for r in table.rows), Decimal("0.00"))
    assert sum(table.totals.values(), Decimal("0.00")) == sum(
        PayLine.objects.filter(run=run).values_list("amount", flat=True), Decimal("0.00")
    )
    run = sign_all(org, run)
    assert run.status == PayRun.Status.SIGNED and run.content_hash == run.fingerprint()
    with pytest.raises(ValidationError):
        svc.run_compute_month(actor=org.users.accountant, branch=org.branches.b1, month=MONTH)
    services_pay.adjustment_add(
        actor=org.users.accountant,
        branch=org.branches.b1,
        month=MONTH,
        staff=org.staff.cm,
        amount=Decimal("88.80"),
        reason="补发交通补贴",
    )
    new = svc.run_correct(actor=org.users.accountant, run=run, reason="补发交通补贴")
    assert (new.version, new.corrects_id, new.status) == (2, run.pk, PayRun.Status.COMPUTED)
    diff = run_differences(new)
    assert [(p.staff_id, [(d.component, d.diff) for d in p.lines]) for p in diff.people] == [
        (org.staff.cm.pk, [("adjustment", Decimal("88.80"))])
    ]
    assert diff.total_diff == Decimal("88.80")
    new = sign_all(org, new)
    run.refresh_from_db()
    assert new.status == run.status == PayRun.Status.SIGNED
    assert run.content_hash == run.fingerprint()
