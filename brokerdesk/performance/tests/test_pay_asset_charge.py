"""Approved asset incident charges (第十四条) are deducted in the chosen month's pay run, one
liability line each; pay stays the sum of its lines."""

import datetime as dt
from decimal import Decimal

import pytest

from brokerdesk.assets import services_assets as assets
from brokerdesk.assets.tests.factories_assets import approve_charge, charge
from brokerdesk.performance import services_pay as svc
from brokerdesk.performance.models import PayLine, PayRun, PaySlip
from brokerdesk.performance.tests.factories_pay import AUGUST, SEPTEMBER, lines_of, month_ready, scheme, sign

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(assets, "_today", lambda: dt.date(2026, 10, 15))


def compute(org, month=SEPTEMBER, **kw) -> PayRun:
    return svc.run_compute(actor=org.users.accountant, branch=org.branches.b1, month=month, **kw)


def test_an_approved_charge_is_a_deduction_line_of_its_month(org):
    approve_charge(org, charge(org, amount="300.00"))
    approve_charge(org, charge(org, amount="45.50", kind="loss"))
    charge(org, amount="999.00")  # still in approval: not deducted
    approve_charge(org, charge(org, amount="12.00"), decision="reject", opinion="非本人责任")
    approve_charge(org, charge(org, amount="70.00", month=dt.date(2026, 10, 1)))  # another month
    assert assets.charges_for([org.staff.cm.pk], SEPTEMBER) == {org.staff.cm.pk: D("345.50")}
    month_ready(org, cm={"net_revenue": D(1000)})
    scheme(org)
    run = compute(org)
    lines = PayLine.objects.filter(run=run, staff=org.staff.cm, component="liability").order_by("order")
    assert [x.amount for x in lines] == [D("-300.00"), D("-45.50")]
    assert all(x.inputs["incident"] and x.inputs["reason"] for x in lines)
    assert lines_of(run, org.staff.cm)["liability"] == D("-345.50")
    slip = PaySlip.objects.get(run=run, staff=org.staff.cm)
    amounts = list(PayLine.objects.filter(slip=slip).values_list("amount", flat=True))
    assert slip.total == sum(amounts) == slip.gross - slip.deductions - slip.held_back
    assert slip.deductions == D("345.50")


def test_a_charged_person_without_figures_still_gets_the_deduction(org):
    approve_charge(org, charge(org, who=org.staff.cm_b, amount="88.00"))
    month_ready(org, cm={"net_revenue": D(1000)})
    scheme(org)
    run = compute(org)
    assert lines_of(run, org.staff.cm_b) == {"base": D("5500.00"), "liability": D("-88.00")}


def test_a_charge_approved_after_its_month_was_signed_moves_to_the_next_month(org):
    month_ready(org, AUGUST, cm={"net_revenue": D(1000)})
    scheme(org)
    sign(compute(org, AUGUST))
    incident = charge(org, amount="60.00", month=SEPTEMBER)
    PayRun.objects.filter(month=AUGUST).update(month=SEPTEMBER)  # September's report is signed meanwhile
    incident = approve_charge(org, incident)
    assert incident.status == "approved" and incident.pay_month == dt.date(2026, 10, 1)
    assert assets.charges_for([org.staff.cm.pk], SEPTEMBER) == {}
    assert assets.charges_for([org.staff.cm.pk], dt.date(2026, 10, 1)) == {org.staff.cm.pk: D("60.00")}


def test_a_charge_cannot_be_booked_to_a_signed_month(org):
    month_ready(org, cm={"net_revenue": D(1000)})
    scheme(org)
    sign(compute(org))
    with pytest.raises(Exception) as e:
        charge(org, amount="60.00", month=SEPTEMBER)
    assert "pay_month" in e.value.message_dict
