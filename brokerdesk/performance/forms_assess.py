"""Forms of the assessment pages: the list filters, generating a period, the lead's marks,
and the policy and checklist configuration. Services validate again; these shape input."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brokerdesk.access import roles
from brokerdesk.access.scope import visible
from brokerdesk.core.widgets import QuickSelect
from brokerdesk.org.models import Branch, Team
from brokerdesk.performance.models import Assessment, DutyItem

MONTHS = [(m, _("Month %(m)s") % {"m": m}) for m in range(1, 13)]
QUARTERS = [(q, _("Quarter %(q)s") % {"q": q}) for q in range(1, 5)]


ALL = _("all")


def _blank(choices, label=ALL):
    return [("", label), *choices]


class AssessmentFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("period"), choices=_blank(Assessment.Period.choices), required=False)
    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label=_("month"), choices=_blank(MONTHS), coerce=int, required=False, empty_value=None
    )
    team = forms.ModelChoiceField(
        label=_("team"), queryset=Team.objects.none(), required=False, widget=QuickSelect
    )
    status = forms.ChoiceField(label=_("status"), choices=_blank(Assessment.Status.choices), required=False)
    outcome = forms.ChoiceField(
        label=_("level result"),
        choices=_blank([c for c in Assessment.Outcome.choices if c[0]]),
        required=False,
    )
    q = forms.CharField(label=_("person"), required=False, max_length=40)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = visible(user, Team).only("pk", "code", "name").order_by("code")


class GenerateForm(forms.Form):
    """Which period of which branch (and, optionally, team) to score."""

    branch = forms.ModelChoiceField(label=_("branch"), queryset=Branch.objects.none())
    period = forms.ChoiceField(label=_("period"), choices=Assessment.Period.choices, initial="month")
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label=_("month"), choices=MONTHS, coerce=int, required=False, help_text=_("For a monthly assessment.")
    )
    quarter = forms.TypedChoiceField(
        label=_("quarter"),
        choices=QUARTERS,
        coerce=int,
        required=False,
        help_text=_("For a quarterly assessment."),
    )
    team = forms.ModelChoiceField(
        label=_("team"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("Empty: every team of the branch in your scope."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        branches = visible(user, Branch, roles.ASSESS).order_by("code")
        self.fields["branch"].queryset = branches
        if len(branches) == 1:
            self.fields["branch"].initial = branches[0].pk
        self.fields["team"].queryset = (
            visible(user, Team, roles.ASSESS).filter(status=Team.Status.ACTIVE).order_by("code")
        )
        today = timezone.localdate()
        last_month = today.replace(day=1) - dt.timedelta(days=1)
        self.fields["year"].initial = last_month.year
        self.fields["month"].initial = last_month.month
        self.fields["quarter"].initial = (today.month - 1) // 3 or 4  # the last quarter that is over

    def clean(self):
        data = super().clean()
        period, year = data.get("period"), data.get("year")
        if not period or not year:
            return data
        if period == Assessment.Period.MONTH:
            if not data.get("month"):
                self.add_error("month", _("Choose the month."))
                return data
            data["starts_on"] = dt.date(year, data["month"], 1)
        elif period == Assessment.Period.QUARTER:
            if not data.get("quarter"):
                self.add_error("quarter", _("Choose the quarter."))
                return data
            data["starts_on"] = dt.date(year, 3 * (data["quarter"] - 1) + 1, 1)
        else:
            data["starts_on"] = dt.date(year, 1, 1)
        return data


class LeadScoreForm(forms.Form):
    """The lead's mark on each lead item of the checklist, and comments."""

    comment = forms.CharField(
        label=_("lead's comments"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, items: list[dict], current: dict[int, object] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        self.items = items
        fields = {}
        for item in items:
            fields[f"score_{item['id']}"] = forms.DecimalField(
                label=item["name"],
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                initial=current.get(item["id"]),
                widget=forms.NumberInput(
                    attrs={"step": "0.01", "min": "0", "max": "100", "inputmode": "decimal"}
                ),
                error_messages={
                    "min_value": _("A score is from 0 to 100."),
                    "max_value": _("A score is from 0 to 100."),
                    "invalid": _("Enter a score from 0 to 100."),
                    "required": _("Enter a score from 0 to 100."),
                },
            )
        self.fields = {**fields, "comment": self.fields["comment"]}

    def scores(self) -> dict[int, object]:
        return {item["id"]: self.cleaned_data[f"score_{item['id']}"] for item in self.items}


def service_field(name: str, items: list[dict]) -> str:
    """Where a service's ``score`` error goes on this form."""
    if name == "score" and len(items) == 1:
        return f"score_{items[0]['id']}"
    return name


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=80)
    duty_weight = forms.DecimalField(label=_("duty weight"), min_value=0, max_value=100, decimal_places=2)
    performance_weight = forms.DecimalField(
        label=_("performance weight"), min_value=0, max_value=100, decimal_places=2
    )
    promote_from = forms.DecimalField(
        label=_("level up from score"), min_value=0, max_value=100, decimal_places=2
    )
    demote_below = forms.DecimalField(
        label=_("level down below score"), min_value=0, max_value=100, decimal_places=2
    )
    monthly_floor = forms.DecimalField(
        label=_("monthly performance floor"), min_value=0, max_value=100, decimal_places=2
    )
    floor_months = forms.IntegerField(
        label=_("consecutive months below the floor that force a level down"), min_value=1, max_value=12
    )


class DutyItemForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=80)
    code = forms.SlugField(label=_("code"), max_length=30)
    source = forms.ChoiceField(label=_("scored from"), choices=DutyItem.Source.choices)
    weight = forms.DecimalField(label=_("weight"), min_value=0, max_value=100, decimal_places=2)
    order = forms.IntegerField(label=_("order"), min_value=0, max_value=999, initial=0)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)
