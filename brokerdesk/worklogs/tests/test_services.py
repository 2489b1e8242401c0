"""The services: one log per person and day, only one's own, never changed once drawn; a
spot-check drawn in scope with its seed, reproducible, weighted and explained; results that
never change."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from brokerdesk.worklogs import rules, services
from brokerdesk.worklogs.models import SpotCheck, SpotCheckItem, WorkLog
from brokerdesk.worklogs.tests.helpers import TEXTS, days_ago, make_log, make_outing, team_a_logs

pytestmark = pytest.mark.django_db


def write(user, day=None, **kw):
    fields = {
        "work_done": "在网点接待客户三人。",
        "tomorrow_plan": "回访意向客户。",
        "clients_contacted": "王先生",
    }
    fields.update(kw)
    return services.worklog_save(actor=user, day=day or timezone.localdate(), **fields)


# --- writing a log ---------------------------------------------------------------------------


def test_client_manager_writes_todays_log(org):
    log = write(org.users.cm, visited=True)
    assert log.staff == org.staff.cm
    assert log.day == timezone.localdate()
    assert log.visited is True
    assert not log.written_late


def test_a_second_log_of_the_same_day_edits_the_first(org):
    first = write(org.users.cm, work_done="上午驻点。")
    second = write(org.users.cm, work_done="上午驻点，下午讲座。")
    assert second.pk == first.pk
    assert WorkLog.objects.filter(staff=org.staff.cm).count() == 1
    assert WorkLog.objects.get(pk=first.pk).work_done == "上午驻点，下午讲座。"
    assert first.history.count() == 2  # the change is in the log's history


def test_a_log_for_a_day_to_come_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        write(org.users.cm, day=days_ago(-1))
    assert "day" in exc.value.message_dict
    assert not WorkLog.objects.exists()


def test_a_missed_day_may_be_written_a_week_late_but_not_later(org):
    late = write(org.users.cm, day=days_ago(rules.BACKFILL_DAYS))
    assert late.written_late
    with pytest.raises(ValidationError) as exc:
        write(org.users.cm, day=days_ago(rules.BACKFILL_DAYS + 1))
    assert "day" in exc.value.message_dict
    assert WorkLog.objects.count() == 1


@pytest.mark.parametrize("field", ["work_done", "tomorrow_plan"])
def test_a_log_without_its_required_parts_is_refused_with_a_field_error(org, field):
    with pytest.raises(ValidationError) as exc:
        write(org.users.cm, **{field: "   "})
    assert field in exc.value.message_dict
    assert not WorkLog.objects.exists()


def test_nobody_writes_someone_elses_log(org):
    with pytest.raises(PermissionDenied):
        write(org.users.lead, staff=org.staff.cm)
    with pytest.raises(PermissionDenied):
        write(org.users.cm_peer, staff=org.staff.cm)
    assert not WorkLog.objects.exists()


def test_a_login_without_a_staff_record_has_no_log(org):
    with pytest.raises(PermissionDenied):
        write(org.users.channel)


def test_yesterdays_log_no_longer_changes(org):
    log = make_log(org.staff.cm, days_ago(1), "原文")
    with pytest.raises(ValidationError) as exc:
        write(org.users.cm, day=days_ago(1), work_done="改过")
    assert "day" in exc.value.message_dict
    assert WorkLog.objects.get(pk=log.pk).work_done == "原文"


def test_a_log_drawn_for_a_check_never_changes_even_on_its_day(org):
    log = write(org.users.cm, work_done="原文")
    check = services.spotcheck_create(
        actor=org.users.lead, team=org.teams.a, period_start=days_ago(0), period_end=days_ago(0), size=1
    )
    assert check.items.get().log == log
    with pytest.raises(ValidationError):
        write(org.users.cm, work_done="改过")
    assert WorkLog.objects.get(pk=log.pk).work_done == "原文"


# --- drawing a spot-check ---------------------------------------------------------------------


def draw(user, org, team=None, start=14, end=0, **kw):
    if "percent" not in kw:
        kw.setdefault("size", 3)
    return services.spotcheck_create(
        actor=user, team=team or org.teams.a, period_start=days_ago(start), period_end=days_ago(end), **kw
    )


def test_lead_draws_a_sample_of_the_teams_recent_logs_with_its_seed(org):
    logs = team_a_logs(org)
    make_log(org.staff.cm_b, days_ago(1))  # another team: never in the pool
    check = draw(org.users.lead, org, size=4)
    items = list(check.items.order_by("position"))
    assert len(items) == 4
    assert {i.log.staff for i in items} <= {org.staff.cm, org.staff.cm_peer}
    assert check.seed is not None
    assert sorted(log_id for log_id, _w in check.pool) == sorted(log.pk for log in logs)
    assert [i.position for i in items] == [1, 2, 3, 4]


def test_redrawing_with_the_stored_seed_reproduces_the_draw(org):
    team_a_logs(org)
    check = draw(org.users.lead, org, size=5)
    drawn = list(check.items.order_by("position").values_list("log_id", flat=True))
    assert services.spotcheck_redraw(check) == drawn
    # ... also after more logs are written for days in the period: the pool is stored.
    make_log(org.staff.cm, days_ago(0))
    assert services.spotcheck_redraw(SpotCheck.objects.get(pk=check.pk)) == drawn
    # ... and a fresh draw with the same seed from the same pool gives the same logs.
    assert rules.draw([tuple(p) for p in check.pool], 5, check.seed) == drawn


def test_the_same_seed_gives_the_same_draw_through_the_service(org):
    team_a_logs(org)
    first = draw(org.users.lead, org, size=3, seed=4242)
    drawn = list(first.items.order_by("position").values_list("log_id", flat=True))
    SpotCheckItem.objects.filter(spot_check=first).delete()  # free the logs to draw them again
    again = draw(org.users.lead, org, size=3, seed=4242)
    assert list(again.items.order_by("position").values_list("log_id", flat=True)) == drawn


def test_a_percentage_is_rounded_up(org):
    team_a_logs(org)  # 16 logs
    check = draw(org.users.lead, org, percent=10)
    assert check.items.count() == 2
    assert check.percent == 10 and check.size is None


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"size": None}, "size"),  # neither
        ({"size": 2, "percent": 10}, "size"),  # both
        ({"size": 0}, "size"),
        ({"percent": 0}, "percent"),
        ({"percent": 101}, "percent"),
        ({"size": 99}, "size"),  # more than there are
        ({"size": 2, "end": -1}, "period_end"),  # ends after today
        ({"size": 2, "start": 1, "end": 3}, "period_end"),  # ends before it starts
        ({"size": 2, "start": 200}, "period_start"),  # not recent
        ({"size": 2, "start": 60, "end": 50}, "period_start"),  # no logs then
    ],
)
def test_bad_draws_are_refused_with_field_errors_and_nothing_saved(org, kw, field):
    team_a_logs(org)
    with pytest.raises(ValidationError) as exc:
        draw(org.users.lead, org, **kw)
    assert field in exc.value.message_dict, exc.value.message_dict
    assert not SpotCheck.objects.exists()


@pytest.mark.parametrize("who", ["cm", "cm_peer", "rm", "lead_b", "outsider", "trade", "channel", "norole"])
def test_only_the_teams_lead_and_branch_managers_may_draw(org, who):
    team_a_logs(org)
    with pytest.raises(PermissionDenied):
        draw(getattr(org.users, who), org)
    assert not SpotCheck.objects.exists()


def test_branch_manager_may_draw_for_any_team_of_the_branch_only(org):
    make_log(org.staff.cm_b, days_ago(1))
    make_log(org.staff.outsider, days_ago(1))
    assert draw(org.users.manager, org, team=org.teams.b, size=1).items.count() == 1
    with pytest.raises(PermissionDenied):
        draw(org.users.manager, org, team=org.teams.c, size=1)


def test_logs_already_drawn_and_the_leads_own_logs_are_left_out(org):
    team_a_logs(org, days=2)  # 4 logs
    make_log(org.staff.lead, days_ago(1))
    first = draw(org.users.lead, org, size=3)
    second = draw(org.users.lead, org, size=1)
    drawn = set(first.items.values_list("log_id", flat=True)) | set(
        second.items.values_list("log_id", flat=True)
    )
    assert len(drawn) == 4
    assert not WorkLog.objects.filter(pk__in=drawn, staff=org.staff.lead).exists()
    with pytest.raises(ValidationError):
        draw(org.users.lead, org, size=1)  # nothing left


def test_logs_that_look_wrong_are_weighted_and_the_reasons_recorded(org):
    copy = TEXTS[0] + "今日上门拜访客户。"
    make_log(org.staff.cm, days_ago(3), copy)
    dup = make_log(org.staff.cm, days_ago(2), copy)  # a copy, claims a visit, no outing form
    fine_visit = make_log(org.staff.cm_peer, days_ago(2), "下午外出拜访陈总。")
    make_outing(org.staff.cm_peer, days_ago(2))
    make_outing(org.staff.cm, days_ago(2), status="in_approval")  # not approved: does not count
    quiet = [make_log(org.staff.cm_peer, days_ago(d), TEXTS[d] + str(d), clients="") for d in (6, 5, 4)]
    check = draw(org.users.lead, org, size=6)
    items = {i.log_id: i for i in check.items.all()}
    assert {r["code"] for r in items[dup.pk].reasons} == {"near_duplicate", "visit_without_outing"}
    assert items[dup.pk].weight == 9
    assert items[fine_visit.pk].reasons == []
    assert items[fine_visit.pk].weight == 1
    assert [r["code"] for r in items[quiet[2].pk].reasons] == ["no_client"]
    assert items[quiet[1].pk].reasons == []
    texts = items[dup.pk].reason_texts()
    assert len(texts) == 2
    with translation.override("en"):
        assert items[fine_visit.pk].reason_texts() == ["Chosen at random: nothing looked wrong."]
    with translation.override("zh-hans"):
        assert items[fine_visit.pk].reason_texts() == ["随机抽中：未发现异常。"]


# --- recording results ------------------------------------------------------------------------


@pytest.fixture
def check(org):
    team_a_logs(org, days=2)
    return draw(org.users.lead, org, size=2)


def test_lead_records_a_result_and_comment_that_never_change(org, check):
    item = check.items.first()
    services.spotcheck_record(actor=org.users.lead, item=item, result="fail", comment="与前日内容雷同。")
    with pytest.raises(ValidationError):
        services.spotcheck_record(actor=org.users.manager, item=item, result="pass", comment="改为合格")
    item.refresh_from_db()
    assert (item.result, item.comment, item.checked_by) == ("fail", "与前日内容雷同。", org.users.lead)
    assert item.checked_at is not None


def test_the_check_is_complete_when_every_drawn_log_has_its_result(org, check):
    first, second = check.items.order_by("position")
    services.spotcheck_record(actor=org.users.lead, item=first, result="pass", comment="内容具体。")
    assert SpotCheck.objects.get(pk=check.pk).completed_at is None
    services.spotcheck_record(actor=org.users.manager, item=second, result="pass", comment="好。")
    assert SpotCheck.objects.get(pk=check.pk).completed_at is not None


@pytest.mark.parametrize(
    ("result", "comment", "field"), [("maybe", "x", "result"), ("pass", "  ", "comment")]
)
def test_a_result_needs_pass_or_fail_and_a_comment(org, check, result, comment, field):
    item = check.items.first()
    with pytest.raises(ValidationError) as exc:
        services.spotcheck_record(actor=org.users.lead, item=item, result=result, comment=comment)
    assert field in exc.value.message_dict
    assert SpotCheckItem.objects.get(pk=item.pk).result == ""


@pytest.mark.parametrize("who", ["cm", "cm_peer", "rm", "lead_b", "outsider", "region"])
def test_only_checkers_in_scope_record_results(org, check, who):
    item = check.items.first()
    with pytest.raises(PermissionDenied):
        services.spotcheck_record(actor=getattr(org.users, who), item=item, result="pass", comment="好")
    assert SpotCheckItem.objects.get(pk=item.pk).result == ""


def test_nobody_checks_their_own_log(org):
    make_log(org.staff.lead, days_ago(1))
    check = draw(org.users.manager, org, size=1)
    item = check.items.get()
    with pytest.raises(PermissionDenied):
        services.spotcheck_record(actor=org.users.lead, item=item, result="pass", comment="好")


def test_periods_use_beijing_days_for_outings(org):
    """An outing form from 23:30 to 00:30 Beijing time covers both days."""
    day = days_ago(2)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 30)))
    covered = services._covered_days([(1, start, start + dt.timedelta(hours=1))])
    assert covered == {(1, day), (1, day + dt.timedelta(days=1))}
