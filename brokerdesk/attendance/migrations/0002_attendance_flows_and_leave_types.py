"""Data: the approval flows of attendance and the usual leave types (第八条(五))."""

from django.db import migrations

FLOWS = [
    # code, name, steps: (order, name, role, condition)
    ("leave", "请假审批", [
        (1, "团队负责人审批", "team_lead", None),
        (2, "营业部经理审批（超过3天）", "branch_manager", ("days", "gt", 3)),
    ]),
    ("leave_lead", "团队负责人请假审批", [(1, "营业部经理审批", "branch_manager", None)]),
    ("punch_correction", "补卡审批", [(1, "团队负责人审批", "team_lead", None)]),
    ("outing", "出访单审批", [(1, "团队负责人审批", "team_lead", None)]),
]

LEAVE_TYPES = [
    # code, name, notice days, days per year (None: no balance)
    ("personal", "事假", 1, None),
    ("sick", "病假", 0, None),
    ("annual", "年假", 3, 5),
    ("marriage", "婚假", 7, None),
    ("maternity", "产假", 14, None),
    ("bereavement", "丧假", 0, None),
    ("compensatory", "调休", 1, None),
]


def create(apps, schema_editor):
    Flow = apps.get_model("approvals", "Flow")
    Step = apps.get_model("approvals", "Step")
    LeaveType = apps.get_model("attendance", "LeaveType")
    for code, name, steps in FLOWS:
        flow, created = Flow.objects.get_or_create(code=code, defaults={"name": name})
        if not created:
            continue
        for order, step_name, role, condition in steps:
            extra = {}
            if condition:
                extra = {"condition_key": condition[0], "condition_op": condition[1], "condition_value": condition[2]}
            Step.objects.create(flow=flow, order=order, name=step_name, kind="role", role=role, due_hours=24, **extra)
    for code, name, notice, days in LEAVE_TYPES:
        flow = "leave"
        LeaveType.objects.get_or_create(
            code=code, defaults={"name": name, "notice_days": notice, "annual_days": days, "flow_code": flow}
        )


def remove(apps, schema_editor):
    Flow = apps.get_model("approvals", "Flow")
    Request = apps.get_model("approvals", "Request")
    Flow.objects.filter(code__in=[f[0] for f in FLOWS]).exclude(pk__in=Request.objects.values("flow_id")).delete()
    apps.get_model("attendance", "LeaveType").objects.filter(code__in=[t[0] for t in LEAVE_TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("attendance", "0001_initial_attendance"), ("approvals", "0002_default_flows")]

    operations = [migrations.RunPython(create, remove)]
