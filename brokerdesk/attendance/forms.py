import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from brokerdesk.access import roles
from brokerdesk.access.scope import visible
from brokerdesk.attendance.models import LeaveType, Outing, PunchCorrection
from brokerdesk.org.models import Branch, Outlet, Staff, Team

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class LeaveForm(forms.Form):
    leave_type = forms.ModelChoiceField(label=_("leave type"), queryset=LeaveType.objects.all())
    starts_on = forms.DateField(label=_("from"), widget=DATE)
    ends_on = forms.DateField(label=_("until"), widget=DATE)
    reason = forms.CharField(label=_("reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(forms.Form):
    day = forms.DateField(label=_("date"), widget=DATE)
    kind = forms.ChoiceField(label=_("punch"), choices=PunchCorrection.Kind.choices)
    at = forms.TimeField(label=_("time"), widget=TIME)
    reason = forms.CharField(label=_("reason"), max_length=300)


class OutingForm(forms.Form):
    destination = forms.CharField(label=_("destination"), max_length=200)
    person_visited = forms.CharField(label=_("person visited"), max_length=60)
    contact = forms.CharField(label=_("contact"), max_length=60)
    purpose = forms.CharField(label=_("purpose"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    starts_at = forms.DateTimeField(label=_("leaves at"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label=_("back at"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])


class OutingCheckForm(forms.Form):
    check_result = forms.ChoiceField(
        label=_("check"), choices=[c for c in Outing.Check.choices if c[0]], widget=forms.RadioSelect
    )
    check_remark = forms.CharField(label=_("check remark"), max_length=300, required=False)


class PatrolForm(forms.Form):
    day = forms.DateField(label=_("date"), widget=DATE)
    outlet = forms.ModelChoiceField(label=_("outlet"), queryset=Outlet.objects.none())
    present = forms.ModelMultipleChoiceField(
        label=_("present"), queryset=Staff.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    findings = forms.CharField(label=_("findings"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outlet"].queryset = visible(user, Outlet)
        self.fields["present"].queryset = (
            visible(user, Staff, roles.OUTING_CHECK).exclude(status=Staff.Status.LEFT).order_by("emp_no")
        )
        self.initial.setdefault("day", dt.date.today())


class SheetForm(forms.Form):
    month = forms.DateField(label=_("month"), widget=MONTH, input_formats=["%Y-%m", "%Y-%m-%d"])
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none(), required=False)
    branch = forms.ModelChoiceField(label=_("branch"), queryset=Branch.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = visible(user, Team).order_by("code")
        self.fields["branch"].queryset = visible(user, Branch).order_by("code")

    def clean(self):
        data = super().clean()
        if not data.get("team") and not data.get("branch"):
            raise forms.ValidationError(_("Choose a team or a branch."))
        return data


class RecordForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("staff member"), queryset=Staff.objects.none())
    day = forms.DateField(label=_("date"), widget=DATE)
    check_in = forms.TimeField(label=_("check-in"), widget=TIME, required=False)
    check_out = forms.TimeField(label=_("check-out"), widget=TIME, required=False)
    note = forms.CharField(label=_("note"), max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            visible(user, Staff, roles.ATTENDANCE_RECORD).exclude(status=Staff.Status.LEFT).order_by("emp_no")
        )
