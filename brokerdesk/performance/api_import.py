"""The CRM import over the API: list and detail (with the reconciliation), a multipart upload,
the explicit acceptance of the good rows, and the bad rows with their lines (paginated)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from brokerdesk.access import roles
from brokerdesk.access.scope import visible
from brokerdesk.core.api import ScopedViewSet
from brokerdesk.performance import serializers_import as s
from brokerdesk.performance import services_import
from brokerdesk.performance.forms_import import parse_month_text
from brokerdesk.performance.models import CrmImport

urlpatterns: list = []


class CrmImportViewSet(ScopedViewSet):
    """CRM imports in the caller's scope (finance, the branch's managers; ``?month=2026-10``,
    ``?status=``). POST a file (multipart: ``month``, ``branch``, ``file``, ``accept_good_rows``)
    to import it; the work runs in the background: poll the record for ``status`` and
    ``percent``."""

    serializer_class = s.CrmImportSerializer
    change_perm = roles.PAY_RUN
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        qs = visible(
            self.request.user,
            CrmImport.objects.select_related("branch", "uploaded_by").order_by("-uploaded_at", "-id"),
            roles.PAY_VIEW,
        )
        params = self.request.query_params
        month = parse_month_text(params.get("month")) if params.get("month") else None
        if month:
            qs = qs.filter(month=month)
        if params.get("status") in CrmImport.Status.values:
            qs = qs.filter(status=params["status"])
        return qs

    @extend_schema(
        request={"multipart/form-data": s.CrmImportCreateSerializer}, responses={201: s.CrmImportSerializer}
    )
    def create(self, request, *args, **kwargs):
        payload = s.CrmImportCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        imp = services_import.import_start(
            actor=request.user,
            branch=data.get("branch"),
            month=data["month"],
            upload=data["file"],
            accept_good_rows=data.get("accept_good_rows", False),
        )
        return Response(s.CrmImportSerializer(imp).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AcceptGoodRowsSerializer, responses=s.CrmImportSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="accept-good-rows",
        parser_classes=[JSONParser, FormParser, MultiPartParser],
    )
    def accept_good_rows(self, request, pk=None):
        """Import the good rows of a file with bad rows (``{"confirm": true}``)."""
        imp = self.get_object()
        payload = s.AcceptGoodRowsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        imp = services_import.import_accept_good_rows(actor=request.user, crm_import=imp)
        return Response(s.CrmImportSerializer(imp).data)

    @extend_schema(responses=s.ImportRowErrorSerializer(many=True))
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        """Every bad row with its line, column and reason (paginated)."""
        imp = self.get_object()
        rows = imp.errors.order_by("line", "id")
        page = self.paginate_queryset(rows)
        if page is None:
            raise ValidationError(_("Ask for a page."))
        return self.get_paginated_response(s.ImportRowErrorSerializer(page, many=True).data)


def register(router) -> None:
    router.register("performance/imports", CrmImportViewSet, basename="crm-import")
