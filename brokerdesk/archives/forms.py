"""Forms of the archive register pages: the search, filing and editing an entry, withdrawing
it, recording who holds the original, and closing a month."""

import uuid

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brokerdesk.access.scope import visible
from brokerdesk.archives import rules_register as rules
from brokerdesk.archives.models_register import RegisterEntry
from brokerdesk.archives.selectors import EntryFilters, branches_for_filing
from brokerdesk.core.widgets import MonthField, QuickSelect
from brokerdesk.org.models import Branch, Staff

SCAN_ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,application/pdf,image/*"


class BranchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Branch) -> str:
        return f"{obj.code} {obj.name}"


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Staff) -> str:
        return f"{obj.name}（{obj.emp_no}）"


class SearchForm(forms.Form):
    serial = forms.CharField(
        required=False,
        label=_("serial number"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "JH-BJ01-202611", "autocomplete": "off"}),
    )
    q = forms.CharField(
        required=False,
        label=_("title"),
        max_length=rules.MAX_QUERY,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        required=False,
        label=_("kind"),
        choices=[("", _("All")), *RegisterEntry.Kind.choices],
        widget=QuickSelect,
    )
    month_from = MonthField(required=False, label=_("period from"))
    month_to = MonthField(required=False, label=_("period to"))
    branch = BranchChoiceField(
        required=False,
        label=_("branch"),
        queryset=Branch.objects.none(),
        widget=QuickSelect,
        empty_label=_("All"),
    )
    held = forms.ChoiceField(
        required=False,
        label=_("original"),
        choices=[("", _("All")), ("room", _("In the archive room")), ("out", _("Out with a person"))],
        widget=QuickSelect,
    )
    status = forms.ChoiceField(
        required=False,
        label=_("status"),
        choices=[("", _("Filed")), ("withdrawn", _("Withdrawn")), ("all", _("All"))],
        widget=QuickSelect,
    )

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        if branches is None or len(branches) < 2:
            del self.fields["branch"]  # one branch (or none): nothing to choose
        else:
            self.fields["branch"].queryset = Branch.objects.filter(pk__in=[b.pk for b in branches])
            self.fields["branch"].choices = [("", _("All"))] + [
                (b.pk, f"{b.code} {b.name}") for b in branches
            ]

    def clean(self):
        data = super().clean()
        start, end = data.get("month_from"), data.get("month_to")
        if start and end and start > end:
            self.add_error("month_to", _("The end of the period is before its start."))
        return data

    def filters(self) -> EntryFilters:
        if not self.is_bound or not self.is_valid():
            return EntryFilters()
        d = self.cleaned_data
        branch = d.get("branch")
        return EntryFilters(
            serial=d.get("serial") or "",
            kind=d.get("kind") or "",
            month_from=d.get("month_from"),
            month_to=d.get("month_to"),
            branch=branch.pk if branch else None,
            q=d.get("q") or "",
            held=d.get("held") or "",
            status=d.get("status") or "",
        )


class EntryForm(forms.Form):
    """File a document: the service gives the serial number."""

    branch = BranchChoiceField(label=_("branch"), queryset=Branch.objects.none(), widget=QuickSelect)
    kind = forms.ChoiceField(label=_("kind"), choices=[("", "—"), *RegisterEntry.Kind.choices])
    month = MonthField(label=_("period"), help_text=_("The month the document belongs to; its batch."))
    title = forms.CharField(label=_("title"), max_length=200)
    cabinet = forms.CharField(
        label=_("cabinet"), max_length=40, help_text=_("Where the original is kept, e.g. 柜3.")
    )
    folder = forms.CharField(label=_("folder"), max_length=60, required=False)
    pages = forms.IntegerField(label=_("pages"), min_value=1, max_value=100_000, required=False)
    source_ref = forms.CharField(
        label=_("source record"),
        max_length=300,
        required=False,
        help_text=_("A link inside BrokerDesk (/performance/runs/12/), a web address or a reference."),
    )
    corrects = forms.CharField(
        label=_("corrects serial number"),
        max_length=40,
        required=False,
        help_text=_("For a correction of an entry in a closed month: the earlier serial number."),
    )
    note = forms.CharField(
        label=_("note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scan = forms.FileField(
        label=_("scanned copy"),
        required=False,
        help_text=_("Optional: PDF, JPEG, PNG, Word or Excel."),
        widget=forms.ClearableFileInput(attrs={"accept": SCAN_ACCEPT}),
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["branch"].queryset = branches_for_filing(user)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)

    def clean_corrects(self) -> RegisterEntry | None:
        text = self.cleaned_data.get("corrects") or ""
        if not text.strip():
            return None
        serial = rules.normalise_serial(text)
        entry = visible(self.user, RegisterEntry).filter(serial_no=serial).first()
        if entry is None:
            raise forms.ValidationError(_("No entry with this serial number in your register."))
        return entry


class EntryEditForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    cabinet = forms.CharField(label=_("cabinet"), max_length=40)
    folder = forms.CharField(label=_("folder"), max_length=60, required=False)
    pages = forms.IntegerField(label=_("pages"), min_value=1, max_value=100_000, required=False)
    source_ref = forms.CharField(label=_("source record"), max_length=300, required=False)
    note = forms.CharField(
        label=_("note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scan = forms.FileField(
        label=_("replace the scanned copy"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": SCAN_ACCEPT}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("reason for withdrawal"), max_length=200)


class CustodyForm(forms.Form):
    to_staff = StaffChoiceField(
        label=_("now held by"),
        queryset=Staff.objects.none(),
        required=False,
        widget=QuickSelect,
        empty_label=_("The archive room"),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, entry: RegisterEntry, **kwargs):
        super().__init__(*args, **kwargs)
        # The branch's people and the head office's: an original does not leave for another branch.
        people = Staff.objects.filter(
            Q(branch_id=entry.branch_id) | Q(branch__isnull=True),
            status__in=[Staff.Status.ACTIVE, Staff.Status.PROBATION],
        )
        self.fields["to_staff"].queryset = people.order_by("branch_id", "name")


class BatchFilterForm(forms.Form):
    branch = BranchChoiceField(
        required=False,
        label=_("branch"),
        queryset=Branch.objects.none(),
        widget=QuickSelect,
        empty_label=_("All"),
    )
    month = MonthField(required=False, label=_("period"))
    state = forms.ChoiceField(
        required=False,
        label=_("state"),
        choices=[("", _("All")), ("open", _("Open")), ("closed", _("Closed"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = visible(user, Branch.objects.all()).order_by("code")


class CloseForm(forms.Form):
    note = forms.CharField(label=_("note"), max_length=200, required=False)
