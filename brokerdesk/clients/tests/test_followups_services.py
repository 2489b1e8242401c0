"""Follow-ups (督办): whoever made the visit follows the matter up; sent to a department whose
people are notified, chased, resolved, and closed only once the client was told."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from brokerdesk.access.roles import Role
from brokerdesk.approvals.models import Notification
from brokerdesk.clients import services_visits as sv
from brokerdesk.clients.models import FollowUp, FollowUpEvent, ServicePolicy
from brokerdesk.clients.tests.factories import make_client
from brokerdesk.org.models import Department, Staff
from brokerdesk.org.tests.factories import StaffFactory, login

pytestmark = pytest.mark.django_db


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def setup(org):
    trade_dept = Department.objects.create(
        branch=org.branches.b1, kind=Department.Kind.TRADE_MANAGEMENT, name="交易管理岗"
    )
    other_dept = Department.objects.create(
        branch=org.branches.b2, kind=Department.Kind.FINANCE, name="财务部"
    )
    clerk = StaffFactory(
        name="吴十", branch=org.branches.b1, department=trade_dept, position=Staff.Position.BACK_OFFICE
    )
    clerk_user = login("clerk", Role.CLIENT_MANAGER, clerk)
    client = make_client(org.users.cm)
    visit = sv.visit_log(
        actor=org.users.cm, client=client, visited_on=days(-1), content="客户反映转账到账慢。"
    )
    return org, trade_dept, other_dept, clerk_user, client, visit


def raise_(org, visit, dept=None, **kw):
    return sv.followup_raise(
        actor=kw.pop("actor", org.users.cm),
        visit=visit,
        category=kw.pop("category", FollowUp.Category.TRADING),
        matter=kw.pop("matter", "银证转账到账慢"),
        department=dept,
        **kw,
    )


def test_the_visitor_owns_the_matter_with_a_default_due_date(setup):
    org, dept, _other, _clerk, client, visit = setup
    fu = raise_(org, visit, dept)
    assert (fu.owner, fu.client, fu.branch, fu.status) == (org.staff.cm, client, org.branches.b1, "open")
    assert fu.due_on == days(ServicePolicy.current().followup_days)
    assert list(fu.events.values_list("kind", flat=True)) == ["created"]
    # The head raising a matter on the visit still leaves it with the visitor (谁走访谁督办).
    by_lead = raise_(org, visit, actor=org.users.lead, matter="希望增加投教讲座")
    assert by_lead.owner == org.staff.cm


def test_raising_checks_input_and_who_may_raise(setup):
    org, dept, other, _clerk, _client, visit = setup
    with pytest.raises(ValidationError) as exc:
        raise_(org, visit, other, matter=" ", category="weather", due_on=days(-1))
    assert {"matter", "category", "department", "due_on"} <= set(exc.value.message_dict)
    with pytest.raises(PermissionDenied):
        raise_(org, visit, actor=org.users.cm_peer)  # not their visit: not even visible
    with pytest.raises(PermissionDenied):
        raise_(org, visit, actor=org.users.rm)  # sees it, but neither visitor nor head
    assert FollowUp.objects.count() == 0
    head_office = Department.objects.get(name="人力资源部")
    assert raise_(org, visit, head_office).department == head_office


def test_send_notifies_the_departments_people_and_chase_notifies_again(setup):
    org, dept, _other, clerk, _client, visit = setup
    fu = raise_(org, visit)
    with pytest.raises(ValidationError) as exc:
        sv.followup_send(actor=org.users.cm, followup=fu)
    assert "department" in exc.value.message_dict
    with pytest.raises(ValidationError):
        sv.followup_chase(actor=org.users.cm, followup=fu, note="催")  # not sent yet
    sv.followup_send(actor=org.users.cm, followup=fu, department=dept)
    fu.refresh_from_db()
    assert (fu.status, fu.department) == ("sent", dept)
    assert fu.sent_at is not None
    assert Notification.objects.filter(user=clerk, url=fu.get_absolute_url()).count() == 1
    with pytest.raises(ValidationError) as exc:
        sv.followup_chase(actor=org.users.cm, followup=fu, note=" ")
    assert "note" in exc.value.message_dict
    sv.followup_chase(actor=org.users.cm, followup=fu, note="客户再次来电询问")
    assert Notification.objects.filter(user=clerk).count() == 2
    with pytest.raises(PermissionDenied):
        sv.followup_chase(actor=clerk, followup=fu, note="部门自己催")
    assert list(fu.events.values_list("kind", flat=True)) == ["created", "sent", "chased"]


def test_resolve_by_a_department_user_and_close_only_with_the_informed_record(setup):
    org, dept, _other, clerk, _client, visit = setup
    fu = raise_(org, visit, dept)
    sv.followup_send(actor=org.users.cm, followup=fu)
    with pytest.raises(PermissionDenied):
        sv.followup_resolve(actor=org.users.cm_b, followup=fu, resolution="x")
    with pytest.raises(ValidationError) as exc:
        sv.followup_resolve(actor=clerk, followup=fu, resolution="")
    assert "resolution" in exc.value.message_dict
    sv.followup_resolve(actor=clerk, followup=fu, resolution="已联系银行，系统升级后恢复正常。")
    fu.refresh_from_db()
    assert fu.status == "resolved" and fu.resolved_at
    assert Notification.objects.filter(user=org.users.cm, url=fu.get_absolute_url()).exists()

    with pytest.raises(ValidationError) as exc:
        sv.followup_close(
            actor=org.users.cm, followup=fu, informed_on=None, informed_how="", informed_note=""
        )
    assert set(exc.value.message_dict) == {"informed_on", "informed_how", "informed_note"}
    with pytest.raises(ValidationError) as exc:
        sv.followup_close(
            actor=org.users.cm, followup=fu, informed_on=days(1), informed_how="phone", informed_note="已告知"
        )
    assert "informed_on" in exc.value.message_dict
    assert FollowUp.objects.get(pk=fu.pk).status == "resolved"
    with pytest.raises(PermissionDenied):
        sv.followup_close(
            actor=clerk, followup=fu, informed_on=days(0), informed_how="phone", informed_note="已告知"
        )
    sv.followup_close(
        actor=org.users.cm,
        followup=fu,
        informed_on=days(0),
        informed_how="phone",
        informed_note="电话告知客户已恢复",
    )
    fu.refresh_from_db()
    assert (fu.status, fu.informed_on, fu.informed_how) == ("closed", days(0), "phone")
    assert list(fu.events.values_list("kind", flat=True)) == ["created", "sent", "resolved", "closed"]


def test_closing_needs_a_result_first_and_reopen_starts_again(setup):
    org, dept, _other, clerk, _client, visit = setup
    fu = raise_(org, visit, dept)
    with pytest.raises(ValidationError):
        sv.followup_close(
            actor=org.users.cm, followup=fu, informed_on=days(0), informed_how="phone", informed_note="x"
        )
    with pytest.raises(ValidationError):
        sv.followup_reopen(actor=org.users.cm, followup=fu, note="x")  # still open
    sv.followup_send(actor=org.users.cm, followup=fu)
    sv.followup_resolve(actor=org.users.lead, followup=fu, resolution="已处理")  # the head may
    sv.followup_close(
        actor=org.users.lead, followup=fu, informed_on=days(0), informed_how="visit", informed_note="面告"
    )
    with pytest.raises(ValidationError) as exc:
        sv.followup_reopen(actor=org.users.cm, followup=fu, note="")
    assert "note" in exc.value.message_dict
    sv.followup_reopen(actor=org.users.cm, followup=fu, note="客户反映问题仍在")
    fu.refresh_from_db()
    assert (fu.status, fu.informed_on, fu.closed_at) == ("sent", None, None)
    assert Notification.objects.filter(user=clerk).count() == 2
    assert FollowUpEvent.objects.filter(followup=fu, kind="reopened").exists()


def test_a_matter_on_a_client_without_a_visit(setup):
    org, dept, _other, _clerk, client, _visit = setup
    fu = sv.followup_raise(
        actor=org.users.cm, client=client, category="account", matter="佣金调整", department=dept
    )
    assert fu.visit is None and fu.owner == org.staff.cm
    with pytest.raises(ValidationError) as exc:
        sv.followup_raise(actor=org.users.cm_peer, client=client, category="account", matter="佣金")
    assert "client" in exc.value.message_dict
