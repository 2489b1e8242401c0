"""Serializers of the assessments API: what an assessment, its checklist scores and a level
change look like, and the payloads of generate, score and confirm. Writes go through
``services_assess``; these only shape and parse.

Choice fields are plain strings here (with a ``*_display`` beside them): the OpenAPI schema
then has no second ``StatusEnum``/``PeriodEnum`` to clash with other apps' choices.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brokerdesk.org.models import Branch, Team
from brokerdesk.performance import selectors_assess as selectors
from brokerdesk.performance.models import Assessment, DutyScore, LevelChange


class DutyScoreSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    source = serializers.CharField(source="item.source", read_only=True)
    weight = serializers.SerializerMethodField()

    class Meta:
        model = DutyScore
        fields = ["item", "item_code", "item_name", "source", "weight", "score", "inputs"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_weight(self, obj) -> str | None:
        return (obj.inputs or {}).get("weight")


class LevelChangeSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    level_name = serializers.CharField(source="level.name", read_only=True)
    previous_name = serializers.CharField(source="previous.name", read_only=True, default=None)
    reason = serializers.CharField(read_only=True, help_text="hired, quarterly, yearly or manual")
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = LevelChange
        fields = [
            "id",
            "staff",
            "staff_name",
            "level",
            "level_name",
            "previous",
            "previous_name",
            "effective_from",
            "reason",
            "reason_display",
            "note",
            "assessment",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    emp_no = serializers.CharField(source="staff.emp_no", read_only=True)
    period = serializers.CharField(read_only=True, help_text="month, quarter or year")
    period_display = serializers.CharField(source="get_period_display", read_only=True)
    outcome = serializers.CharField(read_only=True, help_text="up, stay, down, or empty (a month; Q4)")
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft or confirmed")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    duty_scores = DutyScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "staff",
            "staff_name",
            "emp_no",
            "branch",
            "team",
            "period",
            "period_display",
            "starts_on",
            "ends_on",
            "duty_score",
            "performance_score",
            "total_score",
            "outcome",
            "outcome_display",
            "outcome_reason",
            "lead_comment",
            "status",
            "status_display",
            "confirmed_by",
            "confirmed_at",
            "duty_scores",
            "performance_inputs",
            "created_at",
        ]
        read_only_fields = fields


class AssessmentDetailSerializer(AssessmentSerializer):
    level_change = serializers.SerializerMethodField()

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "level_change"]
        read_only_fields = fields

    @extend_schema_field(LevelChangeSerializer(allow_null=True))
    def get_level_change(self, obj):
        change = selectors.level_change_for(obj)
        return LevelChangeSerializer(change).data if change else None


class GenerateSerializer(serializers.Serializer):
    branch = serializers.PrimaryKeyRelatedField(queryset=Branch.objects.all())
    period = serializers.CharField(help_text="month, quarter or year")
    starts_on = serializers.DateField(help_text="any day of the period; the period containing it is assessed")
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)


class GenerateResultSerializer(serializers.Serializer):
    period = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    confirmed_kept = serializers.ListField(child=serializers.IntegerField())


class LeadScoreSerializer(serializers.Serializer):
    """``score`` marks the checklist's lead item (``item`` when there are several);
    ``scores`` marks several at once: {item id: score}. Scores are 0–100."""

    item = serializers.IntegerField(required=False, allow_null=True)
    # Wide enough that an out-of-range number reaches the service and its message.
    score = serializers.DecimalField(max_digits=12, decimal_places=4, required=False, allow_null=True)
    scores = serializers.DictField(
        child=serializers.DecimalField(max_digits=12, decimal_places=4), required=False
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ConfirmPeriodRefusalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    staff_name = serializers.CharField()
    reason = serializers.CharField()


class ConfirmPeriodResultSerializer(serializers.Serializer):
    confirmed = serializers.ListField(child=serializers.IntegerField())
    level_changes = serializers.ListField(child=serializers.IntegerField())
    refused = ConfirmPeriodRefusalSerializer(many=True)
