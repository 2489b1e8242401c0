"""Data: the approval flow of an asset incident's charge (第十四条: 损失由相关责任人承担).

The team lead of the person responsible confirms (when their team has a lead other than
themselves), then the
branch manager approves; the administrator can change the route afterwards.
"""

from django.db import migrations


def create(apps, schema_editor):
    Flow = apps.get_model("approvals", "Flow")
    Step = apps.get_model("approvals", "Step")
    flow, created = Flow.objects.get_or_create(
        code="asset_charge",
        defaults={
            "name": "实物损失赔偿审批",
            "description": "实物损毁、丢失或被盗形成的损失由相关责任人承担（第十四条）：团队负责人确认，营业部经理审批。",
        },
    )
    if created:
        Step.objects.create(
            flow=flow,
            order=1,
            name="团队负责人确认",
            kind="role",
            role="team_lead",
            condition_key="has_lead",
            condition_op="eq",
            condition_value=1,
            due_hours=48,
        )
        Step.objects.create(flow=flow, order=2, name="营业部经理审批", kind="role", role="branch_manager", due_hours=48)


def remove(apps, schema_editor):
    Flow = apps.get_model("approvals", "Flow")
    Request = apps.get_model("approvals", "Request")
    Flow.objects.filter(code="asset_charge").exclude(pk__in=Request.objects.values("flow_id")).delete()


class Migration(migrations.Migration):
    dependencies = [("assets", "0001_initial"), ("approvals", "0004_flow_submitter_signs")]

    operations = [migrations.RunPython(create, remove)]
