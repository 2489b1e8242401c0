"""Reads of the asset register and its ledger, already scoped (第十一至十四条).

Pages, API and exports share these. Stock shown in lists comes from the cached columns kept
in step with the ledger (``Asset.on_hand``/``quantity``/``custodian`` and ``Holding``);
:func:`ledger_balances` recomputes them from the lines themselves for checks and tests.
"""

import datetime as dt

from django.db.models import F, Q, QuerySet, Sum

from brokerdesk.access.roles import ASSET_KEEP, VIEW
from brokerdesk.access.scope import get_for_user, visible
from brokerdesk.assets import rules_assets as rules
from brokerdesk.assets.models_assets import Asset, Holding, Incident, LedgerLine
from brokerdesk.org.models import Branch, Staff

PAGE_SIZE = 50


# --- interfaces for other areas (the handover) -------------------------------------------------


def held_by(staff) -> list[tuple[Asset, int]]:
    """What a person holds now, as (asset, quantity), by tag (the ledger's sum, via its cache).

    Not scoped: callers (the handover, the person's own page) decide who may see it.
    """
    staff_id = getattr(staff, "pk", staff)
    rows = (
        Holding.objects.filter(staff_id=staff_id, quantity__gt=0)
        .select_related("asset", "asset__outlet", "asset__branch")
        .order_by("asset__tag", "asset_id")
    )
    return [(h.asset, h.quantity) for h in rows]


def held_by_ledger(staff) -> dict[int, int]:
    """What a person holds, summed from the ledger lines alone: {asset_id: quantity}."""
    staff_id = getattr(staff, "pk", staff)
    found: dict[int, int] = {}
    for asset_id, total in (
        LedgerLine.objects.filter(to_staff_id=staff_id)
        .values("asset_id")
        .annotate(t=Sum("quantity"))
        .values_list("asset_id", "t")
    ):
        found[asset_id] = found.get(asset_id, 0) + total
    for asset_id, total in (
        LedgerLine.objects.filter(from_staff_id=staff_id)
        .values("asset_id")
        .annotate(t=Sum("quantity"))
        .values_list("asset_id", "t")
    ):
        found[asset_id] = found.get(asset_id, 0) - total
    return {k: v for k, v in found.items() if v}


def ledger_balances(asset) -> dict:
    """An asset's stock recomputed from its ledger lines: {"store": n, staff_id: n, …}."""
    moves = [
        rules.Move(s, t, q, f, to)
        for s, t, q, f, to in LedgerLine.objects.filter(asset=asset).values_list(
            "source", "target", "quantity", "from_staff_id", "to_staff_id"
        )
    ]
    return rules.balances(moves)


# --- lists ----------------------------------------------------------------------------------------


def asset_list(*, user, filters: dict | None = None, perm: str = VIEW) -> QuerySet[Asset]:
    """The register in the user's scope, filtered (q: tag, description, custodian name or pinyin;
    category; status; branch; team; outlet; custodian), by tag."""
    qs = visible(user, Asset, perm)
    f = filters or {}
    # Tag, description, model, or a holder's name, 工号 or pinyin ("zs", "zhangsan"): every
    # word must match the asset's search text (kept lower-case with the cached stock).
    for word in rules.search_terms(f.get("q") or ""):
        qs = qs.filter(search_text__contains=word)
    for key in ("category", "status"):
        if f.get(key):
            qs = qs.filter(**{key: f[key]})
    for key in ("branch", "team", "outlet", "custodian"):
        value = f.get(key)
        if value not in (None, ""):
            qs = qs.filter(**{f"{key}_id": getattr(value, "pk", value)})
    if f.get("holder"):
        holder = getattr(f["holder"], "pk", f["holder"])
        qs = qs.filter(pk__in=Holding.objects.filter(staff_id=holder).values("asset_id"))
    return qs.select_related("branch", "team", "outlet", "custodian").order_by("branch_id", "tag", "id")


def asset_get(*, user, pk, perm: str = VIEW) -> Asset:
    qs = Asset.objects.select_related("branch", "team", "outlet", "custodian", "created_by")
    return get_for_user(user, qs, pk, perm)


def asset_holdings(asset: Asset) -> list[Holding]:
    return list(asset.holdings.select_related("staff").order_by("staff__emp_no"))


def ledger_list(*, user, filters: dict | None = None) -> QuerySet[LedgerLine]:
    """Ledger lines in scope, newest first (asset, branch, kind, person, from/to day filters)."""
    qs = visible(user, LedgerLine)
    f = filters or {}
    if f.get("asset"):
        qs = qs.filter(asset_id=getattr(f["asset"], "pk", f["asset"]))
    if f.get("branch"):
        qs = qs.filter(branch_id=getattr(f["branch"], "pk", f["branch"]))
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if f.get("staff"):
        sid = getattr(f["staff"], "pk", f["staff"])
        qs = qs.filter(Q(from_staff_id=sid) | Q(to_staff_id=sid))
    if f.get("start"):
        qs = qs.filter(day__gte=f["start"])
    if f.get("end"):
        qs = qs.filter(day__lte=f["end"])
    return qs.select_related(
        "asset", "from_staff", "to_staff", "from_outlet", "to_outlet", "recorded_by__staff", "reverses"
    ).order_by("-day", "-id")


def line_get(*, user, pk) -> LedgerLine:
    return get_for_user(user, LedgerLine.objects.select_related("asset", "from_staff", "to_staff"), pk)


def asset_lines(asset: Asset) -> list[LedgerLine]:
    return list(
        asset.lines.select_related(
            "from_staff", "to_staff", "from_outlet", "to_outlet", "recorded_by__staff", "reversed_by"
        ).order_by("day", "id")
    )


def incident_list(*, user, filters: dict | None = None) -> QuerySet[Incident]:
    qs = visible(user, Incident)
    f = filters or {}
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if f.get("asset"):
        qs = qs.filter(asset_id=getattr(f["asset"], "pk", f["asset"]))
    if f.get("responsible"):
        qs = qs.filter(responsible_id=getattr(f["responsible"], "pk", f["responsible"]))
    if f.get("pay_month"):
        qs = qs.filter(pay_month=f["pay_month"])
    return qs.select_related("asset", "responsible", "recorded_by__staff", "approval").order_by(
        "-happened_on", "-id"
    )


def incident_get(*, user, pk) -> Incident:
    qs = Incident.objects.select_related(
        "asset", "asset__branch", "responsible", "recorded_by__staff", "approval"
    )
    return get_for_user(user, qs, pk)


def keeper_staff(*, user, branch=None) -> QuerySet[Staff]:
    """People a keeper may issue to: staff in post in the branches the user keeps."""
    kept = visible(user, Branch, ASSET_KEEP).values("pk")
    qs = Staff.objects.filter(branch_id__in=kept).exclude(
        status__in=[Staff.Status.LEFT, Staff.Status.CANDIDATE]
    )
    if branch is not None:
        qs = qs.filter(branch=branch)
    return qs.order_by("emp_no")


def store_opening(*, asset_ids, before: dt.date | None) -> dict[int, int]:
    """Each asset's store balance from the lines dated before ``before`` (the export's opening
    balance); empty when the export starts at the beginning."""
    if before is None or not asset_ids:
        return {}
    lines = LedgerLine.objects.filter(asset_id__in=list(asset_ids), day__lt=before).exclude(
        source=F("target")
    )
    found: dict[int, int] = {}
    for asset_id, total in (
        lines.filter(target=LedgerLine.Place.STORE)
        .values("asset_id")
        .annotate(t=Sum("quantity"))
        .values_list("asset_id", "t")
    ):
        found[asset_id] = found.get(asset_id, 0) + total
    for asset_id, total in (
        lines.filter(source=LedgerLine.Place.STORE)
        .values("asset_id")
        .annotate(t=Sum("quantity"))
        .values_list("asset_id", "t")
    ):
        found[asset_id] = found.get(asset_id, 0) - total
    return found
