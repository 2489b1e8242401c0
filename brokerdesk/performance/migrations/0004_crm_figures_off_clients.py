"""The CRM import no longer copies its months into ``clients.Figure`` (source "crm") and onto
the client row: the client pages read the current import's ``ClientMonth`` rows. This removes
the copies an earlier version made, and puts each client row's hand figures back to the
latest month entered by hand (or none), so an old copy never stands in for a newer import."""

from decimal import Decimal

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def forwards(apps, schema_editor):
    Figure = apps.get_model("clients", "Figure")
    Client = apps.get_model("clients", "Client")
    Figure.objects.filter(source="crm").delete()
    latest = Figure.objects.filter(client_id=OuterRef("pk")).order_by("-month")
    stale = Client.objects.filter(figures_month__isnull=False).exclude(
        Exists(Figure.objects.filter(client_id=OuterRef("pk"), month=OuterRef("figures_month")))
    )
    stale.update(
        assets=Coalesce(Subquery(latest.values("assets")[:1]), Value(Decimal("0"))),
        revenue=Coalesce(Subquery(latest.values("revenue")[:1]), Value(Decimal("0"))),
        figures_month=Subquery(latest.values("month")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0003_default_tiers"),
        ("performance", "0003_clientmonth_lean_writes"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
