"""The pay run through ``services_pay.run_compute``: who is paid and with which lines, versions and
refusals, holdback release, clawback, attendance, adjustments, and a query count that does not
grow with the number of people."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brokerdesk.access.roles import Role
from brokerdesk.org.models import Staff
from brokerdesk.org.tests.factories import StaffFactory, login
from brokerdesk.performance import services_pay as svc
from brokerdesk.performance.models import ManagerMonth, PayAdjustment, PayLine, PayRun, PaySlip
from brokerdesk.performance.tests.factories import make_scheme
from brokerdesk.performance.tests.factories_pay import (
    AUGUST,
    SEPTEMBER,
    assess,
    lines_of,
    month_ready,
    scheme,
    sign,
)

pytestmark = pytest.mark.django_db
D = Decimal


def compute(org, month=SEPTEMBER, **kw) -> PayRun:
    return svc.run_compute(actor=org.users.accountant, branch=org.branches.b1, month=month, **kw)


def test_run_without_imported_figures_is_refused_and_nothing_is_created(org):
    scheme(org)
    with pytest.raises(ValidationError) as exc:
        compute(org)
    assert "month" in exc.value.message_dict
    assert not PayRun.objects.exists()


@pytest.mark.parametrize("who", ["cm", "lead", "manager", "trade"])
def test_only_pay_run_holders_of_the_branch_compute(org, who):
    month_ready(org, cm={"net_revenue": D(1000)})
    scheme(org)
    with pytest.raises(PermissionDenied):
        svc.run_compute(actor=getattr(org.users, who), branch=org.branches.b1, month=SEPTEMBER)
    other = login("accountant_b2", Role.ACCOUNTANT, branch=org.branches.b2)
    with pytest.raises(PermissionDenied):
        svc.run_compute(actor=other, branch=org.branches.b1, month=SEPTEMBER)


def test_a_month_computes_every_persons_lines_and_totals_are_sums_of_lines(org):
    month_ready(
        org,
        cm={"net_revenue": D("166913.46"), "avg_assets": D("2512325.00")},
        cm_peer={"net_revenue": D("30500.00")},
    )
    scheme(org, asset_rate=D("0.0002"))
    run = compute(org)
    assert (run.version, run.status, run.people) == (1, PayRun.Status.COMPUTED, 3)  # cm, cm_peer, 李四 (base)
    cm = lines_of(run, org.staff.cm)
    assert cm == {"base": D("4000.00"), "commission": D("23382.69"), "assets": D("502.47")}
    assert lines_of(run, org.staff.cm_b) == {"base": D("5500.00")}  # no figures: base pay only
    # The regional manager and the lead have no level (no base pay) and no figures: not paid.
    assert not PaySlip.objects.filter(run=run, staff__in=[org.staff.rm, org.staff.lead]).exists()
    for slip in PaySlip.objects.filter(run=run):
        amounts = list(PayLine.objects.filter(slip=slip).values_list("amount", flat=True))
        assert slip.total == sum(amounts) == slip.gross - slip.deductions - slip.held_back
    assert run.total == sum(PaySlip.objects.filter(run=run).values_list("total", flat=True))
    line = PayLine.objects.get(run=run, staff=org.staff.cm, component="commission")
    assert line.inputs["revenue"] == "166913.46" and len(line.inputs["brackets"]) == 3
    assert line.explanation.endswith("= 23382.69")


def test_recomputing_supersedes_the_unsigned_run_with_the_next_version(org):
    month_ready(org, cm={"net_revenue": D(1000)})
    scheme(org)
    first = compute(org)
    second = compute(org)
    first.refresh_from_db()
    assert first.status == PayRun.Status.SUPERSEDED and second.version == 2
    assert PaySlip.objects.filter(run=first).exists()  # kept for the trail


def test_signing_or_signed_month_is_not_recomputed_and_a_correction_needs_the_signed_run_and_a_reason(org):
    month_ready(org, cm={"net_revenue": D(1000)})
    scheme(org)
    run = compute(org)
    PayRun.objects.filter(pk=run.pk).update(status=PayRun.Status.SIGNING)
    with pytest.raises(ValidationError):
        compute(org)
    signed = sign(run)
    with pytest.raises(ValidationError):
        compute(org)
    with pytest.raises(ValidationError) as exc:
        compute(org, corrects=signed)
    assert "reason" in exc.value.message_dict
    correction = compute(org, corrects=signed, reason="9月CRM数据更正")
    assert (correction.version, correction.corrects_id) == (2, signed.pk)
    signed.refresh_from_db()
    assert signed.status == PayRun.Status.SIGNED
    # Recomputing the unsigned correction keeps what it corrects and why.
    again = compute(org, corrects=signed)
    assert (again.version, again.corrects_id, again.correction_reason) == (3, signed.pk, "9月CRM数据更正")
    assert PayRun.objects.get(pk=correction.pk).status == PayRun.Status.SUPERSEDED


def test_someone_with_figures_but_no_scheme_in_force_stops_the_run(org):
    month_ready(org, cm={"net_revenue": D(1000)})
    make_scheme(org.branches.b1, org.users.accountant, effective_from=dt.date(2026, 10, 1))
    with pytest.raises(ValidationError) as exc:
        compute(org)
    assert "张三" in str(exc.value)
    assert not PayRun.objects.exists()


def test_team_scheme_wins_over_the_branch_scheme(org):
    month_ready(org, cm={"net_revenue": D(10000)}, cm_b={"net_revenue": D(10000)})
    scheme(org)
    make_scheme(org.branches.b1, org.users.accountant, team=org.teams.a, brackets=((0, None, "0.30"),))
    run = compute(org)
    assert lines_of(run, org.staff.cm)["commission"] == D("3000.00")
    assert lines_of(run, org.staff.cm_b)["commission"] == D("1000.00")


def test_low_monthly_performance_reduces_commission_only_when_confirmed(org):
    month_ready(org, cm={"net_revenue": D(30500)}, cm_peer={"net_revenue": D(30500)})
    scheme(org, min_performance_score=D(60), low_performance_factor=D("0.8"))
    assess(org.staff.cm, SEPTEMBER, 55)
    assess(org.staff.cm_peer, SEPTEMBER, 40, status="draft")
    run = compute(org)
    assert lines_of(run, org.staff.cm)["commission"] == D("2440.00")
    peer = PayLine.objects.get(run=run, staff=org.staff.cm_peer, component="commission")
    assert peer.amount == D("3050.00") and peer.inputs["no_assessment"] is True


def test_new_account_bonus_counts_qualified_accounts_of_the_current_import(org):
    from brokerdesk.clients.tests.factories import make_client
    from brokerdesk.performance.models import ClientMonth

    imp, _stats = month_ready(org, cm={"net_revenue": D(100)})
    scheme(org, new_account_bonus=D(300), new_account_min_assets=D(100000))
    for n, assets in enumerate((D(150000), D(100000), D("99999.99"))):
        client = make_client(org.users.cm, org.staff.cm, opened_on=dt.date(2026, 9, 10))
        ClientMonth.objects.create(
            crm_import=imp,
            month=SEPTEMBER,
            line=n + 2,
            client=client,
            branch=org.branches.b1,
            crm_manager=org.staff.cm,
            manager=org.staff.cm,
            opened_on=dt.date(2026, 9, 10),
            is_new=True,
            opener=org.staff.cm,
            net_revenue=D(0),
            avg_assets=assets,
            end_assets=assets,
        )
    run = compute(org)
    line = PayLine.objects.get(run=run, staff=org.staff.cm, component="new_accounts")
    assert line.amount == D("600.00")
    assert (line.inputs["new"], line.inputs["qualified"]) == (3, 2)


def test_team_lead_override_is_on_the_teams_revenue_without_their_own(org):
    Staff.objects.filter(pk=org.staff.lead.pk).update(level=org.levels[2])
    month_ready(
        org,
        cm={"net_revenue": D("166913.46")},
        cm_peer={"net_revenue": D("30500.00")},
        lead={"net_revenue": D("20000.00")},
        cm_b={"net_revenue": D("99999.00")},  # team B: not the lead's team
    )
    scheme(org, override_rate=D("0.03"))
    run = compute(org)
    lead = lines_of(run, org.staff.lead)
    assert lead["override"] == D("5922.40")  # 197,413.46 × 3 %
    assert lead["base"] == D("5500.00") and lead["commission"] == D("2000.00")
    assert "override" not in lines_of(run, org.staff.cm)


def test_holdback_is_withheld_and_released_at_quarter_end_when_the_quarter_reaches_the_floor(org):
    terms = {"holdback_rate": D("0.1"), "holdback_release_revenue": D(100000)}
    scheme(org, **terms)
    month_ready(org, AUGUST, cm={"net_revenue": D(60000)}, cm_peer={"net_revenue": D(10000)})
    august = compute(org, month=AUGUST)
    assert lines_of(august, org.staff.cm)["holdback"] == D("-650.00")
    assert PaySlip.objects.get(run=august, staff=org.staff.cm).held_back == D("650.00")
    sign(august)
    month_ready(org, SEPTEMBER, cm={"net_revenue": D(50000)}, cm_peer={"net_revenue": D(20000)})
    sept = compute(org)
    cm = lines_of(sept, org.staff.cm)
    assert cm["holdback"] == D("-500.00")
    assert cm["release"] == D("1150.00")  # 650 (August, signed) + 500 (September): 110,000 ≥ 100,000
    peer = PayLine.objects.get(run=sept, staff=org.staff.cm_peer, component="release")
    assert peer.amount == D("0.00") and peer.inputs["released"] is False  # 30,000 < 100,000


def test_holdbacks_of_unsigned_months_are_not_counted(org):
    scheme(org, holdback_rate=D("0.1"), holdback_release_revenue=D(0))
    month_ready(org, AUGUST, cm={"net_revenue": D(60000)})
    compute(org, month=AUGUST)  # computed, never signed
    month_ready(org, SEPTEMBER, cm={"net_revenue": D(10000)})
    assert lines_of(compute(org), org.staff.cm)["release"] == D("100.00")


def test_clawback_when_revenue_already_paid_is_lower_in_the_current_import_and_only_once(org):
    scheme(org)
    month_ready(org, AUGUST, cm={"net_revenue": D(60000)})
    august = sign(compute(org, month=AUGUST))
    assert lines_of(august, org.staff.cm)["commission"] == D("6500.00")
    # August is imported again with lower revenue (a reversal) after it was paid.
    ManagerMonth.objects.filter(month=AUGUST, staff=org.staff.cm).update(net_revenue=D(40000))
    month_ready(org, SEPTEMBER, cm={"net_revenue": D(1000)})
    sept = compute(org)
    claw = PayLine.objects.get(run=sept, staff=org.staff.cm, component="clawback")
    assert claw.amount == D("-2500.00")  # 6,500.00 paid − 4,000.00 due on 40,000
    assert claw.inputs["month"] == "2026-08-01"
    assert PaySlip.objects.get(run=sept, staff=org.staff.cm).deductions == D("2500.00")
    sign(sept)
    month_ready(org, dt.date(2026, 10, 1), cm={"net_revenue": D(1000)})
    october = compute(org, month=dt.date(2026, 10, 1))
    assert "clawback" not in lines_of(october, org.staff.cm)


def test_a_month_clawed_back_later_cannot_also_be_corrected(org):
    scheme(org)
    month_ready(org, AUGUST, cm={"net_revenue": D(60000)})
    august = sign(compute(org, month=AUGUST))
    ManagerMonth.objects.filter(month=AUGUST, staff=org.staff.cm).update(net_revenue=D(40000))
    month_ready(org, SEPTEMBER, cm={"net_revenue": D(1000)})
    sign(compute(org))
    with pytest.raises(ValidationError) as exc:
        compute(org, month=AUGUST, corrects=august, reason="8月数据更正")
    assert "2026" in str(exc.value)
    assert not PayRun.objects.filter(month=AUGUST, version=2).exists()


def test_no_clawback_when_the_scheme_says_so(org):
    scheme(org, clawback=False)
    month_ready(org, AUGUST, cm={"net_revenue": D(60000)})
    sign(compute(org, month=AUGUST))
    ManagerMonth.objects.filter(month=AUGUST, staff=org.staff.cm).update(net_revenue=D(40000))
    month_ready(org, SEPTEMBER, cm={"net_revenue": D(1000)})
    assert "clawback" not in lines_of(compute(org), org.staff.cm)


def test_attendance_deductions_come_from_the_attendance_sheet(org):
    from brokerdesk.attendance.models import DailyRecord, Policy

    Policy.objects.create(branch=org.branches.b1, free_late_early_per_month=1, deduction_per_excess=D(20))
    tz = timezone.get_current_timezone()
    for day in (1, 2, 3):  # three late arrivals (10:00 at an outlet opening at 9:00), one is free
        DailyRecord.objects.create(
            staff=org.staff.cm,
            day=dt.date(2026, 9, day),
            check_in=dt.datetime(2026, 9, day, 10, 0, tzinfo=tz),
            check_out=dt.datetime(2026, 9, day, 18, 0, tzinfo=tz),
        )
    month_ready(org, cm={"net_revenue": D(1000)})
    scheme(org)
    line = PayLine.objects.get(run=compute(org), staff=org.staff.cm, component="attendance")
    assert line.amount == D("-40.00")
    assert (line.inputs["late_early"], line.inputs["excess"]) == (3, 2)


def test_adjustments_need_a_reason_an_amount_and_a_person_of_the_branch(org):
    add = svc.adjustment_add
    common = {"actor": org.users.accountant, "branch": org.branches.b1, "month": SEPTEMBER}
    with pytest.raises(ValidationError) as exc:
        add(**common, staff=org.staff.cm, amount=D(0), reason="")
    assert set(exc.value.message_dict) == {"amount", "reason"}
    with pytest.raises(ValidationError) as exc:
        add(**common, staff=org.staff.outsider, amount=D(10), reason="补发")
    assert "staff" in exc.value.message_dict
    with pytest.raises(ValidationError):
        add(**common, staff=org.staff.cm, amount=D("1.005"), reason="补发")
    with pytest.raises(PermissionDenied):
        add(**{**common, "actor": org.users.manager}, staff=org.staff.cm, amount=D(10), reason="补发")
    add(**common, staff=org.staff.cm, amount=D("500.00"), reason="补发8月交通补贴")
    add(**common, staff=org.staff.cm, amount=D("-120.50"), reason="扣回多发通讯费")
    assert PayAdjustment.objects.count() == 2
    month_ready(org, cm={"net_revenue": D(1000)})
    scheme(org)
    run = compute(org)
    adjustments = PayLine.objects.filter(run=run, staff=org.staff.cm, component="adjustment").order_by(
        "order"
    )
    assert [(a.amount, a.inputs["reason"]) for a in adjustments] == [
        (D("500.00"), "补发8月交通补贴"),
        (D("-120.50"), "扣回多发通讯费"),
    ]
    slip = PaySlip.objects.get(run=run, staff=org.staff.cm)
    assert slip.deductions == D("120.50")


def _grow(org, n):
    from brokerdesk.performance.selectors import current_import
    from brokerdesk.performance.tests.factories import make_stat

    imp = current_import(org.branches.b1, SEPTEMBER)
    for i in range(n):
        person = StaffFactory(branch=org.branches.b1, team=org.teams.b, level=org.levels[i % 3])
        make_stat(imp, person, net_revenue=D(1000 + i), avg_assets=D(5000), new_accounts=1)
        if i % 3 == 0:
            svc.adjustment_add(
                actor=org.users.accountant,
                branch=org.branches.b1,
                month=SEPTEMBER,
                staff=person,
                amount=D(10),
                reason="补贴",
            )


def test_the_run_takes_the_same_queries_for_few_or_many_people(org):
    Staff.objects.filter(pk=org.staff.lead.pk).update(level=org.levels[2])
    scheme(
        org,
        asset_rate=D("0.0001"),
        override_rate=D("0.01"),
        holdback_rate=D("0.1"),
        new_account_bonus=D(100),
        min_performance_score=D(60),
        low_performance_factor=D("0.5"),
    )
    month_ready(org, AUGUST, cm={"net_revenue": D(5000)})
    sign(compute(org, month=AUGUST))
    month_ready(org, cm={"net_revenue": D(5000)}, lead={"net_revenue": D(1000)})
    _grow(org, 3)
    compute(org)  # so that both measured runs replace an earlier one
    with CaptureQueriesContext(connection) as few:
        small = compute(org)
    _grow(org, 40)
    with CaptureQueriesContext(connection) as many:
        big = compute(org)
    assert big.people > small.people + 30

    def shapes(ctx):
        # The reads never grow; the inserts are three statements (run, slips, lines) whatever
        # the number of people (executemany, in batches of 1,000 rows).
        return [
            q["sql"][:40]
            for q in ctx.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE")) and "INSERT INTO" not in q["sql"]
        ]

    assert shapes(many) == shapes(few)
    assert len(few.captured_queries) < 45
    assert len([q for q in many.captured_queries if "INSERT INTO" in q["sql"]]) == 3
