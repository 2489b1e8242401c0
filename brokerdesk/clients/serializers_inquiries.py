"""Inquiries over the API: the caller's mobile goes in in full and comes out masked."""

from rest_framework import serializers

from brokerdesk.clients import services_inquiries as svc
from brokerdesk.clients.models import Client, Inquiry, InquiryEvent
from brokerdesk.core.validators import mask_mobile
from brokerdesk.org.models import Outlet, Staff


class InquiryEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = InquiryEvent
        fields = ["kind", "note", "actor", "at"]
        read_only_fields = fields


class InquirySerializer(serializers.ModelSerializer):
    # Write: the full number. Read: masked (GET .../sensitive/ reveals it, logged).
    mobile = serializers.CharField(max_length=11)
    assigned_to = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all())
    appointment_outlet = serializers.PrimaryKeyRelatedField(
        queryset=Outlet.objects.all(), required=False, allow_null=True
    )
    late = serializers.SerializerMethodField()
    events = InquiryEventSerializer(many=True, read_only=True)

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "branch",
            "kind",
            "caller_name",
            "mobile",
            "topic",
            "details",
            "important",
            "received_by",
            "received_at",
            "assigned_to",
            "acknowledge_by",
            "acknowledged_at",
            "appointment_at",
            "appointment_outlet",
            "status",
            "outcome",
            "client",
            "late",
            "created_at",
            "events",
        ]
        read_only_fields = [
            "branch",
            "received_by",
            "acknowledge_by",
            "acknowledged_at",
            "status",
            "outcome",
            "client",
            "created_at",
        ]
        extra_kwargs = {"received_at": {"required": False}, "details": {"required": False}}

    def get_late(self, obj) -> bool:
        return svc.is_late(obj)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["mobile"] = mask_mobile(instance.mobile)
        return data


class InquiryMobileSerializer(serializers.Serializer):
    mobile = serializers.CharField()


class InquiryPassOnSerializer(serializers.Serializer):
    to = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all())
    note = serializers.CharField(required=False, allow_blank=True, default="")


class InquiryAnswerSerializer(serializers.Serializer):
    outcome = serializers.CharField(allow_blank=True)


class InquiryLostSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class InquiryConvertSerializer(serializers.Serializer):
    client_no = serializers.CharField(max_length=20, allow_blank=True)
    name = serializers.CharField(max_length=100, required=False)
    kind = serializers.ChoiceField(choices=Client.Kind.choices, required=False)
    id_number = serializers.CharField(max_length=18, allow_blank=True)
    mobile = serializers.CharField(max_length=11, required=False)
    opened_on = serializers.DateField()
    source_outlet = serializers.PrimaryKeyRelatedField(
        queryset=Outlet.objects.all(), required=False, allow_null=True
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)


class InquiryConvertedSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    client_no = serializers.CharField()
    confirmation_serial = serializers.CharField(allow_null=True)
