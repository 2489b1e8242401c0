"""Forms of the pay pages: a manual adjustment (with its reason) and the month filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brokerdesk.access import roles
from brokerdesk.access.scope import visible
from brokerdesk.core.widgets import MonthField
from brokerdesk.org.models import Branch, Staff


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.emp_no}）"


class AdjustmentForm(forms.Form):
    branch = forms.ModelChoiceField(queryset=Branch.objects.none(), label=_("branch"))
    month = MonthField(label=_("month"))
    staff = PersonChoice(queryset=Staff.objects.none(), label=_("person"))
    amount = forms.DecimalField(
        label=_("amount (¥)"),
        max_digits=18,
        decimal_places=2,
        help_text=_("Negative to take money back."),
    )
    reason = forms.CharField(label=_("reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        branches = visible(user, Branch, roles.PAY_RUN).order_by("code")
        self.fields["branch"].queryset = branches
        self.fields["staff"].queryset = (
            Staff.objects.filter(branch__in=branches)
            .exclude(status=Staff.Status.CANDIDATE)
            .order_by("emp_no")
        )
        if branches.count() == 1:
            self.initial.setdefault("branch", branches.first().pk)


class MonthFilterForm(forms.Form):
    month = MonthField(label=_("month"), required=False)
