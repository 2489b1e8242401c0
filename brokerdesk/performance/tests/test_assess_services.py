"""Assessment services: a month scored from the system's own records, the lead's marks,
confirmation and the level it moves, and every refusal leaving nothing changed."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from brokerdesk.attendance.models import LeaveRequest, LeaveType, Workflow
from brokerdesk.attendance.rules import working_day
from brokerdesk.clients.models import FollowUp, Visit
from brokerdesk.clients.tests.factories import make_client, make_followup
from brokerdesk.org.models import Level, Staff
from brokerdesk.org.tests.factories import StaffFactory
from brokerdesk.performance import services_assess as services
from brokerdesk.performance.models import Assessment, AssessmentPolicy, DutyItem, DutyScore, LevelChange
from brokerdesk.performance.selectors import level_on, levels_on
from brokerdesk.performance.tests.factories_assess import (
    Q1,
    approved_plan,
    import_months,
    log,
    make_stat,
    meeting,
    monthly,
    punch,
    share,
    spot_check,
)
from brokerdesk.worklogs.models import Result

pytestmark = pytest.mark.django_db
JAN = dt.date(2026, 1, 1)


def _jan_workdays():
    days = [JAN + dt.timedelta(days=i) for i in range(31)]
    return [d for d in days if working_day(d)[0]]


def _score(assessment, code):
    return DutyScore.objects.get(assessment=assessment, item__code=code)


@pytest.fixture
def jan(org):
    """張三's January: records for every checklist item, statistics and a target."""
    b1, cm, by = org.branches.b1, org.staff.cm, org.users.accountant
    dec, jan_import = import_months(b1, dt.date(2025, 12, 1), 2, by)
    make_stat(dec, cm, total_assets=D("5000000"))
    make_stat(jan_import, cm, new_accounts=8, net_revenue=D("120000"), total_assets=D("5500000"))
    plan = approved_plan(org.teams.a, org.users.lead)
    share(plan, cm, 1, new_accounts=10, net_revenue="100000", asset_growth="1000000")

    workdays = _jan_workdays()
    late, absent, on_leave, no_log = workdays[0], workdays[1], workdays[2], workdays[3]
    sick = LeaveType.objects.get_or_create(code="sick", defaults={"name": "病假"})[0]
    LeaveRequest.objects.create(
        staff=cm,
        leave_type=sick,
        starts_on=on_leave,
        ends_on=on_leave,
        days=1,
        reason="感冒",
        status=Workflow.APPROVED,
    )
    logs = {}
    for day in workdays:
        if day == late:
            punch(cm, day, check_in=dt.time(9, 40))
        elif day not in (absent, on_leave):
            punch(cm, day)
        if day not in (absent, no_log):
            logs[day] = log(cm, day)
    log(cm, dt.date(2026, 1, 10))  # a Saturday's log counts for nothing
    spot_check(
        org.teams.a,
        org.users.lead,
        [
            (logs[workdays[4]], Result.PASS),
            (logs[workdays[5]], Result.PASS),
            (logs[workdays[6]], Result.FAIL),
        ],
    )
    spot_check(org.teams.a, org.users.lead, [(logs[workdays[7]], "")])  # drawn, not yet recorded
    for i, here in enumerate([True, True, False, True]):
        meeting(org.teams.a, org.staff.lead, org.users.lead, dt.date(2026, 1, 5 + 7 * i), {cm: here})
    client = make_client(org.users.cm, name="周女士", opened_on=dt.date(2025, 6, 1))
    for day, verified in [
        (dt.date(2026, 1, 8), True),
        (dt.date(2026, 1, 20), False),
        (dt.date(2026, 2, 3), True),
    ]:
        Visit.objects.create(
            client=client,
            author=cm,
            branch=b1,
            team=org.teams.a,
            status=Visit.Status.DONE,
            visited_on=day,
            content="走访",
            verified_at=timezone.now() if verified else None,
            created_by=org.users.cm,
        )
    Visit.objects.create(
        client=client,
        author=cm,
        branch=b1,
        status=Visit.Status.PLANNED,
        planned_on=dt.date(2026, 1, 28),
        created_by=org.users.cm,
    )
    tz = timezone.get_current_timezone()
    closed = {"status": FollowUp.Status.CLOSED, "informed_on": dt.date(2026, 1, 14), "informed_how": "phone"}
    make_followup(
        org,
        client,
        due_on=dt.date(2026, 1, 15),
        closed_at=dt.datetime(2026, 1, 14, 23, 30, tzinfo=tz),
        **closed,
    )
    make_followup(
        org,
        client,
        due_on=dt.date(2026, 1, 16),
        closed_at=dt.datetime(2026, 1, 17, 9, 0, tzinfo=tz),
        **closed,
    )
    make_followup(org, client, due_on=dt.date(2026, 2, 16))  # due next month
    return {"workdays": workdays}


def test_a_month_is_scored_from_the_systems_own_records(org, jan):
    result = services.assess_period(
        actor=org.users.manager, branch=org.branches.b1, period="month", starts_on=JAN
    )
    assert result.created == 4  # 张三, 孙八, 钱七 (team A) and 李四 (team B); never the lead or the manager
    a = Assessment.objects.get(staff=org.staff.cm, period="month")
    n = len(jan["workdays"])
    assert (a.starts_on, a.ends_on, a.team, a.status) == (JAN, dt.date(2026, 1, 31), org.teams.a, "draft")

    worklogs = _score(a, "worklogs")
    assert worklogs.inputs["required"] == n - 1  # the day on leave needs no log
    assert worklogs.inputs["written"] == n - 3  # absent day and a day without a log; Saturday not counted
    assert worklogs.score == (D(n - 3) * 100 / D(n - 1)).quantize(D("0.01"))
    attendance = _score(a, "attendance")
    assert (
        attendance.inputs | {"counted": n - 1, "clean": n - 3, "late": 1, "absent": 1, "leave_days": 1}
        == attendance.inputs
    )
    assert _score(a, "spotchecks").inputs == {"passed": 2, "checked": 3, "weight": "10.00"}
    assert _score(a, "spotchecks").score == D("66.67")
    assert _score(a, "meetings").score == D("75.00")
    assert _score(a, "visits").inputs["logged"] == 2 and _score(a, "visits").score == D("50.00")
    assert _score(a, "followups").inputs["due"] == 2 and _score(a, "followups").score == D("50.00")
    assert not DutyScore.objects.filter(assessment=a, item__source="lead").exists()  # waits for the lead

    # Performance: 8 of 10 accounts, 120 % of revenue, 500,000 of 1,000,000 growth: (80+120+50)/3.
    assert a.performance_score == D("83.33")
    metrics = {m["metric"]: m for m in a.performance_inputs["metrics"]}
    assert metrics["asset_growth"]["actual"] == "500000.00"
    assert metrics["net_revenue"]["points"] == "120.00"  # 120 % counts, capped at 120
    assert a.outcome == "" and a.performance_inputs["level"]["name"] == "初级"
    # Duty without the lead's item (its weight waits), then the comprehensive score 40/60.
    rows = {
        r.item.code: (r.item.weight, r.score)
        for r in DutyScore.objects.filter(assessment=a).select_related("item")
    }
    expected_duty = (sum(w * s for w, s in rows.values()) / sum(w for w, _s in rows.values())).quantize(
        D("0.01")
    )
    assert a.duty_score == expected_duty
    assert a.total_score == ((a.duty_score * 40 + a.performance_score * 60) / 100).quantize(D("0.01"))


def test_nothing_to_count_scores_full_marks_and_no_target_scores_100(org, jan):
    services.assess_period(actor=org.users.manager, branch=org.branches.b1, period="month", starts_on=JAN)
    b = Assessment.objects.get(staff=org.staff.cm_b)
    assert _score(b, "followups").score == D("100.00") and _score(b, "followups").inputs["due"] == 0
    assert _score(b, "attendance").score == D("0.00")  # never punched: absent every working day
    assert b.performance_score == D("100.00") and b.performance_inputs["no_targets"] is True


def test_a_team_lead_assesses_their_team_only(org, jan):
    result = services.assess_period(
        actor=org.users.lead, branch=org.branches.b1, period="month", starts_on=JAN
    )
    assert result.created == 3
    assert set(Assessment.objects.values_list("staff__name", flat=True)) == {"张三", "孙八", "钱七"}


@pytest.mark.parametrize(
    "starts_on, message",
    [
        (None, "has not begun"),  # next month
        (None, "not over yet"),  # this month
        (dt.date(2025, 6, 1), "have not been imported"),
    ],
    ids=["future", "open", "not imported"],
)
def test_bad_periods_are_refused_and_nothing_is_written(org, starts_on, message):
    today = timezone.localdate()
    if message == "has not begun":
        starts_on = (today.replace(day=1) + dt.timedelta(days=40)).replace(day=1)
    elif message == "not over yet":
        starts_on = today.replace(day=1)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.assess_period(
            actor=org.users.manager, branch=org.branches.b1, period="month", starts_on=starts_on
        )
    assert message in str(exc.value.message_dict["starts_on"])
    assert not Assessment.objects.exists()


def test_an_unknown_period_kind_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        services.assess_period(actor=org.users.manager, branch=org.branches.b1, period="week", starts_on=JAN)
    assert "period" in exc.value.message_dict


def test_only_assessors_of_the_branch_may_generate(org, jan):
    with pytest.raises(PermissionDenied):
        services.assess_period(actor=org.users.cm, branch=org.branches.b1, period="month", starts_on=JAN)
    import_months(org.branches.b2, JAN, 1, org.users.accountant)
    with pytest.raises(ValidationError) as exc:
        services.assess_period(actor=org.users.manager, branch=org.branches.b2, period="month", starts_on=JAN)
    assert "branch" in exc.value.message_dict
    assert not Assessment.objects.exists()


def test_generating_a_branch_takes_the_same_queries_for_few_or_many_people(org, jan):
    def run():
        Assessment.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            services.assess_period(
                actor=org.users.manager, branch=org.branches.b1, period="month", starts_on=JAN
            )
        return len(ctx.captured_queries)

    run()  # the first run also reads the manager's roles (cached on the user)
    few = run()
    for _i in range(8):
        StaffFactory(branch=org.branches.b1, team=org.teams.b, level=org.levels[0])
    many = run()
    assert Assessment.objects.count() == 12
    assert few == many


# --- the lead's marks --------------------------------------------------------------------------


@pytest.fixture
def draft(org, jan):
    services.assess_period(actor=org.users.manager, branch=org.branches.b1, period="month", starts_on=JAN)
    return Assessment.objects.get(staff=org.staff.cm, period="month")


def test_the_lead_marks_and_comments_and_the_scores_follow(org, draft):
    before = draft.duty_score
    a = services.assessment_score_lead(
        actor=org.users.lead, assessment=draft, score="100", comment="服务规范到位"
    )
    row = _score(a, "lead")
    assert row.score == D("100.00") and row.inputs["by_name"] == "赵六"
    assert a.lead_comment == "服务规范到位"
    assert a.duty_score > before
    stored = Assessment.objects.get(pk=a.pk)
    assert (stored.duty_score, stored.total_score) == (a.duty_score, a.total_score)
    assert stored.history.count() == 2  # generated, then marked


@pytest.mark.parametrize("value", ["100.01", "-1", "abc", "1e3", "NaN", "99.999"])
def test_a_mark_outside_0_to_100_is_refused_and_nothing_changes(org, draft, value):
    with pytest.raises(ValidationError) as exc:
        services.assessment_score_lead(actor=org.users.lead, assessment=draft, score=value, comment="x")
    assert "score" in exc.value.message_dict
    assert not DutyScore.objects.filter(assessment=draft, item__source="lead").exists()
    assert Assessment.objects.get(pk=draft.pk).lead_comment == ""


def test_a_lead_of_another_team_a_client_manager_and_the_person_cannot_mark(org, draft):
    other_lead = StaffFactory(branch=org.branches.b1, team=org.teams.b, position=Staff.Position.TEAM_LEAD)
    from brokerdesk.org.tests.factories import login

    lead_b = login("lead_b", "team_lead", other_lead, team=org.teams.b)
    for user in (lead_b, org.users.cm_peer, org.users.outsider, org.users.cm):
        with pytest.raises(PermissionDenied):
            services.assessment_score_lead(actor=user, assessment=draft, score="80")
    assert not DutyScore.objects.filter(assessment=draft, item__source="lead").exists()


# --- confirming ----------------------------------------------------------------------------------


def test_confirming_needs_the_leads_mark_and_the_branch(org, draft):
    with pytest.raises(ValidationError) as exc:
        services.assessment_confirm(actor=org.users.manager, assessment=draft)
    assert "赵六" not in str(exc.value) and "团队负责人评分" in str(exc.value)
    assert Assessment.objects.get(pk=draft.pk).status == "draft"
    services.assessment_score_lead(actor=org.users.lead, assessment=draft, score="90")
    with pytest.raises(PermissionDenied):
        services.assessment_confirm(
            actor=org.users.lead, assessment=draft
        )  # the lead marks, the branch confirms
    result = services.assessment_confirm(actor=org.users.deputy, assessment=draft)
    assert result.assessment.status == "confirmed" and result.level_change is None  # a month moves no level
    assert result.assessment.confirmed_by == org.users.deputy


def test_a_confirmed_assessment_never_changes(org, draft):
    services.assessment_score_lead(actor=org.users.lead, assessment=draft, score="90", comment="好")
    services.assessment_confirm(actor=org.users.manager, assessment=draft)
    frozen = Assessment.objects.get(pk=draft.pk)
    with pytest.raises(ValidationError) as exc:
        services.assessment_confirm(actor=org.users.manager, assessment=draft)
    assert "已确认的考核不能再更改" in str(exc.value)
    with pytest.raises(ValidationError):
        services.assessment_score_lead(actor=org.users.lead, assessment=draft, score="10", comment="改")
    result = services.assess_period(
        actor=org.users.manager, branch=org.branches.b1, period="month", starts_on=JAN
    )
    assert draft.pk in result.confirmed_kept and result.updated == 3
    again = Assessment.objects.get(pk=draft.pk)
    assert (again.duty_score, again.total_score, again.lead_comment, again.performance_inputs) == (
        frozen.duty_score,
        frozen.total_score,
        "好",
        frozen.performance_inputs,
    )
    assert _score(again, "lead").score == D("90.00")


def test_regenerating_a_draft_keeps_the_leads_mark(org, draft):
    services.assessment_score_lead(actor=org.users.lead, assessment=draft, score="70", comment="继续努力")
    result = services.assess_period(
        actor=org.users.manager, branch=org.branches.b1, period="month", starts_on=JAN
    )
    assert result.created == 0 and result.updated == 4
    again = Assessment.objects.get(pk=draft.pk)
    assert again.lead_comment == "继续努力" and _score(again, "lead").score == D("70.00")
    assert (
        DutyScore.objects.filter(assessment=again).count() == DutyItem.objects.filter(is_active=True).count()
    )


# --- quarters and levels ----------------------------------------------------------------------------


@pytest.fixture
def q1(org):
    """Q1 2026 imported; 张三 and 李四 beat their targets, 孙八 produced nothing; lines 50/30."""
    b1, by = org.branches.b1, org.users.accountant
    imports = import_months(b1, Q1, 3, by)
    plan_a = approved_plan(org.teams.a, org.users.lead)
    plan_b = approved_plan(org.teams.b, org.users.manager)
    for person, plan in ((org.staff.cm, plan_a), (org.staff.cm_peer, plan_a), (org.staff.cm_b, plan_b)):
        for m in (1, 2, 3):
            share(plan, person, m, new_accounts=2, net_revenue="10000", asset_growth="100000")
    for imp in imports:
        make_stat(
            imp,
            org.staff.cm,
            new_accounts=3,
            net_revenue=D("20000"),
            total_assets=D("300000") * imp.month.month,
        )
        make_stat(
            imp,
            org.staff.cm_b,
            new_accounts=3,
            net_revenue=D("20000"),
            total_assets=D("300000") * imp.month.month,
        )
    AssessmentPolicy.objects.update(promote_from=D(50), demote_below=D(30))
    return imports


def _quarter(org):
    services.assess_period(actor=org.users.manager, branch=org.branches.b1, period="quarter", starts_on=Q1)
    out = {}
    for a in Assessment.objects.filter(period="quarter"):
        services.assessment_score_lead(actor=org.users.manager, assessment=a, score="80")
        out[a.staff.name] = Assessment.objects.get(pk=a.pk)
    return out


def test_a_quarter_moves_levels_from_the_next_quarter_and_keeps_history(org, q1):
    qs = _quarter(org)
    assert qs["张三"].outcome == "up" and qs["孙八"].outcome == "down"
    result = services.assessment_confirm(actor=org.users.manager, assessment=qs["张三"])
    change = result.level_change
    assert (change.previous.name, change.level.name, change.effective_from) == (
        "初级",
        "中级",
        dt.date(2026, 4, 1),
    )
    assert change.reason == LevelChange.Reason.QUARTERLY and change.assessment == qs["张三"]
    cm = Staff.objects.get(pk=org.staff.cm.pk)
    assert cm.level.name == "中级"  # 1 April has come
    # The level before the change is kept: March pay still finds 初级, April pay 中级.
    assert level_on(cm, dt.date(2026, 3, 31)).name == "初级"
    assert level_on(cm, dt.date(2026, 4, 1)).name == "中级"
    assert levels_on([cm.pk], dt.date(2026, 3, 15))[cm.pk] == org.levels[1].pk
    assert LevelChange.objects.filter(staff=cm).count() == 2  # the starting level and the move

    down = services.assessment_confirm(actor=org.users.manager, assessment=qs["孙八"])
    # 孙八 is 见习, the lowest rung: the level stays, and the result says so.
    assert down.level_change is None and down.assessment.outcome == "stay"
    assert "见习" in down.assessment.outcome_reason
    assert Staff.objects.get(pk=org.staff.cm_peer.pk).level.name == "见习"


def test_the_top_rung_stays(org, q1):
    qs = _quarter(org)
    assert qs["李四"].outcome == "up"  # 李四 is 中级, the top of this ladder
    result = services.assessment_confirm(actor=org.users.manager, assessment=qs["李四"])
    assert result.level_change is None and result.assessment.outcome == "stay"
    assert "中级" in result.assessment.outcome_reason and not LevelChange.objects.exists()


def test_three_months_below_the_floor_move_the_level_down_whatever_the_total(org, q1):
    for m in (1, 2, 3):
        monthly(org.staff.cm, dt.date(2026, m, 1), "40")
    qs = _quarter(org)
    assert qs["张三"].total_score >= D(50)
    assert qs["张三"].outcome == "down" and "50.00" in qs["张三"].outcome_reason
    change = services.assessment_confirm(actor=org.users.manager, assessment=qs["张三"]).level_change
    assert (change.previous.name, change.level.name) == ("初级", "见习")


def test_a_monthly_assessment_regenerated_after_the_quarter_is_read_again_at_confirmation(org, q1):
    for m in (1, 2):
        monthly(org.staff.cm, dt.date(2026, m, 1), "40")
    qs = _quarter(org)
    assert qs["张三"].outcome == "up"
    monthly(org.staff.cm, dt.date(2026, 3, 1), "45")
    a = services.assessment_confirm(actor=org.users.manager, assessment=qs["张三"]).assessment
    assert a.outcome == "down"


def test_a_yearly_evaluation_waits_for_the_year_to_end(org, q1):
    with pytest.raises(ValidationError) as exc:
        services.assess_period(actor=org.users.manager, branch=org.branches.b1, period="year", starts_on=Q1)
    assert "尚未结束" in str(exc.value)


def test_the_yearly_evaluation_moves_the_level_from_1_january_of_the_next_year(org):
    b1, by = org.branches.b1, org.users.accountant
    import_months(b1, dt.date(2025, 1, 1), 12, by)
    plan = approved_plan(org.teams.a, org.users.lead, year=2025, split="quarter")
    share(plan, org.staff.cm, 1, new_accounts=4, net_revenue="0", asset_growth="0")
    AssessmentPolicy.objects.update(promote_from=D(50), demote_below=D(30))
    from brokerdesk.performance.models import MonthVersion

    first = MonthVersion.objects.get(branch=b1, month=dt.date(2025, 3, 1)).crm_import
    make_stat(first, org.staff.cm, new_accounts=5)
    services.assess_period(
        actor=org.users.manager, branch=b1, period="year", starts_on=dt.date(2025, 6, 1), team=org.teams.a
    )
    a = Assessment.objects.get(staff=org.staff.cm, period="year")
    assert (a.starts_on, a.ends_on) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert a.performance_score == D("100.00") and a.outcome == "up"
    services.assessment_score_lead(actor=org.users.lead, assessment=a, score="60")
    change = services.assessment_confirm(actor=org.users.manager, assessment=a).level_change
    assert change.effective_from == dt.date(2026, 1, 1) and change.reason == LevelChange.Reason.YEARLY


def test_the_fourth_quarter_moves_no_level(org):
    import_months(org.branches.b1, dt.date(2025, 10, 1), 3, org.users.accountant)
    services.assess_period(
        actor=org.users.manager, branch=org.branches.b1, period="quarter", starts_on=dt.date(2025, 11, 5)
    )
    a = Assessment.objects.get(staff=org.staff.cm, period="quarter")
    assert a.starts_on == dt.date(2025, 10, 1) and a.outcome == ""
    services.assessment_score_lead(actor=org.users.lead, assessment=a, score="100")
    assert services.assessment_confirm(actor=org.users.manager, assessment=a).level_change is None


def test_a_level_change_already_on_that_day_blocks_confirmation_with_nothing_changed(org, q1):
    qs = _quarter(org)
    LevelChange.objects.create(
        staff=org.staff.cm,
        level=Level.objects.get(name="见习"),
        effective_from=dt.date(2026, 4, 1),
        reason=LevelChange.Reason.MANUAL,
        decided_by=org.users.manager,
    )
    with pytest.raises(ValidationError) as exc:
        services.assessment_confirm(actor=org.users.manager, assessment=qs["张三"])
    assert "2026-04-01" in str(exc.value)
    assert Assessment.objects.get(pk=qs["张三"].pk).status == "draft"
    assert LevelChange.objects.count() == 1


def test_apply_due_level_changes_brings_the_current_level_up_to_date(org):
    LevelChange.objects.create(
        staff=org.staff.cm,
        level=Level.objects.get(name="中级"),
        effective_from=dt.date(2026, 1, 1),
        reason=LevelChange.Reason.MANUAL,
        decided_by=org.users.manager,
    )
    assert services.apply_due_level_changes() == 1
    assert Staff.objects.get(pk=org.staff.cm.pk).level.name == "中级"
    assert services.apply_due_level_changes() == 0


# --- configuration ----------------------------------------------------------------------------------


def test_channel_management_keeps_the_policy_and_checklist(org):
    policy = services.current_policy()
    with pytest.raises(PermissionDenied):
        services.policy_save(actor=org.users.manager, policy=policy, promote_from="85")
    with pytest.raises(PermissionDenied):
        services.policy_save(actor=org.users.sysadmin, policy=policy, promote_from="85")
    services.policy_save(actor=org.users.channel, policy=policy, promote_from="85", floor_months=2)
    policy.refresh_from_db()
    assert (policy.promote_from, policy.floor_months) == (D("85.00"), 2)
    with pytest.raises(ValidationError) as exc:
        services.policy_save(actor=org.users.channel, policy=policy, demote_below="90", duty_weight="101")
    assert set(exc.value.message_dict) == {"duty_weight"}
    with pytest.raises(ValidationError) as exc:
        services.policy_save(actor=org.users.channel, policy=policy, demote_below="90")
    assert "demote_below" in exc.value.message_dict
    policy.refresh_from_db()
    assert policy.demote_below == D("60.00")

    item = services.duty_item_save(
        actor=org.users.channel, code="training", name="参加培训", source="lead", weight="5", order=8
    )
    assert item.pk and item.is_active
    with pytest.raises(ValidationError) as exc:
        services.duty_item_save(
            actor=org.users.channel, code="training", name="重复", source="lead", weight="5"
        )
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.duty_item_save(actor=org.users.channel, item=item, weight="-3")


def test_with_two_lead_items_each_is_marked_and_both_are_needed(org, jan):
    second = services.duty_item_save(
        actor=org.users.channel, code="teamwork", name="团队协作", source="lead", weight="5", order=9
    )
    services.assess_period(actor=org.users.manager, branch=org.branches.b1, period="month", starts_on=JAN)
    a = Assessment.objects.get(staff=org.staff.cm, period="month")
    first = DutyItem.objects.get(code="lead")
    with pytest.raises(ValidationError) as exc:
        services.assessment_score_lead(actor=org.users.lead, assessment=a, score="80")
    assert "score" in exc.value.message_dict
    services.assessment_score_lead(actor=org.users.lead, assessment=a, scores={first.pk: "80"})
    with pytest.raises(ValidationError):
        services.assessment_confirm(actor=org.users.manager, assessment=a)  # 团队协作 not marked yet
    with pytest.raises(ValidationError) as exc:
        services.assessment_score_lead(actor=org.users.lead, assessment=a, scores={second.pk: "120"})
    assert f"score_{second.pk}" in exc.value.message_dict
    services.assessment_score_lead(actor=org.users.lead, assessment=a, scores={str(second.pk): "70"})
    assert services.assessment_confirm(actor=org.users.manager, assessment=a).assessment.status == "confirmed"
    assert {r.item.code: r.score for r in DutyScore.objects.filter(assessment=a, item__source="lead")} == {
        "lead": D("80.00"),
        "teamwork": D("70.00"),
    }


def test_an_inactive_item_is_not_scored(org, jan):
    services.duty_item_save(
        actor=org.users.channel, item=DutyItem.objects.get(code="visits"), is_active=False
    )
    services.assess_period(actor=org.users.manager, branch=org.branches.b1, period="month", starts_on=JAN)
    a = Assessment.objects.get(staff=org.staff.cm, period="month")
    assert not DutyScore.objects.filter(assessment=a, item__code="visits").exists()
    assert "visits" not in {i["code"] for i in a.performance_inputs["items"]}


def test_an_assessment_made_without_the_checklist_can_still_be_confirmed(org):
    a = monthly(org.staff.cm, JAN, "75", status=Assessment.Status.DRAFT)
    with pytest.raises(ValidationError):
        services.assessment_score_lead(actor=org.users.lead, assessment=a, score="80")
    confirmed = services.assessment_confirm(actor=org.users.manager, assessment=a).assessment
    assert confirmed.status == "confirmed" and confirmed.performance_score == D("75.00")


def test_confirming_a_period_confirms_the_marked_drafts_and_says_why_not_the_others(org, q1):
    qs = _quarter(org)  # every quarterly draft marked
    Assessment.objects.filter(pk=qs["钱七"].pk).update(lead_comment="")
    DutyScore.objects.filter(assessment=qs["钱七"], item__code="lead").delete()
    with pytest.raises(PermissionDenied):
        services.assessments_confirm_period(
            actor=org.users.lead, branch=org.branches.b1, period="quarter", starts_on=Q1
        )
    result = services.assessments_confirm_period(
        actor=org.users.manager, branch=org.branches.b1, period="quarter", starts_on=Q1
    )
    assert sorted(r.assessment.staff.name for r in result.confirmed) == ["孙八", "张三", "李四"]
    assert [(a.staff.name, "团队负责人评分" in why) for a, why in result.refused] == [("钱七", True)]
    assert LevelChange.objects.filter(reason="quarterly").count() == 1  # 张三 up; 孙八 and 李四 at the ends
    assert Assessment.objects.get(pk=qs["钱七"].pk).status == "draft"
