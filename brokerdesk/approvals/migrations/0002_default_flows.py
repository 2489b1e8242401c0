"""Data: the guideline's default route for team documents (第四条), used by annual plans,
marketing plans, recruitment and assessment rules, and team pay and management standards
(第二条). The administrator can edit the steps afterwards."""

from django.db import migrations

TEAM_DOCUMENT_STEPS = [
    # (order, name, kind, role, names_countersign)
    (1, "经纪业务综合室受理", "role", "integrated_office", False),
    (2, "渠道管理部审核（注明必须会签的部门）", "role", "channel_management", True),
    (3, "相关部门会签", "countersign", "", False),
    (4, "经纪业务综合室完成报备", "role", "integrated_office", False),
    (5, "主管副总裁批示", "role", "vice_president", False),
    (6, "经纪业务综合室反馈会签意见", "role", "integrated_office", False),
]

FLOWS = [
    ("team_document", "团队文件报批（年度工作计划、营销方案、人员招聘、考核办法）",
     "营业部 → 经纪业务综合室 → 渠道管理部（注明会签部门）→ 会签 → 综合室报备 → 主管副总裁 → 综合室反馈会签意见（第四条）"),
    ("team_standards", "团队管理及薪酬标准实施细则报批",
     "各营销团队的管理及薪酬标准实施细则报渠道管理部，经批准后执行（第二条）；流程同团队文件报批。"),
]


def create_flows(apps, schema_editor):
    Flow = apps.get_model("approvals", "Flow")
    Step = apps.get_model("approvals", "Step")
    for code, name, description in FLOWS:
        flow, created = Flow.objects.get_or_create(code=code, defaults={"name": name, "description": description})
        if not created:
            continue
        for order, step_name, kind, role, names in TEAM_DOCUMENT_STEPS:
            Step.objects.create(
                flow=flow, order=order, name=step_name, kind=kind, role=role, names_countersign=names, due_hours=72
            )


def remove_flows(apps, schema_editor):
    Flow = apps.get_model("approvals", "Flow")
    Request = apps.get_model("approvals", "Request")
    codes = [code for code, _, _ in FLOWS]
    Flow.objects.filter(code__in=codes).exclude(pk__in=Request.objects.values("flow_id")).delete()


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial_engine")]

    operations = [migrations.RunPython(create_flows, remove_flows)]
