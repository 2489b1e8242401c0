"""The pay scheme form: the scheme's own values, its commission brackets and its base pay by
level and employment type as two row sets. Bracket rows are checked here with the same pure
rule the service applies, so each error sits next to the field it is about."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brokerdesk.access import roles
from brokerdesk.access.scope import visible
from brokerdesk.core.widgets import MonthField
from brokerdesk.org.models import Branch, Level, Staff, Team
from brokerdesk.performance import rules_pay
from brokerdesk.performance.models import PayScheme
from brokerdesk.performance.services_schemes import SCALARS

SHARE_HELP = _("A share from 0 to 1: 0.10 means ten per cent.")


class SchemeForm(forms.ModelForm):
    effective_from = MonthField(label=_("in force from (month)"))

    class Meta:
        model = PayScheme
        fields = ["branch", *SCALARS]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        branches = visible(user, Branch, roles.PAY_SCHEME).order_by("code")
        self.fields["branch"].queryset = branches
        self.fields["team"].queryset = Team.objects.filter(branch__in=branches).order_by("code")
        self.fields["team"].help_text = _("Empty: every team of the branch without its own scheme.")
        if self.instance.pk:
            self.fields["branch"].disabled = True
        elif branches.count() == 1:
            self.initial.setdefault("branch", branches.first().pk)
        for name in ("low_performance_factor", "asset_rate", "override_rate", "holdback_rate"):
            self.fields[name].help_text = SHARE_HELP

    def clean(self):
        data = super().clean()
        team, branch = data.get("team"), data.get("branch")
        if team and branch and team.branch_id != branch.pk:
            self.add_error("team", _("This team belongs to another branch."))
        return data


class BracketForm(forms.Form):
    lower = forms.DecimalField(label=_("revenue from (¥)"), max_digits=18, decimal_places=2, required=False)
    upper = forms.DecimalField(
        label=_("up to (¥, empty = no limit)"), max_digits=18, decimal_places=2, required=False
    )
    rate = forms.DecimalField(label=_("rate"), max_digits=9, decimal_places=6, required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return all(data.get(k) is None for k in ("lower", "upper", "rate"))


class BaseBracketFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        return [
            {
                "lower": f.cleaned_data.get("lower"),
                "upper": f.cleaned_data.get("upper"),
                "rate": f.cleaned_data.get("rate"),
            }
            for f in self.forms
            if f.cleaned_data and not f.is_blank()
        ]

    def clean(self):
        if any(f.errors for f in self.forms):
            return
        filled = [f for f in self.forms if f.cleaned_data and not f.is_blank()]
        rows = [
            {
                "lower": f.cleaned_data.get("lower"),
                "upper": f.cleaned_data.get("upper"),
                "rate": f.cleaned_data.get("rate"),
            }
            for f in filled
        ]
        problems = rules_pay.bracket_errors(rows)
        for index, field, message in problems:
            if index is None:
                raise forms.ValidationError(message)
            filled[index].add_error(field or None, message)


BracketFormSet = forms.formset_factory(BracketForm, formset=BaseBracketFormSet, extra=3, max_num=20)


class BasePayForm(forms.Form):
    level = forms.ModelChoiceField(queryset=Level.objects.order_by("rank"), label=_("level"), required=False)
    employment_type = forms.ChoiceField(
        label=_("employment type"), choices=Staff.EmploymentType.choices, initial="full_time"
    )
    amount = forms.DecimalField(
        label=_("monthly base pay (¥)"),
        max_digits=18,
        decimal_places=2,
        min_value=0,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("amount") is not None and not data.get("level") and "level" not in self.errors:
            self.add_error("level", _("Choose a level."))
        return data


class BaseBasePayFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        return [
            {
                "level": f.cleaned_data["level"],
                "employment_type": f.cleaned_data["employment_type"],
                "amount": f.cleaned_data["amount"],
            }
            for f in self.forms
            if f.cleaned_data and f.cleaned_data.get("level") and f.cleaned_data.get("amount") is not None
        ]

    def clean(self):
        if any(f.errors for f in self.forms):
            return
        seen = {}
        for f in self.forms:
            data = f.cleaned_data or {}
            if not data.get("level") or data.get("amount") is None:
                continue
            key = (data["level"].pk, data["employment_type"])
            if key in seen:
                f.add_error("level", _("This level and employment type already have a base pay above."))
            seen[key] = f


BasePayFormSet = forms.formset_factory(BasePayForm, formset=BaseBasePayFormSet, extra=2, max_num=40)


def bracket_formset(data=None, *, scheme: PayScheme | None = None):
    initial = None
    if scheme is not None and scheme.pk:
        initial = [
            {"lower": b.lower, "upper": b.upper, "rate": b.rate} for b in scheme.brackets.order_by("lower")
        ]
    return BracketFormSet(data, initial=initial, prefix="brackets")


def base_pay_formset(data=None, *, scheme: PayScheme | None = None):
    if scheme is not None and scheme.pk:
        initial = [
            {"level": b.level_id, "employment_type": b.employment_type, "amount": b.amount}
            for b in scheme.base_pays.select_related("level").order_by("employment_type", "level__rank")
        ]
    else:
        initial = [
            {"level": level.pk, "employment_type": "full_time"} for level in Level.objects.order_by("rank")
        ]
    return BasePayFormSet(data, initial=initial, prefix="base")


class SchemeFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All")), *PayScheme.Status.choices]
    )
