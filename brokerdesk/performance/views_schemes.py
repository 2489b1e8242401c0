"""Pay scheme pages (薪酬标准, 第二条): the branch's schemes for everyone of the branch; drafting,
editing, sending for approval and new versions for ``pay.scheme`` holders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokerdesk.access import roles
from brokerdesk.access.scope import can, get_for_user, has_perm
from brokerdesk.core.views import add_service_errors
from brokerdesk.org.models import Staff
from brokerdesk.performance import services_schemes as svc
from brokerdesk.performance.explain_pay import pct
from brokerdesk.performance.forms_schemes import (
    SchemeFilterForm,
    SchemeForm,
    base_pay_formset,
    bracket_formset,
)
from brokerdesk.performance.models import PayScheme


@login_required
def scheme_list(request):
    form = SchemeFilterForm(request.GET or None)
    rows = svc.scheme_list(user=request.user).order_by("branch__code", "-effective_from", "-version", "-id")
    if form.is_valid() and form.cleaned_data.get("status"):
        rows = rows.filter(status=form.cleaned_data["status"])
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "performance/scheme_list.html",
        {"page": page, "filter": form, "can_create": has_perm(request.user, roles.PAY_SCHEME)},
    )


@login_required
def scheme_detail(request, pk):
    scheme = get_for_user(
        request.user, svc.with_terms(svc.scheme_list(user=request.user).select_related("previous")), pk
    )
    may = can(request.user, roles.PAY_SCHEME, scheme)
    newer = PayScheme.objects.filter(previous=scheme).exclude(status=PayScheme.Status.REJECTED).first()
    brackets = list(scheme.brackets.all())
    for b in brackets:
        b.pct = pct(b.rate)
    types = dict(Staff.EmploymentType.choices)
    base_pays = list(scheme.base_pays.all())
    for b in base_pays:
        b.type_label = types.get(b.employment_type, b.employment_type)
    rates = {name: pct(getattr(scheme, name)) for name in ("asset_rate", "override_rate", "holdback_rate")}
    rates["factor"] = f"{scheme.low_performance_factor.normalize():f}"
    return render(
        request,
        "performance/scheme_detail.html",
        {
            "scheme": scheme,
            "brackets": brackets,
            "base_pays": base_pays,
            "rates": rates,
            "newer": newer,
            "may_edit": may and scheme.status in svc.EDITABLE,
            "may_new_version": may and scheme.status == PayScheme.Status.APPROVED and newer is None,
        },
    )


@login_required
def scheme_form(request, pk=None):
    if not has_perm(request.user, roles.PAY_SCHEME):
        raise Http404
    scheme = get_for_user(request.user, PayScheme, pk, roles.PAY_SCHEME) if pk else None
    if scheme is not None and scheme.status not in svc.EDITABLE:
        messages.error(request, _("An approved or submitted scheme cannot be edited; make a new version."))
        return redirect(scheme.get_absolute_url())
    data = request.POST if request.method == "POST" else None
    form = SchemeForm(data, instance=scheme, user=request.user)
    brackets = bracket_formset(data, scheme=scheme)
    base_pays = base_pay_formset(data, scheme=scheme)
    status = 200
    if request.method == "POST":
        status = 400
        valid = [form.is_valid(), brackets.is_valid(), base_pays.is_valid()]
        if all(valid):
            try:
                saved = svc.scheme_save(
                    actor=request.user,
                    scheme=form.instance,
                    brackets=brackets.rows(),
                    base_pays=base_pays.rows(),
                )
            except ValidationError as exc:
                _service_errors(form, brackets, base_pays, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The pay scheme is saved as a draft."))
                return redirect(saved.get_absolute_url())
    return render(
        request,
        "performance/scheme_form.html",
        {
            "form": form,
            "brackets": brackets,
            "base_pays": base_pays,
            "scheme": scheme,
            "title": _("Edit pay scheme") if scheme else _("New pay scheme"),
        },
        status=status,
    )


def _service_errors(form, brackets, base_pays, exc: ValidationError) -> None:
    """Row errors of the service go on top of their row set; the rest on the scheme form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    rest = {}
    for key, errors in exc.error_dict.items():
        target = {"brackets": brackets, "base_pays": base_pays}.get(key)
        if target is not None:
            target._non_form_errors = target.error_class(
                [*target.non_form_errors(), *[m for e in errors for m in e.messages]]
            )
        else:
            rest[key] = errors
    if rest:
        add_service_errors(form, ValidationError(rest))


def _act(request, pk, call, done: str):
    scheme = get_for_user(request.user, PayScheme, pk, roles.PAY_SCHEME)
    try:
        result = call(scheme)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(scheme.get_absolute_url())
    messages.success(request, done)
    return redirect(result.get_absolute_url())


@login_required
@require_POST
def scheme_submit(request, pk):
    return _act(
        request,
        pk,
        lambda s: svc.scheme_submit(actor=request.user, scheme=s),
        _("The pay scheme is sent for approval."),
    )


@login_required
@require_POST
def scheme_new_version(request, pk):
    return _act(
        request,
        pk,
        lambda s: svc.scheme_new_version(actor=request.user, scheme=s),
        _("A new version is drafted from the approved scheme: change it and send it for approval."),
    )


urlpatterns = [
    path("schemes/", scheme_list, name="scheme-list"),
    path("schemes/new/", scheme_form, name="scheme-create"),
    path("schemes/<int:pk>/", scheme_detail, name="scheme-detail"),
    path("schemes/<int:pk>/edit/", scheme_form, name="scheme-edit"),
    path("schemes/<int:pk>/submit/", scheme_submit, name="scheme-submit"),
    path("schemes/<int:pk>/new-version/", scheme_new_version, name="scheme-new-version"),
]
