"""Candidates over the API (registered by ``people.api.register``), with the scopes, services
and refusals of the pages: the recruitment and archive roles of the candidate's branch and
the company departments see them; anyone else gets 404.

``/api/people/candidates/``: list (``q`` name/pinyin/skills, ``status``, ``reserve=1`` for
the talent reserve, ``education``, ``applied_from``, ``applied_to``, ``branch``), retrieve,
create, PATCH while being considered. Actions (POST): ``documents`` (multipart ``slot``,
``file``), ``check`` (``document``, ``result``, ``note``), ``evaluate``, ``propose``,
``probation``, ``probation-result``, ``convert``, ``withdraw``, ``reactivate``; GET
``documents/<id>/download/`` (logged).
"""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from brokerdesk.access.roles import ARCHIVE_VERIFY, RECRUIT
from brokerdesk.access.scope import get_for_user, has_perm
from brokerdesk.access.sensitive import log_access
from brokerdesk.core.files import attachment_response
from brokerdesk.people import selectors_recruitment as sel
from brokerdesk.people import serializers_recruitment as ser
from brokerdesk.people import services_recruitment as svc
from brokerdesk.people.models_recruitment import Candidate, CandidateDocument


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise exceptions.ValidationError({"date": [_("Give dates as YYYY-MM-DD.")]}) from None


class CandidateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ser.CandidateSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_fields: list = []

    def get_queryset(self):
        user = self.request.user
        q = self.request.query_params
        if self.action == "retrieve":
            return sel.candidate_detail_queryset(user=user)
        if q.get("reserve") == "1":
            branch = q.get("branch")
            return sel.reserve_list(
                user=user,
                q=q.get("q", ""),
                education=q.get("education", ""),
                applied_from=_date(q.get("applied_from")),
                applied_to=_date(q.get("applied_to")),
                branch=int(branch) if branch and branch.isdigit() else None,
            )
        rows = sel.search(sel.candidate_list(user=user), q.get("q", ""))
        if q.get("status"):
            rows = rows.filter(status=q["status"])
        if (branch := q.get("branch", "")).isdigit():
            rows = rows.filter(branch_id=int(branch))
        return rows

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ser.CandidateDetailSerializer
        if self.action in ("update", "partial_update"):
            return ser.CandidateUpdateSerializer
        return super().get_serializer_class()

    def get_object(self):
        return get_for_user(self.request.user, self.get_queryset(), self.kwargs["pk"])

    def _candidate(self) -> Candidate:
        return get_for_user(self.request.user, Candidate, self.kwargs["pk"])

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not (
            has_perm(request.user, RECRUIT) or has_perm(request.user, ARCHIVE_VERIFY)
        ):
            raise exceptions.PermissionDenied()

    def _payload(self, serializer_class, **context):
        payload = serializer_class(
            data=self.request.data, context={**self.get_serializer_context(), **context}
        )
        payload.is_valid(raise_exception=True)
        return payload.validated_data

    def _answer(self, candidate: Candidate, code=status.HTTP_200_OK):
        fresh = sel.candidate_detail_queryset(user=self.request.user).get(pk=candidate.pk)
        return Response(
            ser.CandidateDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        candidate = svc.candidate_save(actor=request.user, candidate=Candidate(**serializer.validated_data))
        return self._answer(candidate, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        candidate = get_for_user(request.user, Candidate, kwargs["pk"])
        serializer = self.get_serializer(candidate, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        for name, value in serializer.validated_data.items():
            setattr(candidate, name, value)
        return self._answer(svc.candidate_save(actor=request.user, candidate=candidate))

    @extend_schema(request=ser.DocumentUploadSerializer, responses=ser.CandidateDetailSerializer)
    @action(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        """File a document the candidate handed in (content-checked; a photo must be an image)."""
        candidate = self._candidate()
        d = self._payload(ser.DocumentUploadSerializer)
        svc.candidate_document_upload(
            actor=request.user, candidate=candidate, slot=d["slot"], upload=d["file"]
        )
        return self._answer(candidate, status.HTTP_201_CREATED)

    @extend_schema(request=ser.DocumentCheckSerializer, responses=ser.CandidateDetailSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """The designated person records a document as authentic or doubtful (``people.verify``)."""
        candidate = self._candidate()
        d = self._payload(ser.DocumentCheckSerializer)
        document = CandidateDocument.objects.filter(candidate=candidate, pk=d["document"]).first()
        if document is None:
            raise exceptions.ValidationError({"document": [_("This is not a document of this candidate.")]})
        svc.candidate_document_check(
            actor=request.user, document=document, result=d["result"], note=d["note"]
        )
        return self._answer(candidate)

    @extend_schema(request=ser.EvaluateSerializer, responses=ser.CandidateDetailSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        candidate = self._candidate()
        d = self._payload(ser.EvaluateSerializer)
        svc.candidate_evaluate(
            actor=request.user,
            candidate=candidate,
            score=d["evaluation_score"],
            comment=d["evaluation_comment"],
        )
        return self._answer(candidate)

    @extend_schema(request=ser.ProposeSerializer, responses=ser.CandidateDetailSerializer)
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        """Propose probation or not hired; it goes to the ``recruit_decision`` approval flow."""
        candidate = self._candidate()
        d = self._payload(ser.ProposeSerializer)
        svc.candidate_propose(actor=request.user, candidate=candidate, **d)
        return self._answer(candidate)

    @extend_schema(request=ser.ProbationSerializer, responses=ser.CandidateDetailSerializer)
    @action(detail=True, methods=["post"])
    def probation(self, request, pk=None):
        candidate = self._candidate()
        d = self._payload(ser.ProbationSerializer)
        svc.candidate_probation_set(actor=request.user, candidate=candidate, **d)
        return self._answer(candidate)

    @extend_schema(request=ser.ProbationResultSerializer, responses=ser.CandidateDetailSerializer)
    @action(detail=True, methods=["post"], url_path="probation-result")
    def probation_result(self, request, pk=None):
        candidate = self._candidate()
        d = self._payload(ser.ProbationResultSerializer)
        svc.candidate_probation_assess(actor=request.user, candidate=candidate, **d)
        return self._answer(candidate)

    @extend_schema(request=ser.ConvertSerializer, responses={201: ser.CandidateDetailSerializer})
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        """Make the candidate regular staff with the first contract (after a passed probation)."""
        candidate = self._candidate()
        d = self._payload(ser.ConvertSerializer, candidate=candidate)
        svc.candidate_convert(actor=request.user, candidate=candidate, **d)
        return self._answer(candidate, status.HTTP_201_CREATED)

    @extend_schema(request=ser.WithdrawSerializer, responses=ser.CandidateDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        candidate = self._candidate()
        d = self._payload(ser.WithdrawSerializer)
        svc.candidate_withdraw(actor=request.user, candidate=candidate, note=d["note"])
        return self._answer(candidate)

    @extend_schema(request=ser.ReactivateSerializer, responses={201: ser.CandidateDetailSerializer})
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        """Open a new application for a talent-reserve candidate, with their documents."""
        candidate = self._candidate()
        d = self._payload(ser.ReactivateSerializer)
        fresh = svc.candidate_reactivate(actor=request.user, candidate=candidate, applied_on=d["applied_on"])
        return self._answer(fresh, status.HTTP_201_CREATED)


class CandidateDocumentDownload(APIView):
    """A candidate's document as a download, after the scope check; every read is logged."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk, doc_pk):
        candidate = get_for_user(request.user, Candidate, pk)
        document = get_object_or_404(CandidateDocument, pk=doc_pk, candidate=candidate)
        log_access(
            user=request.user,
            obj=document,
            field="file",
            ip_address=request.META.get("REMOTE_ADDR"),
            channel="api",
        )
        return attachment_response(document.file, document.file_name)


urlpatterns = [
    path(
        "people/candidates/<int:pk>/documents/<int:doc_pk>/download/",
        CandidateDocumentDownload.as_view(),
        name="api-candidate-document-download",
    ),
]


def register(router) -> None:
    router.register("people/candidates", CandidateViewSet, basename="candidate")
