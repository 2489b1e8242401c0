from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from brokerdesk.approvals.models import Action, Request
from brokerdesk.core.files import validate_document
from brokerdesk.org.models import Department

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[
            (Action.Kind.APPROVE, _("Approve")),
            (Action.Kind.RETURN, _("Return for revision")),
            (Action.Kind.REJECT, _("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(label=_("opinion"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    countersign_departments = forms.ModelMultipleChoiceField(
        label=_("departments that must countersign"),
        queryset=Department.objects.filter(branch__isnull=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attachment = forms.FileField(label=_("attachment"), required=False)

    def __init__(self, *args, names_countersign: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not names_countersign:
            del self.fields["countersign_departments"]

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            validate_document(upload)
        return upload


class CommentForm(forms.Form):
    opinion = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}))
    attachment = forms.FileField(label=_("attachment"), required=False)

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            validate_document(upload)
        return upload


class DelegationForm(forms.Form):
    delegate = forms.ModelChoiceField(label=_("stand-in"), queryset=get_user_model().objects.none())
    starts_on = forms.DateField(label=_("from"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("until"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A stand-in must be someone who could approve too: a login with a role.
        self.fields["delegate"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, role_assignments__isnull=False)
            .exclude(pk=user.pk)
            .select_related("staff")
            .distinct()
            .order_by("username")
        )
        self.fields["delegate"].label_from_instance = (
            lambda u: getattr(getattr(u, "staff", None), "name", None) or u.username
        )


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"), choices=[("", "—"), *Request.Status.choices], required=False
    )
