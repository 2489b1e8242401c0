"""Serializers of the personnel archive API. They shape and parse; every write goes through
``services_archive``. Choice fields are plain strings with a ``*_display`` beside them (the
OpenAPI schema then has no enum names to clash with other apps')."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brokerdesk.access.roles import ARCHIVE_CHANGE
from brokerdesk.access.scope import visible
from brokerdesk.people.models_archive import (
    ArchiveDocument,
    Contract,
    DocumentDownload,
    PersonnelFile,
    Qualification,
    RewardPunishment,
    Slot,
)

SLOT_HELP = ", ".join(Slot.values)
QUALIFICATION_HELP = ", ".join(Qualification.Kind.values)


@extend_schema_field(OpenApiTypes.INT)
class KeptFileField(serializers.PrimaryKeyRelatedField):
    """A person whose file the caller keeps (``people.archive``); anyone else is "not found"."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return PersonnelFile.objects.none()
        return visible(request.user, PersonnelFile, ARCHIVE_CHANGE)


class PersonnelFileSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.name", read_only=True, default=None)
    team_name = serializers.CharField(source="team.name", read_only=True, default=None)
    position = serializers.CharField(read_only=True)
    position_display = serializers.CharField(source="get_position_display", read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    slots_filled = serializers.IntegerField(read_only=True)
    slots_required = serializers.SerializerMethodField()
    unverified_count = serializers.IntegerField(read_only=True)
    has_contract = serializers.BooleanField(read_only=True)
    has_registration = serializers.BooleanField(read_only=True)
    contract_expiring = serializers.BooleanField(read_only=True)
    licence_expiring = serializers.BooleanField(read_only=True)

    class Meta:
        model = PersonnelFile
        fields = [
            "id",
            "emp_no",
            "name",
            "employment_type",
            "position",
            "position_display",
            "status",
            "status_display",
            "branch",
            "branch_name",
            "team",
            "team_name",
            "slots_filled",
            "slots_required",
            "unverified_count",
            "has_contract",
            "has_registration",
            "contract_expiring",
            "licence_expiring",
        ]
        read_only_fields = fields

    def get_slots_required(self, obj) -> int:
        from brokerdesk.people.models_archive import REQUIRED_SLOTS

        return len(REQUIRED_SLOTS)


class ArchiveDocumentSerializer(serializers.ModelSerializer):
    slot = serializers.CharField(read_only=True)
    slot_display = serializers.CharField(source="get_slot_display", read_only=True)
    is_current = serializers.BooleanField(read_only=True)
    is_verified = serializers.BooleanField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ArchiveDocument
        fields = [
            "id",
            "staff",
            "slot",
            "slot_display",
            "title",
            "file_name",
            "file_kind",
            "size",
            "sha256",
            "version",
            "previous",
            "is_current",
            "superseded_at",
            "note",
            "uploaded_by",
            "uploaded_at",
            "is_verified",
            "verified_by",
            "verified_at",
            "verify_note",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, obj) -> str:
        return f"/api/people/documents/{obj.pk}/download/"


class ArchiveDocumentUploadSerializer(serializers.Serializer):
    staff = KeptFileField()
    slot = serializers.CharField(max_length=30, help_text=SLOT_HELP)
    file = serializers.FileField()
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    replaces = serializers.PrimaryKeyRelatedField(
        queryset=ArchiveDocument.objects.all(), required=False, allow_null=True, default=None
    )


class ArchiveVerifySerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ArchiveContractSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    last_day = serializers.DateField(read_only=True)
    renewal = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id",
            "staff",
            "staff_name",
            "kind",
            "kind_display",
            "starts_on",
            "ends_on",
            "last_day",
            "previous",
            "renewal",
            "signed_copy",
            "original_location",
            "terminated_on",
            "termination_reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_renewal(self, obj) -> int | None:
        renewal = getattr(obj, "renewal", None)
        return renewal.pk if renewal else None


class ArchiveContractCreateSerializer(serializers.Serializer):
    staff = KeptFileField()
    kind = serializers.CharField(max_length=20, help_text="labour or cooperation")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Empty: one year."
    )
    original_location = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    signed_copy = serializers.FileField(required=False, allow_null=True, default=None)


class ArchiveContractRenewSerializer(serializers.Serializer):
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    original_location = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    signed_copy = serializers.FileField(required=False, allow_null=True, default=None)


class ArchiveContractUpdateSerializer(serializers.Serializer):
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    original_location = serializers.CharField(max_length=120, required=False, allow_blank=True)
    signed_copy = serializers.FileField(required=False)


class ArchiveContractTerminateSerializer(serializers.Serializer):
    terminated_on = serializers.DateField()
    reason = serializers.CharField(max_length=200)


class ArchiveQualificationSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)

    class Meta:
        model = Qualification
        fields = [
            "id",
            "staff",
            "staff_name",
            "kind",
            "kind_display",
            "name",
            "number",
            "issued_on",
            "expires_on",
            "authority",
            "ce_hours",
            "document",
            "revoked_on",
            "revoke_reason",
            "created_at",
        ]
        read_only_fields = fields


class ArchiveQualificationCreateSerializer(serializers.Serializer):
    staff = KeptFileField()
    kind = serializers.CharField(max_length=20, help_text=QUALIFICATION_HELP)
    name = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    number = serializers.CharField(max_length=40)
    issued_on = serializers.DateField()
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    authority = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    ce_hours = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=0, required=False, default=0
    )
    document = serializers.FileField(required=False, allow_null=True, default=None)


class ArchiveQualificationUpdateSerializer(serializers.Serializer):
    expires_on = serializers.DateField(required=False, allow_null=True)
    ce_hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=0, required=False)
    authority = serializers.CharField(max_length=80, required=False, allow_blank=True)
    document = serializers.FileField(required=False)


class ArchiveQualificationRevokeSerializer(serializers.Serializer):
    revoked_on = serializers.DateField()
    reason = serializers.CharField(max_length=200)


class ArchiveRewardSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)

    class Meta:
        model = RewardPunishment
        fields = [
            "id",
            "staff",
            "staff_name",
            "kind",
            "kind_display",
            "decided_on",
            "title",
            "reason",
            "decided_by",
            "amount",
            "document",
            "withdrawn_at",
            "withdrawn_reason",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class ArchiveRewardCreateSerializer(serializers.Serializer):
    staff = KeptFileField()
    kind = serializers.CharField(max_length=20, help_text="reward or punishment")
    decided_on = serializers.DateField()
    title = serializers.CharField(max_length=120)
    reason = serializers.CharField()
    decided_by = serializers.CharField(max_length=80)
    amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    document = serializers.FileField(required=False, allow_null=True, default=None)


class ArchiveRewardWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class ArchiveDownloadSerializer(serializers.ModelSerializer):
    staff = serializers.IntegerField(source="document.staff_id", read_only=True)

    class Meta:
        model = DocumentDownload
        fields = ["id", "document", "staff", "user", "at", "ip_address", "channel"]
        read_only_fields = fields
