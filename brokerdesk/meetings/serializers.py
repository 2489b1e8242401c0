from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brokerdesk.meetings.models import Attendance, Decision, Meeting
from brokerdesk.org.models import Staff, Team


# A plain string in the schema: an enum here collides with the other apps' "kind" enums
# (drf-spectacular names enums by field name); ENUM_NAME_OVERRIDES could name it instead.
@extend_schema_field({"type": "string", "description": "morning | weekly | monthly"})
class KindField(serializers.ChoiceField):
    """The kind of meeting: morning (晨会), weekly (周工作例会) or monthly (月度总结例会)."""

    def __init__(self, **kwargs):
        super().__init__(choices=Meeting.Kind.choices, **kwargs)


class MeetingAttendanceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="staff.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["staff", "name", "present", "note"]


class MeetingDecisionSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = Decision
        fields = ["position", "text", "owner", "owner_name", "due_on"]


class MeetingSerializer(serializers.ModelSerializer):
    """A meeting as read: minutes are {agenda part: text} (the parts of each kind are in the
    docs), with attendance and decisions."""

    attendance = MeetingAttendanceSerializer(many=True, read_only=True)
    decisions = MeetingDecisionSerializer(many=True, read_only=True)
    kind = KindField(read_only=True)
    editable = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "team",
            "kind",
            "held_on",
            "period_start",
            "chair",
            "minutes",
            "attendance",
            "decisions",
            "recorded_by",
            "created_at",
            "updated_at",
            "editable",
        ]
        read_only_fields = fields

    def get_editable(self, meeting) -> bool:
        from brokerdesk.meetings.services import meeting_may_change

        request = self.context.get("request")
        return bool(request) and meeting_may_change(meeting, user=request.user)


class MeetingAttendanceInSerializer(serializers.Serializer):
    staff = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all())
    present = serializers.BooleanField(default=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MeetingDecisionInSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")
    # Optional here so that a decision without an owner gets the service's clear message.
    owner = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all(), allow_null=True, required=False)
    due_on = serializers.DateField(allow_null=True, required=False)


class MeetingWriteSerializer(serializers.Serializer):
    """Recording a meeting; on a correction team, kind and held_on are fixed and ignored.
    Members missing from ``attendance`` were present."""

    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    kind = KindField()
    held_on = serializers.DateField()
    chair = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all(), allow_null=True)
    minutes = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=5000))
    attendance = MeetingAttendanceInSerializer(many=True, required=False)
    decisions = MeetingDecisionInSerializer(many=True, required=False)


class MissedSerializer(serializers.Serializer):
    team = serializers.IntegerField(source="team.pk")
    team_name = serializers.CharField(source="team.name")
    branch = serializers.IntegerField(source="team.branch_id")
    start = serializers.DateField()
    end = serializers.DateField()
    held = serializers.IntegerField()
    morning = serializers.ListField(child=serializers.DateField(), source="missed.morning")
    weekly = serializers.ListField(child=serializers.DateField(), source="missed.weekly")
    monthly = serializers.ListField(child=serializers.DateField(), source="missed.monthly")
    total = serializers.IntegerField(source="missed.total")
