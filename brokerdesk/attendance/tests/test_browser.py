"""A client manager's working day in a real Chromium, through the pages only: a one-tap
check-in on a phone, a leave request (事假, two working days) that the team lead approves
from the approval inbox, the check-out in the evening, and the monthly sheet that shows
the day's mark and the leave.

The server's clock is set to a fixed working day (08:50 for the check-in, 17:35 for the
check-out) by patching ``django.utils.timezone.now``, which the live server's thread
shares. The marks then do not depend on the day or the hour the test runs: a day that is
checked in but not yet over stays blank on the sheet, a rest day shows 休 whatever happened.
"""

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from brokerdesk.attendance.models import DailyRecord, LeaveRequest, Workflow
from brokerdesk.attendance.rules import working_day
from brokerdesk.core.tests.browser import (  # noqa: F401 - fixtures used by name
    PHONE,
    browser_fixture,
    login,
    new_page_fixture,
    skip_without_chromium,
)
from brokerdesk.org.tests.factories import PASSWORD, build_org

pytestmark = [pytest.mark.browser, skip_without_chromium]


class Clock:
    """``timezone.now`` moved to a chosen local time, and ticking from there."""

    def __init__(self, real_now):
        self.real_now = real_now
        self.offset = dt.timedelta(0)

    def now(self) -> dt.datetime:
        return self.real_now() + self.offset

    def set(self, local: dt.datetime) -> None:
        self.offset = local - self.real_now()


@pytest.fixture
def clock(monkeypatch):
    c = Clock(timezone.now)
    monkeypatch.setattr(timezone, "now", c.now)
    return c


@pytest.fixture
def site(live_server):
    """The live server's address and the organisation, with the leave flow and leave types.

    The live server needs a transactional database, emptied after each test, so the data
    migration that creates attendance's flows and leave types is run again here.
    """
    migration = importlib.import_module(
        "brokerdesk.attendance.migrations.0002_attendance_flows_and_leave_types"
    )
    migration.create(django_apps, None)
    return live_server.url, build_org()


def a_working_day_then_two_more(start: dt.date) -> tuple[dt.date, list[dt.date]]:
    """The first working day from ``start`` whose next two working days fall in its month."""
    day = start
    for _ in range(120):
        if working_day(day)[0]:
            following, d = [], day
            while len(following) < 2:
                d += dt.timedelta(days=1)
                if working_day(d)[0]:
                    following.append(d)
            if all(f.month == day.month for f in following):
                return day, following
        day += dt.timedelta(days=1)
    raise AssertionError(f"no working day found after {start}")


def at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def test_check_in_on_a_phone_leave_approved_by_the_lead_and_both_on_the_sheet(site, clock, new_page):
    base, org = site
    day, (leave_from, leave_until) = a_working_day_then_two_more(timezone.localdate())
    clock.set(at(day, 8, 50))

    # --- the client manager checks in on a phone, with one tap ----------------------------
    phone = new_page(viewport=PHONE)
    login(phone, base, org.users.cm.username, PASSWORD)
    nav = phone.locator("nav.mainnav")
    phone.locator("label.nav-burger[for=nav-toggle]").click()
    nav.get_by_role("link", name="考勤", exact=True).click()
    phone.wait_for_url(re.compile(r"/attendance/$"))
    assert phone.locator("#check-in-time").inner_text() == "—"
    no_sideways_scroll(phone)
    with phone.expect_navigation():
        phone.locator("#check-in").click()
    phone.wait_for_url(re.compile(r"/attendance/$"))
    shown = phone.locator("#check-in-time").inner_text()
    assert re.fullmatch(r"08:5\d:\d\d", shown), shown
    assert "已于 08:5" in phone.locator("ul.messages").inner_text()
    assert phone.locator("#check-in").count() == 0  # a second tap is not offered
    assert phone.locator("#check-out").is_visible()
    no_sideways_scroll(phone)
    record = DailyRecord.objects.get(staff=org.staff.cm, day=day)
    assert timezone.localtime(record.check_in).strftime("%H:%M:%S") == shown

    # --- and asks for two days of personal leave ---------------------------------------------
    phone.get_by_role("link", name="请假", exact=True).last.click()
    phone.wait_for_url(re.compile(r"/attendance/leave/new/$"))
    phone.locator("#id_leave_type").select_option(label="事假")
    phone.locator("#id_starts_on").fill(leave_from.isoformat())
    phone.locator("#id_ends_on").fill(leave_until.isoformat())
    phone.locator("#id_reason").fill("家中有事")
    no_sideways_scroll(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存").click()
    leave = LeaveRequest.objects.get(staff=org.staff.cm)
    phone.wait_for_url(re.compile(rf"/attendance/leave/{leave.pk}/$"))
    assert "已提交审批" in phone.locator("ul.messages").inner_text()
    assert phone.locator("h1 .badge").inner_text() == "审批中"
    assert (leave.starts_on, leave.ends_on, leave.days, leave.is_late) == (leave_from, leave_until, 2, False)

    # --- the team lead approves it from the approval inbox ------------------------------------
    lead = new_page()
    login(lead, base, org.users.lead.username, PASSWORD)
    lead.locator("nav.mainnav a[href='/approvals/']").click()
    lead.wait_for_url(re.compile(r"/approvals/$"))
    lead.locator("table.list").get_by_role("link", name=leave.approval.title).click()
    lead.wait_for_url(re.compile(rf"/approvals/requests/{leave.approval_id}/$"))
    form = lead.locator("#decide")
    form.get_by_label("同意", exact=True).check()
    form.locator("#id_opinion").fill("同意，注意交接客户回访")
    with lead.expect_navigation():
        form.get_by_role("button", name="提交处理意见").click()
    assert "您的处理意见已记录" in lead.locator("ul.messages").inner_text()
    leave.refresh_from_db()
    assert leave.status == Workflow.APPROVED  # two days: the lead's step is the only one

    phone.reload()
    assert phone.locator("h1 .badge").inner_text() == "已批准"

    # --- the evening: the client manager checks out ------------------------------------------
    clock.set(at(day, 17, 35))
    phone.locator("label.nav-burger[for=nav-toggle]").click()
    nav.get_by_role("link", name="考勤", exact=True).click()
    phone.wait_for_url(re.compile(r"/attendance/$"))
    with phone.expect_navigation():
        phone.locator("#check-out").click()
    assert re.fullmatch(r"17:3\d:\d\d", phone.locator("#check-out-time").inner_text())
    assert phone.locator("#check-in-time").inner_text() == shown  # the morning's time stays

    # --- the lead's monthly sheet for team A shows the day and the leave ------------------------
    lead.locator("nav.mainnav").get_by_role("link", name="考勤", exact=True).click()
    lead.wait_for_url(re.compile(r"/attendance/$"))
    lead.locator("nav.subnav").get_by_role("link", name="月度考勤表").click()
    lead.wait_for_url(re.compile(r"/attendance/sheet/$"))
    lead.locator("#id_month").fill(f"{day:%Y-%m}")
    lead.locator("#id_team").select_option(str(org.teams.a.pk))
    with lead.expect_navigation():
        lead.get_by_role("button", name="显示").click()
    assert f"month={day:%Y-%m}" in lead.url and f"team={org.teams.a.pk}" in lead.url

    sheet = lead.locator("table.att-sheet")
    row = sheet.locator("tbody tr", has=lead.locator("th.sticky", has_text="张三"))
    assert row.count() == 1
    marks = row.locator("td.m")

    def mark(d: dt.date) -> str:
        return marks.nth(d.day - 1).inner_text()

    assert marks.count() == sheet.locator("thead th").count() - 1 - 10  # one cell per day
    assert mark(day) == "√"  # checked in before 9:00, out after 17:00
    assert mark(leave_from) == "事"  # the first character of 事假
    assert mark(leave_until) == "事"
    other = sheet.locator("tbody tr", has=lead.locator("th.sticky", has_text="孙八"))
    assert other.locator("td.m").nth(leave_from.day - 1).inner_text() != "事"  # only 张三 is away
    totals = row.locator("td.num")
    assert totals.nth(0).inner_text() == "1"  # 正常 (on time): the one day
    assert totals.nth(6).inner_text() == "2"  # 请假 (on leave): two days
