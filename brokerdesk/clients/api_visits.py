"""Visits and follow-ups over the API (registered by ``clients.api.register``): the same
services, scopes and refusals as the pages.

- ``/api/clients/visits/``: list, retrieve, create (``mode`` plan or log; 400 with the overlap
  message under ``acknowledge_overlap`` unless ``acknowledge_overlap`` is true), PATCH (the
  author, until verified); actions ``complete``, ``cancel``, ``verify``.
- ``/api/clients/followups/``: list, retrieve, create (on a visit or a client); actions
  ``send``, ``chase``, ``resolve``, ``close``, ``reopen``.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from brokerdesk.access import roles
from brokerdesk.access.scope import get_for_user
from brokerdesk.clients import selectors_visits as selectors
from brokerdesk.clients import serializers_visits as s
from brokerdesk.clients import services_visits as services
from brokerdesk.clients.models import FollowUpEvent, Visit, VisitOverlap
from brokerdesk.clients.services import staff_of
from brokerdesk.core.api import ScopedViewSet

urlpatterns: list = []  # extra non-router paths, mounted under /api/


class VisitViewSet(ScopedViewSet):
    """Visits in the caller's scope. Anyone with a staff record may plan or log a visit to a
    client in their scope; the head verifies done visits of others."""

    serializer_class = s.VisitSerializer
    change_perm = roles.VIEW
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["client", "author", "status", "form"]

    def get_queryset(self):
        overlaps = VisitOverlap.objects.select_related("other__author").order_by("days_apart", "id")
        return selectors.visit_list(user=self.request.user, me=staff_of(self.request.user)).prefetch_related(
            Prefetch("overlaps", queryset=overlaps)
        )

    def get_serializer_class(self):
        if self.action == "partial_update":
            return s.VisitUpdateSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer):
        d = serializer.validated_data
        mode = d.get("mode") or ("plan" if d.get("planned_on") and not d.get("visited_on") else "log")
        common = {
            "actor": self.request.user,
            "client": d["client"],
            "form": d.get("form") or Visit.Form.ON_SITE,
            "visitors": d.get("visitors", []),
            "acknowledge_overlap": d.get("acknowledge_overlap", False),
        }
        if mode == "plan":
            visit = services.visit_plan(
                planned_on=d.get("planned_on"), purpose=d.get("purpose", ""), **common
            )
        else:
            visit = services.visit_log(
                visited_on=d.get("visited_on"),
                purpose=d.get("purpose", ""),
                content=d.get("content", ""),
                opinions=d.get("opinions", ""),
                suggestions=d.get("suggestions", ""),
                difficulties=d.get("difficulties", ""),
                **common,
            )
        serializer.instance = self.get_queryset().get(pk=visit.pk)

    def perform_update(self, serializer):
        services.visit_update(actor=self.request.user, visit=serializer.instance, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def update(self, request, *args, **kwargs):
        super().update(request, *args, **kwargs)
        return Response(s.VisitSerializer(self.get_queryset().get(pk=kwargs["pk"])).data)

    def _answer(self, pk):
        return Response(s.VisitSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=s.VisitCompleteSerializer, responses=s.VisitSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Log what happened on a planned visit (its author)."""
        visit = self.get_object()
        payload = s.VisitCompleteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        services.visit_log(
            actor=request.user,
            visit=visit,
            visited_on=d["visited_on"],
            form=d.get("form") or visit.form,
            content=d["content"],
            opinions=d["opinions"],
            suggestions=d["suggestions"],
            difficulties=d["difficulties"],
            acknowledge_overlap=d["acknowledge_overlap"],
        )
        return self._answer(visit.pk)

    @extend_schema(request=s.VisitReasonSerializer, responses=s.VisitSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a planned visit (its author or the head)."""
        visit = self.get_object()
        payload = s.VisitReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.visit_cancel(actor=request.user, visit=visit, reason=payload.validated_data["reason"])
        return self._answer(visit.pk)

    @extend_schema(request=s.VisitOpinionSerializer, responses=s.VisitSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """The head's verification of a done visit with an opinion; never the author's own."""
        visit = get_for_user(request.user, Visit, pk, roles.VISIT_VERIFY)
        payload = s.VisitOpinionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.verify_visit(actor=request.user, visit=visit, opinion=payload.validated_data["opinion"])
        return self._answer(visit.pk)


class FollowUpViewSet(ScopedViewSet):
    """Follow-ups (督办) in the caller's scope: the owner's line, the client's line and the
    responsible department's people."""

    serializer_class = s.FollowUpSerializer
    change_perm = roles.VIEW
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["status", "category", "department", "owner", "client", "visit"]

    def get_queryset(self):
        rows, _overdue = selectors.followup_list(user=self.request.user)
        return rows.prefetch_related(Prefetch("events", queryset=FollowUpEvent.objects.order_by("at", "id")))

    def perform_create(self, serializer):
        d = serializer.validated_data
        fu = services.followup_raise(
            actor=self.request.user,
            visit=d.get("visit"),
            client=d.get("client"),
            category=d.get("category", ""),
            matter=d.get("matter", ""),
            department=d.get("department"),
            due_on=d.get("due_on"),
        )
        serializer.instance = self.get_queryset().get(pk=fu.pk)

    def _answer(self, pk):
        return Response(s.FollowUpSerializer(self.get_queryset().get(pk=pk)).data, status=status.HTTP_200_OK)

    @extend_schema(request=s.FollowUpSendSerializer, responses=s.FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Send the matter to the responsible department (its people are notified)."""
        fu = self.get_object()
        payload = s.FollowUpSendSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        services.followup_send(
            actor=request.user, followup=fu, department=d.get("department"), note=d["note"]
        )
        return self._answer(fu.pk)

    @extend_schema(request=s.FollowUpNoteSerializer, responses=s.FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def chase(self, request, pk=None):
        """Chase the department with a note (notified again)."""
        fu = self.get_object()
        payload = s.FollowUpNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.followup_chase(actor=request.user, followup=fu, note=payload.validated_data["note"])
        return self._answer(fu.pk)

    @extend_schema(request=s.FollowUpResolveSerializer, responses=s.FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Record the department's result (the owner, the head, or a user of that department)."""
        fu = self.get_object()
        payload = s.FollowUpResolveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.followup_resolve(
            actor=request.user, followup=fu, resolution=payload.validated_data["resolution"]
        )
        return self._answer(fu.pk)

    @extend_schema(request=s.FollowUpCloseSerializer, responses=s.FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a resolved matter: requires informed_on, informed_how and informed_note."""
        fu = self.get_object()
        payload = s.FollowUpCloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.followup_close(actor=request.user, followup=fu, **payload.validated_data)
        return self._answer(fu.pk)

    @extend_schema(request=s.FollowUpNoteSerializer, responses=s.FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a resolved or closed matter, saying why."""
        fu = self.get_object()
        payload = s.FollowUpNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.followup_reopen(actor=request.user, followup=fu, note=payload.validated_data["note"])
        return self._answer(fu.pk)


def register(router) -> None:
    router.register("clients/visits", VisitViewSet, basename="client-visit")
    router.register("clients/followups", FollowUpViewSet, basename="client-followup")
