"""Pay runs made directly with the ORM (PayRun, PaySlip, PayLine), for the report's tests:
they do not need the pay engine. ``people`` is ``[(staff, {component: amount})]``."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from brokerdesk.access.roles import Role
from brokerdesk.org.tests.factories import login
from brokerdesk.performance.models import PayLine, PayRun, PaySlip
from brokerdesk.performance.selectors import current_import
from brokerdesk.performance.tests.factories import make_import

OCTOBER = dt.date(2026, 10, 1)
ZERO = Decimal("0.00")


def D(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def default_people(org) -> list:
    return [
        (org.staff.cm, {"base": 3000, "commission": "1234.56", "new_accounts": 400, "attendance": -50}),
        (org.staff.cm_peer, {"base": 2500, "commission": "800.10", "holdback": "-80.01"}),
        (org.staff.cm_b, {"base": 3500, "commission": 2000, "adjustment": "100.00", "clawback": "-12.34"}),
    ]


def ensure_pay_flow() -> None:
    """The ``pay_report`` flow as migration 0002 creates it. A transactional test (browser,
    concurrency) flushes the tables, data migrations included, so the tests that run after
    one put the flow back."""
    from brokerdesk.approvals.models import Flow, Step

    flow, created = Flow.objects.get_or_create(
        code="pay_report", defaults={"name": "营业部客户经理薪酬月报表签字", "submitter_signs": True}
    )
    if created:
        for order, name, role in (
            (1, "主办会计审核签字", "accountant"),
            (2, "副经理（经理助理）审核签字", "deputy_manager"),
            (3, "经理审核签字", "branch_manager"),
        ):
            Step.objects.create(flow=flow, order=order, name=name, kind="role", role=role, due_hours=48)


def make_run(
    org,
    people=None,
    *,
    branch=None,
    month: dt.date = OCTOBER,
    by=None,
    version: int = 1,
    corrects: PayRun | None = None,
    reason: str = "",
    status: str = PayRun.Status.COMPUTED,
) -> PayRun:
    """A run of the branch's month with one slip per person and one line per component."""
    ensure_pay_flow()
    branch = branch or org.branches.b1
    by = by or org.users.accountant
    people = default_people(org) if people is None else people
    imp = current_import(branch, month) or make_import(branch, month, by)
    run = PayRun.objects.create(
        branch=branch,
        month=month,
        version=version,
        corrects=corrects,
        correction_reason=reason,
        crm_import=imp,
        computed_by=by,
        computed_at=timezone.now(),
    )
    grand = ZERO
    for staff, amounts in people:
        values = {k: D(v) for k, v in amounts.items()}
        gross = sum((v for v in values.values() if v > 0), ZERO)
        deductions = -sum((v for v in values.values() if v < 0), ZERO)
        slip = PaySlip.objects.create(
            run=run,
            staff=staff,
            team=staff.team,
            level=staff.level,
            gross=gross,
            deductions=deductions,
            total=gross - deductions,
            held_back=-values.get("holdback", ZERO),
        )
        PayLine.objects.bulk_create(
            PayLine(
                run=run,
                slip=slip,
                staff=staff,
                order=order,
                component=component,
                amount=amount,
                inputs={"source": "test", "component": component},
                explanation=f"{component} for {staff.name}",
            )
            for order, (component, amount) in enumerate(values.items())
        )
        grand += gross - deductions
    PayRun.objects.filter(pk=run.pk).update(total=grand, people=len(people), status=status)
    run.refresh_from_db()
    return run


def office_user(username: str = "office"):
    """A login of the brokerage integrated office (company-wide pay reader, gets the filing)."""
    return login(username, Role.INTEGRATED_OFFICE)


def fake_compute(monkeypatch, org):
    """Stand in for ``services_pay.run_compute`` (written by the pay area) with a computation that
    builds the next version from the factory, so the report's tests do not depend on it."""
    from brokerdesk.performance import services_pay

    calls = []

    def run_compute(*, actor, branch, month, corrects=None, reason=""):
        calls.append(
            {"actor": actor, "branch": branch, "month": month, "corrects": corrects, "reason": reason}
        )
        latest = PayRun.objects.filter(branch=branch, month=month).order_by("-version").first()
        version = latest.version + 1 if latest else 1
        people = default_people(org)
        if corrects is not None:
            people[0] = (org.staff.cm, {**people[0][1], "commission": "1334.56"})
        if latest is not None and latest.status not in (PayRun.Status.SIGNED, PayRun.Status.SUPERSEDED):
            PayRun.objects.filter(pk=latest.pk).update(status=PayRun.Status.SUPERSEDED)
        return make_run(
            org,
            people,
            branch=branch,
            month=month,
            by=actor,
            version=version,
            corrects=corrects,
            reason=reason,
        )

    monkeypatch.setattr(services_pay, "run_compute", run_compute, raising=False)
    return calls


def sign_from_inbox(page, base, run) -> None:
    """In a browser: open the signer's approval inbox, find the report and approve it."""
    page.goto(f"{base}/approvals/")
    link = page.locator(f"a[href='/approvals/requests/{run.approval_id}/']")
    assert link.count() == 1, "the report is not in this signer's inbox"
    with page.expect_navigation():
        link.click()
    page.locator("#decide input[name=decision][value=approve]").check()
    with page.expect_navigation():
        page.locator("#decide button[type=submit]").click()
