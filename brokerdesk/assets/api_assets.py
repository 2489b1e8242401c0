"""Assets over the API, with the pages' scopes (第十一至十四条):

- ``/api/assets/assets/`` list (``q``, ``category``, ``status``, ``branch``, ``team``, ``outlet``,
  ``holder``), retrieve (with its holders), create and PATCH (``asset.keep``);
  ``/api/assets/assets/{id}/move/`` records one movement; ``/api/assets/assets/{id}/ledger/``
  its lines;
- ``/api/assets/lines/`` the ledger in scope (``asset``, ``kind``, ``staff``, ``start``, ``end``);
  ``/api/assets/lines/{id}/reverse/`` a reversing line;
- ``/api/assets/incidents/`` list, retrieve, create; ``/api/assets/incidents/{id}/charge/``
  revises a charge not yet decided;
- ``/api/assets/mine/`` what the caller holds now.

Refusals (more than on hand, another branch's person, a charge above the value without a
reason…) answer 400 with field errors and save nothing; writes outside the caller's keeping
answer 403 (no ``asset.keep``) or 404 (an asset of another branch).
"""

from django.db.models import Prefetch
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from brokerdesk.access.roles import ASSET_KEEP
from brokerdesk.access.scope import get_for_user, has_perm, visible
from brokerdesk.assets import selectors_assets as sel
from brokerdesk.assets import serializers_assets as ser
from brokerdesk.assets import services_assets as svc
from brokerdesk.assets.models_assets import Asset, Holding, Incident, LedgerLine
from brokerdesk.org.models import Staff

READ = ("GET", "HEAD", "OPTIONS")


class KeeperWrites:
    """Writes need ``asset.keep`` somewhere (403); the record itself is then fetched in the
    keeper's scope (404 outside it)."""

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method not in READ and not has_perm(request.user, ASSET_KEEP):
            raise PermissionDenied()

    def _scoped_inputs(self, serializer):
        user = self.request.user
        people = visible(user, Staff)
        for name in ("from_staff", "to_staff", "responsible", "lost_from"):
            if name in serializer.fields:
                serializer.fields[name].queryset = people
        if "asset" in serializer.fields:
            serializer.fields["asset"].queryset = visible(user, Asset, ASSET_KEEP)
        return serializer


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="tag, description, or a holder's name / pinyin / 工号"),
        OpenApiParameter("category", str),
        OpenApiParameter("status", str),
        OpenApiParameter("branch", int),
        OpenApiParameter("team", int),
        OpenApiParameter("outlet", int),
        OpenApiParameter("holder", int, description="staff id: what this person holds"),
    ]
)
class AssetViewSet(
    KeeperWrites,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ser.AssetSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        filters = {
            k: params.get(k) for k in ("q", "category", "status", "branch", "team", "outlet", "holder")
        }
        filters = {k: v for k, v in filters.items() if v not in (None, "")}
        for key in ("branch", "team", "outlet", "holder"):
            if key in filters and not str(filters[key]).isdigit():
                filters[key] = 0  # nothing matches a malformed id
        return sel.asset_list(user=self.request.user, filters=filters)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ser.AssetDetailSerializer
        if self.action == "create":
            return ser.AssetCreateSerializer
        if self.action == "partial_update":
            return ser.AssetUpdateSerializer
        if self.action == "move":
            return ser.MoveSerializer
        return super().get_serializer_class()

    def get_object(self):
        if self.request.method in READ:
            qs = self.get_queryset().prefetch_related(
                Prefetch(
                    "holdings", queryset=Holding.objects.select_related("staff").order_by("staff__emp_no")
                )
            )
            return get_for_user(self.request.user, qs, self.kwargs["pk"])
        return get_for_user(self.request.user, Asset, self.kwargs["pk"], ASSET_KEEP)

    def _out(self, asset, code=status.HTTP_200_OK):
        asset = Asset.objects.select_related("custodian").prefetch_related("holdings__staff").get(pk=asset.pk)
        return Response(ser.AssetDetailSerializer(asset).data, status=code)

    @extend_schema(request=ser.AssetCreateSerializer, responses={201: ser.AssetDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        asset = svc.asset_register(actor=request.user, **serializer.validated_data)
        return self._out(asset, status.HTTP_201_CREATED)

    @extend_schema(request=ser.AssetUpdateSerializer, responses=ser.AssetDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        asset = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        svc.asset_update(actor=request.user, asset=asset, **serializer.validated_data)
        return self._out(asset)

    @extend_schema(request=ser.MoveSerializer, responses={201: ser.LedgerLineSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Record one movement of the asset in the ledger (a new line; the stock follows)."""
        asset = self.get_object()
        serializer = self._scoped_inputs(self.get_serializer(data=request.data))
        serializer.is_valid(raise_exception=True)
        line = svc.asset_move(actor=request.user, asset=asset, **serializer.validated_data)
        return Response(ser.LedgerLineSerializer(line).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ser.LedgerLineSerializer(many=True))
    @action(detail=True, methods=["get"])
    def ledger(self, request, pk=None):
        """The asset's ledger lines, oldest first (as far as the caller's scope reaches)."""
        asset = get_for_user(request.user, self.get_queryset(), pk)
        lines = (
            visible(request.user, LedgerLine)
            .filter(asset=asset)
            .select_related("asset", "from_staff", "to_staff")
        )
        page = self.paginate_queryset(lines.order_by("day", "id"))
        return self.get_paginated_response(ser.LedgerLineSerializer(page, many=True).data)


@extend_schema(
    parameters=[
        OpenApiParameter("asset", int),
        OpenApiParameter("branch", int),
        OpenApiParameter("kind", str),
        OpenApiParameter("staff", int, description="lines from or to this person"),
        OpenApiParameter("start", str, description="YYYY-MM-DD"),
        OpenApiParameter("end", str, description="YYYY-MM-DD"),
    ]
)
class LedgerViewSet(KeeperWrites, viewsets.ReadOnlyModelViewSet):
    """The 实物管理明细表 in scope, newest first. Lines are never changed: reverse one instead."""

    serializer_class = ser.LedgerLineSerializer
    filter_backends: list = []

    def get_queryset(self):
        from brokerdesk.assets.forms_assets import LedgerFilterForm

        params = self.request.query_params
        form = LedgerFilterForm(params, user=self.request.user)
        filters = dict(form.cleaned_data) if form.is_valid() else {}
        for key in ("asset", "branch"):
            if str(params.get(key, "")).isdigit():
                filters[key] = int(params[key])
        return sel.ledger_list(user=self.request.user, filters=filters)

    def get_object(self):
        return get_for_user(self.request.user, self.get_queryset(), self.kwargs["pk"])

    @extend_schema(request=ser.ReverseSerializer, responses={201: ser.LedgerLineSerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        """A reversing line: the same quantity back the way it came (the line stays)."""
        line = get_for_user(request.user, LedgerLine.objects.select_related("asset"), pk, ASSET_KEEP)
        serializer = ser.ReverseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reversal = svc.line_reverse(actor=request.user, line=line, **serializer.validated_data)
        return Response(ser.LedgerLineSerializer(reversal).data, status=status.HTTP_201_CREATED)


class IncidentViewSet(
    KeeperWrites,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Damage, loss and theft with the charge to the person responsible (第十四条)."""

    serializer_class = ser.IncidentSerializer
    filterset_fields = ["status", "kind", "asset", "responsible", "pay_month"]

    def get_queryset(self):
        return sel.incident_list(user=self.request.user)

    def get_object(self):
        return get_for_user(self.request.user, self.get_queryset(), self.kwargs["pk"])

    def get_serializer_class(self):
        if self.action == "create":
            return ser.IncidentCreateSerializer
        if self.action == "charge":
            return ser.ChargeSerializer
        return super().get_serializer_class()

    @extend_schema(request=ser.IncidentCreateSerializer, responses={201: ser.IncidentSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self._scoped_inputs(self.get_serializer(data=request.data))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "lost_from" not in request.data:
            data.pop("lost_from", None)
        incident = svc.incident_record(actor=request.user, **data)
        return Response(ser.IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ser.ChargeSerializer, responses=ser.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def charge(self, request, pk=None):
        """Revise the charge of an incident not yet decided and send it (again) for approval."""
        incident = get_for_user(request.user, Incident.objects.select_related("asset"), pk, ASSET_KEEP)
        serializer = self._scoped_inputs(self.get_serializer(data=request.data))
        serializer.is_valid(raise_exception=True)
        incident = svc.incident_revise(actor=request.user, incident=incident, **serializer.validated_data)
        return Response(ser.IncidentSerializer(Incident.objects.get(pk=incident.pk)).data)


class MineView(ListAPIView):
    """What the caller holds now (the ledger's sum), with the quantity in their hands."""

    serializer_class = ser.HeldSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        staff = Staff.objects.filter(user=self.request.user).first()
        return [] if staff is None else [{"asset": a, "quantity": q} for a, q in sel.held_by(staff)]


urlpatterns = [path("assets/mine/", MineView.as_view(), name="asset-mine")]


def register(router) -> None:
    router.register("assets/assets", AssetViewSet, basename="asset")
    router.register("assets/lines", LedgerViewSet, basename="asset-line")
    router.register("assets/incidents", IncidentViewSet, basename="asset-incident")
