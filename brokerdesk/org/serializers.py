from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from brokerdesk.access.scope import visible
from brokerdesk.access.sensitive import masked
from brokerdesk.org.models import (
    Branch,
    CooperationAgreement,
    Department,
    Level,
    Outlet,
    PartnerBank,
    Region,
    Staff,
    StaffAssignment,
    Team,
)


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A relation whose choices are the caller's scope: another branch's id is 'not found'."""

    def get_queryset(self):
        return visible(self.context["request"].user, self.queryset)


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name"]


class BranchSerializer(serializers.ModelSerializer):
    class Meta:
        model = Branch
        fields = ["id", "region", "code", "name", "city", "address", "is_active"]


class DepartmentSerializer(serializers.ModelSerializer):
    branch = ScopedPrimaryKeyField(queryset=Branch.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Department
        fields = ["id", "branch", "kind", "name"]


class PartnerBankSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnerBank
        fields = ["id", "code", "name", "short_name"]


class OutletSerializer(serializers.ModelSerializer):
    branch = ScopedPrimaryKeyField(queryset=Branch.objects.all())

    class Meta:
        model = Outlet
        fields = [
            "id",
            "branch",
            "partner_bank",
            "name",
            "address",
            "opens_at",
            "closes_at",
            "weekdays",
            "is_active",
        ]

    def validate_weekdays(self, value: str) -> str:
        digits = "".join(sorted(set(value)))
        if not digits or any(d not in "1234567" for d in digits):
            raise serializers.ValidationError(_("Give the open weekdays as digits 1–7, e.g. 12345."))
        return digits


class AgreementSerializer(serializers.ModelSerializer):
    branch = ScopedPrimaryKeyField(queryset=Branch.objects.all())
    outlets = ScopedPrimaryKeyField(queryset=Outlet.objects.all(), many=True, required=False)
    attachment = serializers.SerializerMethodField()

    class Meta:
        model = CooperationAgreement
        fields = [
            "id",
            "bank",
            "branch",
            "year",
            "title",
            "starts_on",
            "ends_on",
            "outlets",
            "terms",
            "attachment",
        ]

    def get_attachment(self, obj) -> str | None:
        if not obj.attachment:
            return None
        from django.urls import reverse

        return self.context["request"].build_absolute_uri(reverse("org:agreement-attachment", args=[obj.pk]))


class TeamSerializer(serializers.ModelSerializer):
    branch = ScopedPrimaryKeyField(queryset=Branch.objects.all())
    lead = ScopedPrimaryKeyField(queryset=Staff.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Team
        fields = ["id", "branch", "code", "name", "lead", "founded_on", "status"]


class LevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Level
        fields = ["id", "code", "name", "rank"]


class StaffAssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = StaffAssignment
        fields = ["branch", "team", "outlet", "regional_manager", "starts_on", "ends_on", "reason"]


class StaffSerializer(serializers.ModelSerializer):
    """Staff as the API shows them: ID number and mobile always masked here; the full
    values come only from the logged ``sensitive`` action."""

    branch = ScopedPrimaryKeyField(queryset=Branch.objects.all(), allow_null=True, required=False)
    department = ScopedPrimaryKeyField(queryset=Department.objects.all(), allow_null=True, required=False)
    team = ScopedPrimaryKeyField(queryset=Team.objects.all(), allow_null=True, required=False)
    outlet = ScopedPrimaryKeyField(queryset=Outlet.objects.all(), allow_null=True, required=False)
    regional_manager = ScopedPrimaryKeyField(queryset=Staff.objects.all(), allow_null=True, required=False)
    id_number = serializers.CharField(max_length=18, write_only=True)
    mobile = serializers.CharField(max_length=11, write_only=True)
    id_number_masked = serializers.SerializerMethodField()
    mobile_masked = serializers.SerializerMethodField()

    class Meta:
        model = Staff
        fields = [
            "id",
            "emp_no",
            "name",
            "name_pinyin",
            "gender",
            "mobile",
            "mobile_masked",
            "id_number",
            "id_number_masked",
            "employment_type",
            "position",
            "level",
            "status",
            "branch",
            "department",
            "team",
            "regional_manager",
            "outlet",
            "hired_on",
            "left_on",
        ]
        read_only_fields = ["name_pinyin"]

    def get_id_number_masked(self, obj) -> str:
        return masked(obj, "id_number")

    def get_mobile_masked(self, obj) -> str:
        return masked(obj, "mobile")


class StaffTransferSerializer(serializers.Serializer):
    branch = ScopedPrimaryKeyField(queryset=Branch.objects.all())
    team = ScopedPrimaryKeyField(queryset=Team.objects.all(), allow_null=True, required=False)
    outlet = ScopedPrimaryKeyField(queryset=Outlet.objects.all(), allow_null=True, required=False)
    regional_manager = ScopedPrimaryKeyField(queryset=Staff.objects.all(), allow_null=True, required=False)
    starts_on = serializers.DateField()
    reason = serializers.CharField(max_length=200)


class SensitiveSerializer(serializers.Serializer):
    id_number = serializers.CharField()
    mobile = serializers.CharField()
