import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from brokerdesk.access import roles
from brokerdesk.access.scope import visible
from brokerdesk.core.files import validate_document
from brokerdesk.org.models import Branch, Staff, Team
from brokerdesk.planning.models import AnnualPlan, CorrectiveAction, TeamStandard

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH_WIDGET = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class PlanForm(forms.ModelForm):
    class Meta:
        model = AnnualPlan
        fields = [
            "team",
            "year",
            "kind",
            "split_by",
            "target_new_accounts",
            "target_asset_growth",
            "target_net_revenue",
            "target_product_sales",
            "marketing_plan",
            "partner_bank",
            "bank_cooperation_plan",
            "attachment",
        ]
        widgets = {
            "marketing_plan": forms.Textarea(attrs={"rows": 5}),
            "bank_cooperation_plan": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = visible(user, Team, roles.PLAN_CHANGE).select_related("branch")
        if self.instance.pk:
            self.fields["team"].disabled = True
            self.fields["year"].disabled = True
        else:
            self.initial.setdefault("year", dt.date.today().year + (1 if dt.date.today().month >= 11 else 0))

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload and hasattr(upload, "content_type"):
            validate_document(upload)
        return upload


class StandardForm(forms.ModelForm):
    class Meta:
        model = TeamStandard
        fields = ["team", "title", "content", "attachment"]
        widgets = {"content": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = visible(user, Team, roles.PLAN_CHANGE)

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload and hasattr(upload, "content_type"):
            validate_document(upload)
        return upload


class ReviewForm(forms.Form):
    held_on = forms.DateField(label=_("held on"), widget=DATE_WIDGET)
    findings = forms.CharField(label=_("findings"), widget=forms.Textarea(attrs={"rows": 4}))
    action = forms.CharField(label=_("corrective action"), max_length=300, required=False)
    owner = forms.ModelChoiceField(label=_("owner"), queryset=Staff.objects.none(), required=False)
    due_on = forms.DateField(label=_("due on"), widget=DATE_WIDGET, required=False)

    def __init__(self, *args, plan: AnnualPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Staff.objects.filter(team=plan.team).exclude(status=Staff.Status.LEFT)

    def clean(self):
        data = super().clean()
        filled = [bool(data.get(k)) for k in ("action", "owner", "due_on")]
        if any(filled) and not all(filled):
            for key, ok in zip(("action", "owner", "due_on"), filled, strict=True):
                if not ok:
                    self.add_error(
                        key, _("A corrective action needs a description, an owner and a due date.")
                    )
        return data

    def actions(self) -> list[dict]:
        d = self.cleaned_data
        if not d.get("action"):
            return []
        return [{"description": d["action"], "owner": d["owner"], "due_on": d["due_on"]}]


class ActionDoneForm(forms.Form):
    done_note = forms.CharField(label=_("what was done"), max_length=300)


class MonthTeamForm(forms.Form):
    month = forms.DateField(label=_("month"), widget=MONTH_WIDGET, input_formats=["%Y-%m", "%Y-%m-%d"])
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = visible(user, Team, roles.ACTUALS_CHANGE).select_related("branch")


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if validate_document(upload, kinds=("office",)) != "office" or not upload.name.lower().endswith(
            ".xlsx"
        ):
            raise forms.ValidationError(_("Upload an Excel .xlsx file."))
        return upload


class ProgressForm(forms.Form):
    LEVELS = [
        ("person", _("Person")),
        ("team", _("Team")),
        ("branch", _("Branch")),
        ("region", _("Regional HQ")),
    ]
    level = forms.ChoiceField(label=_("level"), choices=LEVELS, required=False)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)
    month = forms.IntegerField(label=_("as of month"), min_value=1, max_value=12, required=False)
    branch = forms.ModelChoiceField(label=_("branch"), queryset=Branch.objects.none(), required=False)
    behind_only = forms.BooleanField(label=_("behind schedule only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = visible(user, Branch)


class CorrectiveActionFilter(forms.Form):
    status = forms.ChoiceField(choices=[("", "—"), *CorrectiveAction.Status.choices], required=False)
