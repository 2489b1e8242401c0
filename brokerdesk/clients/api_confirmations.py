"""Confirmation forms and monthly batches over the API: the same services, scope and refusals as
the pages. Forms are issued by bringing a client in; here they are read, signed and voided."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from brokerdesk.access.scope import get_for_user, visible
from brokerdesk.clients import serializers_confirmations as ser
from brokerdesk.clients import services
from brokerdesk.clients.models import ConfirmationForm
from brokerdesk.clients.views_confirmations import _batches

urlpatterns: list = []  # extra non-router paths, mounted under /api/


class _ScopedReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def get_object(self):
        return get_for_user(self.request.user, self.get_queryset(), self.kwargs["pk"])


class ConfirmationFormViewSet(_ScopedReadOnly):
    """The confirmation forms in the caller's scope (a client manager: the forms of their clients)."""

    serializer_class = ser.ConfirmationFormSerializer
    filterset_fields = ["month", "status", "manager", "branch", "batch", "client"]

    def get_queryset(self):
        return (
            visible(self.request.user, ConfirmationForm)
            .select_related("manager", "batch")
            .order_by("-month", "branch_id", "-sequence")
        )

    def _fresh(self, cform):
        return Response(ser.ConfirmationFormSerializer(self.get_queryset().get(pk=cform.pk)).data)

    @extend_schema(
        request={"multipart/form-data": ser.ConfirmationSignSerializer},
        responses=ser.ConfirmationFormSerializer,
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def sign(self, request, pk=None):
        """File (or replace) the signed copy: PDF, JPEG or PNG, checked by content."""
        cform = self.get_object()
        upload = request.FILES.get("signed_copy")
        return self._fresh(services.confirmation_sign(actor=request.user, form=cform, upload=upload))

    @extend_schema(request=ser.ConfirmationVoidSerializer, responses=ser.ConfirmationFormSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        """Void a form issued in error (trade-management post); its number stays taken."""
        cform = self.get_object()
        payload = ser.ConfirmationVoidSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        reason = payload.validated_data["void_reason"]
        return self._fresh(services.confirmation_void(actor=request.user, form=cform, reason=reason))


class ConfirmationBatchViewSet(_ScopedReadOnly):
    """Each branch's month of forms: counts, unsigned serial numbers, archived or not."""

    serializer_class = ser.ConfirmationBatchSerializer
    filterset_fields = ["branch", "month"]

    def get_queryset(self):
        return _batches(self.request.user)

    @extend_schema(request=ser.ConfirmationBatchCloseSerializer, responses=ser.ConfirmationBatchSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Archive a finished month whose forms are all signed or void."""
        batch = self.get_object()
        payload = ser.ConfirmationBatchCloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.batch_close(actor=request.user, batch=batch, note=payload.validated_data["note"])
        return Response(ser.ConfirmationBatchSerializer(self.get_queryset().get(pk=batch.pk)).data)


def register(router) -> None:
    router.register("clients/confirmations", ConfirmationFormViewSet, basename="client-confirmation")
    router.register(
        "clients/confirmation-batches", ConfirmationBatchViewSet, basename="client-confirmation-batch"
    )
