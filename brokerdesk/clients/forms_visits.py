"""Forms of the visits area: plan or log a visit (on a phone), complete a planned one, verify,
raise and follow up matters, and the list filters."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brokerdesk.access.scope import visible
from brokerdesk.clients.models import Client, FollowUp, Visit
from brokerdesk.clients.services_visits import departments_for
from brokerdesk.core.widgets import MonthField
from brokerdesk.org.models import Department, Staff

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(rows: int = 3):
    return forms.Textarea(attrs={"rows": rows})


CLIENT_SELECT_MAX = 200  # more clients in scope than this: type the client number instead


class VisitForm(forms.Form):
    """Plan a visit ahead, or log one that took place."""

    MODES = [("log", _("Log a visit done")), ("plan", _("Plan ahead"))]

    mode = forms.ChoiceField(
        label=_("what to record"), choices=MODES, widget=forms.RadioSelect, initial="log"
    )
    client = forms.ModelChoiceField(queryset=Client.objects.none(), label=_("client"))
    planned_on = forms.DateField(label=_("planned for"), required=False, widget=DATE_WIDGET)
    visited_on = forms.DateField(label=_("visited on"), required=False, widget=DATE_WIDGET)
    form = forms.ChoiceField(label=_("form"), choices=Visit.Form.choices, initial=Visit.Form.ON_SITE)
    purpose = forms.CharField(label=_("purpose"), max_length=200, required=False)
    content = forms.CharField(label=_("what was discussed"), required=False, widget=_text(4))
    opinions = forms.CharField(label=_("client's opinions"), required=False, widget=_text(2))
    suggestions = forms.CharField(label=_("client's suggestions"), required=False, widget=_text(2))
    difficulties = forms.CharField(label=_("client's difficulties"), required=False, widget=_text(2))
    visitors = forms.ModelMultipleChoiceField(
        queryset=Staff.objects.none(),
        label=_("other visitors"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    acknowledge_overlap = forms.BooleanField(label=_("I know; save anyway"), required=False)

    def __init__(self, *args, user, me: Staff | None, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        clients = visible(user, Client).filter(status=Client.Status.ACTIVE)
        field = self.fields["client"]
        if clients[: CLIENT_SELECT_MAX + 1].count() > CLIENT_SELECT_MAX:
            # A team, a branch or more: a drop-down of thousands of clients helps nobody and
            # costs the page; the client number is typed instead (a client's page fills it in).
            field.queryset = clients
            field.to_field_name = "client_no"
            field.widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
            field.help_text = _("The client number (客户号).")
            field.error_messages["invalid_choice"] = _("No client with this number is in your scope.")
            chosen = self.initial.get("client")
            if isinstance(chosen, Client):
                self.initial["client"] = chosen.client_no
        else:
            field.queryset = clients.only("pk", "name", "client_no").order_by("name")
            field.label_from_instance = lambda c: f"{c.name}（{c.client_no}）"
        self.fields["visitors"].queryset = (
            Staff.objects.filter(
                branch_id=me.branch_id, status__in=[Staff.Status.ACTIVE, Staff.Status.PROBATION]
            )
            .exclude(pk=me.pk)
            .only("pk", "name", "emp_no")
            .order_by("emp_no")
            if me is not None
            else Staff.objects.none()
        )
        self.fields["visited_on"].widget.attrs["max"] = today.isoformat()
        self.fields["planned_on"].widget.attrs["min"] = today.isoformat()
        self.initial.setdefault("visited_on", today)
        self.initial.setdefault("planned_on", today + dt.timedelta(days=1))

    def clean(self):
        data = super().clean()
        if data.get("mode") == "plan":
            if not data.get("planned_on") and "planned_on" not in self.errors:
                self.add_error("planned_on", _("Give the day of the planned visit."))
        elif data.get("mode") == "log":
            if not data.get("visited_on") and "visited_on" not in self.errors:
                self.add_error("visited_on", _("Give the day of the visit."))
            elif data.get("visited_on") and data["visited_on"] > timezone.localdate():
                self.add_error("visited_on", _("A visit cannot be logged for a day in the future."))
            if not (data.get("content") or "").strip():
                self.add_error("content", _("Write what was discussed."))
        return data


class CompleteForm(forms.Form):
    """Log what happened on a planned visit."""

    visited_on = forms.DateField(label=_("visited on"), widget=DATE_WIDGET)
    form = forms.ChoiceField(label=_("form"), choices=Visit.Form.choices)
    content = forms.CharField(label=_("what was discussed"), widget=_text(4))
    opinions = forms.CharField(label=_("client's opinions"), required=False, widget=_text(2))
    suggestions = forms.CharField(label=_("client's suggestions"), required=False, widget=_text(2))
    difficulties = forms.CharField(label=_("client's difficulties"), required=False, widget=_text(2))
    acknowledge_overlap = forms.BooleanField(label=_("I know; save anyway"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class VisitEditForm(forms.Form):
    """Correct a visit's record (its author, until it is verified)."""

    form = forms.ChoiceField(label=_("form"), choices=Visit.Form.choices)
    purpose = forms.CharField(label=_("purpose"), max_length=200, required=False)
    content = forms.CharField(label=_("what was discussed"), required=False, widget=_text(4))
    opinions = forms.CharField(label=_("client's opinions"), required=False, widget=_text(2))
    suggestions = forms.CharField(label=_("client's suggestions"), required=False, widget=_text(2))
    difficulties = forms.CharField(label=_("client's difficulties"), required=False, widget=_text(2))

    def __init__(self, *args, visit: Visit, **kwargs):
        super().__init__(*args, **kwargs)
        if visit.status != Visit.Status.DONE:
            for name in ("content", "opinions", "suggestions", "difficulties"):
                del self.fields[name]


class VerifyForm(forms.Form):
    opinion = forms.CharField(label=_("head's opinion"), widget=_text(2), max_length=2000)


class RaiseForm(forms.Form):
    """A matter raised on a visit (督办)."""

    category = forms.ChoiceField(label=_("category"), choices=FollowUp.Category.choices)
    matter = forms.CharField(label=_("matter raised"), widget=_text(3))
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(), label=_("responsible department"), required=False
    )
    due_on = forms.DateField(label=_("due on"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_for(client)
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()


class SendForm(forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.none(), label=_("responsible department"))
    note = forms.CharField(label=_("note"), required=False, max_length=1000)

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_for(client)


class ChaseForm(forms.Form):
    note = forms.CharField(label=_("what you asked"), widget=_text(2))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("the department's result"), widget=_text(3))


class CloseForm(forms.Form):
    informed_on = forms.DateField(label=_("client told on"), required=False, widget=DATE_WIDGET)
    informed_how = forms.ChoiceField(
        label=_("client told by"), choices=[("", "—"), *FollowUp.InformedHow.choices], required=False
    )
    informed_note = forms.CharField(label=_("what the client was told"), required=False, widget=_text(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["informed_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class ReopenForm(forms.Form):
    note = forms.CharField(label=_("why it is reopened"), widget=_text(2))


class VisitFilterForm(forms.Form):
    month = MonthField(label=_("month"), required=False)
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All")), *Visit.Status.choices]
    )
    form = forms.ChoiceField(label=_("form"), required=False, choices=[("", _("All")), *Visit.Form.choices])
    verified = forms.ChoiceField(
        label=_("verified"),
        required=False,
        choices=[("", _("All")), ("yes", _("Verified")), ("no", _("Not yet verified"))],
    )
    client = forms.CharField(label=_("client"), required=False, max_length=40)


class FollowUpFilterForm(forms.Form):
    STATUSES = [
        ("", _("All")),
        ("active", _("Not closed")),
        ("overdue", _("Overdue")),
        *FollowUp.Status.choices,
    ]
    status = forms.ChoiceField(label=_("status"), required=False, choices=STATUSES)
    category = forms.ChoiceField(
        label=_("category"), required=False, choices=[("", _("All")), *FollowUp.Category.choices]
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(),
        label=_("responsible department"),
        required=False,
        empty_label=_("All"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = visible(user, Department).select_related("branch")


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("from"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=_("until"), required=False, widget=DATE_WIDGET)
