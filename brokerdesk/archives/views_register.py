"""The archive register's pages (第十八、二十一、二十二、二十五条): the search (the section's landing
page), filing a document, one entry with its custody trail, editing and withdrawing it while
its month is open, recording who holds the original, downloading the scanned copy, and the
originals a person holds now."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerdesk.access import roles
from brokerdesk.access.roles import ScopeLevel
from brokerdesk.access.scope import get_for_user, grants_for, has_perm, visible
from brokerdesk.access.sensitive import log_access
from brokerdesk.archives import selectors, services
from brokerdesk.archives.forms import CustodyForm, EntryEditForm, EntryForm, SearchForm, WithdrawForm
from brokerdesk.archives.models_register import RegisterEntry
from brokerdesk.core.files import attachment_response
from brokerdesk.core.views import add_service_errors
from brokerdesk.org.models import Branch, Staff
from brokerdesk.org.views import _history_rows

PAGE_SIZE = 25


def reads_register(user) -> bool:
    """Whether the user sees a branch's register (not only what they hold): for the menus."""
    from brokerdesk.access.scope_archives import _reads_register

    return any(_reads_register(g) for g in grants_for(user))


def _staff_of(user) -> Staff | None:
    return Staff.objects.filter(user=user).first() if user.is_authenticated else None


@login_required
def entry_list(request):
    """Search the register: serial number (exact or prefix), kind, period, branch, title words."""
    wide = reads_register(request.user)
    # Only a regional or company reader chooses among branches (no query for a branch's people).
    several = wide and any(g.level >= ScopeLevel.REGION for g in grants_for(request.user))
    branches = list(visible(request.user, Branch.objects.all()).order_by("code")) if several else []
    form = SearchForm(request.GET or None, branches=branches)
    filters = form.filters()
    rows = selectors.entry_search(request.user, filters)
    page = selectors.paginator_for(rows, filters, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "cap": selectors.COUNT_CAP,
        "wide": wide,
        "may_file": has_perm(request.user, roles.REGISTER_FILE),
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "archives/entry_results.html", context)
    return render(request, "archives/entry_list.html", context)


@login_required
def mine(request):
    """The originals the signed-in person holds now (to return, or to pass on at a handover)."""
    me = _staff_of(request.user)
    rows = (
        selectors.entries_in_scope(request.user).filter(custodian=me) if me else RegisterEntry.objects.none()
    )
    page = selectors.CappedPaginator(rows.order_by("-month", "serial_no"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "archives/mine.html",
        {"page": page, "cap": selectors.COUNT_CAP, "wide": reads_register(request.user), "me": me},
    )


def _form_page(request, form, *, status=200):
    return render(
        request,
        "archives/entry_form.html",
        {"form": form, "wide": reads_register(request.user)},
        status=status,
    )


@login_required
def entry_new(request):
    """File a document; the serial number is given on saving."""
    if not has_perm(request.user, roles.REGISTER_FILE):
        raise PermissionDenied
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                entry = services.entry_file(
                    actor=request.user,
                    branch=d["branch"],
                    kind=d["kind"],
                    month=d["month"],
                    title=d["title"],
                    cabinet=d["cabinet"],
                    folder=d["folder"],
                    pages=d["pages"],
                    source_ref=d["source_ref"],
                    note=d["note"],
                    scan=d["scan"],
                    corrects=d["corrects"],
                    submission_key=d["submission_key"] or None,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error("branch", str(exc))
            else:
                messages.success(request, _("Filed as %(serial)s.") % {"serial": entry.serial_no})
                return redirect(entry.get_absolute_url())
        return _form_page(request, form, status=400)
    initial = {"month": timezone.localdate().replace(day=1)}
    choices = list(selectors.branches_for_filing(request.user)[:2])
    if len(choices) == 1:
        initial["branch"] = choices[0].pk
    for field in ("kind", "branch", "corrects", "title"):
        if request.GET.get(field):
            initial[field] = request.GET[field]
    return _form_page(request, EntryForm(initial=initial, user=request.user))


def _get(request, pk, perm=roles.VIEW) -> RegisterEntry:
    qs = selectors.entries_in_scope(request.user, perm).select_related("batch", "corrects", "filed_by__staff")
    return get_for_user(request.user, qs, pk, perm)


def _detail(request, entry: RegisterEntry, *, status=200, withdraw_form=None, custody_form=None):
    user = request.user
    may_file = visible(user, RegisterEntry.objects.filter(pk=entry.pk), roles.REGISTER_FILE).exists()
    closed = entry.batch.closed
    correction_url = ""
    if may_file and closed:
        query = {"corrects": entry.serial_no, "kind": entry.kind, "branch": entry.branch_id}
        correction_url = f"{reverse('archives:entry-new')}?{urlencode(query)}"
    history = entry.history.select_related("history_user__staff").order_by("-history_date")[:50]
    context = {
        "entry": entry,
        "wide": reads_register(user),
        "closed": closed,
        "may_edit": may_file and not closed and not entry.withdrawn,
        "may_withdraw": may_file and not closed and not entry.withdrawn,
        "may_pass": services.may_pass(user, entry),
        "may_download": selectors.may_download_scan(user, entry),
        "correction_url": correction_url,
        "corrections": list(entry.corrections.order_by("id").only("pk", "serial_no", "month", "status")),
        "trail": list(selectors.custody_trail(entry)),
        "history": _history_rows(history),
        "withdraw_form": withdraw_form or WithdrawForm(),
        "custody_form": custody_form or CustodyForm(entry=entry),
    }
    return render(request, "archives/entry_detail.html", context, status=status)


@login_required
def entry_detail(request, pk):
    return _detail(request, _get(request, pk))


@login_required
def entry_edit(request, pk):
    """Change what an entry says while its month is open; a closed month refuses, with why."""
    entry = _get(request, pk, roles.REGISTER_FILE)
    refusal = ""
    if entry.batch.closed:
        refusal = services.closed_message(entry.batch)
    elif entry.withdrawn:
        refusal = _("A withdrawn entry does not change.")
    if request.method == "POST":
        form = EntryEditForm(request.POST, request.FILES)
        if form.is_valid():
            d = dict(form.cleaned_data)
            scan = d.pop("scan", None) or None
            try:
                services.entry_update(actor=request.user, entry=entry, scan=scan, **d)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Entry %(serial)s is updated.") % {"serial": entry.serial_no})
                return redirect(entry.get_absolute_url())
        status = 400
    else:
        form = EntryEditForm(initial={f: getattr(entry, f) for f in RegisterEntry.EDITABLE_FIELDS})
        status = 200
    return render(
        request,
        "archives/entry_edit.html",
        {"entry": entry, "form": form, "refusal": refusal, "wide": True},
        status=status,
    )


@login_required
@require_POST
def entry_withdraw(request, pk):
    entry = _get(request, pk, roles.REGISTER_FILE)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.entry_withdraw(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Entry %(serial)s is withdrawn.") % {"serial": entry.serial_no})
            return redirect(entry.get_absolute_url())
    return _detail(request, _get(request, pk), status=400, withdraw_form=form)


@login_required
@require_POST
def entry_custody(request, pk):
    """Record who took the original, or that it came back to the archive room."""
    entry = _get(request, pk)
    if not services.may_pass(request.user, entry):
        raise Http404
    form = CustodyForm(request.POST, entry=entry)
    if form.is_valid():
        try:
            entry = services.custody_pass(
                actor=request.user,
                entry=entry,
                to_staff=form.cleaned_data["to_staff"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            if entry.custodian:
                text = _("The original of %(serial)s is now with %(name)s.") % {
                    "serial": entry.serial_no,
                    "name": entry.custodian.name,
                }
            else:
                text = _("The original of %(serial)s is back in the archive room.") % {
                    "serial": entry.serial_no
                }
            messages.success(request, text)
            return redirect(entry.get_absolute_url())
    return _detail(request, _get(request, pk), status=400, custody_form=form)


@login_required
def entry_scan(request, pk):
    """The scanned copy, after the scope check; every download is logged."""
    entry = _get(request, pk)
    if not selectors.may_download_scan(request.user, entry):
        raise Http404
    log_access(
        user=request.user, obj=entry, field="scan", ip_address=request.META.get("REMOTE_ADDR"), channel="page"
    )
    suffix = entry.scan_name.rsplit(".", 1)[-1] if "." in entry.scan_name else "pdf"
    return attachment_response(entry.scan, f"{entry.serial_no}.{suffix}")


urlpatterns = [
    path("", entry_list, name="home"),
    path("mine/", mine, name="mine"),
    path("new/", entry_new, name="entry-new"),
    path("<int:pk>/", entry_detail, name="entry-detail"),
    path("<int:pk>/edit/", entry_edit, name="entry-edit"),
    path("<int:pk>/withdraw/", entry_withdraw, name="entry-withdraw"),
    path("<int:pk>/custody/", entry_custody, name="entry-custody"),
    path("<int:pk>/scan/", entry_scan, name="entry-scan"),
]
