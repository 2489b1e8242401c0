"""Serializers of the visits API: what a visit and a follow-up look like, and the payloads of
their actions. Writes go through ``services_visits``; these only shape and parse."""

from rest_framework import serializers

from brokerdesk.clients.models import Client, FollowUp, FollowUpEvent, Visit, VisitOverlap
from brokerdesk.org.models import Department, Staff


class VisitOverlapSerializer(serializers.ModelSerializer):
    """Who else visited around the same day: names and dates only, whatever the caller's scope."""

    other_visitor = serializers.CharField(source="other.author.name", read_only=True)
    other_status = serializers.CharField(source="other.status", read_only=True)
    other_day = serializers.DateField(source="other.day", read_only=True)

    class Meta:
        model = VisitOverlap
        fields = ["other_visitor", "other_status", "other_day", "days_apart"]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer):
    mode = serializers.ChoiceField(
        choices=[("plan", "plan"), ("log", "log")],
        write_only=True,
        required=False,
        help_text="plan: a visit ahead (planned_on); log: a visit done (visited_on, content). Default: log.",
    )
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    client_name = serializers.CharField(source="client.name", read_only=True)
    author_name = serializers.CharField(source="author.name", read_only=True)
    visitors = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all(), many=True, required=False)
    acknowledge_overlap = serializers.BooleanField(write_only=True, required=False, default=False)
    overlaps = VisitOverlapSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "mode",
            "client",
            "client_name",
            "author",
            "author_name",
            "visitors",
            "branch",
            "team",
            "status",
            "planned_on",
            "visited_on",
            "form",
            "purpose",
            "content",
            "opinions",
            "suggestions",
            "difficulties",
            "overlap_acknowledged",
            "acknowledge_overlap",
            "overlaps",
            "verified_at",
            "verified_by",
            "verification_opinion",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "author",
            "branch",
            "team",
            "status",
            "overlap_acknowledged",
            "verified_at",
            "verified_by",
            "verification_opinion",
            "created_at",
            "updated_at",
        ]


class VisitUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Visit
        fields = ["form", "purpose", "content", "opinions", "suggestions", "difficulties"]


class VisitCompleteSerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    form = serializers.ChoiceField(choices=Visit.Form.choices, required=False)
    content = serializers.CharField(allow_blank=True)
    opinions = serializers.CharField(required=False, allow_blank=True, default="")
    suggestions = serializers.CharField(required=False, allow_blank=True, default="")
    difficulties = serializers.CharField(required=False, allow_blank=True, default="")
    acknowledge_overlap = serializers.BooleanField(required=False, default=False)


class VisitReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class VisitOpinionSerializer(serializers.Serializer):
    opinion = serializers.CharField(allow_blank=True)


class FollowUpEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUpEvent
        fields = ["kind", "note", "actor", "at"]
        read_only_fields = fields


class FollowUpSerializer(serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all(), required=False)
    visit = serializers.PrimaryKeyRelatedField(queryset=Visit.objects.all(), required=False, allow_null=True)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    due_on = serializers.DateField(required=False, allow_null=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    overdue = serializers.BooleanField(read_only=True)
    events = FollowUpEventSerializer(many=True, read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "client",
            "visit",
            "owner",
            "owner_name",
            "branch",
            "category",
            "matter",
            "department",
            "due_on",
            "overdue",
            "status",
            "sent_at",
            "resolution",
            "resolved_at",
            "informed_on",
            "informed_how",
            "informed_note",
            "closed_at",
            "created_at",
            "events",
        ]
        read_only_fields = [
            "owner",
            "branch",
            "status",
            "sent_at",
            "resolution",
            "resolved_at",
            "informed_on",
            "informed_how",
            "informed_note",
            "closed_at",
            "created_at",
        ]


class FollowUpSendSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FollowUpNoteSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False, default="")


class FollowUpResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(allow_blank=True, required=False, default="")


class FollowUpCloseSerializer(serializers.Serializer):
    informed_on = serializers.DateField(required=False, allow_null=True, default=None)
    informed_how = serializers.CharField(required=False, allow_blank=True, default="")
    informed_note = serializers.CharField(required=False, allow_blank=True, default="")
