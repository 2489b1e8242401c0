"""The archive register over the API: entries, their custody trail, and monthly batches."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brokerdesk.access.scope import visible
from brokerdesk.archives.models_register import CustodyMove, RegisterBatch, RegisterEntry
from brokerdesk.archives.selectors import branches_for_filing
from brokerdesk.org.models import Branch, Staff

MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]


# Inline enums (no shared component), so "kind" does not clash with other apps' "kind" fields.
@extend_schema_field({"type": "string", "enum": list(RegisterEntry.Kind.values)})
class KindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=RegisterEntry.Kind.choices, **kwargs)


class MonthField(serializers.DateField):
    """A month: 2026-10 or 2026-10-15 → 2026-10-01."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=MONTH_FORMATS, **kwargs)

    def to_internal_value(self, value):
        return super().to_internal_value(value).replace(day=1)


class CustodyMoveSerializer(serializers.ModelSerializer):
    from_name = serializers.CharField(source="from_staff.name", read_only=True, default=None)
    to_name = serializers.CharField(source="to_staff.name", read_only=True, default=None)

    class Meta:
        model = CustodyMove
        fields = ["id", "from_staff", "from_name", "to_staff", "to_name", "moved_at", "moved_by", "note"]
        read_only_fields = fields


class RegisterEntrySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status = serializers.CharField(read_only=True)
    branch_code = serializers.CharField(source="branch.code", read_only=True)
    custodian_name = serializers.CharField(source="custodian.name", read_only=True, default=None)
    month_closed = serializers.SerializerMethodField()
    has_scan = serializers.SerializerMethodField()

    class Meta:
        model = RegisterEntry
        fields = [
            "id",
            "serial_no",
            "kind",
            "kind_label",
            "branch",
            "branch_code",
            "month",
            "sequence",
            "batch",
            "month_closed",
            "title",
            "cabinet",
            "folder",
            "pages",
            "source_ref",
            "corrects",
            "note",
            "has_scan",
            "scan_name",
            "filed_by",
            "filed_at",
            "custodian",
            "custodian_name",
            "custody_since",
            "status",
            "withdrawn_reason",
            "withdrawn_at",
        ]
        read_only_fields = fields

    def get_month_closed(self, obj) -> bool:
        return obj.batch.closed

    def get_has_scan(self, obj) -> bool:
        return bool(obj.scan)


class RegisterEntryCreateSerializer(serializers.Serializer):
    branch = serializers.PrimaryKeyRelatedField(queryset=Branch.objects.none())
    kind = KindField()
    month = MonthField()
    title = serializers.CharField(max_length=200)
    cabinet = serializers.CharField(max_length=40)
    folder = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    pages = serializers.IntegerField(
        min_value=1, max_value=100_000, required=False, allow_null=True, default=None
    )
    source_ref = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    corrects = serializers.PrimaryKeyRelatedField(
        queryset=RegisterEntry.objects.none(), required=False, allow_null=True, default=None
    )
    scan = serializers.FileField(required=False, allow_null=True, default=None)
    submission_key = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        help_text="Any unique text per document: the same key twice files once (a retried request).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only the caller's branches and entries are choices: others answer "does not exist".
            self.fields["branch"].queryset = branches_for_filing(request.user)
            self.fields["corrects"].queryset = visible(request.user, RegisterEntry)


class RegisterEntryUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    cabinet = serializers.CharField(max_length=40, required=False)
    folder = serializers.CharField(max_length=60, required=False, allow_blank=True)
    pages = serializers.IntegerField(min_value=1, max_value=100_000, required=False, allow_null=True)
    source_ref = serializers.CharField(max_length=300, required=False, allow_blank=True)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    scan = serializers.FileField(required=False)


class RegisterWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class RegisterCustodySerializer(serializers.Serializer):
    to_staff = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), allow_null=True, help_text="null: back to the archive room"
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RegisterBatchSerializer(serializers.ModelSerializer):
    branch_code = serializers.CharField(source="branch.code", read_only=True)
    filed = serializers.IntegerField(source="n_filed", read_only=True)
    withdrawn = serializers.IntegerField(source="n_withdrawn", read_only=True)
    originals_out = serializers.IntegerField(source="n_out", read_only=True)
    closed = serializers.BooleanField(read_only=True)

    class Meta:
        model = RegisterBatch
        fields = [
            "id",
            "branch",
            "branch_code",
            "month",
            "filed",
            "withdrawn",
            "originals_out",
            "closed",
            "closed_at",
            "closed_by",
            "note",
        ]
        read_only_fields = fields


class RegisterBatchCloseSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class RegisterMonthCloseSerializer(serializers.Serializer):
    branch = serializers.PrimaryKeyRelatedField(queryset=Branch.objects.none())
    month = MonthField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["branch"].queryset = branches_for_filing(request.user)
