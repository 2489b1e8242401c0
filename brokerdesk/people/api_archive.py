"""The personnel archive over the API (registered by ``people.api.register``): the same
scopes, services and refusals as the pages (第二十五条: a client manager or regional
manager reaches only their own file; another's answers 404).

- ``/api/people/files/``: files in scope with what each lacks (filters ``q``, ``show`` =
  missing | unverified | expiring | no_contract | no_registration, ``branch``, ``team``,
  ``status``); retrieve one.
- ``/api/people/documents/``: list (``staff``, ``slot``, ``current``), retrieve, create
  (multipart: ``staff``, ``slot``, ``file``, ``title``, ``note``, ``replaces``); ``verify``
  (POST, ``people.verify``); ``download`` (GET, logged).
- ``/api/people/contracts/``: list, retrieve, create (multipart with ``signed_copy``),
  PATCH (location, signed copy; dates while unsigned); ``renew``, ``terminate``.
- ``/api/people/qualifications/``: list, retrieve, create, PATCH; ``revoke``.
- ``/api/people/rewards/``: list, retrieve, create; ``withdraw``.
- ``/api/people/downloads/``: the download log (keepers and overseers, not the person).
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from brokerdesk.access.roles import ARCHIVE_CHANGE, ARCHIVE_VERIFY
from brokerdesk.access.scope import get_for_user, visible
from brokerdesk.access.sensitive import log_access
from brokerdesk.core.files import attachment_response
from brokerdesk.org.views import client_ip
from brokerdesk.people import selectors_archive as selectors
from brokerdesk.people import serializers_archive as s
from brokerdesk.people import services_archive as services
from brokerdesk.people.models_archive import (
    ArchiveDocument,
    Contract,
    DocumentDownload,
    Qualification,
    RewardPunishment,
)

urlpatterns: list = []  # extra non-router paths, mounted under /api/

PARSERS = [MultiPartParser, FormParser, JSONParser]


class _Scoped(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    parser_classes = PARSERS

    def get_object(self):
        return get_for_user(self.request.user, self.get_queryset(), self.kwargs["pk"])

    def _kept(self, obj_model, pk, perm=ARCHIVE_CHANGE):
        """The object if the caller may change it; 404 if out of scope, 403 if only readable."""
        obj = get_for_user(self.request.user, obj_model._default_manager.select_related("staff"), pk)
        if not visible(self.request.user, obj_model._default_manager.filter(pk=obj.pk), perm).exists():
            raise exceptions.PermissionDenied()
        return obj

    def _payload(self, serializer_class):
        payload = serializer_class(data=self.request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        return payload.validated_data

    def _answer(self, obj, code=status.HTTP_200_OK):
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(self.serializer_class(obj, context=self.get_serializer_context()).data, status=code)


class FileViewSet(_Scoped):
    """Personnel files in the caller's scope and what each lacks."""

    serializer_class = s.PersonnelFileSerializer
    filterset_fields: list = []

    def get_queryset(self):
        q = self.request.query_params
        filters = {k: q.get(k) for k in ("q", "show", "status", "position") if q.get(k)}
        for key in ("branch", "team"):
            if (value := q.get(key, "")).isdigit():
                filters[key] = int(value)
        if self.action == "retrieve":
            filters.setdefault("status", "all")
        return selectors.file_list(user=self.request.user, filters=filters)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="name, employee number or pinyin"),
            OpenApiParameter(
                "show", str, description="missing, unverified, expiring, no_contract, no_registration"
            ),
            OpenApiParameter("branch", int),
            OpenApiParameter("team", int),
            OpenApiParameter("status", str, description="candidate, probation, active, left or all"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class DocumentViewSet(_Scoped):
    serializer_class = s.ArchiveDocumentSerializer
    filterset_fields = ["staff", "slot"]

    def get_queryset(self):
        qs = visible(self.request.user, ArchiveDocument).order_by("staff_id", "slot", "-version", "-id")
        if self.request.query_params.get("current") in ("1", "true"):
            qs = qs.filter(superseded_at__isnull=True)
        return qs

    @extend_schema(
        request={"multipart/form-data": s.ArchiveDocumentUploadSerializer},
        responses=s.ArchiveDocumentSerializer,
    )
    def create(self, request):
        """File a document (multipart). A new upload to a single slot is its next version."""
        d = self._payload(s.ArchiveDocumentUploadSerializer)
        doc = services.document_upload(
            actor=request.user,
            staff=d["staff"],
            slot=d["slot"],
            upload=d["file"],
            title=d["title"],
            note=d["note"],
            replaces=d.get("replaces"),
        )
        return self._answer(doc, status.HTTP_201_CREATED)

    @extend_schema(request=s.ArchiveVerifySerializer, responses=s.ArchiveDocumentSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Record that the original was seen and matches (``people.verify``, not one's own file)."""
        doc = self._kept(ArchiveDocument, pk, ARCHIVE_VERIFY)
        d = self._payload(s.ArchiveVerifySerializer)
        services.document_verify(actor=request.user, document=doc, note=d["note"])
        return self._answer(doc)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file itself, after the scope check; every download is logged."""
        doc = self.get_object()
        ip = client_ip(request)
        DocumentDownload.objects.create(document=doc, user=request.user, ip_address=ip, channel="api")
        log_access(user=request.user, obj=doc, field="file", ip_address=ip, channel="api")
        return attachment_response(doc.file, doc.file_name)


class ContractViewSet(_Scoped):
    serializer_class = s.ArchiveContractSerializer
    filterset_fields = ["staff", "kind"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            visible(self.request.user, Contract)
            .select_related("staff", "renewal")
            .order_by("staff_id", "-starts_on", "-id")
        )

    @extend_schema(
        request={"multipart/form-data": s.ArchiveContractCreateSerializer},
        responses=s.ArchiveContractSerializer,
    )
    def create(self, request):
        """A labour contract or cooperation agreement; ``ends_on`` empty means one year."""
        d = self._payload(s.ArchiveContractCreateSerializer)
        contract = services.contract_create(actor=request.user, **d)
        return self._answer(contract, status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": s.ArchiveContractUpdateSerializer},
        responses=s.ArchiveContractSerializer,
    )
    def partial_update(self, request, pk=None):
        contract = self._kept(Contract, pk)
        d = self._payload(s.ArchiveContractUpdateSerializer)
        services.contract_update(actor=request.user, contract=contract, **d)
        return self._answer(contract)

    @extend_schema(
        request={"multipart/form-data": s.ArchiveContractRenewSerializer},
        responses=s.ArchiveContractSerializer,
    )
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        """The next contract, linked to this one (by default from the day after it ends, one year)."""
        contract = self._kept(Contract, pk)
        d = self._payload(s.ArchiveContractRenewSerializer)
        nxt = services.contract_renew(actor=request.user, contract=contract, **d)
        return self._answer(nxt, status.HTTP_201_CREATED)

    @extend_schema(request=s.ArchiveContractTerminateSerializer, responses=s.ArchiveContractSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        contract = self._kept(Contract, pk)
        d = self._payload(s.ArchiveContractTerminateSerializer)
        services.contract_terminate(actor=request.user, contract=contract, **d)
        return self._answer(contract)


class QualificationViewSet(_Scoped):
    serializer_class = s.ArchiveQualificationSerializer
    filterset_fields = ["staff", "kind"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            visible(self.request.user, Qualification)
            .select_related("staff")
            .order_by("staff_id", "kind", "-id")
        )

    @extend_schema(
        request={"multipart/form-data": s.ArchiveQualificationCreateSerializer},
        responses=s.ArchiveQualificationSerializer,
    )
    def create(self, request):
        d = self._payload(s.ArchiveQualificationCreateSerializer)
        q = services.qualification_create(actor=request.user, **d)
        return self._answer(q, status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": s.ArchiveQualificationUpdateSerializer},
        responses=s.ArchiveQualificationSerializer,
    )
    def partial_update(self, request, pk=None):
        q = self._kept(Qualification, pk)
        d = dict(self._payload(s.ArchiveQualificationUpdateSerializer))
        if "expires_on" not in d:
            d["expires_on"] = ...
        services.qualification_update(actor=request.user, qualification=q, **d)
        return self._answer(q)

    @extend_schema(request=s.ArchiveQualificationRevokeSerializer, responses=s.ArchiveQualificationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        q = self._kept(Qualification, pk)
        d = self._payload(s.ArchiveQualificationRevokeSerializer)
        services.qualification_revoke(actor=request.user, qualification=q, **d)
        return self._answer(q)


class RewardViewSet(_Scoped):
    serializer_class = s.ArchiveRewardSerializer
    filterset_fields = ["staff", "kind"]

    def get_queryset(self):
        return (
            visible(self.request.user, RewardPunishment)
            .select_related("staff")
            .order_by("staff_id", "-decided_on", "-id")
        )

    @extend_schema(
        request={"multipart/form-data": s.ArchiveRewardCreateSerializer}, responses=s.ArchiveRewardSerializer
    )
    def create(self, request):
        d = self._payload(s.ArchiveRewardCreateSerializer)
        record = services.reward_record(actor=request.user, **d)
        return self._answer(record, status.HTTP_201_CREATED)

    @extend_schema(request=s.ArchiveRewardWithdrawSerializer, responses=s.ArchiveRewardSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        record = self._kept(RewardPunishment, pk)
        d = self._payload(s.ArchiveRewardWithdrawSerializer)
        services.reward_withdraw(actor=request.user, record=record, reason=d["reason"])
        return self._answer(record)


class DownloadViewSet(_Scoped):
    """Who downloaded which document when (keepers and overseers of the file)."""

    serializer_class = s.ArchiveDownloadSerializer
    filterset_fields = ["document", "user"]

    def get_queryset(self):
        qs = visible(self.request.user, DocumentDownload).select_related("document").order_by("-at", "-id")
        if staff := self.request.query_params.get("staff"):
            qs = qs.filter(document__staff_id=staff) if staff.isdigit() else qs.none()
        return qs


def register(router) -> None:
    router.register("people/files", FileViewSet, basename="people-file")
    router.register("people/documents", DocumentViewSet, basename="people-document")
    router.register("people/contracts", ContractViewSet, basename="people-contract")
    router.register("people/qualifications", QualificationViewSet, basename="people-qualification")
    router.register("people/rewards", RewardViewSet, basename="people-reward")
    router.register("people/downloads", DownloadViewSet, basename="people-download")
