"""Forms for the organisation pages. Choices are limited to what the user may write to;
cross-record rules live in the models and services and come back as field errors."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brokerdesk.access import roles
from brokerdesk.access.scope import visible
from brokerdesk.core.files import validate_document
from brokerdesk.org.models import (
    WEEKDAY_CHOICES,
    Branch,
    CooperationAgreement,
    Department,
    Level,
    Outlet,
    PartnerBank,
    Region,
    Staff,
    Team,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ScopedModelForm(forms.ModelForm):
    """A ModelForm whose related-record choices are limited to the user's change scope."""

    perm: str = roles.VIEW
    scoped_fields: dict[str, type] = {}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, model in self.scoped_fields.items():
            if name in self.fields:
                perm = self.perm if model is Branch else roles.VIEW
                self.fields[name].queryset = visible(user, model, perm)


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name"]


class BranchForm(ScopedModelForm):
    perm = roles.ORG_CHANGE

    class Meta:
        model = Branch
        fields = ["region", "code", "name", "city", "address", "is_active"]


class DepartmentForm(ScopedModelForm):
    perm = roles.ORG_CHANGE
    scoped_fields = {"branch": Branch}

    class Meta:
        model = Department
        fields = ["branch", "kind", "name"]


class PartnerBankForm(forms.ModelForm):
    class Meta:
        model = PartnerBank
        fields = ["code", "name", "short_name"]


class TeamForm(ScopedModelForm):
    perm = roles.TEAM_CHANGE
    scoped_fields = {"branch": Branch, "lead": Staff}

    class Meta:
        model = Team
        fields = ["branch", "code", "name", "lead", "founded_on", "status"]
        widgets = {"founded_on": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = self.fields["lead"].queryset.filter(
            position__in=[Staff.Position.TEAM_LEAD, Staff.Position.REGIONAL_MANAGER]
        )


class OutletForm(ScopedModelForm):
    perm = roles.OUTLET_CHANGE
    scoped_fields = {"branch": Branch}
    weekdays = forms.MultipleChoiceField(
        label=_("open weekdays"), choices=WEEKDAY_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Outlet
        fields = [
            "branch",
            "partner_bank",
            "name",
            "address",
            "opens_at",
            "closes_at",
            "weekdays",
            "is_active",
        ]
        widgets = {"opens_at": TIME_WIDGET, "closes_at": TIME_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["weekdays"] = list(self.instance.weekdays)
        else:
            self.initial.setdefault("weekdays", list("12345"))

    def clean_weekdays(self) -> str:
        return "".join(sorted(set(self.cleaned_data["weekdays"])))

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("Closing time must be after opening time."))
        return data


class AgreementForm(ScopedModelForm):
    perm = roles.AGREEMENT_CHANGE
    scoped_fields = {"branch": Branch, "outlets": Outlet}

    class Meta:
        model = CooperationAgreement
        fields = ["bank", "branch", "year", "title", "starts_on", "ends_on", "outlets", "terms", "attachment"]
        widgets = {
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
            "outlets": forms.SelectMultiple(attrs={"size": 6}),
        }

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            validate_document(upload)
        return upload

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date must not be before the start date."))
        return data


STAFF_PLACEMENT = ["branch", "department", "team", "regional_manager", "outlet"]


class StaffForm(ScopedModelForm):
    perm = roles.STAFF_CHANGE
    scoped_fields = {
        "branch": Branch,
        "department": Department,
        "team": Team,
        "regional_manager": Staff,
        "outlet": Outlet,
    }

    class Meta:
        model = Staff
        fields = [
            "emp_no",
            "name",
            "gender",
            "mobile",
            "id_number",
            "employment_type",
            "position",
            "level",
            "status",
            *STAFF_PLACEMENT,
            "hired_on",
            "left_on",
        ]
        widgets = {"hired_on": DATE_WIDGET, "left_on": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = Level.objects.all()
        rm = self.fields["regional_manager"]
        rm.queryset = rm.queryset.filter(
            position__in=[Staff.Position.REGIONAL_MANAGER, Staff.Position.TEAM_LEAD]
        )
        if self.instance.pk:
            # Placement of an existing person changes only through a dated transfer.
            for name in STAFF_PLACEMENT:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Change through a transfer.")


class StaffTransferForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("branch"), queryset=Branch.objects.none())
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none(), required=False)
    outlet = forms.ModelChoiceField(label=_("outlet"), queryset=Outlet.objects.none(), required=False)
    regional_manager = forms.ModelChoiceField(
        label=_("regional manager"), queryset=Staff.objects.none(), required=False
    )
    starts_on = forms.DateField(label=_("effective from"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("reason"), max_length=200)

    def __init__(self, *args, user, staff: Staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = visible(user, Branch, roles.STAFF_CHANGE)
        self.fields["team"].queryset = visible(user, Team)
        self.fields["outlet"].queryset = visible(user, Outlet)
        self.fields["regional_manager"].queryset = (
            visible(user, Staff)
            .filter(position__in=[Staff.Position.REGIONAL_MANAGER, Staff.Position.TEAM_LEAD])
            .exclude(pk=staff.pk)
        )
        for name in ("branch", "team", "outlet", "regional_manager"):
            self.initial.setdefault(name, getattr(staff, f"{name}_id"))
