"""Client registry pages: the list with search-as-you-type, a client's file, bringing a client in
and editing it, reassignment, claims, manual tiers, tiers and service policy, monthly figures,
key accounts due a visit, and the Excel export."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from brokerdesk.access import roles
from brokerdesk.access.scope import can, get_for_user, has_perm, visible
from brokerdesk.access.sensitive import masked, may_see_sensitive, reveal
from brokerdesk.clients import selectors, services
from brokerdesk.clients.forms_clients import (
    ClaimForm,
    ClaimLookupForm,
    ClientFilterForm,
    ClientForm,
    FigureForm,
    FigureImportForm,
    PolicyForm,
    TierForm,
    TierManualForm,
    TransferForm,
)
from brokerdesk.clients.models import Client, FollowUp, Inquiry, ServicePolicy, Tier, Visit
from brokerdesk.core.excel import read_rows, workbook_response
from brokerdesk.core.validators import mask_mobile
from brokerdesk.core.views import add_service_errors
from brokerdesk.org.views import _history_rows, client_ip

PAGE_SIZE = 25
EXPORT_MAX = 50_000
SECTION_ROWS = 20


def _filters(request):
    form = ClientFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    return form, data


def _with_masks(clients):
    rows = list(clients)
    for c in rows:
        c.mobile_masked = mask_mobile(c.mobile)
    return rows


# --- list, export, due -------------------------------------------------------------------------


@login_required
def client_list(request):
    """The clients in scope; the search box swaps the results (htmx) as the user types."""
    form, data = _filters(request)
    qs = selectors.client_search(request.user, data.get("q", ""), data)
    page = selectors.ClientPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": _with_masks(page),
        "cap": selectors.COUNT_CAP,
        "can_create": has_perm(request.user, roles.CLIENT_CHANGE),
        "can_figures": has_perm(request.user, roles.CLIENT_FIGURES),
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "clients/client_list_results.html", context)
    return render(request, "clients/client_list.html", context)


@login_required
def client_export(request):
    """The list as filtered, as Excel: the same scope, phones masked; the figures are the latest
    (hand figures or the current CRM month, ``Client.latest_assets``)."""
    _form, data = _filters(request)
    qs = selectors.client_search(request.user, data.get("q", ""), data).select_related("branch")
    headers = [
        _("client number"),
        _("name"),
        _("kind"),
        _("tier"),
        _("client manager"),
        _("branch"),
        _("source"),
        _("phone"),
        _("account opened on"),
        _("assets (¥)"),
        _("monthly revenue (¥)"),
        _("figures of"),
        _("last visited on"),
        _("status"),
    ]
    rows = [
        [
            c.client_no,
            c.name,
            c.get_kind_display(),
            c.tier.name if c.tier else "",
            c.manager.name,
            c.branch.name,
            c.get_source_display(),
            mask_mobile(c.mobile),
            c.opened_on,
            c.latest_assets,
            c.latest_revenue,
            f"{c.latest_month:%Y-%m}" if c.latest_month else "",
            c.last_visit_on or "",
            c.get_status_display(),
        ]
        for c in qs[:EXPORT_MAX].iterator(chunk_size=2000)
    ]
    return workbook_response(
        f"clients-{timezone.localdate():%Y%m%d}.xlsx", [(str(_("Clients")), headers, rows)]
    )


@login_required
def visits_due(request):
    """Key accounts in scope whose next visit is due, most overdue first."""
    today = timezone.localdate()
    qs = selectors.visits_due(request.user, today)
    page = selectors.CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page)
    for c in rows:
        c.overdue = selectors.overdue_days(c, today)
    return render(
        request,
        "clients/client_due.html",
        {"page": page, "rows": rows, "cap": selectors.COUNT_CAP, "today": today},
    )


# --- one client --------------------------------------------------------------------------------


FIGURE_SOURCES = {
    "crm": gettext_lazy("CRM"),
    "entry": gettext_lazy("Entered by hand"),
    "import": gettext_lazy("Imported"),
}


def _client(request, pk, perm=roles.VIEW):
    qs = Client.objects.select_related("manager", "branch", "tier", "source_outlet", "created_by")
    return get_for_user(request.user, selectors.with_latest_figures(qs), pk, perm)


def _detail(request, client, *, figure_form=None, status=200):
    user = request.user
    figures = selectors.figures_history(client, 24)
    peak = max((f["assets"] for f in figures), default=0) or 1
    for f in figures:
        f["bar"] = int(f["assets"] * 100 / peak)
        f["source_label"] = FIGURE_SOURCES.get(f["source"], f["source"])
    can_figures = can(user, roles.CLIENT_FIGURES, client)
    context = {
        "client": client,
        "id_masked": masked(client, "id_number"),
        "mobile_masked": masked(client, "mobile"),
        "may_reveal": may_see_sensitive(user, client),
        "can_edit": can(user, roles.CLIENT_CHANGE, client),
        "can_assign": can(user, roles.CLIENT_ASSIGN, client),
        "can_figures": can_figures,
        "figure_form": figure_form or (FigureForm() if can_figures else None),
        "figures": figures,
        "ownerships": client.ownerships.select_related("manager").order_by("-start", "-id"),
        "claims": client.claims.select_related("claimant", "holder"),
        "confirmations": client.confirmations.select_related("manager").order_by("-month", "-sequence"),
        "visits": visible(user, Visit)
        .filter(client=client)
        .select_related("author")
        .order_by("-visited_on", "-planned_on", "-id")[:SECTION_ROWS],
        "followups": visible(user, FollowUp)
        .filter(client=client)
        .select_related("owner")
        .order_by("-id")[:SECTION_ROWS],
        "inquiries": visible(user, Inquiry).filter(client=client).order_by("-received_at")[:SECTION_ROWS],
        "history": _history_rows(
            client.history.select_related("history_user__staff").order_by("-history_date")[:30]
        ),
    }
    return render(request, "clients/client_detail.html", context, status=status)


@login_required
def client_detail(request, pk):
    return _detail(request, _client(request, pk))


@login_required
@require_POST
def client_reveal(request, pk, field):
    client = _client(request, pk)
    try:
        value = reveal(
            user=request.user, obj=client, field=field, ip_address=client_ip(request), channel="page"
        )
    except PermissionDenied:
        return HttpResponse(status=403)
    return HttpResponse(value, content_type="text/plain; charset=utf-8")


@login_required
def client_create(request):
    if not has_perm(request.user, roles.CLIENT_CHANGE):
        raise Http404
    form = ClientForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                client = services.client_create(
                    actor=request.user, client=form.instance, manager=form.cleaned_data.get("manager")
                )
            except ValidationError as exc:
                form.instance.pk = None
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.instance.pk = None
                form.add_error(None, str(exc))
            else:
                serial = client.confirmations.values_list("serial_no", flat=True).first()
                if serial:
                    messages.success(
                        request,
                        _("Client %(client)s is registered; confirmation form %(serial)s is issued.")
                        % {"client": client, "serial": serial},
                    )
                else:
                    messages.success(request, _("Client %(client)s is registered.") % {"client": client})
                return redirect(client.get_absolute_url())
    return render(
        request, "clients/client_form.html", {"form": form, "title": _("New client")}, status=status
    )


@login_required
def client_edit(request, pk):
    if not has_perm(request.user, roles.CLIENT_CHANGE):
        raise Http404
    client = _client(request, pk, roles.CLIENT_CHANGE)
    original = Client.objects.get(pk=client.pk)
    form = ClientForm(request.POST or None, instance=client, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            values = {f: form.cleaned_data[f] for f in services.PROFILE_FIELDS if f in form.cleaned_data}
            try:
                saved = services.client_update(actor=request.user, client=original, **values)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved: %(record)s") % {"record": saved})
                return redirect(saved.get_absolute_url())
    return render(
        request,
        "clients/client_form.html",
        {"form": form, "title": _("Edit client"), "object": original},
        status=status,
    )


@login_required
def client_transfer(request, pk):
    if not has_perm(request.user, roles.CLIENT_ASSIGN):
        raise Http404
    client = _client(request, pk, roles.CLIENT_ASSIGN)
    form = TransferForm(request.POST or None, user=request.user, client=client)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.client_transfer(
                    actor=request.user,
                    client=client,
                    to=data["to"],
                    effective=data["effective"],
                    note=data["note"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "manager" in exc.error_dict:
                    exc = ValidationError({"to": exc.error_dict.pop("manager"), **exc.error_dict})
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The client is reassigned."))
                return redirect(client.get_absolute_url())
    return render(
        request,
        "clients/client_action.html",
        {"form": form, "client": client, "title": _("Reassign client"), "form_id": "transfer-form"},
        status=status,
    )


@login_required
def tier_manual(request, pk):
    if not has_perm(request.user, roles.CLIENT_ASSIGN):
        raise Http404
    client = _client(request, pk, roles.CLIENT_ASSIGN)
    form = TierManualForm(
        request.POST or None, initial={"tier": client.tier_id, "reason": client.tier_reason}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            if not data["back_to_rules"] and data["tier"] is None:
                form.add_error("tier", _("Choose a tier, or go back to the rules."))
            else:
                try:
                    services.tier_set_manual(
                        actor=request.user,
                        client=client,
                        tier=None if data["back_to_rules"] else data["tier"],
                        reason=data["reason"],
                    )
                except ValidationError as exc:
                    if hasattr(exc, "error_dict") and "tier_reason" in exc.error_dict:
                        exc = ValidationError({"reason": exc.error_dict["tier_reason"]})
                    add_service_errors(form, exc)
                except PermissionDenied as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _("The client's tier is saved."))
                    return redirect(client.get_absolute_url())
    return render(
        request,
        "clients/client_action.html",
        {"form": form, "client": client, "title": _("Set tier by hand"), "form_id": "tier-form"},
        status=status,
    )


@login_required
@require_POST
def figure_save(request, pk):
    """One month's figures entered on the client's page."""
    client = _client(request, pk, roles.CLIENT_FIGURES)
    form = FigureForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.figures_save(
                actor=request.user,
                client=client,
                month=data["month"],
                assets=data["assets"],
                revenue=data["revenue"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The figures are saved."))
            return redirect(f"{client.get_absolute_url()}#figures")
    return _detail(request, _client(request, pk), figure_form=form, status=400)


# --- claims ------------------------------------------------------------------------------------


@login_required
def claim_start(request):
    """A client manager types a client's exact number and, if another manager of the branch
    holds it, sees the masked name and the holder and may claim it."""
    if not has_perm(request.user, roles.CLIENT_CHANGE):
        raise Http404
    lookup = ClaimLookupForm(request.GET or None)
    target = None
    searched = False
    if lookup.is_valid():
        searched = True
        target = selectors.claim_lookup(request.user, lookup.cleaned_data["no"])
    form = ClaimForm(initial={"client_no": target.client_no}) if target else None
    return render(
        request,
        "clients/client_claim.html",
        {"lookup": lookup, "target": target, "form": form, "searched": searched},
    )


@login_required
@require_POST
def claim(request):
    if not has_perm(request.user, roles.CLIENT_CHANGE):
        raise Http404
    form = ClaimForm(request.POST)
    target = None
    if form.is_valid():
        target = selectors.claim_lookup(request.user, form.cleaned_data["client_no"])
        if target is None:
            form.add_error(None, _("No client with this number can be claimed."))
        else:
            try:
                services.claim_submit(
                    actor=request.user, client=Client(pk=target.pk), reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your claim is submitted for approval."))
                return redirect("clients:claim-start")
    lookup = ClaimLookupForm(initial={"no": request.POST.get("client_no", "")})
    return render(
        request,
        "clients/client_claim.html",
        {"lookup": lookup, "target": target, "form": form, "searched": True},
        status=400,
    )


# --- tiers and service policy -------------------------------------------------------------------


@login_required
def tier_list(request):
    """The tiers, their rules and service standards, how many clients in scope each has; and the
    service policy, editable by whoever configures tiers."""
    may_config = has_perm(request.user, roles.TIER_CONFIG)
    policy = ServicePolicy.current()
    policy_form = PolicyForm(request.POST or None, instance=policy) if may_config else None
    status = 200
    if request.method == "POST":
        if not may_config:
            raise Http404
        status = 400
        if policy_form.is_valid():
            try:
                services.policy_save(actor=request.user, policy=policy_form.save(commit=False))
            except ValidationError as exc:
                add_service_errors(policy_form, exc)
            else:
                messages.success(request, _("The service policy is saved."))
                return redirect("clients:tiers")
    counts = dict(
        visible(request.user, Client)
        .filter(tier__isnull=False)
        .order_by()
        .values_list("tier")
        .annotate(n=Count("pk"))
    )
    tiers = list(Tier.objects.order_by("rank"))
    for t in tiers:
        t.client_count = counts.get(t.pk, 0)
    return render(
        request,
        "clients/tier_list.html",
        {"tiers": tiers, "policy": policy, "policy_form": policy_form, "may_config": may_config},
        status=status,
    )


@login_required
def tier_form(request, pk=None):
    if not has_perm(request.user, roles.TIER_CONFIG):
        raise Http404
    tier = get_for_user(request.user, Tier, pk, roles.TIER_CONFIG) if pk else None
    form = TierForm(request.POST or None, instance=tier)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.tier_save(actor=request.user, tier=form.instance)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved: %(record)s") % {"record": form.instance})
                return redirect("clients:tiers")
    title = _("Edit tier") if tier else _("New tier")
    return render(
        request, "clients/tier_form.html", {"form": form, "title": title, "tier": tier}, status=status
    )


# --- figures import -----------------------------------------------------------------------------

TEMPLATE_HEADERS = (
    gettext_lazy("Client number"),
    gettext_lazy("Month (YYYY-MM)"),
    gettext_lazy("Assets"),
    gettext_lazy("Revenue"),
)


@login_required
def figures_import(request):
    if not has_perm(request.user, roles.CLIENT_FIGURES):
        raise Http404
    form = FigureImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                rows = read_rows(form.cleaned_data["file"])
            except Exception:  # noqa: BLE001 - any unreadable upload is the same answer to the user
                form.add_error("file", _("This is not an Excel file (.xlsx) that can be read."))
            else:
                try:
                    n = services.figures_import(actor=request.user, rows=rows)
                except ValidationError as exc:
                    errors = exc.messages
                except PermissionDenied as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _("%(n)s months of figures are imported.") % {"n": n})
                    return redirect("clients:figures-import")
    return render(request, "clients/client_import.html", {"form": form, "errors": errors}, status=status)


@login_required
def figures_template(request):
    if not has_perm(request.user, roles.CLIENT_FIGURES):
        raise Http404
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    example = [["880000001", month, "1234567.89", "12345.67"]]
    return workbook_response(
        "figures-template.xlsx", [(str(_("Figures")), [str(h) for h in TEMPLATE_HEADERS], example)]
    )


urlpatterns = [
    path("", client_list, name="list"),
    path("export/", client_export, name="export"),
    path("due/", visits_due, name="due"),
    path("new/", client_create, name="create"),
    path("<int:pk>/", client_detail, name="detail"),
    path("<int:pk>/edit/", client_edit, name="edit"),
    path("<int:pk>/transfer/", client_transfer, name="transfer"),
    path("<int:pk>/tier/", tier_manual, name="tier-manual"),
    path("<int:pk>/figures/", figure_save, name="figure-save"),
    path("<int:pk>/reveal/<str:field>/", client_reveal, name="reveal"),
    path("claim/", claim_start, name="claim-start"),
    path("claim/submit/", claim, name="claim"),
    path("tiers/", tier_list, name="tiers"),
    path("tiers/new/", tier_form, name="tier-create"),
    path("tiers/<int:pk>/edit/", tier_form, name="tier-edit"),
    path("figures/import/", figures_import, name="figures-import"),
    path("figures/template.xlsx", figures_template, name="figures-template"),
]
