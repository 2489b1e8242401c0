"""Organisation pages: workbench, tree, teams, outlets, banks and agreements, staff."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from brokerdesk.access import roles
from brokerdesk.access.scope import can, get_for_user, has_perm, roles_of, visible
from brokerdesk.access.sensitive import SENSITIVE_FIELDS, masked, may_see_sensitive, reveal
from brokerdesk.approvals.models import Request as ApprovalRequest
from brokerdesk.approvals.services import inbox as approval_inbox
from brokerdesk.clients.workbench import service_counts
from brokerdesk.core.files import attachment_response, safe_display_name
from brokerdesk.core.views import RecordFormPage, ScopedListPage, add_service_errors
from brokerdesk.org import forms, selectors, services
from brokerdesk.org.filters import AgreementFilter, OutletFilter, StaffFilter, TeamFilter
from brokerdesk.org.models import (
    Branch,
    CooperationAgreement,
    Department,
    Outlet,
    PartnerBank,
    Region,
    Staff,
    Team,
)


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


@login_required
def home(request):
    today = timezone.localdate()
    me = (
        Staff.objects.filter(user=request.user)
        .select_related("team__lead", "outlet", "branch", "level")
        .first()
    )
    context = {
        "me": me,
        "counts": selectors.workbench_counts(user=request.user, today=today),
        "roles": sorted(roles_of(request.user)),
        "today": today,
        "recent_staff": selectors.staff_list(user=request.user).order_by("-hired_on", "-pk")[:5],
        "approvals_waiting": approval_inbox(request.user).count(),
        "service": service_counts(user=request.user, staff=me, today=today) if roles_of(request.user) else {},
        "my_open_requests": ApprovalRequest.objects.filter(
            submitter=request.user,
            status__in=[ApprovalRequest.Status.PENDING, ApprovalRequest.Status.RETURNED],
        ).count(),
    }
    return render(request, "org/home.html", context)


@login_required
def org_tree(request):
    return render(
        request,
        "org/tree.html",
        {
            "regions": selectors.org_tree(user=request.user),
            "can_change": has_perm(request.user, roles.ORG_CHANGE),
        },
    )


# --- Staff -----------------------------------------------------------------------------


class StaffListPage(ScopedListPage):
    template_name = "org/staff_list.html"
    partial_name = "org/partials/_staff_table.html"
    filterset_class = StaffFilter
    create_perm = roles.STAFF_CHANGE

    def get_queryset(self):
        return selectors.staff_list(user=self.request.user)


@login_required
def staff_detail(request, pk):
    staff = get_for_user(request.user, selectors.staff_detail_queryset(user=request.user), pk)
    history = staff.history.select_related("history_user__staff").order_by("-history_date")[:50]
    context = {
        "staff": staff,
        "id_masked": masked(staff, "id_number"),
        "mobile_masked": masked(staff, "mobile"),
        "may_reveal": may_see_sensitive(request.user, staff),
        "can_change": has_perm(request.user, roles.STAFF_CHANGE)
        and can(request.user, roles.STAFF_CHANGE, staff),
        "history": _history_rows(history),
    }
    return render(request, "org/staff_detail.html", context)


@login_required
@require_POST
def staff_reveal(request, pk, field):
    staff = get_for_user(request.user, Staff, pk)
    try:
        value = reveal(
            user=request.user, obj=staff, field=field, ip_address=client_ip(request), channel="page"
        )
    except PermissionDenied:
        return HttpResponse(status=403)
    return HttpResponse(value, content_type="text/plain; charset=utf-8")


class StaffFormPage(RecordFormPage):
    model = Staff
    form_class = forms.StaffForm
    perm = roles.STAFF_CHANGE
    title_create = _("New staff member")
    title_edit = _("Edit staff member")

    def save(self, form):
        return services.staff_save(actor=self.request.user, staff=form.instance)


@login_required
def staff_transfer(request, pk):
    if not has_perm(request.user, roles.STAFF_CHANGE):
        raise Http404
    staff = get_for_user(request.user, Staff, pk, roles.STAFF_CHANGE)
    form = forms.StaffTransferForm(request.POST or None, user=request.user, staff=staff)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.staff_transfer(actor=request.user, staff=staff, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                return redirect(staff.get_absolute_url())
    title = _("Transfer %(name)s") % {"name": staff.name}
    return render(
        request, "core/record_form.html", {"form": form, "object": staff, "title": title}, status=status
    )


# --- Teams, outlets, banks, agreements ------------------------------------------------


class TeamListPage(ScopedListPage):
    template_name = "org/team_list.html"
    partial_name = "org/partials/_team_table.html"
    filterset_class = TeamFilter
    create_perm = roles.TEAM_CHANGE

    def get_queryset(self):
        return selectors.team_list(user=self.request.user)


@login_required
def team_detail(request, pk):
    team = get_for_user(request.user, selectors.team_list(user=request.user), pk)
    members = selectors.staff_list(user=request.user).filter(team=team).exclude(status=Staff.Status.LEFT)
    context = {
        "team": team,
        "members": members,
        "history": _history_rows(
            team.history.select_related("history_user__staff").order_by("-history_date")[:30]
        ),
        "can_change": can(request.user, roles.TEAM_CHANGE, team),
    }
    return render(request, "org/team_detail.html", context)


class TeamFormPage(RecordFormPage):
    model = Team
    form_class = forms.TeamForm
    perm = roles.TEAM_CHANGE
    title_create = _("New marketing team")
    title_edit = _("Edit marketing team")

    def save(self, form):
        return services.org_record_save(actor=self.request.user, instance=form.instance)


class OutletListPage(ScopedListPage):
    template_name = "org/outlet_list.html"
    partial_name = "org/partials/_outlet_table.html"
    filterset_class = OutletFilter
    create_perm = roles.OUTLET_CHANGE

    def get_queryset(self):
        return selectors.outlet_list(user=self.request.user)


@login_required
def outlet_detail(request, pk):
    outlet = get_for_user(request.user, selectors.outlet_list(user=request.user), pk)
    context = {
        "outlet": outlet,
        "members": selectors.staff_list(user=request.user)
        .filter(outlet=outlet)
        .exclude(status=Staff.Status.LEFT),
        "history": _history_rows(
            outlet.history.select_related("history_user__staff").order_by("-history_date")[:30]
        ),
        "can_change": can(request.user, roles.OUTLET_CHANGE, outlet),
    }
    return render(request, "org/outlet_detail.html", context)


class OutletFormPage(RecordFormPage):
    model = Outlet
    form_class = forms.OutletForm
    perm = roles.OUTLET_CHANGE
    title_create = _("New outlet")
    title_edit = _("Edit outlet")

    def save(self, form):
        return services.org_record_save(actor=self.request.user, instance=form.instance)


@login_required
def bank_list(request):
    return render(
        request,
        "org/bank_list.html",
        {
            "banks": selectors.bank_list(user=request.user),
            "can_create": has_perm(request.user, roles.BANK_CHANGE),
        },
    )


@login_required
def bank_detail(request, pk):
    bank = get_for_user(request.user, selectors.bank_list(user=request.user), pk)
    context = {
        "bank": bank,
        "agreements": selectors.agreement_list(user=request.user).filter(bank=bank),
        "outlets": selectors.outlet_list(user=request.user).filter(partner_bank=bank),
        "can_change": can(request.user, roles.BANK_CHANGE, bank),
    }
    return render(request, "org/bank_detail.html", context)


class BankFormPage(RecordFormPage):
    model = PartnerBank
    perm = roles.BANK_CHANGE
    title_create = _("New partner bank")
    title_edit = _("Edit partner bank")

    def get_form(self, obj, data=None, files=None):
        return forms.PartnerBankForm(data, files, instance=obj)

    def save(self, form):
        return services.org_record_save(actor=self.request.user, instance=form.instance)


class AgreementListPage(ScopedListPage):
    template_name = "org/agreement_list.html"
    partial_name = "org/partials/_agreement_table.html"
    filterset_class = AgreementFilter
    create_perm = roles.AGREEMENT_CHANGE

    def get_queryset(self):
        return selectors.agreement_list(user=self.request.user)


@login_required
def agreement_detail(request, pk):
    agreement = get_for_user(request.user, selectors.agreement_list(user=request.user), pk)
    context = {
        "agreement": agreement,
        "outlets": agreement.outlets.select_related("partner_bank"),
        "history": _history_rows(
            agreement.history.select_related("history_user__staff").order_by("-history_date")[:30]
        ),
        "can_change": can(request.user, roles.AGREEMENT_CHANGE, agreement),
    }
    return render(request, "org/agreement_detail.html", context)


@login_required
def agreement_attachment(request, pk):
    """Attachments are served only through the scope check, never from the web root."""
    agreement = get_for_user(request.user, CooperationAgreement, pk)
    return attachment_response(agreement.attachment, agreement.attachment_name or f"agreement-{agreement.pk}")


class AgreementFormPage(RecordFormPage):
    model = CooperationAgreement
    form_class = forms.AgreementForm
    perm = roles.AGREEMENT_CHANGE
    title_create = _("New cooperation agreement")
    title_edit = _("Edit cooperation agreement")

    def save(self, form):
        agreement = form.instance
        upload = form.cleaned_data.get("attachment")
        if upload and hasattr(upload, "content_type"):
            agreement.attachment_name = safe_display_name(upload.name)
        return services.agreement_save(
            actor=self.request.user, agreement=agreement, outlets=list(form.cleaned_data["outlets"])
        )


# --- Regions, branches, departments ---------------------------------------------------


@login_required
def branch_detail(request, pk):
    branch = get_for_user(request.user, Branch.objects.select_related("region"), pk)
    context = {
        "branch": branch,
        "teams": selectors.team_list(user=request.user).filter(branch=branch),
        "departments": visible(request.user, Department).filter(branch=branch),
        "outlets": selectors.outlet_list(user=request.user).filter(branch=branch),
        "can_change": can(request.user, roles.ORG_CHANGE, branch),
    }
    return render(request, "org/branch_detail.html", context)


class TreeRecordFormPage(RecordFormPage):
    def success_url(self, obj):
        return reverse("org:tree")

    def save(self, form):
        return services.org_record_save(actor=self.request.user, instance=form.instance)


class RegionFormPage(TreeRecordFormPage):
    model = Region
    perm = roles.ORG_CHANGE
    title_create = _("New regional HQ")
    title_edit = _("Edit regional HQ")

    def get_form(self, obj, data=None, files=None):
        return forms.RegionForm(data, files, instance=obj)


class BranchFormPage(TreeRecordFormPage):
    model = Branch
    form_class = forms.BranchForm
    perm = roles.ORG_CHANGE
    title_create = _("New branch")
    title_edit = _("Edit branch")

    def success_url(self, obj):
        return obj.get_absolute_url()


class DepartmentFormPage(TreeRecordFormPage):
    model = Department
    form_class = forms.DepartmentForm
    perm = roles.ORG_CHANGE
    title_create = _("New department")
    title_edit = _("Edit department")


# --- History --------------------------------------------------------------------------


def _history_rows(records) -> list[dict]:
    """Each history record with the fields it changed (old → new), newest first.

    Related records named in the changes are read in one query per model, not one per
    change. Sensitive fields are named but their values are never shown in the trail.
    """
    records = list(records)
    deltas = []
    wanted: dict = {}  # related model -> primary keys to show
    for i, record in enumerate(records):
        previous = records[i + 1] if i + 1 < len(records) else None
        delta = record.diff_against(previous) if previous is not None and record.history_type == "~" else None
        deltas.append(delta)
        for change in delta.changes if delta else []:
            field = record.instance_type._meta.get_field(change.field)
            if field.is_relation:
                wanted.setdefault(field.related_model, set()).update(v for v in (change.old, change.new) if v)
    names = {model: model._default_manager.in_bulk(pks) for model, pks in wanted.items()}
    rows = []
    for record, delta in zip(records, deltas, strict=True):
        hidden = SENSITIVE_FIELDS.get(record.instance_type, ())
        changes = []
        for change in delta.changes if delta else []:
            field = record.instance_type._meta.get_field(change.field)
            concealed = change.field in hidden
            changes.append(
                {
                    "field": field.verbose_name,
                    "old": "••••" if concealed else _display(field, change.old, names),
                    "new": "••••" if concealed else _display(field, change.new, names),
                }
            )
        user = record.history_user
        who = (
            (getattr(getattr(user, "staff", None), "name", None) or user.get_username())
            if user
            else _("system")
        )
        rows.append({"record": record, "changes": changes, "who": who})
    return rows


def _display(field, value, names):
    if value is None or value == "":
        return "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation:
        related = names.get(field.related_model, {}).get(value)
        return str(related) if related else value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
