"""Data: the approval flow of a hiring decision (第二十三条: 由营业部根据拟聘客户经理的表现和考核
情况，对其进行综合考评，对考评合格者予以试用). The recruiter proposes probation or not hired; the
branch manager decides. The administrator can add steps afterwards."""

from django.db import migrations

FLOW_CODE = "recruit_decision"


def create(apps, schema_editor):
    Flow = apps.get_model("approvals", "Flow")
    Step = apps.get_model("approvals", "Step")
    flow, created = Flow.objects.get_or_create(
        code=FLOW_CODE,
        defaults={
            "name": "拟聘客户经理录用决定审批",
            "description": "岗前培训、考查和综合考评结束后，由营业部决定予以试用或不予录用（第二十三条）。",
        },
    )
    if created:
        Step.objects.create(
            flow=flow, order=1, name="营业部经理审批", kind="role", role="branch_manager", due_hours=48
        )


def remove(apps, schema_editor):
    Flow = apps.get_model("approvals", "Flow")
    Request = apps.get_model("approvals", "Request")
    Flow.objects.filter(code=FLOW_CODE).exclude(pk__in=Request.objects.values("flow_id")).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial"), ("approvals", "0004_flow_submitter_signs")]

    operations = [migrations.RunPython(create, remove)]
