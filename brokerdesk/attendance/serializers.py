from rest_framework import serializers

from brokerdesk.attendance.models import DailyRecord, LeaveRequest, LeaveType, Outing, Patrol, PunchCorrection


class DailyRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = DailyRecord
        fields = ["id", "staff", "day", "outlet", "check_in", "check_out", "source", "note"]


class LeaveTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeaveType
        fields = ["id", "code", "name", "notice_days", "annual_days"]


class LeaveSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "staff",
            "leave_type",
            "starts_on",
            "ends_on",
            "days",
            "reason",
            "is_late",
            "status",
            "approval",
        ]
        read_only_fields = ["staff", "days", "is_late", "status", "approval"]


class CorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PunchCorrection
        fields = ["id", "staff", "day", "kind", "at", "reason", "original", "status", "approval"]
        read_only_fields = ["staff", "original", "status", "approval"]


class OutingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outing
        fields = [
            "id",
            "staff",
            "destination",
            "person_visited",
            "contact",
            "purpose",
            "starts_at",
            "ends_at",
            "status",
            "approval",
            "check_result",
            "check_remark",
            "checked_at",
        ]
        read_only_fields = ["staff", "status", "approval", "check_result", "check_remark", "checked_at"]


class OutingCheckSerializer(serializers.Serializer):
    check_result = serializers.ChoiceField(choices=[c for c in Outing.Check.values if c])
    check_remark = serializers.CharField(required=False, allow_blank=True, default="")


class PatrolSerializer(serializers.ModelSerializer):
    class Meta:
        model = Patrol
        fields = ["id", "lead", "day", "outlet", "present", "findings"]
        read_only_fields = ["lead"]


class SheetRowSerializer(serializers.Serializer):
    staff = serializers.IntegerField(source="staff.pk")
    name = serializers.CharField(source="staff.name")
    marks = serializers.ListField(child=serializers.CharField())
    totals = serializers.DictField(child=serializers.IntegerField())
    overtime_hours = serializers.DecimalField(max_digits=8, decimal_places=1)
    late_early = serializers.IntegerField()
    excess = serializers.IntegerField()
    deduction = serializers.DecimalField(max_digits=18, decimal_places=2)
