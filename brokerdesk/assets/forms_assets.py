"""Forms of the asset pages: the list filter, the register entry, a ledger movement, a
reversal, an incident and its charge, and the ledger filter. The services decide; the forms
collect and show their field errors."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from brokerdesk.access.roles import ASSET_KEEP
from brokerdesk.access.scope import visible
from brokerdesk.assets.models_assets import Asset, Incident, LedgerLine
from brokerdesk.core.widgets import MonthField, QuickSelect
from brokerdesk.org.models import Branch, Outlet, Staff, Team

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonChoice(forms.ModelChoiceField):
    widget = QuickSelect

    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.emp_no}）"


class QuickModelChoice(forms.ModelChoiceField):
    widget = QuickSelect


def _blank(choices, label=None):
    return [("", label or "—"), *choices]


class AssetFilterForm(forms.Form):
    """The list's filters. Team and outlet choices are (id, name) pairs read in one query each,
    not model instances: a company-wide login has ~100 teams and ~300 outlets in them."""

    q = forms.CharField(label=_("Search"), required=False)
    category = forms.ChoiceField(label=_("category"), required=False, widget=QuickSelect)
    status = forms.ChoiceField(label=_("status"), required=False, widget=QuickSelect)
    team = forms.TypedChoiceField(
        label=_("team"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    outlet = forms.TypedChoiceField(
        label=_("outlet"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _blank(Asset.Category.choices)
        self.fields["status"].choices = _blank(Asset.Status.choices)
        self.fields["team"].choices = _blank(visible(user, Team).order_by("code").values_list("pk", "name"))
        self.fields["outlet"].choices = _blank(
            visible(user, Outlet).order_by("branch_id", "name").values_list("pk", "name")
        )


class AssetForm(forms.ModelForm):
    """A register entry: ``quantity`` (the opening stock) only when registering."""

    quantity = forms.IntegerField(label=_("quantity"), min_value=1, initial=1)

    class Meta:
        model = Asset
        fields = [
            "branch",
            "category",
            "tag",
            "description",
            "spec",
            "by_quantity",
            "unit",
            "value",
            "acquired_on",
            "team",
            "outlet",
            "notes",
        ]
        widgets = {"acquired_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(
            ["branch", "category", "tag", "description", "spec", "by_quantity", "unit", "quantity"]
        )
        branches = visible(user, Branch, ASSET_KEEP).order_by("code")
        self.fields["branch"].queryset = branches
        self.fields["branch"].widget = QuickSelect(choices=self.fields["branch"].choices)
        self.fields["team"].queryset = Team.objects.filter(branch__in=branches).order_by("code")
        self.fields["outlet"].queryset = Outlet.objects.filter(branch__in=branches).order_by("name")
        self.fields["unit"].required = False
        if self.instance.pk:
            # Stock, outlet and "tracked by quantity" move only through the ledger.
            for name in ("branch", "by_quantity", "quantity", "outlet"):
                del self.fields[name]
        elif len(branches) == 1:
            self.initial.setdefault("branch", branches[0].pk)

    def validate_unique(self):
        # The service checks the tag in the branch (and names the field); see clean().
        pass

    def clean(self):
        data = super().clean()
        branch_id = self.instance.branch_id if self.instance.pk else getattr(data.get("branch"), "pk", None)
        tag = (data.get("tag") or "").strip()
        if branch_id and tag:
            taken = Asset.objects.filter(branch_id=branch_id, tag=tag).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("tag", _("This tag is already used in the branch."))
        if (
            "quantity" in self.fields
            and not data.get("by_quantity")
            and data.get("quantity") not in (None, 1)
        ):
            self.add_error(
                "quantity",
                _("A single item has a quantity of 1; tick “tracked by quantity” for consumables."),
            )
        return data


class MoveForm(forms.Form):
    """One ledger movement of an asset."""

    KINDS = [
        LedgerLine.Kind.ISSUE,
        LedgerLine.Kind.RETURN,
        LedgerLine.Kind.TRANSFER,
        LedgerLine.Kind.RECEIVE,
        LedgerLine.Kind.DISPATCH,
        LedgerLine.Kind.DISPOSE,
    ]

    kind = forms.ChoiceField(label=_("movement"))
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, initial=1)
    from_staff = PersonChoice(
        label=_("from person"),
        queryset=Staff.objects.none(),
        required=False,
        help_text=_("Empty: from the store."),
    )
    to_staff = PersonChoice(
        label=_("to person"),
        queryset=Staff.objects.none(),
        required=False,
        help_text=_("Empty: into the store."),
    )
    to_outlet = QuickModelChoice(
        label=_("to outlet"),
        queryset=Outlet.objects.none(),
        required=False,
        help_text=_("For a move between outlets."),
    )
    day = forms.DateField(label=_("date"), widget=DATE, required=False, help_text=_("Empty: today."))
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)

    def __init__(self, *args, asset: Asset, holders, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, k.label) for k in self.KINDS]
        self.fields["from_staff"].queryset = Staff.objects.filter(pk__in=holders).order_by("emp_no")
        self.fields["to_staff"].queryset = people
        self.fields["to_outlet"].queryset = Outlet.objects.filter(branch_id=asset.branch_id).order_by("name")
        if not asset.by_quantity:
            self.fields["quantity"].widget = forms.HiddenInput()


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("reason for the reversal"), max_length=200)


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Incident.Kind.choices)
    happened_on = forms.DateField(label=_("date"), widget=DATE)
    description = forms.CharField(label=_("what happened"), widget=forms.Textarea(attrs={"rows": 3}))
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, initial=1)
    lost_from = PersonChoice(
        label=_("lost while held by"),
        queryset=Staff.objects.none(),
        required=False,
        help_text=_("Loss or theft: who held the items (empty: worked out from the holdings)."),
    )
    responsible = PersonChoice(label=_("person responsible"), queryset=Staff.objects.none(), required=False)
    amount = forms.DecimalField(label=_("amount charged (¥)"), max_digits=18, decimal_places=2, initial=0)
    pay_month = MonthField(label=_("deducted in the pay of"), required=False)
    over_value_reason = forms.CharField(
        label=_("reason for charging more than the value"), max_length=300, required=False
    )

    def __init__(self, *args, asset: Asset, people, holders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = people
        self.fields["lost_from"].queryset = Staff.objects.filter(pk__in=holders).order_by("emp_no")
        if not asset.by_quantity:
            self.fields["quantity"].widget = forms.HiddenInput()


class ChargeForm(forms.Form):
    """Revise the charge of an incident returned for revision, or add one later."""

    responsible = PersonChoice(label=_("person responsible"), queryset=Staff.objects.none(), required=False)
    amount = forms.DecimalField(label=_("amount charged (¥)"), max_digits=18, decimal_places=2)
    pay_month = MonthField(label=_("deducted in the pay of"), required=False)
    over_value_reason = forms.CharField(
        label=_("reason for charging more than the value"), max_length=300, required=False
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = people


class LedgerFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("movement"), required=False, widget=QuickSelect)
    staff = PersonChoice(
        label=pgettext_lazy("ledger filter", "person"), queryset=Staff.objects.none(), required=False
    )
    start = forms.DateField(label=_("from"), widget=DATE, required=False)
    end = forms.DateField(label=_("until"), widget=DATE, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _blank(LedgerLine.Kind.choices)
        self.fields["staff"].queryset = (
            visible(user, Staff).exclude(status=Staff.Status.CANDIDATE).order_by("emp_no")
        )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date must not be before the start date."))
        return data


class IncidentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False, widget=QuickSelect)
    kind = forms.ChoiceField(label=_("kind"), required=False, widget=QuickSelect)
    pay_month = MonthField(label=_("deducted in the pay of"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _blank(Incident.Status.choices)
        self.fields["kind"].choices = _blank(Incident.Kind.choices)
