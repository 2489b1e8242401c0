"""The approval engine over the API: the same services, scopes and refusals as the pages."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from brokerdesk.approvals import selectors, serializers, services
from brokerdesk.approvals.models import Delegation, Flow, Notification, Request, Task


class FlowViewSet(viewsets.ReadOnlyModelViewSet):
    """Flow definitions (edited by the administrator in the admin)."""

    queryset = Flow.objects.prefetch_related("steps").order_by("code")
    serializer_class = serializers.FlowSerializer


class InboxViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Tasks waiting for the caller, oldest due first."""

    serializer_class = serializers.TaskSerializer
    queryset = Task.objects.none()  # for the schema; rows come from get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Task.objects.none()
        return services.inbox(self.request.user)

    @extend_schema(request=serializers.DecisionSerializer, responses=serializers.RequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Approve, return for revision (opinion required) or reject (opinion required)."""
        task = Task.objects.select_related("request").filter(pk=pk).first()
        if task is None or not selectors.request_list(user=request.user).filter(pk=task.request_id).exists():
            raise Http404
        payload = serializers.DecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.task_act(
            actor=request.user,
            task=task,
            decision=data["decision"],
            opinion=data["opinion"],
            countersign_departments=data.get("countersign_departments") or None,
        )
        req = selectors.request_detail(user=request.user, pk=task.request_id)
        return Response(serializers.RequestDetailSerializer(req).data)


class RequestViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_fields = ["status", "flow__code"]

    def get_queryset(self):
        return selectors.request_list(user=self.request.user).order_by("-submitted_at", "-id")

    def get_serializer_class(self):
        return serializers.RequestDetailSerializer if self.action != "list" else serializers.RequestSerializer

    def get_object(self):
        return selectors.request_detail(user=self.request.user, pk=self.kwargs["pk"])

    def _respond(self, req: Request):
        fresh = selectors.request_detail(user=self.request.user, pk=req.pk)
        return Response(serializers.RequestDetailSerializer(fresh).data, status=status.HTTP_200_OK)

    @extend_schema(request=serializers.OpinionSerializer, responses=serializers.RequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        req = self.get_object()
        payload = serializers.OpinionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.request_comment(actor=request.user, request=req, opinion=payload.validated_data["opinion"])
        return self._respond(req)

    @extend_schema(request=serializers.OpinionSerializer, responses=serializers.RequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        req = self.get_object()
        services.request_withdraw(actor=request.user, request=req, opinion=request.data.get("opinion", ""))
        return self._respond(req)

    @extend_schema(request=serializers.OpinionSerializer, responses=serializers.RequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        req = self.get_object()
        services.request_resubmit(actor=request.user, request=req, opinion=request.data.get("opinion", ""))
        return self._respond(req)


class DelegationViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.DelegationSerializer
    queryset = Delegation.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delegation.objects.none()
        return selectors.my_delegations(user=self.request.user).order_by("-starts_on", "-id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.delegation_create(actor=self.request.user, **data)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.NotificationSerializer
    filterset_fields = {"read_at": ["isnull"]}
    queryset = Notification.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.filter(user=self.request.user)

    @extend_schema(request=None, responses=serializers.NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        note = self.get_queryset().filter(pk=pk).first()
        if note is None:
            raise Http404
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
        note.refresh_from_db()
        return Response(serializers.NotificationSerializer(note).data)
