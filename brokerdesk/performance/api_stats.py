"""Business statistics over the API: a month's rollup at a level (``?month=2026-10&level=team``)
within the caller's scope, and finance's reviews and notes."""

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from brokerdesk.access import roles
from brokerdesk.access.scope import visible
from brokerdesk.core.api import ScopedViewSet
from brokerdesk.performance import selectors_stats, services_stats
from brokerdesk.performance import serializers_stats as s
from brokerdesk.performance.forms_import import parse_month_text
from brokerdesk.performance.models import StatReview
from brokerdesk.performance.selectors import add_months


class StatisticsView(APIView):
    """The month's statistics by ``level`` (manager, regional_manager, team, branch, region,
    company) in the caller's scope, with the totals row. Default month: the latest with
    figures in scope."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[s.StatisticsQuerySerializer], responses=s.StatisticsSerializer)
    def get(self, request):
        query = s.StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data.get("month")
        if month is None:
            months = selectors_stats.months_with_stats(request.user, limit=1)
            month = months[0] if months else add_months(timezone.localdate().replace(day=1), -1)
        level = query.validated_data.get("level") or "manager"
        rows = selectors_stats.stats_for(request.user, month, level)
        total = selectors_stats.totals(rows)
        return Response(
            s.StatisticsSerializer(
                {
                    "month": month,
                    "level": level,
                    "rows": [r.as_dict() for r in rows],
                    "total": total.as_dict(),
                }
            ).data
        )


class StatNoteViewSet(ScopedViewSet):
    """Finance's reviews and notes (``?month=2026-10``, ``?branch=``); POST one: a note on the
    branch's month or on one manager's row, or ``is_review`` to mark the month reviewed."""

    serializer_class = s.StatNoteSerializer
    change_perm = roles.PAY_RUN
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        qs = visible(
            self.request.user,
            StatReview.objects.select_related("written_by").order_by("-written_at", "-id"),
            roles.PAY_VIEW,
        )
        params = self.request.query_params
        month = parse_month_text(params.get("month")) if params.get("month") else None
        if month:
            qs = qs.filter(month=month)
        if (params.get("branch") or "").isdigit():
            qs = qs.filter(branch_id=params["branch"])
        return qs

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services_stats.stat_note_add(
            actor=self.request.user,
            branch=data["branch"],
            month=data["month"],
            staff=data.get("staff"),
            text=data.get("text", ""),
            is_review=data.get("is_review", False),
        )


urlpatterns = [path("performance/statistics/", StatisticsView.as_view(), name="api-statistics")]


def register(router) -> None:
    router.register("performance/stat-notes", StatNoteViewSet, basename="stat-note")
