"""Pay schemes over the API: ``/api/performance/schemes/`` (list, retrieve; create and PATCH/PUT
while draft, returned or withdrawn) with actions ``submit`` and ``new-version``. Everyone of the
branch reads; ``pay.scheme`` holders write through the same service and refusals as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from brokerdesk.access import roles
from brokerdesk.access.scope import get_for_user, has_perm
from brokerdesk.performance import serializers_schemes as ser
from brokerdesk.performance import services_schemes as svc
from brokerdesk.performance.models import PayScheme

urlpatterns: list = []


def _terms(data: dict) -> dict:
    rows = {}
    if "brackets" in data:
        rows["brackets"] = [dict(b) for b in data.pop("brackets")]
    if "base_pays" in data:
        rows["base_pays"] = [dict(b) for b in data.pop("base_pays")]
    return rows


class SchemeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ser.SchemeSerializer
    filterset_fields = ["branch", "team", "status"]
    ordering_fields = ["effective_from", "version"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return svc.with_terms(svc.scheme_list(user=self.request.user)).order_by(
            "branch_id", "-effective_from", "-version", "-id"
        )

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ser.SchemeUpdateSerializer
        return super().get_serializer_class()

    def get_object(self):
        return get_for_user(self.request.user, self.get_queryset(), self.kwargs["pk"])

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not has_perm(request.user, roles.PAY_SCHEME):
            raise PermissionDenied()

    def _fresh(self, scheme):
        return self.get_serializer(svc.with_terms(PayScheme.objects.filter(pk=scheme.pk)).get()).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        rows = _terms(data)
        scheme = svc.scheme_save(actor=request.user, scheme=PayScheme(**data), **rows)
        return Response(self._fresh(scheme), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        scheme = self.get_object()
        serializer = self.get_serializer(scheme, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        rows = _terms(data)
        for name, value in data.items():
            setattr(scheme, name, value)
        scheme = svc.scheme_save(actor=request.user, scheme=scheme, **rows)
        return Response(self._fresh(scheme))

    @extend_schema(request=ser.SubmitSerializer, responses=ser.SchemeSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send the draft (or withdrawn or returned) scheme on the team-standards approval route."""
        scheme = self.get_object()
        payload = ser.SubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        scheme = svc.scheme_submit(
            actor=request.user, scheme=scheme, opinion=payload.validated_data["opinion"]
        )
        return Response(self._fresh(scheme))

    @extend_schema(request=None, responses={201: ser.SchemeSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        """A new draft version (version + 1) copied from this approved scheme."""
        draft = svc.scheme_new_version(actor=request.user, scheme=self.get_object())
        return Response(self._fresh(draft), status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("performance/schemes", SchemeViewSet, basename="pay-scheme")
