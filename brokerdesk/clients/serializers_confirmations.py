"""Confirmation forms and their monthly batches over the API."""

from rest_framework import serializers

from brokerdesk.clients.models import ConfirmationBatch, ConfirmationForm


class ConfirmationFormSerializer(serializers.ModelSerializer):
    manager_name = serializers.CharField(source="manager.name", read_only=True)
    manager_emp_no = serializers.CharField(source="manager.emp_no", read_only=True)
    has_signed_copy = serializers.SerializerMethodField()
    archived = serializers.BooleanField(source="batch.closed", read_only=True)

    class Meta:
        model = ConfirmationForm
        fields = [
            "id",
            "serial_no",
            "branch",
            "month",
            "sequence",
            "batch",
            "archived",
            "client",
            "client_name",
            "client_no",
            "opened_on",
            "source",
            "manager",
            "manager_name",
            "manager_emp_no",
            "issued_at",
            "status",
            "has_signed_copy",
            "signed_copy_name",
            "signed_at",
            "void_reason",
        ]
        read_only_fields = fields

    def get_has_signed_copy(self, obj) -> bool:
        return bool(obj.signed_copy)


class ConfirmationSignSerializer(serializers.Serializer):
    signed_copy = serializers.FileField()


class ConfirmationVoidSerializer(serializers.Serializer):
    void_reason = serializers.CharField(allow_blank=True)


class ConfirmationBatchSerializer(serializers.ModelSerializer):
    issued = serializers.IntegerField(source="n_total", read_only=True)
    signed = serializers.IntegerField(source="n_signed", read_only=True)
    void = serializers.IntegerField(source="n_void", read_only=True)
    unsigned = serializers.SerializerMethodField()
    closed = serializers.BooleanField(read_only=True)

    class Meta:
        model = ConfirmationBatch
        fields = [
            "id",
            "branch",
            "month",
            "issued",
            "signed",
            "void",
            "unsigned",
            "closed",
            "closed_at",
            "closed_by",
            "note",
        ]
        read_only_fields = fields

    def get_unsigned(self, obj) -> list[str]:
        return [f.serial_no for f in getattr(obj, "unsigned", [])]


class ConfirmationBatchCloseSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
