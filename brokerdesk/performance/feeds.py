"""What the month's statistics feed elsewhere: plan progress (第五条: progress comes from
real data) reads ``planning.MonthlyActual``, so each import writes the managers' actuals
of that month from their statistics, replacing figures typed in by hand."""

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from brokerdesk.performance.models import ManagerMonth
from brokerdesk.performance.selectors import add_months
from brokerdesk.planning.models import MonthlyActual


def feed_plan_actuals(*, month: dt.date, branch_ids, entered_by) -> int:
    """Write the month's actuals of every manager with statistics in these branches.

    Asset growth is the change of the manager's month-end client assets against the month
    before (no statistics the month before: growth counts from zero). Three queries and one
    bulk upsert, whatever the number of managers.
    """
    rows = list(
        ManagerMonth.objects.filter(month=month, branch_id__in=branch_ids)
        .values("staff_id")
        .annotate(
            new_accounts=Sum("new_accounts"),
            net_revenue=Sum("net_revenue"),
            total_assets=Sum("total_assets"),
            product_sales=Sum("product_sales"),
        )
        .order_by()
    )
    if not rows:
        return 0
    staff_ids = [r["staff_id"] for r in rows]
    before = dict(
        ManagerMonth.objects.filter(month=add_months(month, -1), staff_id__in=staff_ids)
        .values("staff_id")
        .annotate(assets=Sum("total_assets"))
        .order_by()
        .values_list("staff_id", "assets")
    )
    actuals = [
        MonthlyActual(
            staff_id=r["staff_id"],
            month=month,
            new_accounts=r["new_accounts"] or 0,
            net_revenue=r["net_revenue"] or Decimal("0"),
            asset_growth=(r["total_assets"] or Decimal("0")) - (before.get(r["staff_id"]) or Decimal("0")),
            product_sales=r["product_sales"] or Decimal("0"),
            entered_by=entered_by,
        )
        for r in rows
    ]
    MonthlyActual.objects.bulk_create(
        actuals,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["staff", "month"],
        update_fields=[
            "new_accounts",
            "net_revenue",
            "asset_growth",
            "product_sales",
            "entered_by",
            "entered_at",
        ],
    )
    return len(actuals)
