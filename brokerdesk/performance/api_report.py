"""The monthly pay report over the API (registered by ``performance.api.register``): the same
selectors, services, scope and refusals as the pages. Readers need ``pay.view``; review,
sending for signing, recomputing and correcting need ``pay.run``. Signing is the approvals
API (``/api/approvals/inbox/``)."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from brokerdesk.access.roles import PAY_RUN
from brokerdesk.access.scope import has_perm
from brokerdesk.performance import selectors_report as sel
from brokerdesk.performance import serializers_report as ser
from brokerdesk.performance import services_report as svc
from brokerdesk.performance.exports_report import report_response
from brokerdesk.performance.forms_report import RunFilterForm

urlpatterns: list = []  # extra non-router paths, mounted under /api/


class PayRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Pay runs of the caller's scope (``pay.view``), newest month first; ``?month=2026-10``,
    ``?branch=``, ``?status=`` filter. A run's detail carries its people × components table,
    totals, signatures and versions. Runs are never deleted; a signed run never changes."""

    serializer_class = ser.PayRunSerializer
    filter_backends: list = []  # filtered by the page's filter form below
    http_method_names = ["get", "post", "head", "options"]  # never deleted: no DELETE at all

    def get_queryset(self):
        form = RunFilterForm(self.request.query_params or None, user=self.request.user)
        filters = form.cleaned_data if form.is_valid() else {}
        return sel.run_list(user=self.request.user, filters=filters)

    def get_object(self):
        return sel.run_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not has_perm(request.user, PAY_RUN):
            raise exceptions.PermissionDenied()

    def _detail(self, run):
        run = sel.run_get_for_user(user=self.request.user, pk=run.pk)
        context = {
            "table": sel.report_table(run),
            "signatures": sel.signatures(run),
            "versions": sel.version_chain(run),
        }
        return Response(ser.PayRunDetailSerializer(run, context=context).data)

    @extend_schema(responses=ser.PayRunDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(request=ser.PayRunReviewSerializer, responses=ser.PayRunDetailSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Finance marks a computed or returned run reviewed, with its note."""
        run = self.get_object()
        payload = ser.PayRunReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._detail(svc.run_review(actor=request.user, run=run, note=payload.validated_data["note"]))

    @extend_schema(request=None, responses=ser.PayRunDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send a reviewed run for signing (主办会计 → 副经理（经理助理）→ 经理)."""
        return self._detail(svc.run_submit(actor=request.user, run=self.get_object()))

    @extend_schema(request=None, responses=ser.PayRunDetailSerializer)
    @action(detail=True, methods=["post"])
    def recompute(self, request, pk=None):
        """Compute the run's month again; refused once signing has started."""
        return self._detail(svc.run_recompute(actor=request.user, run=self.get_object()))

    @extend_schema(request=ser.PayRunCorrectSerializer, responses=ser.PayRunDetailSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Start a correction of a signed run: a new version linked to it."""
        run = self.get_object()
        payload = ser.PayRunCorrectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        new = svc.run_correct(actor=request.user, run=run, reason=payload.validated_data["reason"])
        return self._detail(new)

    @extend_schema(responses=ser.PayRunDiffSerializer)
    @action(detail=True, methods=["get"])
    def differences(self, request, pk=None):
        """Per person and component, what a correction changes against the version it corrects."""
        run = self.get_object()
        if run.corrects_id is None:
            raise Http404
        return Response(ser.PayRunDiffSerializer(sel.run_differences(run)).data)

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY
        }
    )
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The report as the finance department's Excel workbook (report sheet and line detail)."""
        return report_response(self.get_object())


def register(router) -> None:
    router.register("performance/runs", PayRunViewSet, basename="pay-run")
