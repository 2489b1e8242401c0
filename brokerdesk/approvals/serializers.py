from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from rest_framework import serializers

from brokerdesk.approvals.models import Action, Delegation, Flow, Notification, Request, Step, Task
from brokerdesk.org.models import Department


def _person(user) -> str | None:
    if user is None:
        return None
    staff = getattr(user, "staff", None)
    return staff.name if staff else user.get_username()


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = Step
        fields = [
            "order",
            "name",
            "kind",
            "role",
            "person",
            "names_countersign",
            "condition_key",
            "condition_op",
            "condition_value",
            "due_hours",
        ]


class FlowSerializer(serializers.ModelSerializer):
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = Flow
        fields = ["id", "code", "name", "description", "is_active", "steps"]


class ActionSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    on_behalf_of = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = ["kind", "step_name", "round", "actor", "on_behalf_of", "opinion", "attachment_name", "at"]

    def get_actor(self, obj) -> str | None:
        return _person(obj.actor)

    def get_on_behalf_of(self, obj) -> str | None:
        return _person(obj.on_behalf_of)


class TaskSerializer(serializers.ModelSerializer):
    step = serializers.CharField(source="step.name")
    department = serializers.CharField(source="department.name", default=None)
    request_title = serializers.CharField(source="request.title")

    class Meta:
        model = Task
        fields = [
            "id",
            "request",
            "request_title",
            "step",
            "department",
            "role",
            "status",
            "created_at",
            "due_at",
        ]


class RequestSerializer(serializers.ModelSerializer):
    flow = serializers.CharField(source="flow.code")
    current_step = serializers.CharField(source="current_step.name", default=None)
    submitter = serializers.SerializerMethodField()
    subject_type = serializers.SerializerMethodField()

    class Meta:
        model = Request
        fields = [
            "id",
            "title",
            "flow",
            "status",
            "current_step",
            "round",
            "branch",
            "team",
            "submitter",
            "subject_type",
            "subject_id",
            "figures",
            "submitted_at",
            "decided_at",
        ]

    def get_submitter(self, obj) -> str | None:
        return _person(obj.submitter)

    def get_subject_type(self, obj) -> str:
        # From ContentType's cache: no query, and no join in the list's query, per row.
        return ContentType.objects.get_for_id(obj.subject_type_id).model


class RequestDetailSerializer(RequestSerializer):
    actions = ActionSerializer(many=True, read_only=True)
    pending_tasks = serializers.SerializerMethodField()

    class Meta(RequestSerializer.Meta):
        fields = [*RequestSerializer.Meta.fields, "actions", "pending_tasks"]

    def get_pending_tasks(self, obj) -> list[dict]:
        return TaskSerializer([t for t in obj.tasks.all() if t.status == Task.Status.PENDING], many=True).data


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[Action.Kind.APPROVE, Action.Kind.RETURN, Action.Kind.REJECT])
    opinion = serializers.CharField(required=False, allow_blank=True, default="")
    countersign_departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(branch__isnull=True), many=True, required=False
    )


class OpinionSerializer(serializers.Serializer):
    opinion = serializers.CharField(required=False, allow_blank=True, default="")


class DelegationSerializer(serializers.ModelSerializer):
    delegate = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True))

    class Meta:
        model = Delegation
        fields = ["id", "delegator", "delegate", "starts_on", "ends_on", "reason"]
        read_only_fields = ["delegator"]


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "text", "url", "created_at", "read_at"]
