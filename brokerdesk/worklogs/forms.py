import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brokerdesk.access import roles
from brokerdesk.access.scope import visible
from brokerdesk.org.models import Team
from brokerdesk.worklogs.models import Result, WorkLog

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WorkLogForm(forms.ModelForm):
    """A day's log, on a phone: three boxes and a tick."""

    class Meta:
        model = WorkLog
        fields = ["day", "work_done", "clients_contacted", "visited", "tomorrow_plan"]
        widgets = {
            "day": DATE_WIDGET,
            "work_done": forms.Textarea(attrs={"rows": 5}),
            "clients_contacted": forms.Textarea(attrs={"rows": 3}),
            "tomorrow_plan": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].widget.attrs["max"] = timezone.localdate().isoformat()
        if self.instance.pk:
            self.fields["day"].disabled = True

    def validate_unique(self):
        # One log per person and day is the service's rule (a second log of a day edits the
        # first); the form's own check would only refuse it.
        pass


class SpotCheckForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("team"))
    period_start = forms.DateField(label=_("logs from"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("logs until"), widget=DATE_WIDGET)
    how = forms.ChoiceField(
        label=_("sample by"),
        choices=[("size", _("Number of logs")), ("percent", _("Percentage of logs"))],
        widget=forms.RadioSelect,
        initial="size",
    )
    size = forms.IntegerField(label=_("number of logs"), min_value=1, max_value=500, required=False)
    percent = forms.IntegerField(label=_("percentage of logs"), min_value=1, max_value=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = visible(user, Team, roles.SPOTCHECK).select_related("branch").order_by("code")
        self.fields["team"].queryset = teams
        today = timezone.localdate()
        self.initial.setdefault("period_start", today - dt.timedelta(days=13))
        self.initial.setdefault("period_end", today)
        self.initial.setdefault("size", 5)
        if len(teams) == 1:
            self.initial.setdefault("team", teams[0])

    def clean(self):
        data = super().clean()
        how = data.get("how")
        if how == "size" and data.get("size") is None and "size" not in self.errors:
            self.add_error("size", _("Say how many logs to draw."))
        if how == "percent" and data.get("percent") is None and "percent" not in self.errors:
            self.add_error("percent", _("Say what percentage of the logs to draw."))
        return data

    def sample(self) -> dict:
        """size or percent, whichever was chosen."""
        how = self.cleaned_data["how"]
        return (
            {"size": self.cleaned_data["size"]}
            if how == "size"
            else {"percent": self.cleaned_data["percent"]}
        )


class RecordForm(forms.Form):
    result = forms.ChoiceField(label=_("result"), choices=Result.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("check comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class LogFilterForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label=_("team"))
    start = forms.DateField(required=False, label=_("from"), widget=DATE_WIDGET)
    end = forms.DateField(required=False, label=_("until"), widget=DATE_WIDGET)
    checked = forms.ChoiceField(
        required=False,
        label=_("spot-checked"),
        choices=[("", "—"), ("yes", _("Drawn for a check")), ("no", _("Not drawn"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = visible(user, Team).order_by("code")
