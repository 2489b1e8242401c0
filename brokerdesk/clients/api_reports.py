"""API of the reports area: the quarterly visit report's figures as JSON."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from brokerdesk.clients import reports
from brokerdesk.clients.views_reports import parse_params


def _matter(row: reports.MatterRow) -> dict:
    return {
        "key": row.key,
        "label": row.label,
        "raised": row.raised,
        "resolved": row.resolved,
        "closed": row.closed,
        "overdue": row.overdue,
    }


def figures_json(fig: reports.QuarterFigures, analyses: dict) -> dict:
    return {
        "year": fig.year,
        "quarter": fig.quarter,
        "start": fig.start.isoformat(),
        "end": fig.end.isoformat(),
        "overdue_before": fig.cutoff.isoformat(),
        "branches": [{"id": b.pk, "code": b.code, "name": b.name} for b in fig.branches],
        "visits": {
            "total": fig.visits_total,
            "by_form": fig.by_form,
            "by_tier": [
                {
                    "tier": t.code if t else None,
                    "name": t.name if t else None,
                    "by_form": counts,
                    "total": total,
                }
                for t, counts, total in fig.by_tier
            ],
            "by_team": [{"team": name, "visits": n} for name, n in fig.teams],
        },
        "coverage": [
            {
                "tier": row.tier.code,
                "name": row.tier.name,
                "visit_every_days": row.tier.visit_every_days,
                "visits_required": row.required,
                "clients": row.clients,
                "covered": row.covered,
                "coverage_pct": row.pct,
            }
            for row in fig.coverage
        ],
        "matters": {
            "total": _matter(fig.matters_total),
            "by_category": [_matter(r) for r in fig.matters_by_category],
            "by_department": [_matter(r) for r in fig.matters_by_department],
        },
        "overlaps": fig.overlaps,
        "by_branch": [
            {
                "branch": r.branch.code,
                "visits": r.visits,
                "key_accounts": r.clients,
                "covered": r.covered,
                "raised": r.raised,
                "overdue": r.overdue,
                "overlaps": r.overlaps,
                "analysis": analyses[r.branch.pk].analysis if r.branch.pk in analyses else "",
            }
            for r in fig.by_branch
        ],
    }


class QuarterReportView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("quarter", int, enum=[1, 2, 3, 4]),
            OpenApiParameter("branch", int, description="a branch id; empty for every branch in scope"),
        ],
        responses={200: None},
    )
    def get(self, request):
        form, year, quarter, branch = parse_params(request.user, request.query_params)
        if form.errors:
            return Response(form.errors, status=400)
        fig = reports.quarter_figures(request.user, year=year, quarter=quarter, branch=branch)
        analyses = reports.analyses_for([b.pk for b in fig.branches], year, quarter)
        return Response(figures_json(fig, analyses))


urlpatterns: list = [
    path("clients/quarter-report/", QuarterReportView.as_view(), name="api-clients-quarter-report"),
]


def register(router) -> None:
    pass
