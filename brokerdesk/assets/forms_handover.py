"""Forms of the handover pages. Choices are limited to what the user may use; the rules
(who may confirm, where things may go) are the services', and come back as field errors."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from brokerdesk.access import roles
from brokerdesk.access.scope import visible
from brokerdesk.assets.models_handover import Handover, HandoverLine
from brokerdesk.core.widgets import QuickSelect
from brokerdesk.org.models import Branch, Outlet, Staff, Team

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WORKING = (Staff.Status.ACTIVE, Staff.Status.PROBATION)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.emp_no}）"


class HandoverStartForm(forms.Form):
    staff = StaffChoiceField(label=_("person"), queryset=Staff.objects.none(), widget=QuickSelect)
    kind = forms.ChoiceField(label=_("kind"), choices=Handover.Kind.choices, widget=forms.RadioSelect)
    effective_on = forms.DateField(label=_("effective on"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("reason"), max_length=200)
    to_branch = forms.ModelChoiceField(
        label=_("to branch"),
        queryset=Branch.objects.none(),
        required=False,
        help_text=_("For a transfer: where the person goes."),
    )
    to_team = forms.ModelChoiceField(label=_("to team"), queryset=Team.objects.none(), required=False)
    to_outlet = forms.ModelChoiceField(label=_("to outlet"), queryset=Outlet.objects.none(), required=False)
    to_regional_manager = StaffChoiceField(
        label=_("to regional manager"), queryset=Staff.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            visible(user, Staff, roles.HANDOVER)
            .filter(status__in=WORKING, branch__isnull=False)
            .order_by("emp_no")
        )
        # A transfer goes where the user may place people (org's own rule, checked again).
        self.fields["to_branch"].queryset = visible(user, Branch, roles.STAFF_CHANGE).order_by("code")
        self.fields["to_team"].queryset = visible(user, Team, roles.STAFF_CHANGE).order_by("code")
        self.fields["to_outlet"].queryset = visible(user, Outlet, roles.STAFF_CHANGE).order_by("name")
        self.fields["to_regional_manager"].queryset = (
            visible(user, Staff, roles.STAFF_CHANGE)
            .filter(
                status__in=WORKING,
                position__in=[Staff.Position.REGIONAL_MANAGER, Staff.Position.TEAM_LEAD],
            )
            .order_by("emp_no")
        )

    def clean(self):
        data = super().clean()
        if data.get("kind") == Handover.Kind.TRANSFER and not data.get("to_branch"):
            self.add_error("to_branch", _("Choose the branch the person moves to."))
        return data


class ColleagueField(forms.TypedChoiceField):
    """A colleague from a list the view loaded once (a page shows one form per line: a
    queryset per form would be a query per line)."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, empty_value=None, **kwargs)


class ColleagueForm(forms.Form):
    """Base of the line forms that name a colleague of the handover's branch."""

    receiver_field = "receiver"

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in colleagues}
        self.fields[self.receiver_field].choices = [("", "—")] + [
            (p.pk, f"{p.name}（{p.emp_no}）") for p in colleagues
        ]

    def clean(self):
        data = super().clean()
        pk = data.get(self.receiver_field)
        data[self.receiver_field] = self.people.get(pk) if pk else None
        return data


class AssignForm(ColleagueForm):
    disposition = forms.ChoiceField(
        label=_("handed over as"),
        choices=HandoverLine.Disposition.choices,
        widget=forms.RadioSelect,
        initial=HandoverLine.Disposition.PASS,
    )
    receiver = ColleagueField(label=pgettext_lazy("movement", "to"), required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("disposition") == HandoverLine.Disposition.PASS and not data.get("receiver"):
            self.add_error("receiver", _("Choose the colleague who takes it over."))
        return data


class PassForm(ColleagueForm):
    """A follow-up or a planned visit: the colleague who takes it over."""

    receiver = ColleagueField(label=pgettext_lazy("movement", "to"))
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class ConfirmForm(forms.Form):
    side = forms.ChoiceField(choices=[("giver", _("giver")), ("receiver", _("receiver"))])


class ReassignForm(ColleagueForm):
    receiver_field = "to"

    to = ColleagueField(label=_("new manager"))
    effective_on = forms.DateField(label=_("reassigned from"), widget=DATE_WIDGET)
    notified_on = forms.DateField(
        label=_("client notified on"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Leave empty if the client is told later."),
    )
    notified_how = forms.ChoiceField(
        label=_("client notified by"), choices=[("", "—"), *HandoverLine.Notified.choices], required=False
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class NotifiedForm(forms.Form):
    notified_on = forms.DateField(label=_("client notified on"), widget=DATE_WIDGET)
    notified_how = forms.ChoiceField(label=_("client notified by"), choices=HandoverLine.Notified.choices)


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("reason for cancelling"), max_length=200)


class HandoverFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.ChoiceField(
        label=_("status"), choices=[("", _("all")), *Handover.Status.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("kind"), choices=[("", _("all")), *Handover.Kind.choices], required=False
    )
