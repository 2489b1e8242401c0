"""Work logs over the API: the same services, scopes and refusals as the pages."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from brokerdesk.access import roles
from brokerdesk.core.api import ScopedViewSet
from brokerdesk.worklogs import selectors, serializers, services
from brokerdesk.worklogs.models import SpotCheck


class WorkLogViewSet(ScopedViewSet):
    """Logs in the caller's scope. Anyone with a scope may try to write; the service allows
    only the caller's own log, on its own day, and never once it is drawn for a check."""

    serializer_class = serializers.WorkLogSerializer
    change_perm = roles.VIEW
    filterset_fields = ["staff", "day"]

    def get_queryset(self):
        return selectors.worklog_list(user=self.request.user)

    def _save(self, data, *, day, staff):
        return services.worklog_save(
            actor=self.request.user,
            day=day,
            staff=staff,
            work_done=data.get("work_done", ""),
            tomorrow_plan=data.get("tomorrow_plan", ""),
            clients_contacted=data.get("clients_contacted", ""),
            visited=data.get("visited", False),
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = self._save(data, day=data["day"], staff=data.get("staff"))

    def perform_update(self, serializer):
        log = serializer.instance
        current = {
            "work_done": log.work_done,
            "tomorrow_plan": log.tomorrow_plan,
            "clients_contacted": log.clients_contacted,
            "visited": log.visited,
        }
        current.update({k: v for k, v in serializer.validated_data.items() if k in current})
        serializer.instance = self._save(current, day=log.day, staff=log.staff)


class SpotCheckViewSet(ScopedViewSet):
    serializer_class = serializers.SpotCheckSerializer
    change_perm = roles.SPOTCHECK
    http_method_names = ["get", "post", "head", "options"]  # a draw is never edited
    filterset_fields = ["team"]

    def get_queryset(self):
        return selectors.spotcheck_list(user=self.request.user).prefetch_related("items__log")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.spotcheck_create(
            actor=self.request.user,
            team=data["team"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            size=data.get("size"),
            percent=data.get("percent"),
        )

    @extend_schema(request=serializers.RecordSerializer, responses=serializers.SpotCheckItemSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """Record one drawn log's result (pass/fail) and comment; a recorded result never changes."""
        check = self.get_object()
        payload = serializers.RecordSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = check.items.filter(pk=payload.validated_data["item"]).first()
        if item is None:
            raise Http404
        item = services.spotcheck_record(
            actor=request.user,
            item=item,
            result=payload.validated_data["result"],
            comment=payload.validated_data["comment"],
        )
        return Response(serializers.SpotCheckItemSerializer(item).data, status=status.HTTP_200_OK)

    @extend_schema(responses=serializers.RedrawSerializer)
    @action(detail=True, methods=["get"])
    def redraw(self, request, pk=None):
        """The draw repeated from its stored seed and pool, beside what was drawn."""
        check: SpotCheck = self.get_object()
        drawn = list(check.items.order_by("position").values_list("log_id", flat=True))
        redrawn = services.spotcheck_redraw(check)
        data = {"seed": check.seed, "drawn": drawn, "redrawn": redrawn, "same": drawn == redrawn}
        return Response(serializers.RedrawSerializer(data).data)
