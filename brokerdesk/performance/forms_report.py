"""Forms of the pay report pages: the run list's filters, finance's review note, the reason of a
correction, and the branch and month to compute."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brokerdesk.access.roles import PAY_RUN, PAY_VIEW
from brokerdesk.access.scope import visible
from brokerdesk.core.widgets import MonthField, QuickSelect
from brokerdesk.org.models import Branch
from brokerdesk.performance.models import PayRun
from brokerdesk.performance.services_report import REASON_MAX, REVIEW_NOTE_MAX


class RunFilterForm(forms.Form):
    month = MonthField(required=False, label=_("month"))
    branch = forms.ModelChoiceField(
        required=False,
        label=_("branch"),
        queryset=Branch.objects.none(),
        widget=QuickSelect,
        empty_label=_("All"),
    )
    status = forms.ChoiceField(
        required=False, label=_("status"), choices=[("", _("All")), *PayRun.Status.choices]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = visible(user, Branch, PAY_VIEW).order_by("code")


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("finance review note"),
        max_length=REVIEW_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was checked: figures, adjustments, totals against last month."),
    )


class CorrectForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for the correction"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ComputeForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("branch"), queryset=Branch.objects.none())
    month = MonthField(label=_("month"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        branches = visible(user, Branch, PAY_RUN).order_by("code")
        self.fields["branch"].queryset = branches
        if len(branches) == 1:
            self.fields["branch"].initial = branches[0].pk
