"""API shapes of the CRM import."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brokerdesk.org.models import Branch
from brokerdesk.performance.forms_import import parse_month_text
from brokerdesk.performance.models import CrmImport, ImportRowError


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-10"})
class MonthTextField(serializers.Field):
    """A month as "2026-10" in and out."""

    default_error_messages = {"invalid": "Enter a month such as 2026-10."}

    def to_internal_value(self, data):
        month = parse_month_text(data)
        if month is None:
            self.fail("invalid")
        return month

    def to_representation(self, value):
        return f"{value:%Y-%m}"


class ReconciliationRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    money = serializers.BooleanField()
    file = serializers.CharField(allow_null=True)
    imported = serializers.CharField(allow_null=True)
    statistics = serializers.CharField(allow_null=True)
    ok = serializers.BooleanField()


class CrmImportSerializer(serializers.ModelSerializer):
    month = MonthTextField()
    branch_name = serializers.CharField(source="branch.name", read_only=True, default=None)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    reconciliation = serializers.SerializerMethodField()

    class Meta:
        model = CrmImport
        fields = [
            "id",
            "month",
            "branch",
            "branch_name",
            "file_name",
            "file_sha256",
            "status",
            "phase",
            "accept_good_rows",
            "progress_done",
            "progress_total",
            "percent",
            "rows_total",
            "rows_bad",
            "rows_imported",
            "owner_mismatches",
            "file_totals",
            "imported_totals",
            "reconciliation",
            "error",
            "is_current",
            "superseded_by",
            "uploaded_by",
            "uploaded_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ReconciliationRowSerializer(many=True))
    def get_reconciliation(self, obj):
        from brokerdesk.performance.services_import import reconciliation

        if obj.status != CrmImport.Status.DONE:
            return []
        return ReconciliationRowSerializer(reconciliation(obj), many=True).data


class CrmImportCreateSerializer(serializers.Serializer):
    month = MonthTextField(help_text="The month of the figures, 2026-10.")
    branch = serializers.PrimaryKeyRelatedField(
        queryset=Branch.objects.all(), required=False, allow_null=True, help_text="Empty: a firm-wide file."
    )
    file = serializers.FileField()
    accept_good_rows = serializers.BooleanField(required=False, default=False)


class AcceptGoodRowsSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(help_text="Must be true: only the good rows are imported.")

    def validate_confirm(self, value):
        if not value:
            raise serializers.ValidationError("Confirm that only the good rows are to be imported.")
        return value


class ImportRowErrorSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportRowError
        fields = ["line", "column", "message"]
