"""Forms of the inquiry pages: recording a call on a phone, passing it on, answering it, and
the account details of a caller who opened an account."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brokerdesk.clients import services_inquiries as svc
from brokerdesk.clients.models import Client, Inquiry
from brokerdesk.core.validators import validate_mobile
from brokerdesk.org.models import Outlet, Staff

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Staff) -> str:
        return f"{obj.name}（{obj.emp_no}）"


class InquiryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"), choices=Inquiry.Kind.choices, widget=forms.RadioSelect, initial=Inquiry.Kind.CALL
    )
    caller_name = forms.CharField(label=_("caller"), max_length=100)
    mobile = forms.CharField(
        label=_("caller's phone"),
        max_length=11,
        validators=[validate_mobile],
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "off"}),
    )
    topic = forms.CharField(label=_("about"), max_length=200)
    details = forms.CharField(label=_("details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    important = forms.BooleanField(
        label=_("important"),
        required=False,
        help_text=_("An important matter must be acknowledged by the person it is passed on to."),
    )
    assigned_to = StaffChoiceField(label=_("passed on to"), queryset=Staff.objects.none())
    received_at = forms.DateTimeField(
        label=_("received at"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    appointment_at = forms.DateTimeField(
        label=_("appointment at"), required=False, widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    appointment_outlet = forms.ModelChoiceField(
        label=_("at outlet"), required=False, queryset=Outlet.objects.none()
    )

    def __init__(self, *args, me: Staff | None, **kwargs):
        super().__init__(*args, **kwargs)
        branch_id = me.branch_id if me else None
        self.fields["assigned_to"].queryset = svc.assignees_for(branch_id)
        self.fields["appointment_outlet"].queryset = Outlet.objects.filter(branch_id=branch_id).order_by(
            "name"
        )
        self.initial.setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))
        if me is not None:
            self.initial.setdefault("assigned_to", me.pk)


class PassOnForm(forms.Form):
    to = StaffChoiceField(label=_("pass on to"), queryset=Staff.objects.none())
    note = forms.CharField(label=_("note"), required=False, max_length=500)

    def __init__(self, *args, inquiry: Inquiry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = svc.assignees_for(inquiry.branch_id).exclude(pk=inquiry.assigned_to_id)


class AnswerForm(forms.Form):
    outcome = forms.CharField(label=_("what the caller was told"), widget=forms.Textarea(attrs={"rows": 3}))


class LostForm(forms.Form):
    reason = forms.CharField(label=_("why no account was opened"), max_length=500)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}))


class ConvertForm(forms.Form):
    """The account the caller opened: what the client record needs beyond the inquiry."""

    client_no = forms.CharField(
        label=_("client number"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=Client.Kind.choices, initial=Client.Kind.INDIVIDUAL)
    id_number = forms.CharField(label=_("ID number or credit code"), max_length=18)
    mobile = forms.CharField(
        label=_("phone"), max_length=11, widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"})
    )
    opened_on = forms.DateField(label=_("account opened on"), widget=DATE_WIDGET)
    source_outlet = forms.ModelChoiceField(label=_("outlet"), required=False, queryset=Outlet.objects.none())
    address = forms.CharField(label=_("address"), max_length=200, required=False)

    def __init__(self, *args, inquiry: Inquiry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_outlet"].queryset = Outlet.objects.filter(branch_id=inquiry.branch_id).order_by(
            "name"
        )
        self.initial.setdefault("name", inquiry.caller_name)
        self.initial.setdefault("mobile", inquiry.mobile)
        self.initial.setdefault("opened_on", timezone.localdate())
        if inquiry.appointment_outlet_id:
            self.initial.setdefault("source_outlet", inquiry.appointment_outlet_id)


class InquiryFilterForm(forms.Form):
    TABS = [
        ("mine", _("Passed on to me")),
        ("received", _("Received by me")),
        ("all", _("All in my scope")),
    ]
    tab = forms.ChoiceField(required=False, choices=TABS, widget=forms.HiddenInput)
    status = forms.ChoiceField(
        required=False, label=_("status"), choices=[("", _("All")), *Inquiry.Status.choices]
    )
    kind = forms.ChoiceField(required=False, label=_("kind"), choices=[("", _("All")), *Inquiry.Kind.choices])
    important = forms.BooleanField(required=False, label=_("important only"))
    late = forms.BooleanField(required=False, label=_("late only"))
