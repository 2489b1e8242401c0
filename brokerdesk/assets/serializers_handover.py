"""Serializers of the handover API: what a handover and its lines look like, and the payloads
of their actions. Writes go through ``services_handover``; these only shape and parse."""

from rest_framework import serializers

from brokerdesk.assets.models_handover import Handover, HandoverEvent, HandoverLine
from brokerdesk.org.models import Branch, Outlet, Staff, Team


class HandoverEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = HandoverEvent
        fields = ["id", "line", "kind", "note", "actor", "actor_name", "at"]
        read_only_fields = fields

    def get_actor_name(self, obj) -> str:
        actor = obj.actor
        if actor is None:
            return ""
        staff = getattr(actor, "staff", None)
        return staff.name if staff else actor.username


class HandoverLineSerializer(serializers.ModelSerializer):
    receiver_name = serializers.CharField(source="receiver.name", read_only=True, default="")
    events = HandoverEventSerializer(many=True, read_only=True)

    class Meta:
        model = HandoverLine
        fields = [
            "id",
            "handover",
            "kind",
            "status",
            "label",
            "asset",
            "quantity",
            "client",
            "followup",
            "visit",
            "entry",
            "disposition",
            "receiver",
            "receiver_name",
            "giver_confirmed_by",
            "giver_confirmed_at",
            "receiver_confirmed_by",
            "receiver_confirmed_at",
            "effective_on",
            "reassigned_at",
            "client_notified_on",
            "client_notified_how",
            "pay_owed",
            "pay_withheld",
            "pay_detail",
            "note",
            "done_by",
            "done_at",
            "dropped_reason",
            "events",
        ]
        read_only_fields = fields


class HandoverSerializer(serializers.ModelSerializer):
    """A handover; on create, the payload that starts one (the checklist is generated)."""

    staff = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all())
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    to_branch = serializers.PrimaryKeyRelatedField(
        queryset=Branch.objects.all(), required=False, allow_null=True
    )
    to_team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    to_outlet = serializers.PrimaryKeyRelatedField(
        queryset=Outlet.objects.all(), required=False, allow_null=True
    )
    to_regional_manager = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), required=False, allow_null=True
    )
    line_total = serializers.IntegerField(read_only=True)
    line_done = serializers.IntegerField(read_only=True)

    class Meta:
        model = Handover
        fields = [
            "id",
            "staff",
            "staff_name",
            "kind",
            "status",
            "branch",
            "team",
            "effective_on",
            "to_branch",
            "to_team",
            "to_outlet",
            "to_regional_manager",
            "reason",
            "started_by",
            "started_at",
            "completed_by",
            "completed_at",
            "cancelled_by",
            "cancelled_at",
            "cancel_reason",
            "fingerprint",
            "line_total",
            "line_done",
        ]
        read_only_fields = [
            "status",
            "branch",
            "team",
            "started_by",
            "started_at",
            "completed_by",
            "completed_at",
            "cancelled_by",
            "cancelled_at",
            "cancel_reason",
            "fingerprint",
        ]
        extra_kwargs = {"effective_on": {"required": True, "allow_null": False}}


class HandoverDetailSerializer(HandoverSerializer):
    """One handover with the lines the caller may see, their trails, and what still blocks it."""

    lines = serializers.SerializerMethodField()
    blocking = serializers.SerializerMethodField()

    class Meta(HandoverSerializer.Meta):
        fields = [*HandoverSerializer.Meta.fields, "lines", "blocking"]

    def get_lines(self, obj) -> list[dict]:
        return HandoverLineSerializer(self.context.get("lines", []), many=True).data

    def get_blocking(self, obj) -> str | None:
        return self.context.get("blocking")


class HandoverReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class HandoverAssignSerializer(serializers.Serializer):
    disposition = serializers.ChoiceField(
        choices=HandoverLine.Disposition.choices, required=False, default=HandoverLine.Disposition.PASS
    )
    receiver = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), required=False, allow_null=True
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class HandoverConfirmSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=[("giver", "giver"), ("receiver", "receiver")])


class HandoverReassignSerializer(serializers.Serializer):
    to = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all())
    effective_on = serializers.DateField(required=False, allow_null=True)
    notified_on = serializers.DateField(required=False, allow_null=True)
    notified_how = serializers.ChoiceField(
        choices=HandoverLine.Notified.choices, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class HandoverNotifiedSerializer(serializers.Serializer):
    notified_on = serializers.DateField()
    notified_how = serializers.ChoiceField(choices=HandoverLine.Notified.choices)


class HandoverAcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
