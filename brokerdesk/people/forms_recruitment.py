"""Forms of the recruitment pages. Choices are limited to what the user may write to; the
rules (documents checked, training result, probation dates…) live in the services and come
back as field errors."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from brokerdesk.access.roles import RECRUIT
from brokerdesk.access.scope import visible
from brokerdesk.core.widgets import QuickSelect
from brokerdesk.org.models import Branch, Level, Outlet, Staff, Team
from brokerdesk.people.models_recruitment import CANDIDATE_SLOTS, Candidate, CandidateDocument

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CandidateForm(forms.ModelForm):
    class Meta:
        model = Candidate
        fields = [
            "branch",
            "team",
            "position",
            "employment_type",
            "name",
            "gender",
            "mobile",
            "id_number",
            "education",
            "school",
            "major",
            "skills",
            "experience",
            "source",
            "source_note",
            "applied_on",
        ]
        widgets = {"applied_on": DATE_WIDGET, "experience": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        branches = visible(user, Branch, RECRUIT).order_by("code")
        self.fields["branch"].queryset = branches
        self.fields["team"].queryset = Team.objects.filter(
            branch__in=branches, status=Team.Status.ACTIVE
        ).order_by("code")
        if self.instance.pk:
            del self.fields["branch"]  # an application stays with the branch it was made to
            self.fields["team"].queryset = Team.objects.filter(branch_id=self.instance.branch_id)
        elif branches.count() == 1:
            self.fields["branch"].initial = branches.first()


class CandidateFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("Being considered or on probation"))]
        + list(Candidate.Status.choices)
        + [("all", _("All"))],
    )
    branch = forms.ModelChoiceField(
        label=_("branch"), queryset=Branch.objects.none(), required=False, widget=QuickSelect
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = visible(user, Branch).order_by("code")


class ReserveFilterForm(forms.Form):
    q = forms.CharField(label=_("name, pinyin or skills"), required=False)
    education = forms.ChoiceField(
        label=_("education"), required=False, choices=[("", "—"), *Candidate.Education.choices]
    )
    applied_from = forms.DateField(label=_("applied from"), required=False, widget=DATE_WIDGET)
    applied_to = forms.DateField(label=_("applied until"), required=False, widget=DATE_WIDGET)


class DocumentUploadForm(forms.Form):
    slot = forms.ChoiceField(label=_("document"), choices=CANDIDATE_SLOTS)
    file = forms.FileField(label=_("file"))


class DocumentCheckForm(forms.Form):
    document = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(
        label=_("authenticity"),
        choices=[
            (CandidateDocument.Check.AUTHENTIC, _("Authentic")),
            (CandidateDocument.Check.DOUBTFUL, _("Doubtful")),
        ],
    )
    note = forms.CharField(label=_("note"), required=False, max_length=200)


class EvaluationForm(forms.Form):
    evaluation_score = forms.DecimalField(
        label=_("evaluation score"),
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
    )
    evaluation_comment = forms.CharField(
        label=_("evaluation comments"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ProposeForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("hiring decision"), choices=Candidate.Decision.choices, widget=forms.RadioSelect
    )
    probation_starts_on = forms.DateField(label=_("probation starts on"), required=False, widget=DATE_WIDGET)
    probation_ends_on = forms.DateField(label=_("probation ends on"), required=False, widget=DATE_WIDGET)
    note = forms.CharField(label=_("reasons"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProbationForm(forms.Form):
    starts_on = forms.DateField(label=_("probation starts on"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("probation ends on"), widget=DATE_WIDGET)


class ProbationResultForm(forms.Form):
    result = forms.ChoiceField(
        label=_("probation result"),
        choices=[
            (Candidate.ProbationResult.PASSED, _("Passed")),
            (Candidate.ProbationResult.FAILED, _("Not passed")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("probation assessment"), widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("reason"), max_length=500)


class ConvertForm(forms.Form):
    emp_no = forms.CharField(label=_("employee number"), max_length=20)
    hired_on = forms.DateField(label=_("regular from"), widget=DATE_WIDGET)
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none(), required=False)
    outlet = forms.ModelChoiceField(label=_("outlet"), queryset=Outlet.objects.none(), required=False)
    regional_manager = forms.ModelChoiceField(
        label=_("regional manager"), queryset=Staff.objects.none(), required=False
    )
    level = forms.ModelChoiceField(label=_("level"), queryset=Level.objects.all(), required=False)
    contract_starts_on = forms.DateField(label=_("contract starts on"), widget=DATE_WIDGET)
    contract_ends_on = forms.DateField(label=_("contract ends on"), widget=DATE_WIDGET)
    signed_copy = forms.FileField(label=_("signed contract copy"), required=False)
    original_location = forms.CharField(
        label=_("where the original is kept"),
        max_length=120,
        required=False,
        help_text=_("E.g. cabinet A, folder 3."),
    )

    def __init__(self, *args, candidate: Candidate, **kwargs):
        super().__init__(*args, **kwargs)
        branch_id = candidate.branch_id
        self.fields["team"].queryset = Team.objects.filter(branch_id=branch_id).order_by("code")
        self.fields["outlet"].queryset = Outlet.objects.filter(branch_id=branch_id, is_active=True).order_by(
            "name"
        )
        self.fields["regional_manager"].queryset = Staff.objects.filter(
            branch_id=branch_id,
            position__in=[Staff.Position.REGIONAL_MANAGER, Staff.Position.TEAM_LEAD],
            status=Staff.Status.ACTIVE,
        ).order_by("emp_no")
