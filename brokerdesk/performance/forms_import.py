"""Forms of the CRM import pages: the upload, the explicit acceptance of the good rows, and the
month field the statistics pages share."""

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from brokerdesk.access import roles
from brokerdesk.access.scope import EVERYTHING, scope_filter, visible
from brokerdesk.org.models import Branch
from brokerdesk.performance.models import CrmImport

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-\d{1,2})?\s*$")


def parse_month_text(value) -> dt.date | None:
    """ "2026-10" (what <input type=month> sends, also 2026-10-01) as the month's first day."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    m = _MONTH.match(str(value or ""))
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


class MonthInput(forms.TextInput):
    input_type = "month"

    def format_value(self, value):
        if isinstance(value, dt.date):
            return f"{value:%Y-%m}"
        return super().format_value(value)


class MonthField(forms.Field):
    widget = MonthInput
    default_error_messages = {"invalid": _("Enter a month such as 2026-10.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        month = parse_month_text(value)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class ImportForm(forms.Form):
    month = MonthField(label=_("month"))
    branch = forms.ModelChoiceField(label=_("branch"), queryset=Branch.objects.none(), required=False)
    file = forms.FileField(
        label=_("CRM file"),
        help_text=_(
            "CSV (UTF-8 or GBK) or Excel .xlsx in the documented format; the first row is the header."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    accept_good_rows = forms.BooleanField(
        label=_("Import the good rows even if some rows are bad"),
        required=False,
        help_text=_("Leave it off to import nothing until the file is clean."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        branches = visible(user, Branch.objects.order_by("code"), roles.PAY_RUN)
        self.company = scope_filter(user, Branch, roles.PAY_RUN) == EVERYTHING
        self.fields["branch"].queryset = branches
        if self.company:
            self.fields["branch"].empty_label = _("The whole firm (every branch in the file)")
        else:
            self.fields["branch"].empty_label = None
            only = list(branches[:2])
            self.only_branch = only[0] if len(only) == 1 else None
            if self.only_branch:
                self.fields["branch"].initial = self.only_branch.pk
            else:
                self.fields["branch"].required = True

    def clean_branch(self):
        branch = self.cleaned_data.get("branch")
        if branch is None and not self.company:
            branch = getattr(self, "only_branch", None)
            if branch is None:
                raise forms.ValidationError(_("Choose the branch."))
        return branch


class AcceptForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have read the bad rows and want to import only the good rows"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class ImportFilterForm(forms.Form):
    month = MonthField(label=_("month"), required=False)
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All")), *CrmImport.Status.choices]
    )
