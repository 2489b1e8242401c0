"""The meeting form, made for a phone: the date and chair, one box per agenda part, a checklist
of the team's members (everyone present until unticked) and a few decision rows."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brokerdesk.access.scope import visible
from brokerdesk.meetings import rules, selectors
from brokerdesk.meetings.models import Meeting
from brokerdesk.org.models import Team

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DECISION_ROWS = 3


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class MemberChecklist(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("held on"), widget=DATE_WIDGET)
    chair = MemberChoice(queryset=None, label=_("chaired by"))
    attendance = MemberChecklist(
        queryset=None,
        required=False,
        label=_("attended"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checklist"}),
        help_text=_("Untick whoever was absent."),
    )

    def __init__(self, *args, team: Team, kind: str, meeting: Meeting | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.team, self.kind, self.meeting = team, kind, meeting
        self.members = list(selectors.team_members(team))
        members = selectors.team_members(team)
        self.fields["chair"].queryset = members
        self.fields["attendance"].queryset = members
        self.fields["held_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        for code, label in rules.AGENDA[kind]:
            self.fields[f"minutes_{code}"] = forms.CharField(
                label=label, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
            )
        if meeting is None:
            self.initial.setdefault("held_on", timezone.localdate())
            lead = next((m for m in self.members if m.pk == team.lead_id), None)
            if lead is not None:
                self.initial.setdefault("chair", lead.pk)
            self.initial.setdefault("attendance", [m.pk for m in self.members])
        else:
            self.fields["held_on"].disabled = True
            self.initial.update(
                held_on=meeting.held_on,
                chair=meeting.chair_id,
                attendance=[a.staff_id for a in meeting.attendance.all() if a.present],
            )
            for code, _label, text in meeting.minutes_parts():
                self.initial[f"minutes_{code}"] = text

    def minutes_fields(self):
        return [self[f"minutes_{code}"] for code in rules.agenda_codes(self.kind)]

    def minutes(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"minutes_{code}", "") for code in rules.agenda_codes(self.kind)}

    def attendance_rows(self) -> list[dict]:
        present = {s.pk for s in self.cleaned_data.get("attendance") or []}
        return [{"staff": m.pk, "present": m.pk in present} for m in self.members]


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("resolution"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    owner = MemberChoice(queryset=None, label=_("owner"), required=False)
    due_on = forms.DateField(label=_("due on"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members

    def clean(self):
        data = super().clean()
        if data.get("text") and not data.get("owner") and "owner" not in self.errors:
            self.add_error("owner", _("Say who carries out this decision."))
        if data.get("owner") and not data.get("text") and "text" not in self.errors:
            self.add_error("text", _("Write the decision."))
        return data


class BaseDecisionFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        return [
            {
                "text": f.cleaned_data.get("text", ""),
                "owner": f.cleaned_data.get("owner"),
                "due_on": f.cleaned_data.get("due_on"),
            }
            for f in self.forms
            if f.cleaned_data
        ]


DecisionFormSet = forms.formset_factory(
    DecisionForm, formset=BaseDecisionFormSet, extra=DECISION_ROWS, max_num=30
)


def decision_formset(data=None, *, team: Team, meeting: Meeting | None = None):
    initial = (
        [{"text": d.text, "owner": d.owner_id, "due_on": d.due_on} for d in meeting.decisions.all()]
        if meeting is not None
        else None
    )
    return DecisionFormSet(
        data, initial=initial, prefix="decisions", form_kwargs={"members": selectors.team_members(team)}
    )


class PickForm(forms.Form):
    """Which team and which kind of meeting to record (when the user may record several teams)."""

    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("team"))
    kind = forms.ChoiceField(label=_("kind of meeting"), choices=Meeting.Kind.choices, initial=rules.MORNING)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class MeetingFilterForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label=_("team"))
    kind = forms.ChoiceField(
        required=False, label=_("kind of meeting"), choices=[("", "—"), *Meeting.Kind.choices]
    )
    start = forms.DateField(required=False, label=_("from"), widget=DATE_WIDGET)
    end = forms.DateField(required=False, label=_("until"), widget=DATE_WIDGET)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = visible(user, Team).order_by("code")
