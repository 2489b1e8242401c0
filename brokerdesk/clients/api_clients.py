"""The client registry over the API (registered by ``clients.api.register``): the same
selectors, services, scopes and masks as the pages."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from brokerdesk.access import roles
from brokerdesk.access.scope import get_for_user, has_perm, visible
from brokerdesk.access.sensitive import reveal
from brokerdesk.clients import selectors, services
from brokerdesk.clients import serializers_clients as s
from brokerdesk.clients.models import Client, Figure, Ownership, Tier
from brokerdesk.core.api import ScopedViewSet
from brokerdesk.core.excel import read_rows
from brokerdesk.core.pagination import PageNumberPagination

urlpatterns: list = []  # extra non-router paths, mounted under /api/

LIST_FILTERS = ("tier", "manager", "source", "status")


class ClientPagination(PageNumberPagination):
    django_paginator_class = selectors.ClientApiPaginator


class ClientViewSet(ScopedViewSet):
    """Clients in the caller's scope; ``?q=`` searches like the list page (name, pinyin, client
    number prefix, last four of the phone); ``?tier=`` (id, ``any``, ``none``), ``?manager=``,
    ``?source=``, ``?status=`` filter. ID numbers and phones are masked."""

    serializer_class = s.ClientSerializer
    change_perm = roles.CLIENT_CHANGE
    http_method_names = ["get", "post", "patch", "head", "options"]
    pagination_class = ClientPagination

    def get_queryset(self):
        params = self.request.query_params
        filters = {k: params.get(k) for k in LIST_FILTERS if params.get(k)}
        for key in ("tier", "manager"):  # ids (or any/none for the tier); anything else is ignored
            if key in filters and not (
                filters[key].isdigit() or (key == "tier" and filters[key] in ("any", "none"))
            ):
                del filters[key]
        return selectors.client_search(self.request.user, params.get("q", ""), filters)

    @extend_schema(parameters=[OpenApiParameter("q", str, description="search text")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        manager = data.pop("manager", None)
        serializer.instance = services.client_create(
            actor=self.request.user, client=Client(**data), manager=manager
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        for frozen in ("client_no", "opened_on", "manager"):
            if frozen in data:
                raise ValidationError({frozen: _("This cannot be changed here.")})
        values = {f: v for f, v in data.items() if f in services.PROFILE_FIELDS}
        saved = services.client_update(actor=self.request.user, client=serializer.instance, **values)
        # Answered with the latest figures (the current CRM month too), like a GET.
        serializer.instance = selectors.with_latest_figures(
            Client.objects.select_related("manager", "tier")
        ).get(pk=saved.pk)

    @extend_schema(responses=s.OwnershipSerializer(many=True))
    @action(detail=True, methods=["get"])
    def ownerships(self, request, pk=None):
        """Who was responsible for the client, from when until when, and why."""
        client = self.get_object()
        rows = client.ownerships.select_related("manager").order_by("start", "id")
        return Response(s.OwnershipSerializer(rows, many=True).data)

    @action(detail=True, methods=["get"])
    def sensitive(self, request, pk=None):
        """The full ID number and phone, for those who may see them; each call is logged."""
        client = self.get_object()
        ip = request.META.get("REMOTE_ADDR")
        return Response(
            {
                f: reveal(user=request.user, obj=client, field=f, ip_address=ip, channel="api")
                for f in ("id_number", "mobile")
            }
        )

    @extend_schema(request=s.TransferSerializer, responses=s.ClientSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """Reassign the client to another manager of its branch from a date (with a reason)."""
        client = self.get_object()
        payload = s.TransferSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.client_transfer(
            actor=request.user,
            client=client,
            to=data["to"],
            effective=data.get("effective"),
            note=data["note"],
        )
        return Response(s.ClientSerializer(self.get_object()).data)

    @extend_schema(request=s.TierSetSerializer, responses=s.ClientSerializer)
    @action(detail=True, methods=["post"])
    def tier(self, request, pk=None):
        """Set the tier by hand (with a reason), or ``{"tier": null}`` to give it back to the rules."""
        client = self.get_object()
        payload = s.TierSetSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.tier_set_manual(actor=request.user, client=client, tier=data["tier"], reason=data["reason"])
        return Response(s.ClientSerializer(self.get_object()).data)

    @extend_schema(request=s.ClaimSerializer, responses=s.ClaimResultSerializer)
    @action(detail=False, methods=["post"])
    def claim(self, request):
        """Claim a client of the caller's branch that another manager holds, by its exact number."""
        payload = s.ClaimSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        target = selectors.claim_lookup(request.user, payload.validated_data["client_no"])
        if target is None:
            raise ValidationError({"client_no": _("No client with this number can be claimed.")})
        claim = services.claim_submit(
            actor=request.user, client=Client(pk=target.pk), reason=payload.validated_data["reason"]
        )
        return Response(s.ClaimResultSerializer(claim).data, status=status.HTTP_201_CREATED)


class OwnershipViewSet(ScopedViewSet):
    """Ownership periods of the clients in scope; ``?client=`` for one client's."""

    serializer_class = s.OwnershipSerializer
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        qs = visible(self.request.user, Ownership.objects.select_related("manager")).order_by(
            "client_id", "start"
        )
        client = self.request.query_params.get("client")
        return qs.filter(client_id=client) if client and client.isdigit() else qs


def _month(value) -> dt.date:
    try:
        return dt.datetime.strptime(str(value or "").strip()[:7], "%Y-%m").date()
    except ValueError:
        raise ValidationError({"month": _("Enter a month such as 2026-11.")}) from None


class FigureViewSet(ScopedViewSet):
    """Monthly figures of the clients in scope (``?client=``); POST one month, or ``import``
    an Excel file (客户号, 月份 YYYY-MM, 资产, 收入) all-or-nothing."""

    serializer_class = s.FigureSerializer
    change_perm = roles.CLIENT_FIGURES
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        qs = visible(self.request.user, Figure.objects.all()).order_by("client_id", "-month")
        client = self.request.query_params.get("client")
        return qs.filter(client_id=client) if client and client.isdigit() else qs

    def perform_create(self, serializer):
        data = serializer.validated_data
        client = get_for_user(self.request.user, Client, data["client_id"])
        serializer.instance = services.figures_save(
            actor=self.request.user,
            client=client,
            month=_month(data["month"]),
            assets=data["assets"],
            revenue=data["revenue"],
        )

    @extend_schema(request={"multipart/form-data": s.FigureImportSerializer}, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="import")
    def import_file(self, request):
        payload = s.FigureImportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            rows = read_rows(payload.validated_data["file"])
        except Exception:  # noqa: BLE001 - any unreadable upload is the same answer
            raise ValidationError(
                {"file": _("This is not an Excel file (.xlsx) that can be read.")}
            ) from None
        return Response({"imported": services.figures_import(actor=request.user, rows=rows)})


class TierViewSet(ScopedViewSet):
    """Key-account tiers: everyone reads them; those who configure tiers write them."""

    serializer_class = s.TierSerializer
    change_perm = roles.TIER_CONFIG
    queryset = Tier.objects.order_by("rank")

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not has_perm(request.user, roles.TIER_CONFIG):
            raise exceptions.PermissionDenied()

    def perform_create(self, serializer):
        serializer.instance = services.tier_save(
            actor=self.request.user, tier=Tier(**serializer.validated_data)
        )

    def perform_update(self, serializer):
        tier = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(tier, field, value)
        serializer.instance = services.tier_save(actor=self.request.user, tier=tier)


def register(router) -> None:
    router.register("clients/clients", ClientViewSet, basename="client")
    router.register("clients/ownerships", OwnershipViewSet, basename="client-ownership")
    router.register("clients/figures", FigureViewSet, basename="client-figure")
    router.register("clients/tiers", TierViewSet, basename="client-tier")
