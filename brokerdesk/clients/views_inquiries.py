"""Inquiry calls and account-opening appointments (part 4): the list with what is late on top,
recording a call on a phone, and each matter's trail with its actions, down to converting a
caller who opened an account into a client."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerdesk.access import roles
from brokerdesk.access.scope import get_for_user, has_perm, visible
from brokerdesk.access.sensitive import masked, may_see_sensitive, reveal
from brokerdesk.clients import services
from brokerdesk.clients import services_inquiries as svc
from brokerdesk.clients.forms_inquiries import (
    AnswerForm,
    ConvertForm,
    InquiryFilterForm,
    InquiryForm,
    LostForm,
    NoteForm,
    PassOnForm,
)
from brokerdesk.clients.models import Inquiry, InquiryEvent
from brokerdesk.core.views import add_service_errors


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _scoped(user):
    return visible(user, Inquiry).select_related(
        "assigned_to", "received_by", "client", "appointment_outlet", "branch"
    )


@login_required
def inquiry_list(request):
    """Tabs (passed on to me, received by me, all in scope) and filters; late ones in red, with
    the count of late and waiting matters at the top."""
    me = services.staff_of(request.user)
    form = InquiryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    tab = data.get("tab") or ("mine" if me else "all")
    if me is None and tab != "all":
        tab = "all"
    now = timezone.now()
    scoped = _scoped(request.user)
    rows = scoped
    if tab == "mine":
        rows = rows.filter(assigned_to=me)
    elif tab == "received":
        rows = rows.filter(received_by=me)
    if data.get("status"):
        rows = rows.filter(status=data["status"])
    if data.get("kind"):
        rows = rows.filter(kind=data["kind"])
    if data.get("important"):
        rows = rows.filter(important=True)
    if data.get("late"):
        rows = rows.filter(svc.late_q(now))
    page = Paginator(rows.order_by("-received_at", "-id"), 25).get_page(request.GET.get("page"))
    items = list(page.object_list)
    for inquiry in items:
        inquiry.late = svc.is_late(inquiry, now)
        inquiry.mobile_masked = masked(inquiry, "mobile")
    totals = visible(request.user, Inquiry).aggregate(
        late=Count("pk", filter=svc.late_q(now)),
        waiting=Count(
            "pk",
            filter=Q(status=Inquiry.Status.OPEN, important=True, acknowledged_at__isnull=True)
            & (Q(assigned_to=me) if me else Q(pk__in=[])),
        ),
        open=Count("pk", filter=Q(status__in=svc.OPEN_STATUSES)),
    )
    context = {
        "form": form,
        "tab": tab,
        "tabs": InquiryFilterForm.TABS if me else [t for t in InquiryFilterForm.TABS if t[0] == "all"],
        "page": page,
        "items": items,
        "totals": totals,
        "can_create": has_perm(request.user, roles.INQUIRY_RECORD) and me is not None,
    }
    return render(request, "clients/inquiry_list.html", context)


@login_required
def inquiry_create(request):
    if not has_perm(request.user, roles.INQUIRY_RECORD):
        raise Http404
    me = services.staff_of(request.user)
    form = InquiryForm(request.POST or None, me=me)
    status = 200
    if me is None:
        form.add_error(None, _("Your login has no staff record."))
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                inquiry = svc.inquiry_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("The matter is recorded and passed on to %(name)s.")
                    % {"name": inquiry.assigned_to.name},
                )
                return redirect(inquiry.get_absolute_url())
    return render(request, "clients/inquiry_form.html", {"form": form}, status=status)


def _detail(request, inquiry: Inquiry, status: int = 200, **bound):
    user = request.user
    is_open = inquiry.status in svc.OPEN_STATUSES
    may_handle = svc._may_handle(user, inquiry)
    events = list(
        InquiryEvent.objects.filter(inquiry=inquiry).select_related("actor__staff").order_by("at", "id")
    )
    context = {
        "inquiry": inquiry,
        "events": events,
        "late": svc.is_late(inquiry),
        "mobile_masked": masked(inquiry, "mobile"),
        "may_reveal": may_see_sensitive(user, inquiry),
        "may_acknowledge": inquiry.status == Inquiry.Status.OPEN
        and inquiry.acknowledged_at is None
        and inquiry.assigned_to.user_id == user.pk,
        "may_handle": may_handle and is_open,
        "may_convert": may_handle
        and inquiry.status != Inquiry.Status.CONVERTED
        and has_perm(user, roles.CLIENT_CHANGE),
        "pass_form": bound.get("pass_form") or PassOnForm(inquiry=inquiry),
        "answer_form": bound.get("answer_form") or AnswerForm(),
        "lost_form": bound.get("lost_form") or LostForm(),
        "note_form": bound.get("note_form") or NoteForm(),
        "may_note": may_handle,
    }
    return render(request, "clients/inquiry_detail.html", context, status=status)


def _get(request, pk) -> Inquiry:
    return get_for_user(request.user, _scoped(request.user), pk)


@login_required
def inquiry_detail(request, pk):
    return _detail(request, _get(request, pk))


def _act(request, pk, form_name, make_form, call, done_message):
    """Run one action from the detail page: redirect on success, the page with errors if not."""
    inquiry = _get(request, pk)
    form = make_form(inquiry, request.POST)
    if form.is_valid():
        try:
            call(inquiry, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done_message)
            return redirect(inquiry.get_absolute_url())
    inquiry = _get(request, pk)
    return _detail(request, inquiry, status=400, **{form_name: form})


@login_required
@require_POST
def inquiry_acknowledge(request, pk):
    inquiry = _get(request, pk)
    try:
        svc.inquiry_acknowledge(actor=request.user, inquiry=inquiry)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("You have acknowledged the matter."))
    return redirect(inquiry.get_absolute_url())


@login_required
@require_POST
def inquiry_pass_on(request, pk):
    return _act(
        request,
        pk,
        "pass_form",
        lambda inq, data: PassOnForm(data, inquiry=inq),
        lambda inq, d: svc.inquiry_pass_on(actor=request.user, inquiry=inq, to=d["to"], note=d["note"]),
        _("The matter is passed on."),
    )


@login_required
@require_POST
def inquiry_answer(request, pk):
    return _act(
        request,
        pk,
        "answer_form",
        lambda inq, data: AnswerForm(data),
        lambda inq, d: svc.inquiry_answer(actor=request.user, inquiry=inq, outcome=d["outcome"]),
        _("The answer is recorded."),
    )


@login_required
@require_POST
def inquiry_lost(request, pk):
    return _act(
        request,
        pk,
        "lost_form",
        lambda inq, data: LostForm(data),
        lambda inq, d: svc.inquiry_lost(actor=request.user, inquiry=inq, reason=d["reason"]),
        _("The matter is closed: no account opened."),
    )


@login_required
@require_POST
def inquiry_add_note(request, pk):
    return _act(
        request,
        pk,
        "note_form",
        lambda inq, data: NoteForm(data),
        lambda inq, d: svc.inquiry_note(actor=request.user, inquiry=inq, note=d["note"]),
        _("The note is added."),
    )


@login_required
def inquiry_convert(request, pk):
    """The caller opened an account: the account details, then the new client's page (which
    shows its confirmation form)."""
    inquiry = _get(request, pk)
    if not has_perm(request.user, roles.CLIENT_CHANGE):
        raise Http404
    if inquiry.status == Inquiry.Status.CONVERTED and inquiry.client_id:
        messages.info(request, _("This matter is already converted into a client."))
        return redirect(inquiry.get_absolute_url())
    form = ConvertForm(request.POST or None, inquiry=inquiry)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                client = svc.inquiry_convert(actor=request.user, inquiry=inquiry, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                form_row = client.confirmations.order_by("-id").first()
                messages.success(
                    request,
                    _("Client %(client)s is registered; confirmation form %(serial)s is issued.")
                    % {"client": client, "serial": form_row.serial_no if form_row else "—"},
                )
                return redirect("clients:detail", client.pk)
    return render(request, "clients/inquiry_convert.html", {"form": form, "inquiry": inquiry}, status=status)


@login_required
@require_POST
def inquiry_reveal(request, pk):
    inquiry = _get(request, pk)
    try:
        value = reveal(user=request.user, obj=inquiry, field="mobile", ip_address=_client_ip(request))
    except PermissionDenied:
        return HttpResponse(status=403)
    return HttpResponse(value, content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("inquiries/", inquiry_list, name="inquiry-list"),
    path("inquiries/new/", inquiry_create, name="inquiry-create"),
    path("inquiries/<int:pk>/", inquiry_detail, name="inquiry-detail"),
    path("inquiries/<int:pk>/acknowledge/", inquiry_acknowledge, name="inquiry-acknowledge"),
    path("inquiries/<int:pk>/pass-on/", inquiry_pass_on, name="inquiry-pass-on"),
    path("inquiries/<int:pk>/answer/", inquiry_answer, name="inquiry-answer"),
    path("inquiries/<int:pk>/lost/", inquiry_lost, name="inquiry-lost"),
    path("inquiries/<int:pk>/note/", inquiry_add_note, name="inquiry-note"),
    path("inquiries/<int:pk>/convert/", inquiry_convert, name="inquiry-convert"),
    path("inquiries/<int:pk>/reveal/", inquiry_reveal, name="inquiry-reveal"),
]
