"""Data: the approval flow of a claim on a client another manager holds (客户经理负责制)."""

from django.db import migrations


def create(apps, schema_editor):
    Flow = apps.get_model("approvals", "Flow")
    Step = apps.get_model("approvals", "Step")
    flow, created = Flow.objects.get_or_create(code="client_claim", defaults={"name": "客户认领审批"})
    if created:
        Step.objects.create(flow=flow, order=1, name="团队负责人审批", kind="role", role="team_lead", due_hours=24)
        Step.objects.create(flow=flow, order=2, name="营业部经理审批", kind="role", role="branch_manager", due_hours=48)


def remove(apps, schema_editor):
    Flow = apps.get_model("approvals", "Flow")
    Request = apps.get_model("approvals", "Request")
    Flow.objects.filter(code="client_claim").exclude(pk__in=Request.objects.values("flow_id")).delete()


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial"), ("approvals", "0002_default_flows")]

    operations = [migrations.RunPython(create, remove)]
