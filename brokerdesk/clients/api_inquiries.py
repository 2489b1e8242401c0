"""Inquiries and appointments over the API: the same services, scope and refusals as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from brokerdesk.access.scope import get_for_user, visible
from brokerdesk.access.sensitive import reveal
from brokerdesk.clients import serializers_inquiries as ser
from brokerdesk.clients import services_inquiries as svc
from brokerdesk.clients.models import Inquiry

urlpatterns: list = []  # extra non-router paths, mounted under /api/


class InquiryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Calls and appointments in the caller's scope (received by or passed on to them, their
    team's for a lead, the branch's for the branch). Mobiles come out masked."""

    serializer_class = ser.InquirySerializer
    filterset_fields = ["status", "kind", "important", "assigned_to", "received_by"]
    ordering_fields = ["received_at", "acknowledge_by"]

    def get_queryset(self):
        return (
            visible(self.request.user, Inquiry)
            .select_related("assigned_to", "received_by")
            .prefetch_related("events")
            .order_by("-received_at", "-id")
        )

    def get_object(self):
        return get_for_user(self.request.user, self.get_queryset(), self.kwargs["pk"])

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = svc.inquiry_create(
            actor=self.request.user,
            kind=data.get("kind", Inquiry.Kind.CALL),
            caller_name=data.get("caller_name", ""),
            mobile=data.get("mobile", ""),
            topic=data.get("topic", ""),
            details=data.get("details", ""),
            important=data.get("important", False),
            assigned_to=data.get("assigned_to"),
            received_at=data.get("received_at"),
            appointment_at=data.get("appointment_at"),
            appointment_outlet=data.get("appointment_outlet"),
        )

    def _done(self, inquiry):
        # Unscoped on purpose: after passing a matter on, the caller may no longer see it.
        inquiry = (
            Inquiry.objects.select_related("assigned_to", "received_by")
            .prefetch_related("events")
            .get(pk=inquiry.pk)
        )
        return Response(ser.InquirySerializer(inquiry).data)

    @extend_schema(request=None, responses=ser.InquirySerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The person the matter was passed on to confirms they have it."""
        return self._done(svc.inquiry_acknowledge(actor=request.user, inquiry=self.get_object()))

    @extend_schema(request=ser.InquiryPassOnSerializer, responses=ser.InquirySerializer)
    @action(detail=True, methods=["post"], url_path="pass-on")
    def pass_on(self, request, pk=None):
        """Pass the matter on to someone else of the branch (a new deadline if important)."""
        inquiry = self.get_object()
        payload = ser.InquiryPassOnSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        return self._done(
            svc.inquiry_pass_on(actor=request.user, inquiry=inquiry, to=d["to"], note=d["note"])
        )

    @extend_schema(request=ser.InquiryAnswerSerializer, responses=ser.InquirySerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """What the caller was told: the matter is done."""
        inquiry = self.get_object()
        payload = ser.InquiryAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        outcome = payload.validated_data["outcome"]
        return self._done(svc.inquiry_answer(actor=request.user, inquiry=inquiry, outcome=outcome))

    @extend_schema(request=ser.InquiryLostSerializer, responses=ser.InquirySerializer)
    @action(detail=True, methods=["post"])
    def lost(self, request, pk=None):
        """No account was opened, and why."""
        inquiry = self.get_object()
        payload = ser.InquiryLostSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        reason = payload.validated_data["reason"]
        return self._done(svc.inquiry_lost(actor=request.user, inquiry=inquiry, reason=reason))

    @extend_schema(request=ser.InquiryConvertSerializer, responses={201: ser.InquiryConvertedSerializer})
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        """The caller opened an account: register the client (with ownership and confirmation form)."""
        inquiry = self.get_object()
        payload = ser.InquiryConvertSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        client = svc.inquiry_convert(actor=request.user, inquiry=inquiry, **payload.validated_data)
        form = client.confirmations.order_by("-id").first()
        data = {
            "client": client.pk,
            "client_no": client.client_no,
            "confirmation_serial": form.serial_no if form else None,
        }
        return Response(ser.InquiryConvertedSerializer(data).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ser.InquiryMobileSerializer)
    @action(detail=True, methods=["get"])
    def sensitive(self, request, pk=None):
        """The caller's full mobile, for those who may see it; each call is logged."""
        inquiry = self.get_object()
        value = reveal(
            user=request.user,
            obj=inquiry,
            field="mobile",
            ip_address=request.META.get("REMOTE_ADDR"),
            channel="api",
        )
        return Response({"mobile": value})


def register(router) -> None:
    router.register("clients/inquiries", InquiryViewSet, basename="client-inquiry")
