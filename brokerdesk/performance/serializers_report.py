"""The monthly pay report over the API: runs, their people × components table, signatures and
the differences of a correction."""

from rest_framework import serializers

from brokerdesk.performance.models import PayRun


class PayRunSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    corrects_version = serializers.IntegerField(source="corrects.version", read_only=True, allow_null=True)
    # Plain text rather than a choice field: the run's statuses are listed here, not as one
    # more "status" enum of the schema.
    status = serializers.CharField(
        read_only=True, help_text="computed, reviewed, signing, returned, signed or superseded"
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    current_step = serializers.SerializerMethodField()

    class Meta:
        model = PayRun
        fields = [
            "id",
            "branch",
            "branch_name",
            "month",
            "version",
            "corrects",
            "corrects_version",
            "correction_reason",
            "status",
            "status_label",
            "people",
            "total",
            "crm_import",
            "computed_by",
            "computed_at",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "approval",
            "current_step",
            "signed_at",
            "filed_at",
            "content_hash",
        ]
        read_only_fields = fields

    def get_current_step(self, obj) -> str:
        if obj.status != PayRun.Status.SIGNING or obj.approval is None or obj.approval.current_step is None:
            return ""
        return obj.approval.current_step.name


class PayRunRowSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    slip = serializers.IntegerField(source="slip.pk")
    staff = serializers.IntegerField(source="slip.staff_id")
    emp_no = serializers.CharField(source="slip.staff.emp_no")
    name = serializers.CharField(source="slip.staff.name")
    team = serializers.CharField(source="slip.team.name", allow_null=True, default=None)
    level = serializers.CharField(source="slip.level.name", allow_null=True, default=None)
    components = serializers.DictField(
        child=serializers.DecimalField(max_digits=18, decimal_places=2), source="amounts"
    )
    gross = serializers.DecimalField(max_digits=18, decimal_places=2, source="slip.gross")
    deductions = serializers.DecimalField(max_digits=18, decimal_places=2, source="slip.deductions")
    total = serializers.DecimalField(max_digits=18, decimal_places=2, source="slip.total")
    held_back = serializers.DecimalField(max_digits=18, decimal_places=2, source="slip.held_back")


class PayRunTotalsSerializer(serializers.Serializer):
    components = serializers.DictField(
        child=serializers.DecimalField(max_digits=18, decimal_places=2), source="totals"
    )
    gross = serializers.DecimalField(max_digits=18, decimal_places=2)
    deductions = serializers.DecimalField(max_digits=18, decimal_places=2)
    total = serializers.DecimalField(max_digits=18, decimal_places=2)


class PayRunSignatureSerializer(serializers.Serializer):
    label = serializers.CharField()
    step_name = serializers.CharField()
    name = serializers.CharField()
    on_behalf_of = serializers.CharField()
    at = serializers.DateTimeField(allow_null=True)


class PayRunVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    version = serializers.IntegerField()
    status = serializers.CharField()
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)
    total = serializers.DecimalField(max_digits=18, decimal_places=2)


class PayRunDetailSerializer(PayRunSerializer):
    rows = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()
    signatures = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta(PayRunSerializer.Meta):
        fields = [*PayRunSerializer.Meta.fields, "rows", "totals", "signatures", "versions"]
        read_only_fields = fields

    def get_rows(self, obj) -> PayRunRowSerializer(many=True):
        return PayRunRowSerializer(self.context["table"].rows, many=True).data

    def get_totals(self, obj) -> PayRunTotalsSerializer:
        return PayRunTotalsSerializer(self.context["table"]).data

    def get_signatures(self, obj) -> PayRunSignatureSerializer(many=True):
        return PayRunSignatureSerializer(self.context["signatures"], many=True).data

    def get_versions(self, obj) -> PayRunVersionSerializer(many=True):
        return PayRunVersionSerializer(self.context["versions"], many=True).data


class PayRunReviewSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class PayRunCorrectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class PayRunDiffLineSerializer(serializers.Serializer):
    component = serializers.CharField()
    label = serializers.CharField()
    before = serializers.DecimalField(max_digits=18, decimal_places=2)
    after = serializers.DecimalField(max_digits=18, decimal_places=2)
    diff = serializers.DecimalField(max_digits=18, decimal_places=2)


class PayRunPersonDiffSerializer(serializers.Serializer):
    staff = serializers.IntegerField(source="staff_id")
    emp_no = serializers.CharField()
    name = serializers.CharField()
    lines = PayRunDiffLineSerializer(many=True)
    total_before = serializers.DecimalField(max_digits=18, decimal_places=2)
    total_after = serializers.DecimalField(max_digits=18, decimal_places=2)
    total_diff = serializers.DecimalField(max_digits=18, decimal_places=2)


class PayRunDiffSerializer(serializers.Serializer):
    run = serializers.IntegerField(source="after.pk")
    corrects = serializers.IntegerField(source="before.pk")
    people = PayRunPersonDiffSerializer(many=True)
    total_before = serializers.DecimalField(max_digits=18, decimal_places=2)
    total_after = serializers.DecimalField(max_digits=18, decimal_places=2)
    total_diff = serializers.DecimalField(max_digits=18, decimal_places=2)
