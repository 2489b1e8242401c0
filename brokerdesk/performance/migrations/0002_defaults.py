"""Data: the pay report's signing flow (第十五条: 主办会计 → 副经理（经理助理）→ 经理), the
default duty checklist (第十六条) and the default assessment policy (第十七条). The
administrator can change all of them afterwards."""

from django.db import migrations

SIGN_STEPS = [
    (1, "主办会计审核签字", "accountant"),
    (2, "副经理（经理助理）审核签字", "deputy_manager"),
    (3, "经理审核签字", "branch_manager"),
]

DUTY_ITEMS = [
    # (code, name, source, weight)
    ("worklogs", "工作日志完整", "worklogs", 20),
    ("spotchecks", "日志抽查合格", "spotchecks", 10),
    ("attendance", "考勤（无迟到早退旷工）", "attendance", 20),
    ("meetings", "按时参加晨会、周会、月会", "meetings", 15),
    ("visits", "走访日志经核实", "visits", 10),
    ("followups", "督办事项按时办结", "followups", 10),
    ("lead", "团队负责人评分（服务规范执行）", "lead", 15),
]


def create(apps, schema_editor):
    Flow = apps.get_model("approvals", "Flow")
    Step = apps.get_model("approvals", "Step")
    flow, created = Flow.objects.get_or_create(
        code="pay_report",
        defaults={
            "name": "营业部客户经理薪酬月报表签字",
            "description": "财务部复核后，由主办会计、副经理（经理助理）和经理逐级审核签字（第十五条）。",
            "submitter_signs": True,
        },
    )
    if created:
        for order, name, role in SIGN_STEPS:
            Step.objects.create(flow=flow, order=order, name=name, kind="role", role=role, due_hours=48)
    DutyItem = apps.get_model("performance", "DutyItem")
    for order, (code, name, source, weight) in enumerate(DUTY_ITEMS, start=1):
        DutyItem.objects.get_or_create(
            code=code, defaults={"name": name, "source": source, "weight": weight, "order": order}
        )
    Policy = apps.get_model("performance", "AssessmentPolicy")
    if not Policy.objects.exists():
        Policy.objects.create(name="默认考核办法")


def remove(apps, schema_editor):
    Flow = apps.get_model("approvals", "Flow")
    Request = apps.get_model("approvals", "Request")
    Flow.objects.filter(code="pay_report").exclude(pk__in=Request.objects.values("flow_id")).delete()


class Migration(migrations.Migration):
    dependencies = [("performance", "0001_initial"), ("approvals", "0004_flow_submitter_signs")]

    operations = [migrations.RunPython(create, remove)]
