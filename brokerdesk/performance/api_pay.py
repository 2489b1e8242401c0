"""Pay over the API: ``/api/performance/slips/`` (a person's own slips; a branch's for ``pay.view``
holders; each with its lines) and ``/api/performance/adjustments/`` (list; create with
``pay.run``). Computing a run is ``services_pay.run_compute`` (the pay report's API starts it)."""

from django.db.models import Prefetch
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied

from brokerdesk.access import roles
from brokerdesk.access.scope import get_for_user, has_perm
from brokerdesk.access.sensitive import log_access
from brokerdesk.performance import serializers_pay as ser
from brokerdesk.performance import services_pay as svc
from brokerdesk.performance.models import PayLine

urlpatterns: list = []


class SlipViewSet(viewsets.ReadOnlyModelViewSet):
    """Pay slips with their lines: your own, or your branch's with ``pay.view``."""

    serializer_class = ser.PaySlipSerializer
    filterset_fields = {
        "run": ["exact"],
        "staff": ["exact"],
        "run__month": ["exact"],
        "run__status": ["exact"],
    }

    def get_queryset(self):
        return (
            svc.slip_list(user=self.request.user)
            .prefetch_related(Prefetch("lines", queryset=PayLine.objects.order_by("order", "id")))
            .order_by("-run__month", "-run__version", "staff_id")
        )

    def get_object(self):
        slip = get_for_user(self.request.user, self.get_queryset(), self.kwargs["pk"])
        if slip.staff.user_id != self.request.user.pk:
            log_access(
                user=self.request.user,
                obj=slip,
                field="pay",
                ip_address=self.request.META.get("REMOTE_ADDR"),
                channel="api",
            )
        return slip


class AdjustmentViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Manual adjustments (reason required, not zero), applied at the month's next computation."""

    serializer_class = ser.AdjustmentSerializer
    filterset_fields = ["branch", "month", "staff"]

    def get_queryset(self):
        return svc.adjustment_list(user=self.request.user).order_by("-month", "staff_id", "id")

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method == "POST" and not has_perm(request.user, roles.PAY_RUN):
            raise PermissionDenied()

    def perform_create(self, serializer):
        serializer.instance = svc.adjustment_add(actor=self.request.user, **serializer.validated_data)


def register(router) -> None:
    router.register("performance/slips", SlipViewSet, basename="pay-slip")
    router.register("performance/adjustments", AdjustmentViewSet, basename="pay-adjustment")
