from rest_framework import serializers

from brokerdesk.access import roles
from brokerdesk.access.scope import visible
from brokerdesk.org.models import Staff, Team
from brokerdesk.planning.models import (
    METRICS,
    AnnualPlan,
    CorrectiveAction,
    MonthlyActual,
    PlanReview,
    TargetShare,
)


class PlanSerializer(serializers.ModelSerializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())

    class Meta:
        model = AnnualPlan
        fields = [
            "id",
            "team",
            "year",
            "kind",
            "version",
            "supersedes",
            "status",
            "split_by",
            "target_new_accounts",
            "target_asset_growth",
            "target_net_revenue",
            "target_product_sales",
            "marketing_plan",
            "bank_cooperation_plan",
            "partner_bank",
            "approval",
            "approved_at",
        ]
        read_only_fields = ["version", "supersedes", "status", "approval", "approved_at"]
        # The service checks one plan per team and year (as a field error on "year"); the
        # validators DRF derives from the model's constraints would need the read-only
        # status and version, and fail on every update.
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["team"].queryset = visible(request.user, Team, roles.PLAN_CHANGE)
        return fields


class ShareSerializer(serializers.ModelSerializer):
    staff = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all())

    class Meta:
        model = TargetShare
        fields = ["staff", "period", *METRICS]
        validators = []  # the service checks the whole set, including that it adds up


class ActualSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonthlyActual
        fields = ["staff", "month", *METRICS]


class ActualBatchSerializer(serializers.Serializer):
    month = serializers.DateField()
    rows = serializers.ListField(child=serializers.DictField(), allow_empty=False)


class CorrectiveActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CorrectiveAction
        fields = ["id", "description", "owner", "due_on", "status", "done_on", "done_note"]
        read_only_fields = ["status", "done_on", "done_note"]


class ActionDoneSerializer(serializers.Serializer):
    done_note = serializers.CharField(max_length=300)


class ReviewSerializer(serializers.ModelSerializer):
    actions = CorrectiveActionSerializer(many=True, required=False)

    class Meta:
        model = PlanReview
        fields = ["id", "plan", "held_on", "findings", "actions"]
        read_only_fields = ["plan"]


class ProgressMetricSerializer(serializers.Serializer):
    target_year = serializers.DecimalField(max_digits=20, decimal_places=2)
    target_to_date = serializers.DecimalField(max_digits=20, decimal_places=2)
    actual_to_date = serializers.DecimalField(max_digits=20, decimal_places=2)
    rate = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    behind = serializers.BooleanField()


class ProgressRowSerializer(serializers.Serializer):
    key = serializers.IntegerField()
    name = serializers.CharField()
    behind = serializers.BooleanField()
    metrics = serializers.DictField(child=ProgressMetricSerializer())
