"""Asset pages (第十一至十四条): register an asset, its page with holders, ledger and incidents,
movements (issue, return, transfer, in, out, disposal) and reversals, the branch's ledger
(实物管理明细表) with its Excel export, and incidents with their charge.

Views are thin: fetch through the scope, call one service, render or redirect. A refused
movement comes back as field errors with status 400 and nothing saved.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerdesk.access.roles import ASSET_KEEP
from brokerdesk.access.scope import get_for_user, has_perm
from brokerdesk.assets import selectors_assets as sel
from brokerdesk.assets import services_assets as svc
from brokerdesk.assets.forms_assets import (
    AssetForm,
    ChargeForm,
    IncidentFilterForm,
    IncidentForm,
    LedgerFilterForm,
    MoveForm,
    ReverseForm,
)
from brokerdesk.assets.models_assets import Asset, Incident, LedgerLine
from brokerdesk.core.excel import workbook_response
from brokerdesk.core.views import add_service_errors
from brokerdesk.org.models import Staff

LEDGER_PAGE_SIZE = 50
INCIDENT_PAGE_SIZE = 25
EXPORT_MAX_ROWS = 100_000


def _keep(request, pk) -> Asset:
    """An asset the user keeps (``asset.keep`` in scope), else 404."""
    return get_for_user(
        request.user, Asset.objects.select_related("branch", "outlet", "team"), pk, ASSET_KEEP
    )


def _people(asset: Asset):
    return (
        Staff.objects.filter(branch_id=asset.branch_id)
        .exclude(status__in=[Staff.Status.LEFT, Staff.Status.CANDIDATE])
        .order_by("emp_no")
    )


def _holders(asset: Asset):
    return asset.holdings.values("staff_id")


# --- register --------------------------------------------------------------------------------


@login_required
def asset_create(request):
    if not has_perm(request.user, ASSET_KEEP):
        raise Http404
    form = AssetForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                asset = svc.asset_register(actor=request.user, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error("branch", str(exc))
            else:
                messages.success(request, _("Asset %(tag)s registered.") % {"tag": asset.tag})
                return redirect(asset.get_absolute_url())
    context = {"form": form, "title": _("Register an asset"), "form_id": "asset-form"}
    return render(request, "assets/asset_form.html", context, status=status)


@login_required
def asset_edit(request, pk):
    asset = _keep(request, pk)
    form = AssetForm(request.POST or None, instance=asset, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k in svc.EDITABLE}
            try:
                svc.asset_update(actor=request.user, asset=Asset.objects.get(pk=asset.pk), **fields)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(asset.get_absolute_url())
    context = {
        "form": form,
        "title": _("Edit %(tag)s") % {"tag": asset.tag},
        "asset": asset,
        "form_id": "asset-form",
    }
    return render(request, "assets/asset_form.html", context, status=status)


@login_required
def asset_detail(request, pk):
    from brokerdesk.org.views import _history_rows

    asset = sel.asset_get(user=request.user, pk=pk)
    may_keep = svc.can_keep(request.user, asset)
    lines = sel.asset_lines(asset)
    history = asset.history.select_related("history_user__staff").order_by("-history_date")[:30]
    context = {
        "asset": asset,
        "holdings": sel.asset_holdings(asset),
        "lines": lines,
        "incidents": asset.incidents.select_related("responsible").order_by("-happened_on", "-id"),
        "may_keep": may_keep,
        "history": _history_rows(history) if may_keep else [],
    }
    return render(request, "assets/asset_detail.html", context)


# --- movements ------------------------------------------------------------------------------------


@login_required
def asset_move(request, pk):
    asset = _keep(request, pk)
    initial = {"kind": request.GET.get("kind", "issue")}
    if request.GET.get("from"):
        initial["from_staff"] = request.GET["from"]
    form = MoveForm(
        request.POST or None, initial=initial, asset=asset, holders=_holders(asset), people=_people(asset)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                svc.asset_move(
                    actor=request.user,
                    asset=asset,
                    kind=d["kind"],
                    quantity=d["quantity"],
                    from_staff=d.get("from_staff"),
                    to_staff=d.get("to_staff"),
                    to_outlet=d.get("to_outlet"),
                    reason=d.get("reason", ""),
                    day=d.get("day"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Recorded in the ledger."))
                return redirect(asset.get_absolute_url())
    return render(request, "assets/move_form.html", {"form": form, "asset": asset}, status=status)


@login_required
def line_reverse(request, pk):
    line = get_for_user(
        request.user, LedgerLine.objects.select_related("asset", "from_staff", "to_staff"), pk, ASSET_KEEP
    )
    form = ReverseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                svc.line_reverse(actor=request.user, line=line, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The line is reversed."))
                return redirect(line.asset.get_absolute_url())
    return render(request, "assets/line_reverse.html", {"form": form, "line": line}, status=status)


# --- the ledger (实物管理明细表) ----------------------------------------------------------------


def _ledger_filters(request) -> tuple[LedgerFilterForm, dict]:
    form = LedgerFilterForm(request.GET or None, user=request.user)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    if request.GET.get("asset", "").isdigit():
        filters["asset"] = int(request.GET["asset"])
    return form, filters


@login_required
def ledger_list(request):
    form, filters = _ledger_filters(request)
    qs = sel.ledger_list(user=request.user, filters=filters)
    page = Paginator(qs, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": request.GET.urlencode()}
    if request.htmx and request.htmx.target == "results":
        return render(request, "assets/ledger_results.html", context)
    return render(request, "assets/ledger_list.html", context)


def ledger_rows(lines, opening: dict[int, int]) -> list[list]:
    """The 实物管理明细表 rows: in/out of the store and the store's balance after each line."""
    balance = dict(opening)
    rows = []
    for n, line in enumerate(lines, start=1):
        into = line.quantity if line.target == LedgerLine.Place.STORE and line.source != line.target else None
        out = line.quantity if line.source == LedgerLine.Place.STORE and line.source != line.target else None
        balance[line.asset_id] = balance.get(line.asset_id, 0) + (into or 0) - (out or 0)
        a = line.asset
        rows.append(
            [
                n,
                line.day,
                a.tag,
                a.description,
                a.spec,
                a.get_category_display(),
                a.unit,
                line.get_kind_display(),
                into,
                out,
                balance[line.asset_id],
                line.from_staff.name if line.from_staff else "",
                line.to_staff.name if line.to_staff else "",
                " → ".join(str(o) for o in (line.from_outlet, line.to_outlet) if o),
                line.reason,
                (
                    line.recorded_by.staff.name
                    if hasattr(line.recorded_by, "staff")
                    else line.recorded_by.username
                ),
                line.reverses_id or "",
            ]
        )
    return rows


@login_required
def ledger_export(request):
    form, filters = _ledger_filters(request)
    qs = (
        sel.ledger_list(user=request.user, filters=filters)
        .select_related("asset", "recorded_by__staff")
        .order_by("day", "id")
    )
    lines = list(qs[:EXPORT_MAX_ROWS])
    opening = sel.store_opening(asset_ids={x.asset_id for x in lines}, before=filters.get("start"))
    headers = [
        _("No."),
        _("date"),
        _("asset tag"),
        _("description"),
        _("model / specification"),
        _("category"),
        _("unit"),
        _("movement"),
        _("into store"),
        _("out of store"),
        _("store balance"),
        _("from person"),
        _("to person"),
        _("outlet"),
        _("reason"),
        _("recorded by"),
        _("reverses line"),
    ]
    today = dt.date.today()
    return workbook_response(
        f"实物管理明细表-{today:%Y%m%d}.xlsx", [(_("Asset ledger"), headers, ledger_rows(lines, opening))]
    )


# --- incidents -------------------------------------------------------------------------------------


@login_required
def incident_list(request):
    form = IncidentFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    qs = sel.incident_list(user=request.user, filters=filters)
    page = Paginator(qs, INCIDENT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    if request.htmx and request.htmx.target == "results":
        return render(request, "assets/incident_results.html", context)
    return render(request, "assets/incident_list.html", context)


@login_required
def incident_create(request, pk):
    asset = _keep(request, pk)
    form = IncidentForm(request.POST or None, asset=asset, people=_people(asset), holders=_holders(asset))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = dict(form.cleaned_data)
            kw = {}
            if d.get("lost_from") is not None:
                kw["lost_from"] = d["lost_from"]
            try:
                incident = svc.incident_record(
                    actor=request.user,
                    asset=asset,
                    kind=d["kind"],
                    happened_on=d["happened_on"],
                    description=d["description"],
                    quantity=d["quantity"],
                    responsible=d.get("responsible"),
                    amount=d["amount"],
                    pay_month=d.get("pay_month"),
                    over_value_reason=d.get("over_value_reason", ""),
                    **kw,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The incident is recorded."))
                return redirect(incident.get_absolute_url())
    return render(request, "assets/incident_form.html", {"form": form, "asset": asset}, status=status)


@login_required
def incident_detail(request, pk):
    incident = sel.incident_get(user=request.user, pk=pk)
    may_keep = svc.can_keep(request.user, incident.asset)
    may_revise = may_keep and incident.status in (
        Incident.Status.RECORDED,
        Incident.Status.RETURNED,
        Incident.Status.WITHDRAWN,
    )
    charge_form = None
    if may_revise:
        charge_form = ChargeForm(
            initial={
                "responsible": incident.responsible_id,
                "amount": incident.amount,
                "pay_month": incident.pay_month,
                "over_value_reason": incident.over_value_reason,
            },
            people=_people(incident.asset),
        )
    context = {"incident": incident, "may_keep": may_keep, "charge_form": charge_form}
    return render(request, "assets/incident_detail.html", context)


@login_required
@require_POST
def incident_charge(request, pk):
    incident = get_for_user(request.user, Incident.objects.select_related("asset"), pk, ASSET_KEEP)
    form = ChargeForm(request.POST, people=_people(incident.asset))
    if form.is_valid():
        d = form.cleaned_data
        try:
            svc.incident_revise(
                actor=request.user,
                incident=incident,
                amount=d["amount"],
                responsible=d.get("responsible"),
                pay_month=d.get("pay_month"),
                over_value_reason=d.get("over_value_reason", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The charge is saved."))
            return redirect(incident.get_absolute_url())
    context = {"incident": incident, "may_keep": True, "charge_form": form}
    return render(request, "assets/incident_detail.html", context, status=400)


urlpatterns = [
    path("new/", asset_create, name="asset-create"),
    path("<int:pk>/", asset_detail, name="asset-detail"),
    path("<int:pk>/edit/", asset_edit, name="asset-edit"),
    path("<int:pk>/move/", asset_move, name="asset-move"),
    path("<int:pk>/incident/", incident_create, name="incident-create"),
    path("lines/<int:pk>/reverse/", line_reverse, name="line-reverse"),
    path("ledger/", ledger_list, name="ledger-list"),
    path("ledger/export/", ledger_export, name="ledger-export"),
    path("incidents/", incident_list, name="incident-list"),
    path("incidents/<int:pk>/", incident_detail, name="incident-detail"),
    path("incidents/<int:pk>/charge/", incident_charge, name="incident-charge"),
]
