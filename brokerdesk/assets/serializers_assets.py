"""Asset API shapes: the register entry (with its holders), a ledger line, an incident, and the
inputs of a movement, a reversal and a charge. Writes go through ``services_assets``, whose
refusals come back as 400 with field errors."""

from rest_framework import serializers

from brokerdesk.assets.models_assets import Asset, Holding, Incident, LedgerLine
from brokerdesk.org.models import Branch, Outlet, Staff, Team


class HoldingSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.name", read_only=True)

    class Meta:
        model = Holding
        fields = ["staff", "staff_name", "quantity"]


class AssetSerializer(serializers.ModelSerializer):
    custodian_name = serializers.CharField(source="custodian.name", read_only=True, default=None)
    held_out = serializers.IntegerField(read_only=True)

    class Meta:
        model = Asset
        fields = [
            "id",
            "branch",
            "team",
            "outlet",
            "category",
            "tag",
            "description",
            "spec",
            "by_quantity",
            "unit",
            "value",
            "acquired_on",
            "notes",
            "status",
            "on_hand",
            "held_out",
            "quantity",
            "custodian",
            "custodian_name",
        ]
        read_only_fields = ["status", "on_hand", "quantity", "custodian"]


class AssetDetailSerializer(AssetSerializer):
    holdings = HoldingSerializer(many=True, read_only=True)

    class Meta(AssetSerializer.Meta):
        fields = [*AssetSerializer.Meta.fields, "holdings"]


class AssetCreateSerializer(serializers.Serializer):
    """A new register entry; ``quantity`` units go into the store by its first ledger line."""

    branch = serializers.PrimaryKeyRelatedField(queryset=Branch.objects.all())
    category = serializers.ChoiceField(choices=Asset.Category.choices)
    tag = serializers.CharField(max_length=40)
    description = serializers.CharField(max_length=200)
    spec = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    by_quantity = serializers.BooleanField(required=False, default=False)
    unit = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    quantity = serializers.IntegerField(min_value=1, default=1)
    value = serializers.DecimalField(max_digits=18, decimal_places=2)
    acquired_on = serializers.DateField()
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    outlet = serializers.PrimaryKeyRelatedField(
        queryset=Outlet.objects.all(), required=False, allow_null=True
    )
    notes = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AssetUpdateSerializer(serializers.Serializer):
    """Register fields that may be corrected (stock moves only through the ledger)."""

    category = serializers.ChoiceField(choices=Asset.Category.choices, required=False)
    tag = serializers.CharField(max_length=40, required=False)
    description = serializers.CharField(max_length=200, required=False)
    spec = serializers.CharField(max_length=120, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=10, required=False)
    value = serializers.DecimalField(max_digits=18, decimal_places=2, required=False)
    acquired_on = serializers.DateField(required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    notes = serializers.CharField(max_length=300, required=False, allow_blank=True)


# The movements a keeper records directly (a loss comes with an incident, a reversal with the
# line it reverses); named in the OpenAPI schema as MoveKindEnum.
MOVE_KINDS = [
    (k.value, k.label)
    for k in (
        LedgerLine.Kind.ISSUE,
        LedgerLine.Kind.RETURN,
        LedgerLine.Kind.TRANSFER,
        LedgerLine.Kind.RECEIVE,
        LedgerLine.Kind.DISPATCH,
        LedgerLine.Kind.DISPOSE,
    )
]


class MoveSerializer(serializers.Serializer):
    """One movement: issue, return, transfer (between people, or of the asset to another
    outlet), receive (in), dispatch (out) or dispose."""

    kind = serializers.ChoiceField(choices=MOVE_KINDS)
    quantity = serializers.IntegerField(min_value=1, default=1)
    from_staff = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), required=False, allow_null=True
    )
    to_staff = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), required=False, allow_null=True
    )
    to_outlet = serializers.PrimaryKeyRelatedField(
        queryset=Outlet.objects.all(), required=False, allow_null=True
    )
    day = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class LedgerLineSerializer(serializers.ModelSerializer):
    asset_tag = serializers.CharField(source="asset.tag", read_only=True)
    from_staff_name = serializers.CharField(source="from_staff.name", read_only=True, default=None)
    to_staff_name = serializers.CharField(source="to_staff.name", read_only=True, default=None)

    class Meta:
        model = LedgerLine
        fields = [
            "id",
            "asset",
            "asset_tag",
            "branch",
            "kind",
            "day",
            "quantity",
            "source",
            "from_staff",
            "from_staff_name",
            "target",
            "to_staff",
            "to_staff_name",
            "from_outlet",
            "to_outlet",
            "reason",
            "reverses",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class ReverseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
    day = serializers.DateField(required=False, allow_null=True)


class IncidentSerializer(serializers.ModelSerializer):
    asset_tag = serializers.CharField(source="asset.tag", read_only=True)
    responsible_name = serializers.CharField(source="responsible.name", read_only=True, default=None)

    class Meta:
        model = Incident
        fields = [
            "id",
            "asset",
            "asset_tag",
            "branch",
            "kind",
            "happened_on",
            "description",
            "quantity",
            "responsible",
            "responsible_name",
            "amount",
            "over_value_reason",
            "pay_month",
            "status",
            "approval",
            "loss_line",
            "recorded_by",
            "recorded_at",
            "decided_at",
        ]
        read_only_fields = fields


class IncidentCreateSerializer(serializers.Serializer):
    asset = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all())
    kind = serializers.ChoiceField(choices=Incident.Kind.choices)
    happened_on = serializers.DateField()
    description = serializers.CharField()
    quantity = serializers.IntegerField(min_value=1, default=1)
    responsible = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), required=False, allow_null=True
    )
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, default=0)
    pay_month = serializers.DateField(required=False, allow_null=True, help_text="Any day of the month.")
    over_value_reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    lost_from = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(),
        required=False,
        allow_null=True,
        help_text=(
            "Loss or theft: who held the units (absent: worked out from the holdings; null: the store)."
        ),
    )


class ChargeSerializer(serializers.Serializer):
    responsible = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), required=False, allow_null=True
    )
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    pay_month = serializers.DateField(required=False, allow_null=True)
    over_value_reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class HeldSerializer(serializers.Serializer):
    """One asset a person holds now, with the quantity in their hands."""

    asset = AssetSerializer()
    quantity = serializers.IntegerField()
