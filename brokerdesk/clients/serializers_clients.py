"""API shapes of the client registry. ID numbers and phones always go out masked."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brokerdesk.clients.models import Client, Figure, Ownership, Tier
from brokerdesk.core.validators import mask_id_number, mask_mobile
from brokerdesk.org.models import Outlet, Staff


@extend_schema_field({"type": "string", "enum": list(Client.Kind.values)})
class ClientKindField(serializers.ChoiceField):
    """The client's kind, its enum inline in the schema ("kind" names several enums)."""

    def __init__(self, **kwargs):
        super().__init__(choices=Client.Kind.choices, **kwargs)


class ClientSerializer(serializers.ModelSerializer):
    kind = ClientKindField(required=False)
    manager = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all(), required=False)
    manager_name = serializers.CharField(source="manager.name", read_only=True)
    tier_name = serializers.CharField(source="tier.name", read_only=True, default=None)
    source_outlet = serializers.PrimaryKeyRelatedField(
        queryset=Outlet.objects.all(), required=False, allow_null=True
    )
    # The latest figures: the hand figures or the current CRM month, whichever is later
    # (``Client.latest_month``; the CRM month comes from ``selectors.with_latest_figures``).
    assets = serializers.DecimalField(source="latest_assets", max_digits=18, decimal_places=2, read_only=True)
    revenue = serializers.DecimalField(
        source="latest_revenue", max_digits=18, decimal_places=2, read_only=True
    )
    figures_month = serializers.DateField(source="latest_month", read_only=True, allow_null=True)

    class Meta:
        model = Client
        fields = [
            "id",
            "client_no",
            "kind",
            "name",
            "id_number",
            "mobile",
            "opened_on",
            "branch",
            "manager",
            "manager_name",
            "source",
            "source_outlet",
            "source_note",
            "address",
            "notes",
            "assets",
            "revenue",
            "figures_month",
            "tier",
            "tier_name",
            "tier_manual",
            "tier_reason",
            "last_visit_on",
            "status",
            "created_at",
        ]
        read_only_fields = [
            "branch",
            "assets",
            "revenue",
            "figures_month",
            "tier",
            "tier_manual",
            "tier_reason",
            "last_visit_on",
            "status",
            "created_at",
        ]
        # Identity and uniqueness are the service's field errors (the same as on the page).
        extra_kwargs = {"client_no": {"validators": []}, "mobile": {"validators": []}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["id_number"] = mask_id_number(instance.id_number)
        data["mobile"] = mask_mobile(instance.mobile)
        return data


class OwnershipSerializer(serializers.ModelSerializer):
    manager_name = serializers.CharField(source="manager.name", read_only=True)

    class Meta:
        model = Ownership
        fields = ["id", "client", "manager", "manager_name", "start", "end", "reason", "note", "created_at"]
        read_only_fields = fields


class TransferSerializer(serializers.Serializer):
    to = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all())
    effective = serializers.DateField(required=False)
    note = serializers.CharField(max_length=200, allow_blank=True)


class ClaimSerializer(serializers.Serializer):
    client_no = serializers.CharField(max_length=20)
    reason = serializers.CharField(max_length=1000, allow_blank=True)


class ClaimResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    approval = serializers.IntegerField(source="approval_id", allow_null=True)


class TierSetSerializer(serializers.Serializer):
    tier = serializers.PrimaryKeyRelatedField(queryset=Tier.objects.all(), allow_null=True)
    reason = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class FigureSerializer(serializers.ModelSerializer):
    client = serializers.IntegerField(source="client_id")
    month = serializers.CharField(help_text="YYYY-MM (or a date in the month)")
    assets = serializers.CharField()
    revenue = serializers.CharField()

    class Meta:
        model = Figure
        fields = ["id", "client", "month", "assets", "revenue", "source", "created_at"]
        read_only_fields = ["source", "created_at"]

    def to_representation(self, instance):
        return {
            "id": instance.pk,
            "client": instance.client_id,
            "month": f"{instance.month:%Y-%m}",
            "assets": str(instance.assets),
            "revenue": str(instance.revenue),
            "source": instance.source,
            "created_at": serializers.DateTimeField().to_representation(instance.created_at),
        }


class FigureImportSerializer(serializers.Serializer):
    file = serializers.FileField()


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = [
            "id",
            "code",
            "name",
            "rank",
            "min_assets",
            "min_revenue",
            "visit_every_days",
            "service_notes",
            "active",
        ]
        validators = []  # the service's field errors
