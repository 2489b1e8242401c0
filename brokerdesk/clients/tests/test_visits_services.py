"""Visits: planning and logging (scope, dates, last visit), overlaps and their acknowledgement,
the head's monthly verification, and visits that no longer change once verified."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from brokerdesk.clients import services
from brokerdesk.clients import services_visits as sv
from brokerdesk.clients.models import Client, ServicePolicy, Visit, VisitOverlap
from brokerdesk.clients.tests.factories import make_client

pytestmark = pytest.mark.django_db


def visited_text(name, day):
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    return gettext("%(name)s visited this client on %(day)s") % {"name": name, "day": date_format(day)}


def plans_text(name, day):
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    return gettext("%(name)s plans to visit this client on %(day)s") % {"name": name, "day": date_format(day)}


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def log(actor, client, day, **kw):
    kw.setdefault("content", "介绍两融业务，客户有兴趣。")
    return sv.visit_log(actor=actor, client=client, visited_on=day, **kw)


def test_a_client_manager_logs_a_visit_to_own_client(org):
    client = make_client(org.users.cm)
    visit = log(
        org.users.cm,
        client,
        days(-2),
        form=Visit.Form.PHONE,
        opinions="佣金偏高",
        suggestions="希望多办讲座",
        difficulties="不会用APP",
        visitors=[org.staff.cm_peer],
    )
    assert visit.status == Visit.Status.DONE
    assert (visit.author, visit.branch, visit.team) == (org.staff.cm, org.branches.b1, org.teams.a)
    assert list(visit.visitors.all()) == [org.staff.cm_peer]
    assert visit.created_by == org.users.cm
    client.refresh_from_db()
    assert client.last_visit_on == days(-2)


def test_last_visit_only_moves_forward(org):
    client = make_client(org.users.cm)
    log(org.users.cm, client, days(-1))
    log(org.users.cm, client, days(-10))  # logged late: an older visit
    client.refresh_from_db()
    assert client.last_visit_on == days(-1)
    sv.visit_plan(actor=org.users.cm, client=client, planned_on=days(3))
    client.refresh_from_db()
    assert client.last_visit_on == days(-1)  # a plan is not a visit


def test_a_visit_to_a_client_out_of_scope_is_refused_and_nothing_saved(org):
    client = make_client(org.users.cm)
    for user in (org.users.cm_peer, org.users.outsider, org.users.cm_b):
        with pytest.raises(ValidationError) as exc:
            log(user, client, days(-1))
        assert "client" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            sv.visit_plan(actor=user, client=client, planned_on=days(2))
        assert "client" in exc.value.message_dict
    assert Visit.objects.count() == 0
    assert Client.objects.get(pk=client.pk).last_visit_on is None


def test_bad_input_gives_field_errors_and_saves_nothing(org):
    client = make_client(org.users.cm)
    with pytest.raises(ValidationError) as exc:
        sv.visit_log(actor=org.users.cm, client=client, visited_on=days(1), content="  ")
    assert {"visited_on", "content"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        sv.visit_log(actor=org.users.cm, client=client, visited_on=None, content="x", form="telepathy")
    assert {"visited_on", "form"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        sv.visit_plan(actor=org.users.cm, client=client, planned_on=days(-1))
    assert "planned_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        log(org.users.cm, client, days(-1), visitors=[org.staff.outsider])
    assert "visitors" in exc.value.message_dict
    assert Visit.objects.count() == 0


def test_a_login_without_staff_record_cannot_record_visits(org):
    client = make_client(org.users.cm)
    with pytest.raises(PermissionDenied):
        log(org.users.trade, client, days(-1))


def test_completing_a_planned_visit_turns_it_done(org):
    client = make_client(org.users.cm)
    plan = sv.visit_plan(actor=org.users.cm, client=client, planned_on=days(0), purpose="介绍新产品")
    assert plan.status == Visit.Status.PLANNED and plan.visited_on is None
    with pytest.raises(PermissionDenied):
        sv.visit_log(actor=org.users.lead, visit=plan, visited_on=days(0), content="x")
    done = sv.visit_log(actor=org.users.cm, visit=plan, visited_on=days(0), content="讲解了新产品")
    assert done.pk == plan.pk
    assert (done.status, done.visited_on, done.planned_on, done.purpose) == (
        Visit.Status.DONE,
        days(0),
        days(0),
        "介绍新产品",
    )
    assert Client.objects.get(pk=client.pk).last_visit_on == days(0)
    with pytest.raises(ValidationError):
        sv.visit_log(actor=org.users.cm, visit=plan, visited_on=days(0), content="again")


def test_cancel_a_planned_visit(org):
    client = make_client(org.users.cm)
    plan = sv.visit_plan(actor=org.users.cm, client=client, planned_on=days(2))
    with pytest.raises(PermissionDenied):
        sv.visit_cancel(actor=org.users.cm_b, visit=plan)
    sv.visit_cancel(actor=org.users.cm, visit=plan, reason="客户出差")
    plan.refresh_from_db()
    assert plan.status == Visit.Status.CANCELLED
    with pytest.raises(ValidationError):
        sv.visit_cancel(actor=org.users.cm, visit=plan)
    done = log(org.users.cm, client, days(-1))
    with pytest.raises(ValidationError):
        sv.visit_cancel(actor=org.users.cm, visit=done)


# --- overlaps ------------------------------------------------------------------------------------


def test_overlap_warns_with_who_and_when_and_saves_nothing_until_acknowledged(org):
    client = make_client(org.users.cm)
    mine = log(org.users.cm, client, days(-5))
    lead_plan = sv.visit_plan(
        actor=org.users.lead, client=client, planned_on=days(2), acknowledge_overlap=True
    )
    with pytest.raises(ValidationError) as exc:
        sv.visit_plan(actor=org.users.manager, client=client, planned_on=days(1))
    assert sv.is_overlap(exc.value)
    error = exc.value.error_dict["acknowledge_overlap"][0]
    assert error.code == "overlap"
    text = error.messages[0]
    assert visited_text("张三", days(-5)) in text
    assert plans_text("赵六", days(2)) in text
    assert Visit.objects.filter(author=org.staff.manager).count() == 0

    visit = sv.visit_plan(
        actor=org.users.manager, client=client, planned_on=days(1), acknowledge_overlap=True
    )
    assert visit.overlap_acknowledged
    rows = {(o.other_id, o.days_apart) for o in VisitOverlap.objects.filter(visit=visit)}
    assert rows == {(mine.pk, 6), (lead_plan.pk, 1)}


def test_no_overlap_with_own_visits_cancelled_ones_or_outside_the_window(org):
    policy = ServicePolicy.current()
    policy.overlap_days = 10
    policy.save()
    client = make_client(org.users.cm)
    log(org.users.cm, client, days(-3))
    old = log(org.users.lead, client, days(-20), acknowledge_overlap=True)
    cancelled = sv.visit_plan(
        actor=org.users.manager, client=client, planned_on=days(1), acknowledge_overlap=True
    )
    sv.visit_cancel(actor=org.users.manager, visit=cancelled)
    # 张三's own earlier visit, the lead's visit 19 days away and a cancelled plan do not warn.
    visit = log(org.users.cm, client, days(-1))
    assert not visit.overlap_acknowledged
    assert not visit.overlaps.exists()
    assert old.overlaps.count() == 0  # 17 days from 张三's visit: outside 10


def test_overlap_names_the_other_visitor_from_another_team(org):
    client = make_client(org.users.cm_b)
    log(org.users.cm_b, client, days(-1))
    services.client_transfer(
        actor=org.users.manager, client=client, to=org.staff.cm, effective=days(0), note="调整客户经理"
    )
    with pytest.raises(ValidationError) as exc:
        sv.visit_plan(actor=org.users.cm, client=client, planned_on=days(3))
    assert visited_text("李四", days(-1)) in exc.value.messages[0]


def test_completing_a_plan_asks_again_only_for_new_overlaps(org):
    client = make_client(org.users.cm)
    log(org.users.lead, client, days(-1))
    plan = sv.visit_plan(actor=org.users.cm, client=client, planned_on=days(0), acknowledge_overlap=True)
    done = sv.visit_log(actor=org.users.cm, visit=plan, visited_on=days(0), content="已走访")
    assert done.status == Visit.Status.DONE  # the lead's visit was acknowledged when planning
    plan2 = sv.visit_plan(actor=org.users.cm, client=client, planned_on=days(5), acknowledge_overlap=True)
    sv.visit_plan(actor=org.users.manager, client=client, planned_on=days(0), acknowledge_overlap=True)
    with pytest.raises(ValidationError) as exc:  # the manager's plan is new to this visit
        sv.visit_log(actor=org.users.cm, visit=plan2, visited_on=days(0), content="提前走访")
    assert sv.is_overlap(exc.value)
    assert Visit.objects.get(pk=plan2.pk).status == Visit.Status.PLANNED


# --- verification --------------------------------------------------------------------------------


def test_the_lead_verifies_a_done_visit_with_an_opinion(org):
    client = make_client(org.users.cm)
    visit = log(org.users.cm, client, days(-3))
    with pytest.raises(ValidationError) as exc:
        sv.verify_visit(actor=org.users.lead, visit=visit, opinion="  ")
    assert "opinion" in exc.value.message_dict
    verified = sv.verify_visit(actor=org.users.lead, visit=visit, opinion="记录完整，跟进及时。")
    assert verified.verified_by == org.users.lead
    assert verified.verification_opinion == "记录完整，跟进及时。"
    assert verified.verified_at is not None
    with pytest.raises(ValidationError):
        sv.verify_visit(actor=org.users.manager, visit=visit, opinion="再次")


def test_verification_needs_the_head_with_scope_and_a_done_visit_of_someone_else(org):
    client = make_client(org.users.cm)
    visit = log(org.users.cm, client, days(-3))
    for user in (org.users.cm, org.users.cm_peer, org.users.rm, org.users.trade):
        with pytest.raises(PermissionDenied):
            sv.verify_visit(actor=user, visit=visit, opinion="好")
    outsider_client = make_client(org.users.outsider)
    other = log(org.users.outsider, outsider_client, days(-3))
    with pytest.raises(PermissionDenied):
        sv.verify_visit(actor=org.users.manager, visit=other, opinion="好")
    plan = sv.visit_plan(actor=org.users.cm, client=client, planned_on=days(2))
    with pytest.raises(ValidationError):
        sv.verify_visit(actor=org.users.lead, visit=plan, opinion="好")
    own = log(org.users.lead, client, days(-2), acknowledge_overlap=True)
    with pytest.raises(ValidationError) as exc:
        sv.verify_visit(actor=org.users.lead, visit=own, opinion="自己核实自己")
    assert "own visit" in str(exc.value) or "本人的走访" in str(exc.value)
    assert sv.verify_visit(actor=org.users.manager, visit=own, opinion="同意").verified_at


def test_a_verified_visit_no_longer_changes(org):
    client = make_client(org.users.cm)
    visit = log(org.users.cm, client, days(-3))
    sv.visit_update(actor=org.users.cm, visit=visit, content="补充：客户关注科创板。")
    assert Visit.objects.get(pk=visit.pk).content == "补充：客户关注科创板。"
    with pytest.raises(PermissionDenied):
        sv.visit_update(actor=org.users.lead, visit=visit, content="改写")
    sv.verify_visit(actor=org.users.lead, visit=visit, opinion="同意")
    with pytest.raises(ValidationError):
        sv.visit_update(actor=org.users.cm, visit=visit, content="核实后修改")
    assert Visit.objects.get(pk=visit.pk).content == "补充：客户关注科创板。"
