"""Forms of the client registry: list filters, profile, reassignment, claim, manual tier, tiers
and service policy, monthly figures and their import."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brokerdesk.access import roles
from brokerdesk.access.scope import get_for_user, visible
from brokerdesk.clients import selectors, services
from brokerdesk.clients.models import Client, ServicePolicy, Tier
from brokerdesk.core.widgets import QuickSelect
from brokerdesk.org.models import Outlet, Staff

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ClientFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=selectors.SEARCH_MAX)
    tier = forms.ChoiceField(label=_("tier"), required=False, widget=QuickSelect)
    manager = forms.ModelChoiceField(
        label=_("client manager"),
        queryset=Staff.objects.none(),
        required=False,
        widget=QuickSelect,
        empty_label=_("All"),
    )
    source = forms.ChoiceField(
        label=_("source"), required=False, choices=[("", _("All")), *Client.Source.choices]
    )
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All")), *Client.Status.choices]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [
            ("", _("All")),
            ("any", _("Any key-account tier")),
            ("none", _("No tier")),
            *[(str(pk), name) for pk, name in Tier.objects.values_list("pk", "name")],
        ]
        self.fields["manager"].queryset = selectors.managers_in_scope(user)


class ClientForm(forms.ModelForm):
    """Bringing a client in (with manager for a lead or the branch) or editing its profile."""

    manager = forms.ModelChoiceField(
        label=_("responsible client manager"), queryset=Staff.objects.none(), required=False
    )

    class Meta:
        model = Client
        fields = [
            "client_no",
            "kind",
            "name",
            "id_number",
            "mobile",
            "opened_on",
            "source",
            "source_outlet",
            "source_note",
            "address",
            "notes",
        ]
        widgets = {"opened_on": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["source_outlet"].queryset = visible(user, Outlet).order_by("name")
        self.fields["mobile"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        self.fields["client_no"].widget.attrs["inputmode"] = "numeric"
        if self.instance.pk:
            # Number, opening day and manager do not change here (reassignment is its own page).
            for name in ("client_no", "opened_on", "manager"):
                del self.fields[name]
            return
        me = services.staff_of(user)
        managers = services.managers_for(user).order_by("name")
        if me is not None and list(managers.values_list("pk", flat=True)[:2]) == [me.pk]:
            del self.fields["manager"]  # a client manager brings in their own clients
        else:
            self.fields["manager"].queryset = managers
            self.fields["manager"].required = True
        self.fields["opened_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.initial.setdefault("opened_on", timezone.localdate())

    def _post_clean(self):
        # The service validates identity and uniqueness with the messages users know; the
        # model's own checks here would only duplicate them (or miss the branch and manager).
        opts = self._meta
        try:
            self.instance = forms.models.construct_instance(self, self.instance, opts.fields, opts.exclude)
        except forms.ValidationError as e:
            self._update_errors(e)


class TransferForm(forms.Form):
    to = forms.ModelChoiceField(label=_("new client manager"), queryset=Staff.objects.none())
    effective = forms.DateField(label=_("effective from"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = (
            visible(user, Staff.objects.filter(branch_id=client.branch_id), roles.CLIENT_ASSIGN)
            .filter(status__in=[Staff.Status.ACTIVE, Staff.Status.PROBATION])
            .exclude(pk=client.manager_id)
            .order_by("name")
        )
        self.initial.setdefault("effective", timezone.localdate())
        self.fields["effective"].widget.attrs["max"] = timezone.localdate().isoformat()


class ClaimLookupForm(forms.Form):
    no = forms.CharField(label=_("exact client number"), max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["no"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})


class ClaimForm(forms.Form):
    client_no = forms.CharField(widget=forms.HiddenInput, max_length=20)
    reason = forms.CharField(
        label=_("why the client should be yours"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class TierManualForm(forms.Form):
    tier = forms.ModelChoiceField(
        label=_("tier"), queryset=Tier.objects.filter(active=True), required=False, empty_label=_("No tier")
    )
    back_to_rules = forms.BooleanField(label=_("Back to the rules (tier from the figures)"), required=False)
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class TierForm(forms.ModelForm):
    class Meta:
        model = Tier
        fields = [
            "code",
            "name",
            "rank",
            "min_assets",
            "min_revenue",
            "visit_every_days",
            "service_notes",
            "active",
        ]
        widgets = {"service_notes": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self):
        # Unique code and rank are checked here; the tier's rule (a floor given) by the service,
        # with a field error instead of the check constraint's record-wide message.
        self.instance.validate_constraints = lambda exclude=None: None
        try:
            super()._post_clean()
        finally:
            del self.instance.validate_constraints


class PolicyForm(forms.ModelForm):
    class Meta:
        model = ServicePolicy
        fields = ["overlap_days", "followup_days", "acknowledge_hours"]


class FigureForm(forms.Form):
    month = forms.CharField(
        label=_("month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}),
    )
    assets = forms.CharField(
        label=_("assets (¥)"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    revenue = forms.CharField(
        label=_("monthly revenue (¥)"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("month", f"{timezone.localdate():%Y-%m}")

    def clean_month(self) -> dt.date:
        try:
            return dt.datetime.strptime(self.cleaned_data["month"].strip(), "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(_("Enter a month such as 2026-11.")) from None


class FigureImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


def client_for_change(user, pk, perm):
    return get_for_user(user, Client.objects.select_related("manager", "branch", "tier"), pk, perm)
