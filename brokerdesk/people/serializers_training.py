"""The training archive over the API (第二十四条)."""

from rest_framework import serializers

from brokerdesk.org.models import Staff
from brokerdesk.people.models_recruitment import Candidate
from brokerdesk.people.models_training import TrainingAttendance, TrainingProgramme, TrainingSession


class ProgrammeSerializer(serializers.ModelSerializer):
    session_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = TrainingProgramme
        fields = [
            "id",
            "branch",
            "title",
            "category",
            "organiser",
            "description",
            "pass_score",
            "is_active",
            "created_by",
            "created_at",
            "session_count",
        ]
        read_only_fields = ["created_by", "created_at"]


class ProgrammeUpdateSerializer(ProgrammeSerializer):
    class Meta(ProgrammeSerializer.Meta):
        read_only_fields = [*ProgrammeSerializer.Meta.read_only_fields, "branch"]


class SessionSerializer(serializers.ModelSerializer):
    attendee_count = serializers.IntegerField(read_only=True, required=False)
    passed_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "programme",
            "branch",
            "team",
            "starts_at",
            "ends_at",
            "place",
            "content",
            "trainer",
            "trainer_name",
            "hours",
            "results_confirmed_at",
            "results_confirmed_by",
            "created_by",
            "created_at",
            "attendee_count",
            "passed_count",
        ]
        read_only_fields = ["results_confirmed_at", "results_confirmed_by", "created_by", "created_at"]


class SessionUpdateSerializer(SessionSerializer):
    class Meta(SessionSerializer.Meta):
        read_only_fields = [*SessionSerializer.Meta.read_only_fields, "branch", "team"]


class RecordSerializer(serializers.ModelSerializer):
    """One training row: who, which session, the result."""

    person_name = serializers.CharField(read_only=True)
    programme = serializers.IntegerField(source="session.programme_id", read_only=True)
    programme_title = serializers.CharField(source="session.programme.title", read_only=True)
    starts_at = serializers.DateTimeField(source="session.starts_at", read_only=True)

    class Meta:
        model = TrainingAttendance
        fields = [
            "id",
            "session",
            "programme",
            "programme_title",
            "starts_at",
            "staff",
            "candidate",
            "person_name",
            "result",
            "score",
            "comment",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class AttendeesSerializer(serializers.Serializer):
    staff = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), many=True, required=False, default=list
    )
    candidates = serializers.PrimaryKeyRelatedField(
        queryset=Candidate.objects.all(), many=True, required=False, default=list
    )


class ResultRowSerializer(serializers.Serializer):
    attendance = serializers.IntegerField()
    result = serializers.ChoiceField(
        choices=TrainingAttendance.Result.choices, required=False, allow_blank=True
    )
    score = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, allow_null=True, default=None
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ResultsSerializer(serializers.Serializer):
    rows = ResultRowSerializer(many=True)


class RemoveSerializer(serializers.Serializer):
    attendance = serializers.IntegerField()
