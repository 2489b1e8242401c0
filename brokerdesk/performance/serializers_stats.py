"""API shapes of the business statistics and finance's notes."""

from rest_framework import serializers

from brokerdesk.org.models import Branch, Staff
from brokerdesk.performance.models import StatReview
from brokerdesk.performance.selectors_stats import LEVELS
from brokerdesk.performance.serializers_import import MonthTextField


class StatRowSerializer(serializers.Serializer):
    key = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    name = serializers.CharField()
    detail = serializers.CharField(allow_blank=True)
    managers = serializers.IntegerField()
    new_accounts = serializers.IntegerField(help_text="clients developed (new accounts by their opener)")
    qualified_new_accounts = serializers.IntegerField()
    clients_served = serializers.IntegerField()
    net_revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    total_assets = serializers.DecimalField(max_digits=18, decimal_places=2)
    assets_per_client = serializers.DecimalField(max_digits=18, decimal_places=2)
    avg_assets = serializers.DecimalField(max_digits=18, decimal_places=2)
    product_sales = serializers.DecimalField(max_digits=18, decimal_places=2)


class StatisticsSerializer(serializers.Serializer):
    month = MonthTextField()
    level = serializers.ChoiceField(choices=list(LEVELS))
    rows = StatRowSerializer(many=True)
    total = StatRowSerializer()


class StatisticsQuerySerializer(serializers.Serializer):
    month = MonthTextField(required=False)
    level = serializers.ChoiceField(choices=list(LEVELS), required=False, default="manager")


class StatNoteSerializer(serializers.ModelSerializer):
    month = MonthTextField()
    branch = serializers.PrimaryKeyRelatedField(queryset=Branch.objects.all())
    staff = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all(), required=False, allow_null=True)
    written_by = serializers.CharField(source="written_by.username", read_only=True)

    class Meta:
        model = StatReview
        fields = [
            "id",
            "branch",
            "month",
            "staff",
            "is_review",
            "text",
            "crm_import",
            "written_by",
            "written_at",
        ]
        read_only_fields = ["crm_import", "written_by", "written_at"]
