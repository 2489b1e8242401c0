"""Planning over the API: the same services, scopes and refusals as the pages."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from brokerdesk.access import roles
from brokerdesk.access.scope import get_for_user, visible
from brokerdesk.core.api import ScopedViewSet
from brokerdesk.planning import selectors, serializers, services
from brokerdesk.planning.models import AnnualPlan, CorrectiveAction, MonthlyActual


class PlanViewSet(ScopedViewSet):
    serializer_class = serializers.PlanSerializer
    change_perm = roles.PLAN_CHANGE
    filterset_fields = ["year", "status", "team"]

    def get_queryset(self):
        return selectors.plan_list(user=self.request.user).order_by("-year", "team__code", "-version")

    def perform_create(self, serializer):
        serializer.instance = services.plan_save(
            actor=self.request.user, plan=AnnualPlan(**serializer.validated_data)
        )

    def perform_update(self, serializer):
        plan = serializer.instance
        for key, value in serializer.validated_data.items():
            if key not in ("team", "year"):
                setattr(plan, key, value)
        serializer.instance = services.plan_save(actor=self.request.user, plan=plan)

    @extend_schema(request=None, responses=serializers.PlanSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        plan = get_for_user(request.user, AnnualPlan, pk, roles.PLAN_CHANGE)
        plan = services.plan_submit(actor=request.user, plan=plan)
        return Response(serializers.PlanSerializer(plan, context={"request": request}).data)

    @extend_schema(request=None, responses=serializers.PlanSerializer)
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        plan = get_for_user(request.user, AnnualPlan, pk, roles.PLAN_CHANGE)
        draft = services.plan_revise(actor=request.user, plan=plan)
        return Response(
            serializers.PlanSerializer(draft, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=serializers.ShareSerializer(many=True), responses=serializers.ShareSerializer(many=True)
    )
    @action(detail=True, methods=["get", "put"])
    def shares(self, request, pk=None):
        """GET the decomposition; PUT replaces it whole (it must add up to every target)."""
        if request.method == "GET":
            plan = self.get_object()
            shares = visible(request.user, plan.shares.all())  # a client manager: their own only
            return Response(serializers.ShareSerializer(shares, many=True).data)
        plan = get_for_user(request.user, AnnualPlan, pk, roles.PLAN_CHANGE)
        payload = serializers.ShareSerializer(data=request.data, many=True)
        payload.is_valid(raise_exception=True)
        rows = [{**row, "staff": row["staff"].pk} for row in payload.validated_data]
        shares = services.shares_save(actor=request.user, plan=plan, rows=rows)
        return Response(serializers.ShareSerializer(shares, many=True).data)

    @extend_schema(request=serializers.ReviewSerializer, responses=serializers.ReviewSerializer)
    @action(detail=True, methods=["post"])
    def reviews(self, request, pk=None):
        plan = get_for_user(request.user, AnnualPlan, pk, roles.PLAN_CHANGE)
        payload = serializers.ReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        review = services.review_create(
            actor=request.user,
            plan=plan,
            held_on=data["held_on"],
            findings=data["findings"],
            actions=data.get("actions", []),
        )
        return Response(serializers.ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class CorrectiveActionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.CorrectiveActionSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        plans = visible(self.request.user, AnnualPlan)
        return (
            CorrectiveAction.objects.filter(review__plan__in=plans)
            .select_related("owner")
            .order_by("due_on", "id")
        )

    @extend_schema(request=serializers.ActionDoneSerializer, responses=serializers.CorrectiveActionSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """Close an open corrective action, saying what was done (the owner or the team's planners)."""
        item = self.get_queryset().filter(pk=pk).first()
        if item is None:
            raise Http404
        item = services.action_complete(
            actor=request.user, action=item, note=request.data.get("done_note", "")
        )
        return Response(serializers.CorrectiveActionSerializer(item).data)


class ActualViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.ActualSerializer
    filterset_fields = ["month", "staff"]

    def get_queryset(self):
        return visible(self.request.user, MonthlyActual).order_by("-month", "staff_id")

    @extend_schema(request=serializers.ActualBatchSerializer, responses={200: None})
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Write a month's figures for several people at once; all rows or none."""
        payload = serializers.ActualBatchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        count = services.actuals_save(
            actor=request.user, month=payload.validated_data["month"], rows=payload.validated_data["rows"]
        )
        return Response({"saved": count})


class ProgressView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("level", str, enum=["person", "team", "branch", "region"]),
            OpenApiParameter("year", int),
            OpenApiParameter("month", int),
        ],
        responses=serializers.ProgressRowSerializer(many=True),
    )
    def get(self, request):
        today = timezone.localdate()
        level = request.query_params.get("level", "team")
        if level not in ("person", "team", "branch", "region"):
            return Response({"level": ["person, team, branch or region"]}, status=400)
        try:
            year = int(request.query_params.get("year", today.year))
        except ValueError:
            return Response({"year": ["a number"]}, status=400)
        try:
            month = int(request.query_params.get("month", today.month if year == today.year else 12))
        except ValueError:
            return Response({"month": ["1–12"]}, status=400)
        if not 1 <= month <= 12:
            return Response({"month": ["1–12"]}, status=400)
        rows = selectors.progress_rows(user=request.user, year=year, as_of_month=month, level=level)
        data = [
            {
                "key": r.key,
                "name": r.name,
                "behind": r.behind,
                "metrics": {m: vars(p) for m, p in r.metrics.items()},
            }
            for r in rows
        ]
        return Response(serializers.ProgressRowSerializer(data, many=True).data)
