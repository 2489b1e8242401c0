"""Plan progress reads real data: an import's statistics become the managers' monthly actuals."""

import datetime as dt
from decimal import Decimal

import pytest

from brokerdesk.performance.feeds import feed_plan_actuals
from brokerdesk.performance.tests.factories import make_import, make_stat
from brokerdesk.planning.models import MonthlyActual

pytestmark = pytest.mark.django_db

SEP, OCT = dt.date(2026, 9, 1), dt.date(2026, 10, 1)


def test_statistics_replace_typed_actuals_and_growth_is_against_the_month_before(org):
    b1, by = org.branches.b1, org.users.accountant
    make_stat(make_import(b1, SEP, by), org.staff.cm, total_assets=Decimal("1000000.00"))
    oct_import = make_import(b1, OCT, by)
    make_stat(
        oct_import,
        org.staff.cm,
        new_accounts=3,
        net_revenue=Decimal("12345.67"),
        total_assets=Decimal("1200000.50"),
    )
    make_stat(oct_import, org.staff.cm_b, net_revenue=Decimal("10.00"), total_assets=Decimal("500.00"))
    MonthlyActual.objects.create(staff=org.staff.cm, month=OCT, new_accounts=99, entered_by=org.users.lead)

    assert feed_plan_actuals(month=OCT, branch_ids=[b1.pk], entered_by=by) == 2

    cm = MonthlyActual.objects.get(staff=org.staff.cm, month=OCT)
    assert (cm.new_accounts, cm.net_revenue, cm.asset_growth) == (
        3,
        Decimal("12345.67"),
        Decimal("200000.50"),
    )
    assert cm.entered_by == by
    cm_b = MonthlyActual.objects.get(staff=org.staff.cm_b, month=OCT)
    assert cm_b.asset_growth == Decimal("500.00")  # no September figures: growth from zero
    assert MonthlyActual.objects.filter(month=OCT).count() == 2


def test_other_branches_and_months_are_left_alone(org):
    by = org.users.accountant
    make_stat(make_import(org.branches.b2, OCT, by), org.staff.outsider, net_revenue=Decimal("5.00"))
    make_stat(make_import(org.branches.b1, OCT, by), org.staff.cm, net_revenue=Decimal("7.00"))
    feed_plan_actuals(month=OCT, branch_ids=[org.branches.b1.pk], entered_by=by)
    assert list(MonthlyActual.objects.values_list("staff_id", "net_revenue")) == [
        (org.staff.cm.pk, Decimal("7.00"))
    ]
