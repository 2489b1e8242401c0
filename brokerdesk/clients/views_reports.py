"""The quarterly visit report: the page (with the head's analysis) and its Excel export."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brokerdesk.clients import reports
from brokerdesk.clients.models import Visit
from brokerdesk.core.excel import workbook_response
from brokerdesk.core.views import add_service_errors

QUARTERS = [
    (1, gettext_lazy("Q1")),
    (2, gettext_lazy("Q2")),
    (3, gettext_lazy("Q3")),
    (4, gettext_lazy("Q4")),
]


class QuarterForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=gettext_lazy("quarter"), choices=QUARTERS, coerce=int)
    branch = forms.ModelChoiceField(
        label=gettext_lazy("branch"), queryset=None, required=False, empty_label=gettext_lazy("All in scope")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = reports.branches_for(user)


class AnalysisForm(forms.Form):
    analysis = forms.CharField(
        label=gettext_lazy("Head's analysis and review"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=reports.MAX_ANALYSIS,
    )


def parse_params(user, data) -> tuple[QuarterForm, int, int, object]:
    """(form, year, quarter, branch or None) from the query string, with sensible defaults:
    the current quarter; the user's own branch when it is in scope, else all branches in scope."""
    from brokerdesk.clients.services import staff_of

    year, quarter = reports.current_quarter()
    initial = {"year": year, "quarter": quarter}
    branches = reports.branches_for(user)
    if "branch" not in data:
        me = staff_of(user)
        own = me.branch_id if me else None
        if own and branches.filter(pk=own).exists():
            initial["branch"] = own
        else:
            ids = list(branches.values_list("pk", flat=True)[:2])
            if len(ids) == 1:
                initial["branch"] = ids[0]
    values = {**initial, **{k: v for k, v in data.items() if k in ("year", "quarter", "branch")}}
    form = QuarterForm(values, user=user)
    if form.is_valid():
        return form, form.cleaned_data["year"], form.cleaned_data["quarter"], form.cleaned_data["branch"]
    if "branch" in form.errors and values.get("branch"):
        raise Http404  # a branch outside the scope is not there
    return form, year, quarter, None


def _history(report):
    if report is None:
        return []
    return list(report.history.select_related("history_user").order_by("-history_date")[:20])


@login_required
def quarter_report(request):
    form, year, quarter, branch = parse_params(request.user, request.GET)
    analysis_form = None
    may_write = branch is not None and reports.may_write_analysis(request.user, branch)
    report = reports.analysis_for(branch, year, quarter) if branch is not None else None
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied(_("Only the branch's head may write this analysis."))
        analysis_form = AnalysisForm(request.POST)
        if analysis_form.is_valid():
            try:
                reports.analysis_save(
                    actor=request.user,
                    branch=branch,
                    year=year,
                    quarter=quarter,
                    analysis=analysis_form.cleaned_data["analysis"],
                )
            except ValidationError as exc:
                add_service_errors(analysis_form, exc)
            else:
                query = urlencode({"year": year, "quarter": quarter, "branch": branch.pk})
                return redirect(f"{reverse('clients:quarter-report')}?{query}")
    if analysis_form is None and may_write:
        analysis_form = AnalysisForm(initial={"analysis": report.analysis if report else ""})
    fig = reports.quarter_figures(request.user, year=year, quarter=quarter, branch=branch)
    analyses = {} if branch is not None else reports.analyses_for([b.pk for b in fig.branches], year, quarter)
    by_branch = [(row, analyses.get(row.branch.pk)) for row in fig.by_branch]
    export_query = urlencode(
        {"year": year, "quarter": quarter, "branch": branch.pk if branch is not None else ""}
    )
    return render(
        request,
        "clients/report_quarter.html",
        {
            "form": form,
            "fig": fig,
            "branch": branch,
            "report": report,
            "history": _history(report),
            "analysis_form": analysis_form,
            "may_write": may_write,
            "by_branch": by_branch,
            "form_labels": dict(Visit.Form.choices),
            "export_query": export_query,
            "today": timezone.localdate(),
        },
    )


def _pct(value):
    return "" if value is None else value


def export_sheets(fig) -> list[tuple[str, list[str], list[list]]]:
    form_labels = dict(Visit.Form.choices)
    forms_order = reports.FORMS
    no_tier = _("No tier")
    visits_rows = [[str(form_labels[f]), fig.by_form.get(f, 0)] for f in forms_order]
    visits_rows.append([_("Total"), fig.visits_total])
    tier_rows = [
        [t.name if t else no_tier, *[counts.get(f, 0) for f in forms_order], total]
        for t, counts, total in fig.by_tier
    ]
    coverage_rows = [
        [row.tier.name, row.tier.visit_every_days, row.required, row.clients, row.covered, _pct(row.pct)]
        for row in fig.coverage
    ]
    matter_headers = [_("Raised"), _("Resolved"), _("Closed"), _("Overdue"), _("Resolution rate")]

    def matter(row):
        return [row.label, row.raised, row.resolved, row.closed, row.overdue, _pct(row.resolved_pct)]

    return [
        (_("Visits by form"), [_("Form"), _("Done visits")], visits_rows),
        (
            _("Visits by tier"),
            [_("Tier"), *[str(form_labels[f]) for f in forms_order], _("Total")],
            tier_rows,
        ),
        (
            _("Key-account coverage"),
            [
                _("Tier"),
                _("Visit every (days)"),
                _("Visits required"),
                _("Number of clients"),
                _("Covered"),
                _("Coverage rate"),
            ],
            coverage_rows,
        ),
        (
            _("Matters by category"),
            [_("Category"), *matter_headers],
            [matter(r) for r in fig.matters_by_category] + [matter(fig.matters_total)],
        ),
        (
            _("Matters by department"),
            [_("Responsible department"), *matter_headers],
            [matter(r) for r in fig.matters_by_department],
        ),
        (_("Visits by team"), [_("Team"), _("Done visits")], [list(t) for t in fig.teams]),
        (
            _("Branches"),
            [
                _("Branch"),
                _("Done visits"),
                _("Key accounts"),
                _("Covered"),
                _("Coverage rate"),
                _("Matters raised"),
                _("Overdue"),
                _("Overlaps"),
            ],
            [
                [
                    r.branch.name,
                    r.visits,
                    r.clients,
                    r.covered,
                    _pct(r.coverage_pct),
                    r.raised,
                    r.overdue,
                    r.overlaps,
                ]
                for r in fig.by_branch
            ],
        ),
    ]


@login_required
def quarter_report_export(request):
    _form, year, quarter, branch = parse_params(request.user, request.GET)
    fig = reports.quarter_figures(request.user, year=year, quarter=quarter, branch=branch)
    where = branch.code if branch is not None else _("all")
    filename = _("visit-report-%(year)s-Q%(quarter)s-%(where)s.xlsx") % {
        "year": year,
        "quarter": quarter,
        "where": where,
    }
    sheets = export_sheets(fig)
    if branch is not None:
        report = reports.analysis_for(branch, year, quarter)
        sheets.append(
            (
                _("Analysis"),
                [_("Head's analysis and review")],
                [[report.analysis if report else ""]],
            )
        )
    return workbook_response(filename, sheets)


urlpatterns = [
    path("reports/quarterly/", quarter_report, name="quarter-report"),
    path("reports/quarterly/export/", quarter_report_export, name="quarter-report-export"),
]
