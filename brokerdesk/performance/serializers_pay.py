"""Pay slips and adjustments over the API. A line carries its structured inputs, the
language-neutral arithmetic (``explanation``) and the sentence in the caller's language."""

from rest_framework import serializers

from brokerdesk.org.models import Branch, Staff
from brokerdesk.performance import explain_pay
from brokerdesk.performance.models import PayAdjustment, PayLine, PaySlip


class PayLineSerializer(serializers.ModelSerializer):
    component_label = serializers.CharField(source="get_component_display", read_only=True)
    text = serializers.SerializerMethodField()

    class Meta:
        model = PayLine
        fields = ["order", "component", "component_label", "amount", "inputs", "explanation", "text"]
        read_only_fields = fields

    def get_text(self, obj) -> str:
        return explain_pay.sentence(obj.component, obj.inputs)


class PaySlipSerializer(serializers.ModelSerializer):
    month = serializers.DateField(source="run.month", read_only=True)
    branch = serializers.IntegerField(source="run.branch_id", read_only=True)
    run_version = serializers.IntegerField(source="run.version", read_only=True)
    run_status = serializers.CharField(source="run.status", read_only=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    lines = PayLineSerializer(many=True, read_only=True)

    class Meta:
        model = PaySlip
        fields = [
            "id",
            "run",
            "month",
            "branch",
            "run_version",
            "run_status",
            "staff",
            "staff_name",
            "team",
            "scheme",
            "level",
            "gross",
            "deductions",
            "held_back",
            "total",
            "lines",
        ]
        read_only_fields = fields


class AdjustmentSerializer(serializers.ModelSerializer):
    branch = serializers.PrimaryKeyRelatedField(queryset=Branch.objects.all())
    staff = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all())
    reason = serializers.CharField(max_length=300, allow_blank=True)

    class Meta:
        model = PayAdjustment
        fields = ["id", "branch", "month", "staff", "amount", "reason", "created_by", "created_at"]
        read_only_fields = ["created_by", "created_at"]
        validators: list = []
