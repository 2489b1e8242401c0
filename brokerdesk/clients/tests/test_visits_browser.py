"""Visits and follow-ups in a real Chromium: 张三 logs a visit on a phone and raises a matter;
after the client passes to 孙八, 孙八 plans a visit and is warned of 张三's; the lead verifies the
month with an opinion; the matter is sent, resolved by the department, refused to close without
the record of how the client was told, then closed with it."""

import datetime as dt

import pytest
from django.utils import timezone

from brokerdesk.access.roles import Role
from brokerdesk.clients import services
from brokerdesk.clients.models import FollowUp, Visit
from brokerdesk.clients.tests.factories import make_client
from brokerdesk.core.tests.browser import (  # noqa: F401 - fixtures used by name
    PHONE,
    browser_fixture,
    login,
    new_page_fixture,
    page_fixture,
    skip_without_chromium,
)
from brokerdesk.org.models import Department, Staff
from brokerdesk.org.tests.factories import PASSWORD, StaffFactory, build_org
from brokerdesk.org.tests.factories import login as make_login

pytestmark = [pytest.mark.browser, skip_without_chromium]


@pytest.fixture
def site(live_server):
    org = build_org()
    dept = Department.objects.create(
        branch=org.branches.b1, kind=Department.Kind.TRADE_MANAGEMENT, name="交易管理岗"
    )
    clerk = StaffFactory(
        name="吴十", branch=org.branches.b1, department=dept, position=Staff.Position.BACK_OFFICE
    )
    org.users.clerk = make_login("clerk", Role.CLIENT_MANAGER, clerk)
    return live_server.url, org, dept


def test_visit_overlap_verification_and_follow_up(site, new_page):
    base, org, dept = site
    today = timezone.localdate()
    client = make_client(org.users.cm, name="林先生", opened_on=today - dt.timedelta(days=90))

    # 张三 logs the visit on a phone and raises a matter the visit could not settle.
    cm = new_page(viewport=PHONE)
    login(cm, base, "cm", PASSWORD)
    cm.goto(f"{base}/clients/visits/new/?client={client.pk}")
    assert cm.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert cm.locator("#id_client").input_value() == str(client.pk)
    cm.locator("#id_content").fill("讲解两融业务；客户反映银证转账到账慢。")
    cm.locator("#id_opinions").fill("希望转账更快。")
    with cm.expect_navigation():
        cm.locator("#visit-form button[type=submit]").click()
    visit = Visit.objects.get(author=org.staff.cm)
    assert cm.url.endswith(f"/clients/visits/{visit.pk}/")
    raise_form = cm.locator("#raise-form")
    raise_form.locator("select[name=category]").select_option("trading")
    raise_form.locator("textarea[name=matter]").fill("银证转账到账慢，请交易管理岗核查。")
    raise_form.locator("select[name=department]").select_option(str(dept.pk))
    with cm.expect_navigation():
        raise_form.locator("button").click()
    fu = FollowUp.objects.get()
    assert cm.url.endswith(f"/clients/followups/{fu.pk}/")
    assert fu.owner == org.staff.cm

    # The client passes to 孙八, who plans a visit and is told 张三 visited yesterday.
    services.client_transfer(
        actor=org.users.manager, client=client, to=org.staff.cm_peer, note="客户经理调整"
    )
    peer = new_page()
    login(peer, base, "cm_peer", PASSWORD)
    peer.goto(f"{base}/clients/visits/new/?client={client.pk}")
    peer.locator("input[name=mode][value=plan]").check()
    assert not peer.locator("#id_content").is_visible()  # planning asks no log
    peer.locator("#id_planned_on").fill((today + dt.timedelta(days=2)).isoformat())
    peer.locator("#id_purpose").fill("交接后首次拜访")
    with peer.expect_navigation():
        peer.locator("#visit-form button[type=submit]").click()
    warning = peer.locator("#overlap-warning")
    assert warning.is_visible()
    assert (
        "张三" in warning.inner_text()
        and f"{today.year}年{today.month}月{today.day}日" in warning.inner_text()
    )
    assert not Visit.objects.filter(author=org.staff.cm_peer).exists()
    peer.locator("#id_acknowledge_overlap").check()
    with peer.expect_navigation():
        peer.locator("#visit-form button[type=submit]").click()
    planned = Visit.objects.get(author=org.staff.cm_peer)
    assert planned.status == "planned" and planned.overlap_acknowledged
    assert "张三" in peer.locator("#overlaps").inner_text()

    # The lead verifies the month: an opinion on 张三's log, sent from its row.
    lead = new_page()
    login(lead, base, "lead", PASSWORD)
    lead.goto(f"{base}/clients/visits/verify/")
    assert lead.locator("#count-unverified").inner_text() == "1"
    row = lead.locator(f"#verify-{visit.pk}")
    row.locator("textarea[name=opinion]").fill("记录完整，转账问题已督办。")
    row.locator("button").click()
    lead.locator(f"#verify-{visit.pk} .verification-opinion").wait_for()
    assert lead.locator("#count-verified").inner_text() == "1"
    assert lead.locator("#count-unverified").inner_text() == "0"
    visit.refresh_from_db()
    assert visit.verification_opinion == "记录完整，转账问题已督办。"
    assert visit.verified_by == org.users.lead

    # 张三 sends the matter; the department records its result.
    cm.goto(f"{base}/clients/followups/{fu.pk}/")
    with cm.expect_navigation():
        cm.locator("#send-form button").click()
    assert FollowUp.objects.get().status == "sent"
    clerk = new_page()
    login(clerk, base, "clerk", PASSWORD)
    clerk.goto(f"{base}/clients/followups/?tab=department")
    with clerk.expect_navigation():
        clerk.locator(f"#fu-{fu.pk} a").click()
    clerk.locator("#resolve-form textarea[name=resolution]").fill("银行系统升级导致延迟，已恢复。")
    with clerk.expect_navigation():
        clerk.locator("#resolve-form button").click()
    assert FollowUp.objects.get().status == "resolved"

    # Closing without saying when and how the client was told is refused; with it, it closes.
    cm.goto(f"{base}/clients/followups/{fu.pk}/")
    with cm.expect_navigation():
        cm.locator("#close-form button").click()
    assert cm.locator("#close-form .error").count() == 3
    assert FollowUp.objects.get().status == "resolved"
    cm.locator("#close-form input[name=informed_on]").fill(today.isoformat())
    cm.locator("#close-form select[name=informed_how]").select_option("phone")
    cm.locator("#close-form textarea[name=informed_note]").fill("电话告知林先生已恢复正常。")
    with cm.expect_navigation():
        cm.locator("#close-form button").click()
    fu.refresh_from_db()
    assert (fu.status, fu.informed_how) == ("closed", "phone")
    assert "电话告知林先生已恢复正常。" in cm.locator("#trail").inner_text()

    # The branch manager's quarterly report of this quarter counts the visit and the matter:
    # raised, resolved and closed.
    boss = new_page()
    login(boss, base, "manager", PASSWORD)
    boss.goto(f"{base}/clients/reports/quarterly/")
    total = boss.locator("#matters-by-category tbody tr").last.locator("td")
    assert [total.nth(i).inner_text().strip() for i in range(1, 5)] == ["1", "1", "1", "0"]
    assert "100.0%" in total.nth(5).inner_text()
