from rest_framework import serializers

from brokerdesk.org.models import Staff, Team
from brokerdesk.worklogs.models import Result, SpotCheck, SpotCheckItem, WorkLog


class CheckResultSerializer(serializers.ModelSerializer):
    """What the author of a log sees of its check: the result and the comment."""

    class Meta:
        model = SpotCheckItem
        fields = ["spot_check", "result", "comment", "checked_at"]


class WorkLogSerializer(serializers.ModelSerializer):
    # Given only to be refused when it is not the caller: nobody writes someone else's log.
    staff = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all(), required=False)
    written_late = serializers.BooleanField(read_only=True)
    checks = CheckResultSerializer(many=True, read_only=True)

    class Meta:
        model = WorkLog
        fields = [
            "id",
            "staff",
            "day",
            "work_done",
            "clients_contacted",
            "visited",
            "tomorrow_plan",
            "created_at",
            "updated_at",
            "written_late",
            "checks",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators = []  # one log per person and day: the service edits or refuses


class SpotCheckItemSerializer(serializers.ModelSerializer):
    staff = serializers.IntegerField(source="log.staff_id", read_only=True)
    day = serializers.DateField(source="log.day", read_only=True)
    why_picked = serializers.SerializerMethodField()

    class Meta:
        model = SpotCheckItem
        fields = [
            "id",
            "position",
            "log",
            "staff",
            "day",
            "weight",
            "reasons",
            "why_picked",
            "result",
            "comment",
            "checked_by",
            "checked_at",
        ]
        read_only_fields = fields

    def get_why_picked(self, item) -> list[str]:
        return [str(t) for t in item.reason_texts()]


class SpotCheckSerializer(serializers.ModelSerializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    items = SpotCheckItemSerializer(many=True, read_only=True)

    class Meta:
        model = SpotCheck
        fields = [
            "id",
            "team",
            "period_start",
            "period_end",
            "size",
            "percent",
            "seed",
            "created_by",
            "created_at",
            "completed_at",
            "items",
        ]
        read_only_fields = ["seed", "created_by", "created_at", "completed_at"]
        validators = []  # size-or-percent is the service's field error


class RecordSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    result = serializers.ChoiceField(choices=Result.choices)
    comment = serializers.CharField(max_length=1000)


class RedrawSerializer(serializers.Serializer):
    seed = serializers.IntegerField()
    drawn = serializers.ListField(child=serializers.IntegerField())
    redrawn = serializers.ListField(child=serializers.IntegerField())
    same = serializers.BooleanField()
