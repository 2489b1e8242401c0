"""Approval pages: the approver's inbox, requests with their trail and actions, delegation,
notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerdesk.approvals import selectors, services
from brokerdesk.approvals.exceptions import ApprovalError
from brokerdesk.approvals.forms import CommentForm, DecisionForm, DelegationForm, RequestFilterForm
from brokerdesk.approvals.models import Action, Notification, Request
from brokerdesk.core.files import attachment_response
from brokerdesk.core.views import add_service_errors


@login_required
def inbox(request):
    tasks = services.inbox(request.user)
    page = Paginator(tasks, 25).get_page(request.GET.get("page"))
    return render(request, "approvals/inbox.html", {"page": page, "now": timezone.now()})


@login_required
def request_list(request):
    form = RequestFilterForm(request.GET or None)
    rows = selectors.request_list(user=request.user)
    if request.GET.get("mine"):
        rows = rows.filter(submitter=request.user)
    if form.is_valid() and form.cleaned_data["status"]:
        rows = rows.filter(status=form.cleaned_data["status"])
    page = Paginator(rows.order_by("-submitted_at", "-id"), 25).get_page(request.GET.get("page"))
    return render(request, "approvals/request_list.html", {"page": page, "form": form})


def _my_task(user, req: Request):
    if req.status != Request.Status.PENDING:
        return None
    return services.inbox(user).filter(request=req).first()


@login_required
def request_detail(request, pk):
    req = selectors.request_detail(user=request.user, pk=pk)
    task = _my_task(request.user, req)
    decision_form = comment_form = None
    status = 200
    if request.method == "POST" and request.POST.get("form") == "decision" and task:
        decision_form = DecisionForm(
            request.POST, request.FILES, names_countersign=task.step.names_countersign
        )
        if decision_form.is_valid():
            data = decision_form.cleaned_data
            try:
                services.task_act(
                    actor=request.user,
                    task=task,
                    decision=data["decision"],
                    opinion=data["opinion"],
                    countersign_departments=list(data.get("countersign_departments") or []),
                    attachment=data.get("attachment"),
                )
            except ApprovalError as exc:
                add_service_errors(decision_form, exc)
            else:
                messages.success(request, _("Your decision is recorded."))
                return redirect("approvals:inbox")
        status = 400
    elif request.method == "POST" and request.POST.get("form") == "comment":
        comment_form = CommentForm(request.POST, request.FILES)
        if comment_form.is_valid():
            try:
                services.request_comment(
                    actor=request.user,
                    request=req,
                    opinion=comment_form.cleaned_data["opinion"],
                    attachment=comment_form.cleaned_data.get("attachment"),
                )
            except ApprovalError as exc:
                add_service_errors(comment_form, exc)
            else:
                return redirect(req.get_absolute_url())
        status = 400
    if task and decision_form is None:
        # Departments the submitter (or an earlier step) proposed come pre-ticked.
        proposed = [d.pk for d in req.countersign_departments.all()]
        decision_form = DecisionForm(
            names_countersign=task.step.names_countersign, initial={"countersign_departments": proposed}
        )
    now = timezone.now()
    pending = [t for t in req.tasks.all() if t.status == "pending"]
    who = services.approvers_by_task(pending)  # one query for every countersigning department
    context = {
        "req": req,
        "task": task,
        "decision_form": decision_form,
        "comment_form": comment_form or (CommentForm() if req.is_open else None),
        "pending": [{"task": t, "who": who[t.pk], "overdue": t.due_at < now} for t in pending],
        "route": services.route(req.flow, req.figures),
        "can_withdraw": req.submitter_id == request.user.pk and req.is_open,
        "can_resubmit": req.submitter_id == request.user.pk and req.status == Request.Status.RETURNED,
        "subject_url": getattr(req.subject, "get_absolute_url", lambda: "")(),
    }
    return render(request, "approvals/request_detail.html", context, status=status)


@login_required
def action_attachment(request, pk, action_pk):
    req = selectors.request_detail(user=request.user, pk=pk)
    action = get_object_or_404(Action, pk=action_pk, request=req)
    return attachment_response(action.attachment, action.attachment_name)


@login_required
@require_POST
def request_withdraw(request, pk):
    req = selectors.request_detail(user=request.user, pk=pk)
    try:
        services.request_withdraw(actor=request.user, request=req, opinion=request.POST.get("opinion", ""))
        messages.success(request, _("The request was withdrawn."))
    except ApprovalError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(req.get_absolute_url())


@login_required
@require_POST
def request_resubmit(request, pk):
    req = selectors.request_detail(user=request.user, pk=pk)
    try:
        services.request_resubmit(actor=request.user, request=req, opinion=request.POST.get("opinion", ""))
        messages.success(request, _("The request was sent again."))
    except ApprovalError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(req.get_absolute_url())


@login_required
def delegations(request):
    form = DelegationForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.delegation_create(actor=request.user, **form.cleaned_data)
            except ApprovalError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The stand-in is set."))
                return redirect("approvals:delegations")
    rows = selectors.my_delegations(user=request.user).order_by("-starts_on")
    return render(request, "approvals/delegations.html", {"form": form, "rows": rows}, status=status)


@login_required
def notifications(request):
    rows = Notification.objects.filter(user=request.user)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "approvals/notifications.html", {"page": page})


@login_required
@require_POST
def notification_open(request, pk):
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(note.url or "approvals:notifications")


@login_required
@require_POST
def notifications_read_all(request):
    selectors.unread_notifications(user=request.user).update(read_at=timezone.now())
    return redirect("approvals:notifications")
