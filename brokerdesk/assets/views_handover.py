"""Handover pages: the list (with what waits for the user), starting a handover, the
checklist with each line's next step for whoever may take it, and the staff page's panel.

Views are thin: they fetch through the scope, call one service and show its refusal next to
the line or action it concerns. Buttons appear only for who may press them; the services
check again (a confirmation by the wrong person is refused with the reason).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerdesk.access import roles
from brokerdesk.access.scope import can, get_for_user, has_perm, visible
from brokerdesk.assets import rules_handover as rules
from brokerdesk.assets import selectors_handover as sel
from brokerdesk.assets import services_handover as svc
from brokerdesk.assets.forms_handover import (
    AcknowledgeForm,
    AssignForm,
    CancelForm,
    HandoverFilterForm,
    HandoverStartForm,
    NotifiedForm,
    PassForm,
    ReassignForm,
)
from brokerdesk.assets.models_handover import Handover, HandoverLine
from brokerdesk.clients.models import Client
from brokerdesk.clients.services import staff_of
from brokerdesk.core.views import add_service_errors
from brokerdesk.org.models import Branch, Staff

Kind = HandoverLine.Kind
WORKING = (Staff.Status.ACTIVE, Staff.Status.PROBATION)


# --- list and start ------------------------------------------------------------------------------


@login_required
def handover_list(request):
    filters = HandoverFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(sel.handover_list(user=request.user, filters=values), 25).get_page(
        request.GET.get("page")
    )
    me = staff_of(request.user)
    waiting = list(sel.my_open_receipts(user=request.user, staff=me)[:20])
    return render(
        request,
        "assets/handover_list.html",
        {
            "page": page,
            "filter": filters,
            "waiting": waiting,
            "can_start": has_perm(request.user, roles.HANDOVER),
        },
    )


@login_required
def handover_start(request):
    if not has_perm(request.user, roles.HANDOVER):
        raise Http404
    initial = {"kind": request.GET.get("kind") or Handover.Kind.DEPARTURE}
    if request.GET.get("staff", "").isdigit():
        initial["staff"] = int(request.GET["staff"])
    form = HandoverStartForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                handover = svc.handover_start(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("The handover of %(name)s has started: %(n)s lines to do.")
                    % {"name": handover.staff.name, "n": handover.lines.filter(status="open").count()},
                )
                return redirect(handover.get_absolute_url())
    return render(request, "assets/handover_form.html", {"form": form}, status=status)


# --- the checklist -----------------------------------------------------------------------------------


def _colleagues(handover: Handover):
    """Who may receive: working colleagues of the handover's branch with a login."""
    return (
        Staff.objects.filter(branch_id=handover.branch_id, status__in=WORKING, user__isnull=False)
        .exclude(pk=handover.staff_id)
        .order_by("emp_no")
    )


def _state(line: HandoverLine) -> rules.LineState:
    return rules.LineState(
        kind=line.kind,
        disposition=line.disposition,
        receiver_id=line.receiver_id,
        given=bool(line.giver_confirmed_at),
        received=bool(line.receiver_confirmed_at),
        reassigned=bool(line.reassigned_at),
        notified=bool(line.client_notified_on),
        acknowledged=line.status == HandoverLine.Status.DONE,
    )


def _rows(request, handover: Handover, lines: list[HandoverLine], bound: dict) -> list[dict]:
    """Each visible line with its next step and the forms or buttons the user may use."""
    user = request.user
    me = staff_of(user)
    open_ = handover.is_open
    runner = open_ and can(user, roles.HANDOVER, handover)
    person = bool(me and me.pk == handover.staff_id)
    keeps = set(visible(user, Branch, roles.ASSET_KEEP).values_list("pk", flat=True)) if open_ else set()
    files = set(visible(user, Branch, roles.REGISTER_FILE).values_list("pk", flat=True)) if open_ else set()
    finance = open_ and visible(user, Branch, roles.PAY_RUN).filter(pk=handover.branch_id).exists()
    client_ids = [ln.client_id for ln in lines if ln.client_id and ln.is_open]
    assignable = (
        set(visible(user, Client, roles.CLIENT_ASSIGN).filter(pk__in=client_ids).values_list("pk", flat=True))
        if open_ and client_ids
        else set()
    )
    colleagues = list(_colleagues(handover)) if open_ and (runner or person or assignable) else []
    today = timezone.localdate()
    rows = []
    for ln in lines:
        row = {"line": ln, "step": None, "forms": {}, "give": False, "receive": False}
        rows.append(row)
        if not (open_ and ln.is_open):
            continue
        row["step"] = rules.line_next_step(_state(ln))
        forms = row["forms"]
        mine = bound.get(ln.pk, {})
        if ln.kind in HandoverLine.TWO_SIDED:
            if (runner or person) and not (ln.giver_confirmed_at and ln.receiver_confirmed_at):
                forms["assign"] = mine.get("assign") or AssignForm(
                    colleagues=colleagues,
                    prefix=f"l{ln.pk}",
                    initial={
                        "disposition": ln.disposition or "pass",
                        "receiver": ln.receiver_id,
                        "note": ln.note,
                    },
                )
            placed = ln.disposition and (ln.disposition == "return" or ln.receiver_id)
            row["give"] = bool(placed and person and not ln.giver_confirmed_at)
            if placed and not ln.receiver_confirmed_at and not person:
                if ln.disposition == "pass":
                    row["receive"] = bool(me and me.pk == ln.receiver_id)
                elif ln.kind == Kind.ASSET:
                    row["receive"] = ln.asset.branch_id in keeps
                else:
                    row["receive"] = ln.entry.branch_id in files
        elif ln.kind in HandoverLine.ACCEPTED:
            if runner or person:
                forms["assign"] = mine.get("assign") or PassForm(
                    colleagues=colleagues,
                    prefix=f"l{ln.pk}",
                    initial={"receiver": ln.receiver_id, "note": ln.note},
                )
            row["receive"] = bool(me and ln.receiver_id and me.pk == ln.receiver_id)
        elif ln.kind == Kind.CLIENT:
            if not ln.reassigned_at and ln.client_id in assignable:
                forms["reassign"] = mine.get("reassign") or ReassignForm(
                    colleagues=colleagues, prefix=f"l{ln.pk}", initial={"effective_on": today}
                )
            elif ln.reassigned_at and (
                runner or person or ln.client_id in assignable or (me and me.pk == ln.receiver_id)
            ):
                forms["notified"] = mine.get("notified") or NotifiedForm(
                    prefix=f"l{ln.pk}", initial={"notified_on": today}
                )
        elif ln.kind == Kind.PAY and finance:
            forms["acknowledge"] = mine.get("acknowledge") or AcknowledgeForm(prefix=f"l{ln.pk}")
    return rows


def _detail(request, handover: Handover, *, bound=None, action_errors=None, line_errors=None, status=200):
    lines = list(sel.lines_with_events(user=request.user, handover=handover))
    runner = handover.is_open and can(request.user, roles.HANDOVER, handover)
    # A receiver sees only their lines: the checklist's overall state is not theirs to see.
    overview = len(lines) == handover.lines.count()
    blocking = None
    if handover.is_open and overview:
        blocking = sel.checklist_blocking(handover) or sel.live_blocking(
            handover.staff, handover.kind, handover
        )
    counts = {"open": 0, "done": 0, "dropped": 0}
    for ln in lines:
        counts[ln.status] += 1
    me = staff_of(request.user)
    context = {
        "handover": handover,
        "rows": _rows(request, handover, lines, bound or {}),
        "counts": counts,
        "events": [e for e in sel.events_for(user=request.user, handover=handover) if e.line_id is None],
        "runner": runner,
        "overview": overview,
        "person": bool(me and me.pk == handover.staff_id),
        "blocking": blocking,
        "action_errors": action_errors or {},
        "line_errors": line_errors or {},
        "cancel_form": (bound or {}).get("cancel") or CancelForm(),
        "reassign_all_form": _reassign_all_form(request, handover, lines, bound or {}),
        "verified": (not handover.fingerprint) or handover.fingerprint == handover.compute_fingerprint(),
    }
    return render(request, "assets/handover_detail.html", context, status=status)


def _reassign_all_form(request, handover: Handover, lines, bound: dict):
    """One form to pass every client not yet reassigned to one colleague, for who reassigns
    clients, when two or more wait."""
    if "reassign_all" in bound:
        return bound["reassign_all"]
    waiting = [ln for ln in lines if ln.kind == Kind.CLIENT and ln.status == "open" and not ln.reassigned_at]
    if not handover.is_open or len(waiting) < 2 or not has_perm(request.user, roles.CLIENT_ASSIGN):
        return None
    if not can(request.user, roles.CLIENT_ASSIGN, waiting[0].client):
        return None
    return ReassignForm(
        prefix="all", colleagues=list(_colleagues(handover)), initial={"effective_on": timezone.localdate()}
    )


@login_required
def handover_detail(request, pk):
    return _detail(request, sel.handover_get(user=request.user, pk=pk))


HANDOVER_ACTIONS = ("refresh", "complete", "cancel", "reassign-clients")


@login_required
@require_POST
def handover_action(request, pk, action):
    if action not in HANDOVER_ACTIONS:
        raise Http404
    handover = sel.handover_get(user=request.user, pk=pk)
    try:
        if action == "refresh":
            changed = svc.handover_refresh(actor=request.user, handover=handover)
            messages.success(
                request,
                _("The checklist is up to date: %(n)s lines changed.") % {"n": changed}
                if changed
                else _("The checklist already matched what the person holds."),
            )
        elif action == "complete":
            handover = svc.handover_complete(actor=request.user, handover=handover)
            messages.success(
                request,
                _("The handover is completed and the %(kind)s of %(name)s is done.")
                % {"kind": handover.get_kind_display().lower(), "name": handover.staff.name},
            )
        elif action == "reassign-clients":
            form = ReassignForm(request.POST, prefix="all", colleagues=list(_colleagues(handover)))
            if not form.is_valid():
                return _detail(request, handover, bound={"reassign_all": form}, status=400)
            d = form.cleaned_data
            moved = svc.clients_reassign_all(
                actor=request.user,
                handover=handover,
                to=d["to"],
                effective_on=d["effective_on"],
                notified_on=d.get("notified_on"),
                notified_how=d.get("notified_how") or "",
                note=d.get("note") or "",
            )
            messages.success(
                request, _("%(n)s clients reassigned to %(name)s.") % {"n": moved, "name": d["to"].name}
            )
        else:
            form = CancelForm(request.POST)
            if not form.is_valid():
                return _detail(request, handover, bound={"cancel": form}, status=400)
            svc.handover_cancel(actor=request.user, handover=handover, reason=form.cleaned_data["reason"])
            messages.success(request, _("The handover is cancelled."))
    except ValidationError as exc:
        handover = sel.handover_get(user=request.user, pk=pk)
        return _detail(request, handover, action_errors={action: exc.messages}, status=400)
    except PermissionDenied as exc:
        handover = sel.handover_get(user=request.user, pk=pk)
        return _detail(request, handover, action_errors={action: [str(exc)]}, status=403)
    return redirect(handover.get_absolute_url())


LINE_ACTIONS = {
    "assign": None,
    "give": None,
    "receive": None,
    "reassign": ReassignForm,
    "notified": NotifiedForm,
    "acknowledge": AcknowledgeForm,
}


@login_required
@require_POST
def line_action(request, pk, action):
    if action not in LINE_ACTIONS:
        raise Http404
    line = get_for_user(request.user, HandoverLine.objects.select_related("handover"), pk)
    handover = sel.handover_get(user=request.user, pk=line.handover_id)
    prefix = f"l{line.pk}"
    form = None
    try:
        if action in ("give", "receive"):
            side = rules.GIVER if action == "give" else rules.RECEIVER
            svc.line_confirm(actor=request.user, line=line, side=side)
            done = _("Confirmed: %(item)s.") % {"item": line.label}
        elif action == "assign":
            form_class = PassForm if line.kind in HandoverLine.ACCEPTED else AssignForm
            form = form_class(request.POST, prefix=prefix, colleagues=list(_colleagues(handover)))
            if not form.is_valid():
                raise ValidationError({})
            data = form.cleaned_data
            svc.line_assign(
                actor=request.user,
                line=line,
                disposition=data.get("disposition") or HandoverLine.Disposition.PASS,
                receiver=data.get("receiver"),
                note=data.get("note", ""),
            )
            done = _("Saved where it goes: %(item)s.") % {"item": line.label}
        else:
            form_class = LINE_ACTIONS[action]
            kwargs = {"colleagues": list(_colleagues(handover))} if form_class is ReassignForm else {}
            form = form_class(request.POST, prefix=prefix, **kwargs)
            if not form.is_valid():
                raise ValidationError({})
            data = form.cleaned_data
            if action == "reassign":
                svc.client_reassign(
                    actor=request.user,
                    line=line,
                    to=data["to"],
                    effective_on=data["effective_on"],
                    notified_on=data.get("notified_on"),
                    notified_how=data.get("notified_how") or "",
                    note=data.get("note", ""),
                )
                done = _("Client reassigned: %(item)s.") % {"item": line.label}
            elif action == "notified":
                svc.client_notified(
                    actor=request.user,
                    line=line,
                    notified_on=data["notified_on"],
                    notified_how=data["notified_how"],
                )
                done = _("Recorded that the client was told: %(item)s.") % {"item": line.label}
            else:
                svc.pay_acknowledge(actor=request.user, line=line, note=data.get("note", ""))
                done = _("Pay position acknowledged.")
    except ValidationError as exc:
        if form is not None:
            if getattr(exc, "error_dict", None) or getattr(exc, "error_list", None):
                add_service_errors(form, exc)
            bound = {line.pk: {action: form}}
        else:
            bound = {}
        handover = sel.handover_get(user=request.user, pk=line.handover_id)
        errors = {} if form is not None and form.errors else {line.pk: exc.messages}
        return _detail(request, handover, bound=bound, line_errors=errors, status=400)
    except PermissionDenied as exc:
        handover = sel.handover_get(user=request.user, pk=line.handover_id)
        return _detail(request, handover, line_errors={line.pk: [str(exc)]}, status=403)
    messages.success(request, done)
    return redirect(f"{handover.get_absolute_url()}#line-{line.pk}")


# --- the staff page's panel ---------------------------------------------------------------------------


@login_required
def staff_panel(request, staff_pk):
    """The handover status of a person, for their staff page (loaded by htmx): the open or
    latest handover the user may see, and the start buttons for HANDOVER holders."""
    staff = get_for_user(request.user, Staff, staff_pk)
    handovers = list(
        sel.handover_list(user=request.user).filter(staff=staff).order_by("-started_at", "-pk")[:5]
    )
    current = next((h for h in handovers if h.is_open), None)
    may_start = (
        current is None
        and staff.status in WORKING
        and visible(request.user, Staff, roles.HANDOVER).filter(pk=staff.pk).exists()
    )
    return render(
        request,
        "assets/handover_staff_panel.html",
        {"staff": staff, "handovers": handovers, "current": current, "may_start": may_start},
    )


urlpatterns = [
    path("handovers/", handover_list, name="handover-list"),
    path("handovers/new/", handover_start, name="handover-start"),
    path("handovers/<int:pk>/", handover_detail, name="handover-detail"),
    path("handovers/<int:pk>/<str:action>/", handover_action, name="handover-action"),
    path("handovers/lines/<int:pk>/<str:action>/", line_action, name="handover-line-action"),
    path("handovers/staff/<int:staff_pk>/", staff_panel, name="handover-staff-panel"),
]
