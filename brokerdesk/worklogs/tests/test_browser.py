"""Work logs in a real Chromium: a client manager writes today's log on a phone; the lead
draws a spot-check and records a result with a comment; the client manager reads it."""

import re

import pytest

from brokerdesk.core.tests.browser import (  # noqa: F401 - fixtures used by name
    PHONE,
    browser_fixture,
    login,
    new_page_fixture,
    page_fixture,
    skip_without_chromium,
)
from brokerdesk.org.tests.factories import PASSWORD, build_org
from brokerdesk.worklogs.models import SpotCheckItem, WorkLog
from brokerdesk.worklogs.tests.helpers import days_ago, make_log

pytestmark = [pytest.mark.browser, skip_without_chromium]


@pytest.fixture
def site(live_server):
    return live_server.url, build_org()


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_client_manager_writes_todays_log_on_a_phone(site, page):
    base, org = site
    login(page, base, org.users.cm.username, PASSWORD)
    page.goto(f"{base}/worklogs/")
    page.locator("#write-today").click()
    page.wait_for_url(re.compile(r"/worklogs/write/$"))
    # The form fits a phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#id_work_done").fill("上午在金融街支行驻点，为三位客户讲解两融业务。")
    page.locator("#id_clients_contacted").fill("王先生：两融\n李女士：基金定投")
    page.locator("#id_tomorrow_plan").fill("回访李女士。")
    with page.expect_navigation():
        page.locator("#worklog-form button[type=submit]").click()
    assert page.url.endswith("/worklogs/")
    assert page.locator("#today-log").is_visible()
    log = WorkLog.objects.get(staff=org.staff.cm)
    assert log.clients_contacted.startswith("王先生")


def test_lead_spot_checks_and_the_client_manager_reads_the_comment(site, new_page):
    base, org = site
    for d in range(1, 4):
        make_log(org.staff.cm, days_ago(d))
    lead = new_page()
    login(lead, base, org.users.lead.username, PASSWORD)
    lead.goto(f"{base}/worklogs/spot-checks/new/")
    lead.locator("#id_team").select_option(str(org.teams.a.pk))
    lead.locator("#id_size").fill("1")
    with lead.expect_navigation():
        lead.locator("#check-form button[type=submit]").click()
    assert re.search(r"/worklogs/spot-checks/\d+/$", lead.url), lead.url
    item = SpotCheckItem.objects.get()
    card = lead.locator(f"#item-{item.pk}")
    assert card.locator("ul.reasons li").count() >= 1
    card.locator("input[name=result][value=fail]").check()
    card.locator("textarea[name=comment]").fill("未写明客户的具体需求。")
    with lead.expect_navigation():
        card.locator("button").click()
    assert "未写明客户的具体需求。" in lead.locator(f"#item-{item.pk}").inner_text()

    cm = new_page(viewport=PHONE)
    login(cm, base, org.users.cm.username, PASSWORD)
    cm.goto(f"{base}/worklogs/logs/{item.log_id}/")
    assert "未写明客户的具体需求。" in cm.locator("#check-result").inner_text()
