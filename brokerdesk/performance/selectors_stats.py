"""Business statistics (第十五条) rolled up from the managers' months: by client manager, regional
manager, team, branch, region or the whole company, within the reader's scope, in one GROUP BY.

Money sums are exact: summed as integer fen in SQL (SQLite keeps decimals as binary floats),
turned back into Decimal yuan here.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BigIntegerField, Count, F, Max, Sum, Value
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext_lazy as _

from brokerdesk.access import roles
from brokerdesk.access.scope import has_perm, visible
from brokerdesk.core.money import to_fen
from brokerdesk.performance.models import ManagerMonth, MonthVersion, StatReview

# level -> (the grouping fields, the fields naming a group)
LEVELS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "manager": (("staff_id", "branch_id"), ("staff__name", "staff__emp_no", "branch__name", "team__name")),
    "regional_manager": (("regional_manager_id", "branch_id"), ("regional_manager__name", "branch__name")),
    "team": (("team_id", "branch_id"), ("team__name", "branch__name")),
    "branch": (("branch_id",), ("branch__name", "branch__code")),
    "region": (("branch__region_id",), ("branch__region__name",)),
    "company": ((), ()),
}
LEVEL_LABELS = {
    "manager": _("Client manager"),
    "regional_manager": _("Regional manager"),
    "team": _("Team"),
    "branch": _("Branch"),
    "region": _("Regional HQ"),
    "company": _("Company"),
}
MONEY_FIELDS = ("net_revenue", "total_assets", "avg_assets", "product_sales")
COUNT_FIELDS = ("new_accounts", "qualified_new_accounts", "clients_served")


def _fen(name: str):
    return Sum(Cast(Round(F(name) * 100), output_field=BigIntegerField()))


@dataclass
class StatRow:
    key: tuple
    name: str
    detail: str = ""
    managers: int = 0
    new_accounts: int = 0
    qualified_new_accounts: int = 0
    clients_served: int = 0
    net_revenue: Decimal = field(default_factory=lambda: Decimal("0.00"))
    total_assets: Decimal = field(default_factory=lambda: Decimal("0.00"))
    avg_assets: Decimal = field(default_factory=lambda: Decimal("0.00"))
    product_sales: Decimal = field(default_factory=lambda: Decimal("0.00"))
    staff_id: int | None = None
    branch_id: int | None = None

    @property
    def assets_per_client(self) -> Decimal:
        return to_fen(self.total_assets / self.clients_served) if self.clients_served else to_fen(0)

    def as_dict(self) -> dict:
        return {
            "key": list(self.key),
            "name": self.name,
            "detail": self.detail,
            "managers": self.managers,
            "new_accounts": self.new_accounts,
            "qualified_new_accounts": self.qualified_new_accounts,
            "clients_served": self.clients_served,
            "net_revenue": self.net_revenue,
            "total_assets": self.total_assets,
            "assets_per_client": self.assets_per_client,
            "avg_assets": self.avg_assets,
            "product_sales": self.product_sales,
        }


def _name(level: str, values: dict) -> tuple[str, str]:
    if level == "manager":
        return f"{values['staff__name']}（{values['staff__emp_no']}）", values["branch__name"] or ""
    if level == "regional_manager":
        return values["regional_manager__name"] or str(_("(no regional manager)")), values["branch__name"]
    if level == "team":
        return values["team__name"] or str(_("(no team)")), values["branch__name"]
    if level == "branch":
        return values["branch__name"], values["branch__code"]
    if level == "region":
        return values["branch__region__name"], ""
    return str(_("Company")), ""


def stats_for(user, month: dt.date, level: str) -> list[StatRow]:
    """The month's statistics in the user's scope (``visible(user, ManagerMonth)``), one row per
    group of ``level``; one query."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    keys, names = LEVELS[level]
    qs = visible(user, ManagerMonth).filter(month=month.replace(day=1))
    grouped = qs.values(*keys) if keys else qs.annotate(_all=Value(1)).values("_all")
    grouped = grouped.annotate(
        managers=Count("pk"),
        **{f: Sum(f) for f in COUNT_FIELDS},
        **{f"{f}_fen": _fen(f) for f in MONEY_FIELDS},
        **{n: Max(n) for n in names},
    ).order_by(*(names[:1] or ()), *keys)
    rows = []
    for values in grouped:
        name, detail = _name(level, values)
        rows.append(
            StatRow(
                key=tuple(values.get(k) for k in keys),
                name=name,
                detail=detail,
                managers=values["managers"],
                **{f: int(values[f] or 0) for f in COUNT_FIELDS},
                **{f: Decimal(int(values[f"{f}_fen"] or 0)) / 100 for f in MONEY_FIELDS},
                staff_id=values.get("staff_id"),
                branch_id=values.get("branch_id"),
            )
        )
    for r in rows:
        for f in MONEY_FIELDS:
            setattr(r, f, to_fen(getattr(r, f)))
    return rows


def totals(rows: list[StatRow]) -> StatRow:
    """The totals row: sums of the rows shown (exact Decimal sums)."""
    total = StatRow(key=(), name=str(_("Total")))
    for r in rows:
        total.managers += r.managers
        for f in COUNT_FIELDS:
            setattr(total, f, getattr(total, f) + getattr(r, f))
        for f in MONEY_FIELDS:
            setattr(total, f, getattr(total, f) + getattr(r, f))
    return total


def months_with_stats(user, limit: int = 24) -> list[dt.date]:
    """The latest months with statistics in the user's scope, newest first."""
    return list(
        visible(user, ManagerMonth).order_by("-month").values_list("month", flat=True).distinct()[:limit]
    )


def notes_for(user, month: dt.date):
    """Finance's reviews and notes of the month, in scope (PAY_VIEW holders), newest first."""
    return (
        visible(user, StatReview, roles.PAY_VIEW)
        .filter(month=month.replace(day=1))
        .select_related("branch", "staff", "written_by__staff")
        .order_by("-written_at", "-id")
    )


def review_state(user, month: dt.date) -> list[dict]:
    """For finance and the branch's managers (PAY_VIEW): per branch in scope with figures of the
    month, its current import and its latest review, and whether that review was of the current
    import (a re-import after the review asks for a new one)."""
    month = month.replace(day=1)
    reviews_seen = visible(user, StatReview, roles.PAY_VIEW)
    branch_ids = set(visible(user, ManagerMonth).filter(month=month).values_list("branch_id", flat=True))
    reviews = {}
    for r in (
        reviews_seen.filter(month=month, branch_id__in=branch_ids, is_review=True, staff__isnull=True)
        .select_related("written_by__staff")
        .order_by("written_at", "id")
    ):
        reviews[r.branch_id] = r
    if not has_perm(user, roles.PAY_VIEW):
        return []
    out = []
    versions = MonthVersion.objects.filter(month=month, branch_id__in=branch_ids).select_related(
        "branch", "crm_import"
    )
    for v in versions.order_by("branch__code"):
        review = reviews.get(v.branch_id)
        out.append(
            {
                "branch": v.branch,
                "crm_import": v.crm_import,
                "review": review,
                "current": bool(review and review.crm_import_id == v.crm_import_id),
            }
        )
    return out
