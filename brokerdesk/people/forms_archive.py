"""Forms of the personnel archive. They parse and show errors; the rules (file content,
dates, kinds, overlaps) are the services', whose errors come back onto these fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brokerdesk.access.roles import VIEW
from brokerdesk.access.scope import visible
from brokerdesk.core.widgets import QuickSelect
from brokerdesk.org.models import Branch, Staff, Team
from brokerdesk.people.models_archive import Contract, Qualification, RewardPunishment, Slot

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FILE_ACCEPT = {"accept": ".pdf,.png,.jpg,.jpeg,.docx,.xlsx"}


class FileFilterForm(forms.Form):
    SHOW = [
        ("", _("All files")),
        ("missing", _("Missing documents")),
        ("unverified", _("Unverified documents")),
        ("expiring", _("Contract or licence expiring")),
        ("no_contract", _("No valid contract")),
        ("no_registration", _("No valid registration")),
    ]
    q = forms.CharField(label=_("Search"), required=False)
    show = forms.ChoiceField(label=_("show"), choices=SHOW, required=False)
    branch = forms.ModelChoiceField(
        label=_("branch"), queryset=Branch.objects.none(), required=False, widget=QuickSelect
    )
    team = forms.ModelChoiceField(
        label=_("team"), queryset=Team.objects.none(), required=False, widget=QuickSelect
    )
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("Active and on probation")), *Staff.Status.choices, ("all", _("All"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = visible(user, Branch, VIEW).order_by("code")
        self.fields["team"].queryset = visible(user, Team, VIEW).order_by("code")


class DocumentUploadForm(forms.Form):
    slot = forms.ChoiceField(label=_("document"), choices=Slot.choices)
    title = forms.CharField(
        label=_("title"),
        max_length=120,
        required=False,
        help_text=_("E.g. the assessment period or the decision."),
    )
    file = forms.FileField(label=_("file"), widget=forms.ClearableFileInput(attrs=FILE_ACCEPT))
    note = forms.CharField(label=_("note"), max_length=200, required=False)
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)


class VerifyForm(forms.Form):
    note = forms.CharField(
        label=_("verification note"),
        max_length=200,
        required=False,
        help_text=_("E.g. original seen, matches the copy."),
    )


class ContractForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Contract.Kind.choices)
    starts_on = forms.DateField(label=_("starts on"), widget=DATE)
    ends_on = forms.DateField(
        label=_("ends on"), widget=DATE, required=False, help_text=_("Empty: one year (第十九条).")
    )
    original_location = forms.CharField(
        label=_("original kept at"), max_length=120, required=False, help_text=_("Cabinet, folder…")
    )
    signed_copy = forms.FileField(
        label=_("signed copy"), required=False, widget=forms.ClearableFileInput(attrs=FILE_ACCEPT)
    )

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff is not None and not self.is_bound:
            self.initial.setdefault(
                "kind",
                Contract.Kind.COOPERATION if staff.employment_type == "part_time" else Contract.Kind.LABOUR,
            )


class ContractRenewForm(forms.Form):
    starts_on = forms.DateField(
        label=_("starts on"),
        widget=DATE,
        required=False,
        help_text=_("Empty: the day after the current one ends."),
    )
    ends_on = forms.DateField(
        label=_("ends on"), widget=DATE, required=False, help_text=_("Empty: one year.")
    )
    original_location = forms.CharField(label=_("original kept at"), max_length=120, required=False)
    signed_copy = forms.FileField(
        label=_("signed copy"), required=False, widget=forms.ClearableFileInput(attrs=FILE_ACCEPT)
    )


class ContractUpdateForm(forms.Form):
    original_location = forms.CharField(label=_("original kept at"), max_length=120, required=False)
    signed_copy = forms.FileField(
        label=_("signed copy"),
        required=False,
        widget=forms.ClearableFileInput(attrs=FILE_ACCEPT),
        help_text=_("A new copy becomes the next version; the previous one is kept."),
    )


class ContractTerminateForm(forms.Form):
    terminated_on = forms.DateField(label=_("terminated on"), widget=DATE)
    reason = forms.CharField(label=_("reason"), max_length=200)


class QualificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("type"), choices=Qualification.Kind.choices)
    name = forms.CharField(
        label=_("name"), max_length=80, required=False, help_text=_("For another licence: which.")
    )
    number = forms.CharField(label=_("number"), max_length=40)
    issued_on = forms.DateField(label=_("date obtained"), widget=DATE)
    expires_on = forms.DateField(label=_("expires on"), widget=DATE, required=False)
    authority = forms.CharField(label=_("issued by"), max_length=80, required=False)
    ce_hours = forms.DecimalField(
        label=_("continuing-education hours"),
        max_digits=6,
        decimal_places=1,
        min_value=0,
        initial=0,
        required=False,
    )
    document = forms.FileField(
        label=_("certificate copy"), required=False, widget=forms.ClearableFileInput(attrs=FILE_ACCEPT)
    )


class QualificationUpdateForm(forms.Form):
    expires_on = forms.DateField(label=_("expires on"), widget=DATE, required=False)
    ce_hours = forms.DecimalField(
        label=_("continuing-education hours"), max_digits=6, decimal_places=1, min_value=0, required=False
    )
    authority = forms.CharField(label=_("issued by"), max_length=80, required=False)
    document = forms.FileField(
        label=_("certificate copy"), required=False, widget=forms.ClearableFileInput(attrs=FILE_ACCEPT)
    )


class RevokeForm(forms.Form):
    revoked_on = forms.DateField(label=_("revoked or cancelled on"), widget=DATE)
    reason = forms.CharField(label=_("reason"), max_length=200)


class RewardForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=RewardPunishment.Kind.choices)
    decided_on = forms.DateField(label=_("date"), widget=DATE)
    title = forms.CharField(label=_("title"), max_length=120)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    decided_by = forms.CharField(
        label=_("decided by"), max_length=80, help_text=_("Who decided: the branch manager, a meeting…")
    )
    amount = forms.DecimalField(
        label=_("amount"),
        max_digits=18,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("A bonus or a fine, if any."),
    )
    document = forms.FileField(
        label=_("document"), required=False, widget=forms.ClearableFileInput(attrs=FILE_ACCEPT)
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("why withdrawn"), max_length=200)
