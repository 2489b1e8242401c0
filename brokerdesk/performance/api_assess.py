"""Assessments and level changes over the API (registered by ``performance.api.register``):
the same services, scopes and refusals as the pages.

- ``/api/performance/assessments/``: list and retrieve in the caller's scope; ``generate``
  (POST, a branch's period), and on one assessment ``score`` (the lead's marks and comments)
  and ``confirm`` (branch manager or deputy; may move the level).
- ``/api/performance/level-changes/``: level history in scope.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from brokerdesk.access.scope import get_for_user
from brokerdesk.performance import selectors_assess as selectors
from brokerdesk.performance import serializers_assess as s
from brokerdesk.performance import services_assess as services
from brokerdesk.performance.models import DutyScore

urlpatterns: list = []  # extra non-router paths, mounted under /api/


class _ScopedReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def get_object(self):
        return get_for_user(self.request.user, self.get_queryset(), self.kwargs["pk"])


class AssessmentViewSet(_ScopedReadOnly):
    """Assessments in the caller's scope: a person their own, a team lead the team, the
    branch's managers the branch."""

    serializer_class = s.AssessmentSerializer
    filterset_fields = ["period", "starts_on", "status", "outcome", "team", "branch", "staff"]

    def get_queryset(self):
        return selectors.assessment_list(user=self.request.user).prefetch_related(
            Prefetch("duty_scores", queryset=DutyScore.objects.select_related("item").order_by("item__order"))
        )

    def get_serializer_class(self):
        if self.action in ("retrieve", "score", "confirm"):
            return s.AssessmentDetailSerializer
        return super().get_serializer_class()

    def _answer(self, pk):
        return Response(s.AssessmentDetailSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=s.GenerateSerializer, responses=s.GenerateResultSerializer)
    @action(detail=False, methods=["post"])
    def generate(self, request):
        """Score everyone in the caller's scope of a branch for a period that is over."""
        payload = s.GenerateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        result = services.assess_period(
            actor=request.user,
            branch=d["branch"],
            period=d["period"],
            starts_on=d["starts_on"],
            team=d.get("team"),
        )
        data = {
            "period": result.period,
            "starts_on": result.starts_on,
            "ends_on": result.ends_on,
            "created": result.created,
            "updated": result.updated,
            "confirmed_kept": result.confirmed_kept,
        }
        return Response(s.GenerateResultSerializer(data).data, status=status.HTTP_200_OK)

    @extend_schema(request=s.GenerateSerializer, responses=s.ConfirmPeriodResultSerializer)
    @action(detail=False, methods=["post"], url_path="confirm-period")
    def confirm_period(self, request):
        """Confirm every draft of a branch's period (or of one team) that the lead has marked;
        each refusal is listed with its reason and leaves the others confirmed."""
        payload = s.GenerateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        if not services.confirm_branches(request.user).filter(pk=d["branch"].pk).exists():
            raise exceptions.PermissionDenied()
        result = services.assessments_confirm_period(
            actor=request.user,
            branch=d["branch"],
            period=d["period"],
            starts_on=d["starts_on"],
            team=d.get("team"),
        )
        data = {
            "confirmed": [r.assessment.pk for r in result.confirmed],
            "level_changes": [r.level_change.pk for r in result.confirmed if r.level_change is not None],
            "refused": [
                {"id": a.pk, "staff_name": a.staff.name, "reason": reason} for a, reason in result.refused
            ],
        }
        return Response(s.ConfirmPeriodResultSerializer(data).data)

    @extend_schema(request=s.LeadScoreSerializer, responses=s.AssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        """The lead's marks (0–100) and comments on a draft; never on one's own."""
        a = self.get_object()
        payload = s.LeadScoreSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        scores = dict(d.get("scores") or {})
        if d.get("item") is not None and d.get("score") is not None:
            scores[d["item"]] = d["score"]
            score = None
        else:
            score = d.get("score")
        services.assessment_score_lead(
            actor=request.user, assessment=a, scores=scores, score=score, comment=d.get("comment", "")
        )
        return self._answer(a.pk)

    @extend_schema(request=None, responses=s.AssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm a draft (branch manager or deputy): it never changes again; a quarterly or
        yearly result moves the level from the first day of the next period."""
        a = self.get_object()
        services.assessment_confirm(actor=request.user, assessment=a)
        return self._answer(a.pk)


class LevelChangeViewSet(_ScopedReadOnly):
    """Level history in the caller's scope (the pay run's base pay follows it)."""

    serializer_class = s.LevelChangeSerializer
    filterset_fields = ["staff", "reason", "effective_from", "assessment"]

    def get_queryset(self):
        return selectors.level_changes(user=self.request.user)


def register(router) -> None:
    router.register("performance/assessments", AssessmentViewSet, basename="performance-assessment")
    router.register("performance/level-changes", LevelChangeViewSet, basename="performance-level-change")
