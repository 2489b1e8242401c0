"""Forms of the statistics page: the month and level picker, and finance's note or review."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brokerdesk.access import roles
from brokerdesk.access.scope import visible
from brokerdesk.org.models import Branch, Staff
from brokerdesk.performance.forms_import import MonthField
from brokerdesk.performance.selectors_stats import LEVEL_LABELS


class StatsFilterForm(forms.Form):
    month = MonthField(label=_("month"), required=False)
    level = forms.ChoiceField(label=_("by"), required=False, choices=list(LEVEL_LABELS.items()))


class NoteForm(forms.Form):
    month = MonthField(label=_("month"), widget=forms.HiddenInput)
    branch = forms.ModelChoiceField(label=_("branch"), queryset=Branch.objects.none(), empty_label=None)
    staff = forms.ModelChoiceField(
        label=_("client manager"),
        queryset=Staff.objects.none(),
        required=False,
        empty_label=_("The whole branch"),
    )
    text = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_review = forms.BooleanField(label=_("Mark the branch's month reviewed"), required=False)

    def __init__(self, *args, user, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = visible(user, Branch.objects.order_by("code"), roles.PAY_RUN)
        self.fields["staff"].queryset = staff if staff is not None else Staff.objects.none()
