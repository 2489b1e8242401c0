"""Pay schemes over the API: the scheme with its brackets and base pay nested (written through
``services_schemes.scheme_save``, which checks them)."""

from rest_framework import serializers

from brokerdesk.org.models import Level, Staff
from brokerdesk.performance.models import PayScheme, SchemeBasePay, SchemeBracket


class BracketSerializer(serializers.ModelSerializer):
    class Meta:
        model = SchemeBracket
        fields = ["lower", "upper", "rate"]
        extra_kwargs = {"upper": {"required": False, "allow_null": True}}
        # Range and order are checked together by the service (400 under "brackets").
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        for f in fields.values():
            f.validators = [
                v for v in f.validators if type(v).__name__ not in ("MinValueValidator", "MaxValueValidator")
            ]
        return fields


class BasePaySerializer(serializers.ModelSerializer):
    level = serializers.PrimaryKeyRelatedField(queryset=Level.objects.all())
    employment_type = serializers.ChoiceField(choices=Staff.EmploymentType.choices, default="full_time")

    class Meta:
        model = SchemeBasePay
        fields = ["level", "employment_type", "amount"]
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        fields["amount"].validators = []  # a negative amount is refused by the service, with its row
        return fields


class SchemeSerializer(serializers.ModelSerializer):
    brackets = BracketSerializer(many=True, required=False)
    base_pays = BasePaySerializer(many=True, required=False)

    class Meta:
        model = PayScheme
        fields = [
            "id",
            "branch",
            "team",
            "name",
            "version",
            "previous",
            "effective_from",
            "status",
            "approval",
            "min_performance_score",
            "low_performance_factor",
            "new_account_bonus",
            "new_account_min_assets",
            "asset_rate",
            "attendance_deductions",
            "override_rate",
            "holdback_rate",
            "holdback_release_revenue",
            "clawback",
            "note",
            "created_by",
            "created_at",
            "brackets",
            "base_pays",
        ]
        read_only_fields = ["version", "previous", "status", "approval", "created_by", "created_at"]


class SchemeUpdateSerializer(SchemeSerializer):
    class Meta(SchemeSerializer.Meta):
        read_only_fields = [*SchemeSerializer.Meta.read_only_fields, "branch"]


class SubmitSerializer(serializers.Serializer):
    opinion = serializers.CharField(required=False, allow_blank=True, default="")
