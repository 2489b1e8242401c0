"""Forms of the training archive pages (第二十四条). Choices are limited to the places the user
organises training for; the rules come back from the services as field errors."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from brokerdesk.access.roles import RECRUIT, TRAINING_RECORD
from brokerdesk.access.scope import visible
from brokerdesk.core.widgets import QuickSelect
from brokerdesk.org.models import Branch, Staff, Team
from brokerdesk.people.models_recruitment import Candidate
from brokerdesk.people.models_training import TrainingAttendance, TrainingProgramme, TrainingSession

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _organised_branches(user):
    return visible(user, Branch, TRAINING_RECORD).order_by("code")


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = TrainingProgramme
        fields = ["branch", "title", "category", "organiser", "pass_score", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = _organised_branches(user)


class SessionForm(forms.ModelForm):
    starts_at = forms.DateTimeField(
        label=_("starts at"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(label=_("ends at"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS)

    class Meta:
        model = TrainingSession
        fields = [
            "programme",
            "branch",
            "team",
            "starts_at",
            "ends_at",
            "place",
            "content",
            "trainer",
            "trainer_name",
            "hours",
        ]
        widgets = {"content": forms.Textarea(attrs={"rows": 3}), "trainer": QuickSelect}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        branches = _organised_branches(user)
        self.fields["programme"].queryset = (
            visible(user, TrainingProgramme).filter(is_active=True).order_by("title")
        )
        self.fields["branch"].queryset = branches
        self.fields["team"].queryset = visible(user, Team).order_by("code")
        self.fields["trainer"].queryset = (
            visible(user, Staff).exclude(status=Staff.Status.LEFT).select_related("branch").order_by("emp_no")
        )
        if branches.count() == 1 and not self.instance.pk:
            self.fields["branch"].initial = branches.first()


class SessionFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    category = forms.ChoiceField(
        label=_("category"), required=False, choices=[("", "—"), *TrainingProgramme.Category.choices]
    )
    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100)


class AttendeesForm(forms.Form):
    staff = forms.ModelMultipleChoiceField(
        label=_("staff"),
        queryset=Staff.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    candidates = forms.ModelMultipleChoiceField(
        label=_("candidates"),
        queryset=Candidate.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(self, *args, user, session: TrainingSession, **kwargs):
        super().__init__(*args, **kwargs)
        staff = visible(user, Staff).exclude(status=Staff.Status.LEFT).order_by("emp_no")
        if session.branch_id:
            staff = staff.filter(branch_id=session.branch_id)
        if session.team_id:
            staff = staff.filter(team_id=session.team_id)
        self.fields["staff"].queryset = staff
        candidates = (
            visible(user, Candidate, RECRUIT).filter(status=Candidate.Status.APPLIED).order_by("name")
        )
        if session.branch_id:
            candidates = candidates.filter(branch_id=session.branch_id)
        self.fields["candidates"].queryset = candidates
        if not candidates.exists():
            del self.fields["candidates"]


class ResultRowForm(forms.Form):
    attendance = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(
        label=_("assessment result"),
        required=False,
        choices=[("", _("by the pass mark")), *TrainingAttendance.Result.choices[1:]],
    )
    score = forms.DecimalField(
        label=_("score"),
        required=False,
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    comment = forms.CharField(label=_("comment"), required=False, max_length=300)


ResultFormSet = forms.formset_factory(ResultRowForm, extra=0)


class RecordFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    result = forms.ChoiceField(
        label=_("assessment result"), required=False, choices=[("", "—"), *TrainingAttendance.Result.choices]
    )
