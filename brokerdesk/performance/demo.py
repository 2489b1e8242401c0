"""Demo statistics and pay, made through the services: an approved pay scheme per branch,
the CRM files of the last two complete months (every client of the demo, credited by its
ownership), the first branch's imported by its accountant and the others' firm-wide from
the command line; the first branch's pay of the earlier month signed by the
chief accountant, the deputy and the manager, and of the later month computed and waiting
for finance's review; the first branch's monthly assessments of the later month, drafted.

Log in as ``accountant`` (import, review, send for signing), ``deputy``/``manager`` (sign),
``cm`` (my pay and its breakdown), ``office`` (the filed reports).
"""

import csv
import datetime as dt
import io
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from brokerdesk.approvals.models import Task
from brokerdesk.approvals.services import task_act
from brokerdesk.clients.models import Client, Ownership
from brokerdesk.org.models import Branch, Level, Staff
from brokerdesk.performance import services_assess, services_import, services_pay, services_report
from brokerdesk.performance.models import PayScheme, SchemeBasePay, SchemeBracket
from brokerdesk.performance.selectors import add_months, month_end, month_start

BASE_PAY = [Decimal(x) for x in ("3000", "3500", "4200", "5000", "6000", "7000", "8000", "9000")]
BRACKETS = [
    (Decimal("0"), Decimal("50000"), Decimal("0.08")),
    (Decimal("50000"), Decimal("200000"), Decimal("0.12")),
    (Decimal("200000"), None, Decimal("0.15")),
]
HEADER = ["月份", "客户号", "客户经理工号", "开户日期", "净收入", "日均资产", "月末资产"]


def _schemes(admin) -> None:
    levels = list(Level.objects.order_by("rank"))
    for branch in Branch.objects.order_by("pk"):
        scheme = PayScheme.objects.create(
            branch=branch,
            name=f"{branch.name}客户经理薪酬标准",
            effective_from=dt.date(2026, 1, 1),
            status=PayScheme.Status.APPROVED,
            new_account_bonus=Decimal("200"),
            new_account_min_assets=Decimal("50000"),
            asset_rate=Decimal("0.0001"),
            override_rate=Decimal("0.03"),
            holdback_rate=Decimal("0.10"),
            holdback_release_revenue=Decimal("30000"),
            min_performance_score=Decimal("0"),
            note="演示数据：年初经渠道管理部批准执行。",
            created_by=admin,
        )
        SchemeBasePay.objects.bulk_create(
            [
                SchemeBasePay(scheme=scheme, level=level, amount=BASE_PAY[min(i, len(BASE_PAY) - 1)])
                for i, level in enumerate(levels)
            ]
            + [
                SchemeBasePay(scheme=scheme, level=level, employment_type="part_time", amount=Decimal("0"))
                for level in levels
            ]
        )
        SchemeBracket.objects.bulk_create(
            [SchemeBracket(scheme=scheme, lower=lo, upper=up, rate=rate) for lo, up, rate in BRACKETS]
        )


def crm_file(month: dt.date, rng: random.Random, clients) -> bytes:
    """The CRM's month file: every client open by the month's end, with its manager's 工号 as
    the CRM knows it (the owner at month end)."""
    end = month_end(month)
    emp_no = dict(Staff.objects.values_list("pk", "emp_no"))
    owner = dict(
        Ownership.objects.filter(start__lte=end).exclude(end__lte=end).values_list("client_id", "manager_id")
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    rows = clients.filter(opened_on__lte=end).order_by("pk").values_list("pk", "client_no", "opened_on")
    for pk, client_no, opened_on in rows.iterator(chunk_size=5000):
        if pk not in owner:
            continue
        assets = Decimal(rng.randint(5_000, 3_000_000))
        avg = (assets * Decimal(rng.randint(85, 110)) / 100).quantize(Decimal("0.01"))
        revenue = (assets * Decimal(rng.randint(2, 40)) / Decimal(10000)).quantize(Decimal("0.01"))
        writer.writerow(
            [f"{month:%Y-%m}", client_no, emp_no[owner[pk]], opened_on.isoformat(), revenue, avg, assets]
        )
    return out.getvalue().encode("utf-8")


def _sign(run, usernames) -> None:
    User = get_user_model()
    for username in usernames:
        task = Task.objects.get(request=run.approval, status=Task.Status.PENDING)
        task_act(
            actor=User.objects.get(username=username), task=task, decision="approve", opinion="已核对，同意。"
        )


def build(*, seed: int, today: dt.date) -> None:
    User = get_user_model()
    admin = User.objects.get(username="admin")
    accountant = User.objects.get(username="accountant")
    rng = random.Random(seed + 6)
    _schemes(admin)
    this_month = month_start(today)
    earlier, later = add_months(this_month, -2), add_months(this_month, -1)
    branch = Branch.objects.order_by("pk").first()
    for month in (earlier, later):
        # The first branch's accountant imports the branch's own file (第十五条: the branch
        # computes from the CRM); the other branches come in one firm-wide file from the
        # command line.
        others = crm_file(month, rng, Client.objects.exclude(branch=branch))
        own = crm_file(month, rng, Client.objects.filter(branch=branch))
        for who, where, content in ((admin, None, others), (accountant, branch, own)):
            upload = SimpleUploadedFile(f"crm-{month:%Y%m}.csv", content, content_type="text/csv")
            imp = services_import.import_start(
                actor=who, branch=where, month=month, upload=upload, enqueue=False, as_operator=where is None
            )
            services_import.import_run(imp.pk)
    signed = services_pay.run_compute(actor=accountant, branch=branch, month=earlier)
    services_report.run_review(actor=accountant, run=signed, note="与CRM汇总核对一致。")
    signed = services_report.run_submit(actor=accountant, run=signed)
    _sign(signed, ("accountant", "deputy", "manager"))
    services_pay.run_compute(actor=accountant, branch=branch, month=later)
    # The month's assessments of the first branch, drafted for the leads to mark.
    services_assess.assess_period(
        actor=User.objects.get(username="manager"), branch=branch, period="month", starts_on=later
    )
