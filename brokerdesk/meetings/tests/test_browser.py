"""Meetings in a real Chromium: a lead records today's morning meeting on a phone with one person
absent and finds it in the list; the branch manager's overview flags a team that missed meetings."""

import datetime as dt
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
from brokerdesk.meetings import rules
from brokerdesk.meetings.models import Meeting
from brokerdesk.meetings.tests.helpers import make_meeting
from brokerdesk.org.tests.factories import PASSWORD, build_org

pytestmark = [pytest.mark.browser, skip_without_chromium]


@pytest.fixture
def site(live_server):
    return live_server.url, build_org()


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_lead_records_a_morning_meeting_on_a_phone(site, page):
    base, org = site
    login(page, base, org.users.lead.username, PASSWORD)
    page.goto(f"{base}/meetings/")
    page.locator("#record-meeting").click()
    page.wait_for_url(re.compile(r"/meetings/new/"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for code in rules.agenda_codes("morning"):
        page.locator(f"#id_minutes_{code}").fill(f"{code}：今日要点")
    # Everyone is ticked present; 孙八 was absent.
    page.locator("label", has_text="孙八").locator("input[type=checkbox]").uncheck()
    page.locator("#id_decisions-0-text").fill("本周回访十位意向客户")
    page.locator("#id_decisions-0-owner").select_option(str(org.staff.cm.pk))
    with page.expect_navigation():
        page.locator("#meeting-form button[type=submit]").click()
    assert re.search(r"/meetings/\?team=\d+$", page.url), page.url
    meeting = Meeting.objects.get()
    assert {a.staff.name for a in meeting.attendance.all() if not a.present} == {"孙八"}
    row = page.locator("#meeting-table tbody tr").first
    assert "晨会" in row.inner_text() or "Morning" in row.inner_text()
    row.locator("a").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    assert "孙八" in page.locator("#attendance").inner_text()
    assert "本周回访十位意向客户" in page.locator("#decisions").inner_text()


def test_branch_overview_shows_a_team_that_missed_meetings(site, page):
    base, org = site
    start, end = dt.date(2026, 11, 2), dt.date(2026, 11, 8)
    for i in range(5):
        make_meeting(org.teams.a, start + dt.timedelta(days=i))
    make_meeting(org.teams.a, start + dt.timedelta(days=4), rules.WEEKLY)
    login(page, base, org.users.manager.username, PASSWORD)
    page.goto(f"{base}/meetings/missed/?start={start}&end={end}")
    flagged = page.locator(f"#overview-team-{org.teams.b.pk}")
    assert "flagged" in (flagged.get_attribute("class") or "")
    assert "11-02" in flagged.inner_text()
    ok = page.locator(f"#overview-team-{org.teams.a.pk}")
    assert "flagged" not in (ok.get_attribute("class") or "")
