"""Pay pages: "My pay" for everyone (their own slips, month by month), a slip's line-by-line
breakdown ("why is my commission ¥X"), and the manual adjustments of a month."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.scope import has_perm
from brokerdesk.access.sensitive import log_access
from brokerdesk.core.views import add_service_errors
from brokerdesk.performance import explain_pay
from brokerdesk.performance import services_pay as svc
from brokerdesk.performance.forms_pay import AdjustmentForm, MonthFilterForm
from brokerdesk.performance.models import PayLine
from brokerdesk.performance.selectors import month_start


@login_required
def my_pay(request):
    """The user's own slips, newest month first (every person, whatever their role)."""
    page = Paginator(svc.my_slips(user=request.user), 24).get_page(request.GET.get("page"))
    return render(request, "performance/slip_mine.html", {"page": page})


def readable_lines(lines) -> list[dict]:
    """Each line with its label, sentence and (for commission) the brackets table."""
    labels = dict(PayLine.Component.choices)
    return [
        {
            "line": line,
            "label": labels.get(line.component, line.component),
            "sentence": explain_pay.sentence(line.component, line.inputs),
            "brackets": explain_pay.bracket_rows(line.inputs) if line.component == "commission" else [],
            "accounts": line.inputs.get("qualified_accounts", []) + line.inputs.get("other_accounts", [])
            if line.component == "new_accounts"
            else [],
        }
        for line in lines
    ]


@login_required
def slip_detail(request, pk):
    slip = svc.slip_get(user=request.user, pk=pk)
    own = slip.staff.user_id == request.user.pk
    if not own:
        # Someone else's pay is sensitive: each full view leaves a row (RELIABILITY.md).
        log_access(
            user=request.user,
            obj=slip,
            field="pay",
            ip_address=request.META.get("REMOTE_ADDR"),
            channel="page",
        )
    return render(
        request,
        "performance/slip_detail.html",
        {
            "slip": slip,
            "run": slip.run,
            "rows": readable_lines(svc.slip_lines(slip)),
            "own": own,
            "may_see_run": has_perm(request.user, roles.PAY_VIEW),
        },
    )


@login_required
def adjustment_list(request):
    form = MonthFilterForm(request.GET or None)
    rows = svc.adjustment_list(user=request.user).order_by("-month", "staff__emp_no", "id")
    if form.is_valid() and form.cleaned_data.get("month"):
        rows = rows.filter(month=month_start(form.cleaned_data["month"]))
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "performance/adjustment_list.html",
        {"page": page, "filter": form, "can_create": has_perm(request.user, roles.PAY_RUN)},
    )


@login_required
def adjustment_create(request):
    if not has_perm(request.user, roles.PAY_RUN):
        raise Http404
    form = AdjustmentForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                adjustment = svc.adjustment_add(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "The adjustment for %(name)s is recorded; it is applied when the month's pay "
                        "is computed."
                    )
                    % {"name": adjustment.staff.name},
                )
                return redirect(reverse("performance:adjustment-list"))
    return render(request, "performance/adjustment_form.html", {"form": form}, status=status)


urlpatterns = [
    path("pay/", my_pay, name="my-pay"),
    path("pay/slips/<int:pk>/", slip_detail, name="slip-detail"),
    path("pay/adjustments/", adjustment_list, name="adjustment-list"),
    path("pay/adjustments/new/", adjustment_create, name="adjustment-create"),
]
