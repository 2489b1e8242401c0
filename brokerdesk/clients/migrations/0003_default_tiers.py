"""Data: default key-account tiers and the service policy (editable afterwards)."""

from decimal import Decimal

from django.db import migrations

TIERS = [
    # code, name, rank, min assets, min monthly revenue, visit every days
    ("diamond", "钻石客户", 1, Decimal("10000000.00"), Decimal("50000.00"), 30),
    ("gold", "黄金客户", 2, Decimal("3000000.00"), Decimal("15000.00"), 60),
    ("silver", "白银客户", 3, Decimal("1000000.00"), Decimal("5000.00"), 90),
]


def create(apps, schema_editor):
    Tier = apps.get_model("clients", "Tier")
    for code, name, rank, assets, revenue, days in TIERS:
        Tier.objects.get_or_create(
            code=code,
            defaults={"name": name, "rank": rank, "min_assets": assets, "min_revenue": revenue, "visit_every_days": days},
        )
    apps.get_model("clients", "ServicePolicy").objects.get_or_create(pk=1)


def remove(apps, schema_editor):
    apps.get_model("clients", "Tier").objects.filter(code__in=[t[0] for t in TIERS], clients__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_claim_flow")]

    operations = [migrations.RunPython(create, remove)]
