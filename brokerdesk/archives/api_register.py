"""The archive register over the API (registered by ``archives.api``): the same services, scopes
and refusals as the pages.

- ``/api/archives/entries/``: search (``serial`` exact or prefix, ``kind``, ``month_from``,
  ``month_to``, ``branch``, ``q`` title words, ``custodian``, ``held`` room|out, ``status``
  withdrawn|all), retrieve, create (multipart for a scan; ``submission_key`` makes a retry
  safe), PATCH while the month is open; actions ``withdraw``, ``custody`` (who holds the
  original; null = the archive room), ``moves`` (the custody trail) and ``scan`` (download).
- ``/api/archives/batches/``: each branch's months with counts; ``close`` one, or
  ``close-month`` by branch and month.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from brokerdesk.access import roles
from brokerdesk.access.scope import get_for_user
from brokerdesk.access.sensitive import log_access
from brokerdesk.archives import rules_register as rules
from brokerdesk.archives import selectors, services
from brokerdesk.archives import serializers as s
from brokerdesk.archives.selectors import EntryFilters
from brokerdesk.core.api import ScopedViewSet
from brokerdesk.core.files import attachment_response
from brokerdesk.core.pagination import PageNumberPagination
from brokerdesk.core.widgets import MonthField

urlpatterns: list = []  # extra non-router paths, mounted under /api/

SEARCH_PARAMETERS = [
    OpenApiParameter(
        "serial", str, description="Serial number: a full one matches exactly, a part is a prefix."
    ),
    OpenApiParameter("kind", str, enum=list(s.RegisterEntry.Kind.values)),
    OpenApiParameter("month_from", str, description="First period, YYYY-MM."),
    OpenApiParameter("month_to", str, description="Last period, YYYY-MM."),
    OpenApiParameter("branch", int),
    OpenApiParameter("q", str, description="Words of the title (all must appear)."),
    OpenApiParameter("custodian", int, description="Staff id of the person holding the original."),
    OpenApiParameter("held", str, enum=["room", "out"]),
    OpenApiParameter("status", str, enum=["withdrawn", "all"], description="Default: filed entries only."),
]


class RegisterPagination(PageNumberPagination):
    """``count`` is exact up to 1,000 and null beyond (``CappedPaginator``); a title search does not
    count at all and answers ``count: null`` until its last page (``LookaheadPaginator``)."""

    def paginate_queryset(self, queryset, request, view=None):
        q = request.query_params.get("q", "")
        self.django_paginator_class = (
            selectors.LookaheadPaginator if rules.title_words(q) else selectors.CappedPaginator
        )
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        if getattr(self.page.paginator, "capped", False):
            response.data["count"] = None
        return response

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"]["nullable"] = True
        return answer


def _month(value: str):
    try:
        return MonthField(required=False).clean(value)
    except DjangoValidationError:
        return "bad"


class EntryViewSet(ScopedViewSet):
    """Register entries in the caller's scope (a client manager: the originals they hold)."""

    serializer_class = s.RegisterEntrySerializer
    change_perm = roles.REGISTER_FILE
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends: list = []  # the search below is the filter
    pagination_class = RegisterPagination

    def base_queryset(self):
        return selectors.entries_in_scope(self.request.user).select_related("batch")

    def get_queryset(self):
        if self.action != "list":
            return self.base_queryset()
        p = self.request.query_params
        errors = {}
        months = {}
        for name in ("month_from", "month_to"):
            if p.get(name):
                months[name] = _month(p[name])
                if months[name] == "bad":
                    errors[name] = [_("Enter a month such as 2026-10.")]
        ids = {}
        for name in ("branch", "custodian"):
            if p.get(name):
                if not p[name].isdigit():
                    errors[name] = [_("Enter a number.")]
                else:
                    ids[name] = int(p[name])
        if p.get("kind") and p["kind"] not in s.RegisterEntry.Kind.values:
            errors["kind"] = [_("Choose the kind of document.")]
        if errors:
            raise ValidationError(errors)
        filters = EntryFilters(
            serial=p.get("serial", ""),
            kind=p.get("kind", ""),
            month_from=months.get("month_from"),
            month_to=months.get("month_to"),
            branch=ids.get("branch"),
            q=p.get("q", ""),
            custodian=ids.get("custodian"),
            held=p.get("held", ""),
            status=p.get("status", ""),
        )
        return selectors.entry_search(self.request.user, filters).select_related("batch")

    def check_permissions(self, request):
        if self.action == "custody":
            # Recording who holds an original is also for the handover (people.handover): the
            # service decides, over this entry.
            super(ScopedViewSet, self).check_permissions(request)
            return
        super().check_permissions(request)

    def _answer(self, pk, code=status.HTTP_200_OK):
        return Response(s.RegisterEntrySerializer(self.base_queryset().get(pk=pk)).data, status=code)

    @extend_schema(parameters=SEARCH_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request={
            "multipart/form-data": s.RegisterEntryCreateSerializer,
            "application/json": s.RegisterEntryCreateSerializer,
        },
        responses={201: s.RegisterEntrySerializer},
    )
    def create(self, request, *args, **kwargs):
        """File a document: the serial number is given here (gap-free per kind, branch, month)."""
        payload = s.RegisterEntryCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        d = dict(payload.validated_data)
        key = d.pop("submission_key", "") or None
        entry = services.entry_file(actor=request.user, submission_key=key, **d)
        return self._answer(entry.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request={
            "multipart/form-data": s.RegisterEntryUpdateSerializer,
            "application/json": s.RegisterEntryUpdateSerializer,
        },
        responses=s.RegisterEntrySerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        """Change what an entry says while its month is open (400 once it is closed)."""
        entry = self.get_object()
        payload = s.RegisterEntryUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        d = dict(payload.validated_data)
        scan = d.pop("scan", None)
        services.entry_update(actor=request.user, entry=entry, scan=scan, **d)
        return self._answer(entry.pk)

    @extend_schema(request=s.RegisterWithdrawSerializer, responses=s.RegisterEntrySerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw an entry filed in error (its number stays taken) while its month is open."""
        entry = self.get_object()
        payload = s.RegisterWithdrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.entry_withdraw(actor=request.user, entry=entry, reason=payload.validated_data["reason"])
        return self._answer(entry.pk)

    @extend_schema(request=s.RegisterCustodySerializer, responses=s.RegisterEntrySerializer)
    @action(detail=True, methods=["post"])
    def custody(self, request, pk=None):
        """Record who holds the original now (``to_staff`` null: back in the archive room)."""
        entry = self.get_object()
        payload = s.RegisterCustodySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        services.custody_pass(actor=request.user, entry=entry, to_staff=d["to_staff"], note=d["note"])
        return self._answer(entry.pk)

    @extend_schema(responses=s.CustodyMoveSerializer(many=True))
    @action(detail=True, methods=["get"])
    def moves(self, request, pk=None):
        """The custody trail of the original, oldest first."""
        entry = self.get_object()
        return Response(s.CustodyMoveSerializer(selectors.custody_trail(entry), many=True).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def scan(self, request, pk=None):
        """The scanned copy (logged); a pay report's needs pay.view or archive.file."""
        entry = self.get_object()
        if not selectors.may_download_scan(request.user, entry):
            raise Http404
        log_access(
            user=request.user,
            obj=entry,
            field="scan",
            ip_address=request.META.get("REMOTE_ADDR"),
            channel="api",
        )
        suffix = entry.scan_name.rsplit(".", 1)[-1] if "." in entry.scan_name else "pdf"
        return attachment_response(entry.scan, f"{entry.serial_no}.{suffix}")


class BatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Each branch's months in the caller's scope: entries filed and withdrawn, originals out, closed."""

    serializer_class = s.RegisterBatchSerializer
    filterset_fields = ["branch", "month"]

    def get_queryset(self):
        return selectors.batches_in_scope(self.request.user)

    def get_object(self):
        return get_for_user(self.request.user, self.get_queryset(), self.kwargs["pk"])

    def _answer(self, pk):
        return Response(s.RegisterBatchSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=s.RegisterBatchCloseSerializer, responses=s.RegisterBatchSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a month that is over: its entries then never change."""
        batch = self.get_object()
        payload = s.RegisterBatchCloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.batch_close(actor=request.user, batch=batch, note=payload.validated_data["note"])
        return self._answer(batch.pk)

    @extend_schema(request=s.RegisterMonthCloseSerializer, responses=s.RegisterBatchSerializer)
    @action(detail=False, methods=["post"], url_path="close-month")
    def close_month(self, request):
        """Close a branch's month by branch and month (also a month with nothing filed)."""
        payload = s.RegisterMonthCloseSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        batch = services.month_close(actor=request.user, branch=d["branch"], month=d["month"], note=d["note"])
        return self._answer(batch.pk)


def register(router) -> None:
    router.register("archives/entries", EntryViewSet, basename="archive-entry")
    router.register("archives/batches", BatchViewSet, basename="archive-batch")
