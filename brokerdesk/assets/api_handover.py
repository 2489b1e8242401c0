"""Departure and transfer handovers over the API (registered by ``assets.api.register``): the
same services, scopes and refusals as the pages.

- ``/api/assets/handovers/``: list (filters ``status``, ``kind``, ``staff``), retrieve (with the
  lines the caller may see and what still blocks completion), create (start: HANDOVER holders);
  actions ``refresh``, ``complete``, ``cancel``.
- ``/api/assets/handovers/lines/``: the lines the caller may see (a receiver: theirs);
  actions ``assign``, ``confirm`` (side giver or receiver, each by their own login),
  ``reassign`` and ``notified`` (clients), ``acknowledge`` (pay, finance).

Bad input answers 400 with field errors; a confirmation by the wrong person 403 with the
reason; another branch's handover 404.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from brokerdesk.access import roles
from brokerdesk.access.scope import get_for_user, visible
from brokerdesk.assets import selectors_handover as sel
from brokerdesk.assets import serializers_handover as s
from brokerdesk.assets import services_handover as svc
from brokerdesk.assets.models_handover import HandoverEvent, HandoverLine
from brokerdesk.core.api import ScopedViewSet

urlpatterns: list = []


class HandoverViewSet(ScopedViewSet):
    """Handovers in the caller's scope: their own, those with lines addressed to them, and for
    the trade post, HR, the branch's managers, asset keeper and finance, the branch's."""

    serializer_class = s.HandoverSerializer
    change_perm = roles.VIEW  # confirmations are for everyone; the services check each action
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["status", "kind", "staff"]

    def get_queryset(self):
        return sel.handover_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.HandoverDetailSerializer
        return super().get_serializer_class()

    def _answer(self, pk, code=status.HTTP_200_OK):
        handover = self.get_queryset().get(pk=pk)
        lines = list(sel.lines_with_events(user=self.request.user, handover=handover))
        blocking = None
        # A receiver sees only their lines, and not what else blocks the checklist.
        if handover.is_open and len(lines) == handover.lines.count():
            blocking = sel.checklist_blocking(handover) or sel.live_blocking(
                handover.staff, handover.kind, handover
            )
        data = s.HandoverDetailSerializer(handover, context={"lines": lines, "blocking": blocking}).data
        return Response(data, status=code)

    def retrieve(self, request, *args, **kwargs):
        handover = self.get_object()
        return self._answer(handover.pk)

    def create(self, request, *args, **kwargs):
        payload = s.HandoverSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        handover = svc.handover_start(
            actor=request.user,
            staff=d["staff"],
            kind=d["kind"],
            effective_on=d["effective_on"],
            reason=d.get("reason", ""),
            to_branch=d.get("to_branch"),
            to_team=d.get("to_team"),
            to_outlet=d.get("to_outlet"),
            to_regional_manager=d.get("to_regional_manager"),
        )
        return self._answer(handover.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.HandoverDetailSerializer)
    @action(detail=True, methods=["post"])
    def refresh(self, request, pk=None):
        """Regenerate the lines from what the person holds now."""
        handover = self.get_object()
        svc.handover_refresh(actor=request.user, handover=handover)
        return self._answer(handover.pk)

    @extend_schema(request=None, responses=s.HandoverDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Complete: every line done and nothing left with the person; performs the departure
        or transfer. Refused (400) with the reason otherwise."""
        handover = self.get_object()
        svc.handover_complete(actor=request.user, handover=handover)
        return self._answer(handover.pk)

    @extend_schema(request=s.HandoverReassignSerializer, responses=s.HandoverDetailSerializer)
    @action(detail=True, methods=["post"], url_path="reassign-clients")
    def reassign_clients(self, request, pk=None):
        """Reassign every client not yet reassigned to ``to`` from ``effective_on``, all or none
        (optionally recording that the clients were told)."""
        handover = self.get_object()
        payload = s.HandoverReassignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        svc.clients_reassign_all(
            actor=request.user,
            handover=handover,
            to=d["to"],
            effective_on=d.get("effective_on"),
            notified_on=d.get("notified_on"),
            notified_how=d.get("notified_how") or "",
            note=d["note"],
        )
        return self._answer(handover.pk)

    @extend_schema(request=s.HandoverReasonSerializer, responses=s.HandoverDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        handover = self.get_object()
        payload = s.HandoverReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        svc.handover_cancel(actor=request.user, handover=handover, reason=payload.validated_data["reason"])
        return self._answer(handover.pk)


class HandoverLineViewSet(ScopedViewSet):
    """Checklist lines the caller may see, and each line's actions."""

    serializer_class = s.HandoverLineSerializer
    change_perm = roles.VIEW
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["handover", "kind", "status", "receiver"]

    def get_queryset(self):
        return (
            visible(self.request.user, HandoverLine)
            .select_related("receiver")
            .prefetch_related(
                Prefetch(
                    "events",
                    queryset=HandoverEvent.objects.select_related("actor__staff").order_by("at", "pk"),
                )
            )
            .order_by("handover_id", "kind", "pk")
        )

    def create(self, request, *args, **kwargs):
        return Response(status=status.HTTP_405_METHOD_NOT_ALLOWED)

    def _line(self, pk) -> HandoverLine:
        return get_for_user(self.request.user, HandoverLine.objects.select_related("handover"), pk)

    def _answer(self, pk):
        return Response(s.HandoverLineSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=s.HandoverAssignSerializer, responses=s.HandoverLineSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Where an asset or archive item goes (``return`` or ``pass`` to ``receiver``); who takes
        over a follow-up or planned visit (``receiver``)."""
        line = self._line(pk)
        payload = s.HandoverAssignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        svc.line_assign(
            actor=request.user,
            line=line,
            disposition=d["disposition"],
            receiver=d.get("receiver"),
            note=d["note"],
        )
        return self._answer(line.pk)

    @extend_schema(request=s.HandoverConfirmSerializer, responses=s.HandoverLineSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """One side's confirmation, by that person's own login; the item moves when both are in."""
        line = self._line(pk)
        payload = s.HandoverConfirmSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        svc.line_confirm(actor=request.user, line=line, side=payload.validated_data["side"])
        return self._answer(line.pk)

    @extend_schema(request=s.HandoverReassignSerializer, responses=s.HandoverLineSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """Reassign the line's client to ``to`` from ``effective_on``; optionally record that the
        client was told (``notified_on``, ``notified_how``)."""
        line = self._line(pk)
        payload = s.HandoverReassignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        svc.client_reassign(
            actor=request.user,
            line=line,
            to=d["to"],
            effective_on=d.get("effective_on"),
            notified_on=d.get("notified_on"),
            notified_how=d.get("notified_how") or "",
            note=d["note"],
        )
        return self._answer(line.pk)

    @extend_schema(request=s.HandoverNotifiedSerializer, responses=s.HandoverLineSerializer)
    @action(detail=True, methods=["post"])
    def notified(self, request, pk=None):
        """Record that the reassigned client was told of the new manager."""
        line = self._line(pk)
        payload = s.HandoverNotifiedSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        svc.client_notified(actor=request.user, line=line, **payload.validated_data)
        return self._answer(line.pk)

    @extend_schema(request=s.HandoverAcknowledgeSerializer, responses=s.HandoverLineSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Finance acknowledges the pay still owed or withheld (400 when it changed meanwhile)."""
        line = self._line(pk)
        payload = s.HandoverAcknowledgeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        svc.pay_acknowledge(actor=request.user, line=line, note=payload.validated_data["note"])
        return self._answer(line.pk)


def register(router) -> None:
    # The lines first: "handovers/lines/" must not be read as the handover with pk "lines".
    router.register("assets/handovers/lines", HandoverLineViewSet, basename="handover-line")
    router.register("assets/handovers", HandoverViewSet, basename="handover")
