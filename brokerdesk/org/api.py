"""The organisation API: the same scopes and services as the pages."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from brokerdesk.access import roles
from brokerdesk.access.scope import get_for_user
from brokerdesk.access.sensitive import reveal
from brokerdesk.core.api import ScopedViewSet
from brokerdesk.org import selectors, serializers, services
from brokerdesk.org.filters import AgreementFilter, OutletFilter, StaffFilter, TeamFilter
from brokerdesk.org.models import (
    Branch,
    CooperationAgreement,
    Department,
    Level,
    Outlet,
    PartnerBank,
    Region,
    Staff,
)


class OrgRecordViewSet(ScopedViewSet):
    """Writes go through ``org_record_save`` so scope and validation match the pages."""

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)

    def _save(self, serializer):
        instance = serializer.instance or serializer.Meta.model()
        m2m = {}
        for field, value in serializer.validated_data.items():
            if field in self.m2m_fields:
                m2m[field] = value
            else:
                setattr(instance, field, value)
        with transaction.atomic():
            serializer.instance = self.save_instance(instance, m2m)

    m2m_fields: tuple[str, ...] = ()

    def save_instance(self, instance, m2m):
        return services.org_record_save(actor=self.request.user, instance=instance)


class RegionViewSet(OrgRecordViewSet):
    queryset = Region.objects.all()
    serializer_class = serializers.RegionSerializer
    change_perm = roles.ORG_CHANGE


class BranchViewSet(OrgRecordViewSet):
    queryset = Branch.objects.select_related("region")
    serializer_class = serializers.BranchSerializer
    change_perm = roles.ORG_CHANGE
    filterset_fields = ["region", "is_active"]


class DepartmentViewSet(OrgRecordViewSet):
    queryset = Department.objects.all()
    serializer_class = serializers.DepartmentSerializer
    change_perm = roles.ORG_CHANGE
    filterset_fields = ["branch", "kind"]


class PartnerBankViewSet(OrgRecordViewSet):
    queryset = PartnerBank.objects.all()
    serializer_class = serializers.PartnerBankSerializer
    change_perm = roles.BANK_CHANGE


class TeamViewSet(OrgRecordViewSet):
    queryset = selectors.Team.objects.all()
    serializer_class = serializers.TeamSerializer
    change_perm = roles.TEAM_CHANGE
    filterset_class = TeamFilter

    def get_queryset(self):
        return selectors.team_list(user=self.request.user).order_by("code")


class OutletViewSet(OrgRecordViewSet):
    queryset = Outlet.objects.all()
    serializer_class = serializers.OutletSerializer
    change_perm = roles.OUTLET_CHANGE
    filterset_class = OutletFilter

    def get_queryset(self):
        return selectors.outlet_list(user=self.request.user).order_by("branch_id", "name")


class AgreementViewSet(OrgRecordViewSet):
    queryset = CooperationAgreement.objects.all()
    serializer_class = serializers.AgreementSerializer
    change_perm = roles.AGREEMENT_CHANGE
    filterset_class = AgreementFilter
    m2m_fields = ("outlets",)

    def get_queryset(self):
        return (
            selectors.agreement_list(user=self.request.user)
            .prefetch_related("outlets")
            .order_by("-year", "pk")
        )

    def save_instance(self, instance, m2m):
        return services.agreement_save(
            actor=self.request.user, agreement=instance, outlets=m2m.get("outlets")
        )


class LevelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The level ladder (configured by the administrator)."""

    queryset = Level.objects.all()
    serializer_class = serializers.LevelSerializer


class StaffViewSet(OrgRecordViewSet):
    queryset = Staff.objects.all()
    serializer_class = serializers.StaffSerializer
    change_perm = roles.STAFF_CHANGE
    filterset_class = StaffFilter

    def get_queryset(self):
        return selectors.staff_list(user=self.request.user).order_by("emp_no")

    def save_instance(self, instance, m2m):
        return services.staff_save(actor=self.request.user, staff=instance)

    @extend_schema(responses=serializers.SensitiveSerializer)
    @action(detail=True, methods=["get"])
    def sensitive(self, request, pk=None):
        """The full ID number and mobile, for roles that may see them; each call is logged."""
        staff = get_for_user(request.user, Staff, pk)
        ip = request.META.get("REMOTE_ADDR")
        data = {
            f: reveal(user=request.user, obj=staff, field=f, ip_address=ip, channel="api")
            for f in ("id_number", "mobile")
        }
        return Response(data)

    @extend_schema(request=serializers.StaffTransferSerializer, responses=serializers.StaffSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """Move the person to another team, outlet or regional manager from a date."""
        staff = get_for_user(request.user, Staff, pk, roles.STAFF_CHANGE)
        payload = serializers.StaffTransferSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.staff_transfer(
            actor=request.user,
            staff=staff,
            branch=data["branch"],
            team=data.get("team"),
            outlet=data.get("outlet"),
            regional_manager=data.get("regional_manager"),
            starts_on=data["starts_on"],
            reason=data["reason"],
        )
        return Response(self.get_serializer(staff).data, status=status.HTTP_200_OK)

    @extend_schema(responses=serializers.StaffAssignmentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def assignments(self, request, pk=None):
        staff = self.get_object()
        return Response(serializers.StaffAssignmentSerializer(staff.assignments.all(), many=True).data)
