"""Candidates over the API. The ID number and mobile are written in full and read masked;
every rule is the services' (400 with field errors)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from brokerdesk.core.validators import mask_id_number, mask_mobile
from brokerdesk.org.models import Level, Outlet, Staff, Team
from brokerdesk.people.models_recruitment import CANDIDATE_SLOTS, Candidate, CandidateDocument


class CandidateDocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = CandidateDocument
        fields = [
            "id",
            "slot",
            "file_name",
            "file_kind",
            "size",
            "uploaded_by",
            "uploaded_at",
            "superseded_at",
            "check_result",
            "checked_by",
            "checked_at",
            "check_note",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return reverse("api-candidate-document-download", args=[obj.candidate_id, obj.pk])


class CandidateSerializer(serializers.ModelSerializer):
    doc_count = serializers.IntegerField(read_only=True, required=False)
    checked_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "branch",
            "team",
            "position",
            "employment_type",
            "name",
            "name_pinyin",
            "gender",
            "mobile",
            "id_number",
            "education",
            "school",
            "major",
            "skills",
            "experience",
            "source",
            "source_note",
            "applied_on",
            "status",
            "evaluation_score",
            "evaluation_comment",
            "evaluated_by",
            "evaluated_at",
            "decision",
            "decision_note",
            "approval",
            "decided_at",
            "probation_starts_on",
            "probation_ends_on",
            "probation_result",
            "probation_comment",
            "staff",
            "converted_at",
            "previous",
            "created_by",
            "created_at",
            "doc_count",
            "checked_count",
        ]
        read_only_fields = [
            "name_pinyin",
            "status",
            "evaluation_score",
            "evaluation_comment",
            "evaluated_by",
            "evaluated_at",
            "decision",
            "decision_note",
            "approval",
            "decided_at",
            "probation_starts_on",
            "probation_ends_on",
            "probation_result",
            "probation_comment",
            "staff",
            "converted_at",
            "previous",
            "created_by",
            "created_at",
        ]
        # The one-open-application rule is the service's (400 under "id_number").
        validators: list = []

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["id_number"] = mask_id_number(instance.id_number)
        data["mobile"] = mask_mobile(instance.mobile)
        return data


class CandidateDetailSerializer(CandidateSerializer):
    documents = serializers.SerializerMethodField()

    class Meta(CandidateSerializer.Meta):
        fields = [*CandidateSerializer.Meta.fields, "documents"]

    def get_documents(self, obj) -> list:
        current = [d for d in obj.documents.all() if d.superseded_at is None]
        return CandidateDocumentSerializer(current, many=True).data


class CandidateUpdateSerializer(CandidateSerializer):
    class Meta(CandidateSerializer.Meta):
        read_only_fields = [*CandidateSerializer.Meta.read_only_fields, "branch"]


class DocumentUploadSerializer(serializers.Serializer):
    slot = serializers.ChoiceField(choices=CANDIDATE_SLOTS)
    file = serializers.FileField()


class DocumentCheckSerializer(serializers.Serializer):
    document = serializers.IntegerField()
    result = serializers.ChoiceField(
        choices=[c for c in CandidateDocument.Check.choices if c[0] != "pending"]
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class EvaluateSerializer(serializers.Serializer):
    evaluation_score = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=100)
    evaluation_comment = serializers.CharField()


class ProposeSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Candidate.Decision.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    probation_starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    probation_ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class ProbationSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class ProbationResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=[("passed", "passed"), ("failed", "failed")])
    comment = serializers.CharField()


class WithdrawSerializer(serializers.Serializer):
    note = serializers.CharField()


class ConvertSerializer(serializers.Serializer):
    emp_no = serializers.CharField(max_length=20)
    hired_on = serializers.DateField(required=False, allow_null=True, default=None)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    outlet = serializers.PrimaryKeyRelatedField(
        queryset=Outlet.objects.all(), required=False, allow_null=True
    )
    regional_manager = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), required=False, allow_null=True
    )
    level = serializers.PrimaryKeyRelatedField(queryset=Level.objects.all(), required=False, allow_null=True)
    contract_starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    contract_ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    signed_copy = serializers.FileField(required=False, allow_null=True)
    original_location = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)

    def validate(self, attrs):
        # Placement must be in the candidate's branch (the staff service checks it too).
        branch_id = self.context["candidate"].branch_id
        errors = {}
        for name in ("team", "outlet", "regional_manager"):
            obj = attrs.get(name)
            if obj is not None and obj.branch_id != branch_id:
                errors[name] = [_("This belongs to another branch than the candidate's.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ReactivateSerializer(serializers.Serializer):
    applied_on = serializers.DateField(required=False, allow_null=True, default=None)
