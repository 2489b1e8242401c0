"""Forms of the confirmation-form pages: the list's filters, filing the signed copy, voiding."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brokerdesk.access.scope import visible
from brokerdesk.clients.models import ConfirmationForm
from brokerdesk.core.widgets import MonthField, QuickSelect
from brokerdesk.org.models import Staff


class ManagerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Staff) -> str:
        return f"{obj.name}（{obj.emp_no}）"


class ConfirmationFilterForm(forms.Form):
    month = MonthField(required=False, label=_("month"))
    status = forms.ChoiceField(
        required=False, label=_("status"), choices=[("", _("All")), *ConfirmationForm.Status.choices]
    )
    manager = ManagerChoiceField(
        required=False,
        label=_("client manager"),
        queryset=Staff.objects.none(),
        widget=QuickSelect,
        empty_label=_("All"),
    )
    q = forms.CharField(required=False, label=_("serial number or client"), max_length=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = visible(user, Staff).order_by("branch_id", "emp_no")


class SignForm(forms.Form):
    signed_copy = forms.FileField(
        label=_("signed copy"),
        help_text=_("A scan or photo of the signed form: PDF, JPEG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/*"}),
    )


class VoidForm(forms.Form):
    void_reason = forms.CharField(label=_("reason for voiding"), max_length=200)


class BatchCloseForm(forms.Form):
    note = forms.CharField(label=_("note"), max_length=200, required=False)
