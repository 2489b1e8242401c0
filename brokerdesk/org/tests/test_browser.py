"""Page flows in a real Chromium: sign in through the form, search as you type, scope 404s,
a staff form with a wrong ID check digit, the language switch and the phone layout.

Each test builds the organisation itself (``build_org``) in the live server's database.
"""

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
from brokerdesk.org.models import Staff
from brokerdesk.org.tests.factories import PASSWORD, build_org, make_id_number

pytestmark = [pytest.mark.browser, skip_without_chromium]

MASKED_ID = re.compile(r"^\d{4}\*{10}[\dX]{4}$")


@pytest.fixture
def site(live_server):
    """The live server's address and a freshly built organisation (transactional db)."""
    return live_server.url, build_org()


def test_team_lead_finds_a_member_by_pinyin_initials(site, page):
    base, org = site
    login(page, base, org.users.lead.username, PASSWORD)

    page.locator("nav.mainnav").get_by_role("link", name="人员").click()
    page.wait_for_url(re.compile(r"/org/staff/$"))
    results = page.locator("#results")
    assert results.get_by_role("link", name="孙八").is_visible()  # same team, before the search

    search = page.get_by_role("searchbox")
    with page.expect_response(lambda r: "/org/staff/" in r.url and "q=zs" in r.url) as swap:
        search.press_sequentially("zs", delay=60)
    assert swap.value.request.headers.get("hx-request") == "true"
    assert swap.value.status == 200
    # htmx swapped only the results: the search box keeps its text and focus.
    page.wait_for_url(re.compile(r"[?&]q=zs"))
    assert search.input_value() == "zs"
    assert results.get_by_role("link", name="张三").is_visible()
    assert results.get_by_text("孙八").count() == 0
    assert results.get_by_text("李四").count() == 0  # another team, never in the lead's scope

    results.get_by_role("link", name="张三").click()
    page.wait_for_url(re.compile(rf"/org/staff/{org.staff.cm.pk}/$"))
    assert page.locator("h1").inner_text().startswith("张三")
    facts = page.locator("dl.facts").first
    assert facts.locator("dt", has_text="工号").locator("xpath=following-sibling::dd[1]").inner_text() == (
        "BJ0001"
    )
    shown_id = page.locator("#id-value").inner_text()
    assert MASKED_ID.match(shown_id), shown_id
    assert org.staff.cm.id_number not in page.content()


def test_client_manager_gets_404_for_another_managers_record(site, page):
    base, org = site
    login(page, base, org.users.cm.username, PASSWORD)
    other = org.staff.cm_b

    response = page.goto(f"{base}/org/staff/{other.pk}/")
    assert response.status == 404
    assert "李四" not in page.content()
    assert other.id_number not in page.content()

    response = page.goto(f"{base}/api/staff/{other.pk}/")
    assert response.status == 404
    assert "李四" not in page.content()

    # Their own record still opens, so the 404 is the scope, not a broken page.
    assert page.goto(f"{base}/org/staff/{org.staff.cm.pk}/").status == 200


def test_branch_manager_fixes_a_wrong_id_check_digit_then_reveals_it(site, page):
    base, org = site
    login(page, base, org.users.manager.username, PASSWORD)
    good_id = make_id_number(777, area="110105")
    wrong_id = good_id[:17] + ("1" if good_id[17] != "1" else "2")

    page.goto(f"{base}/org/staff/new/")
    page.locator("#id_emp_no").fill("BJ0777")
    page.locator("#id_name").fill("陈晨")
    page.locator("#id_gender").select_option("F")
    page.locator("#id_mobile").fill("13900001111")
    page.locator("#id_id_number").fill(wrong_id)
    page.locator("#id_employment_type").select_option("full_time")
    page.locator("#id_position").select_option("client_manager")
    page.locator("#id_status").select_option("probation")
    page.locator("#id_branch").select_option(str(org.branches.b1.pk))
    page.locator("#id_team").select_option(str(org.teams.a.pk))
    page.locator("#id_outlet").select_option(str(org.outlets.o1.pk))
    page.locator("#id_hired_on").fill("2026-03-02")
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="保存").click()
    assert nav.value.status == 400

    field = page.locator(".field.has-error", has=page.locator("#id_id_number"))
    error = field.locator("#id_id_number ~ p.error")
    assert error.is_visible()
    assert error.inner_text() == "身份证号码校验码不正确，请核对。"
    assert page.locator(".field.has-error").count() == 1  # only the ID number is wrong
    assert page.locator("#id_name").input_value() == "陈晨"  # what was typed is kept
    assert not Staff.objects.filter(emp_no="BJ0777").exists()

    page.locator("#id_id_number").fill(good_id)
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    created = Staff.objects.get(emp_no="BJ0777")
    page.wait_for_url(re.compile(rf"/org/staff/{created.pk}/$"))
    assert page.locator("h1").inner_text().startswith("陈晨")
    assert page.locator("ul.messages").is_visible()

    id_value = page.locator("#id-value")
    assert MASKED_ID.match(id_value.inner_text())
    id_row = page.locator("dd", has=id_value)
    with page.expect_response(lambda r: "/reveal/id_number/" in r.url) as reveal:
        id_row.get_by_role("button", name="显示").click()
    assert reveal.value.status == 200
    page.wait_for_function(
        "([sel, value]) => document.querySelector(sel).textContent === value", arg=["#id-value", good_id]
    )
    assert id_value.inner_text() == good_id


def test_language_switch_to_english_and_back(site, page):
    base, org = site
    login(page, base, org.users.lead.username, PASSWORD)
    nav = page.locator("nav.mainnav")
    assert nav.get_by_role("link", name="人员").is_visible()
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    with page.expect_navigation():
        page.locator("header").get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert nav.get_by_role("link", name="Staff", exact=True).is_visible()
    assert nav.get_by_role("link", name="Workbench").is_visible()
    assert nav.get_by_role("link", name="人员").count() == 0

    # The choice sticks while moving around.
    nav.get_by_role("link", name="Staff", exact=True).click()
    page.wait_for_url(re.compile(r"/org/staff/$"))
    assert page.locator("h1").inner_text() == "Staff"

    with page.expect_navigation():
        page.locator("header").get_by_role("button", name="中文").click()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "人员"
    assert nav.get_by_role("link", name="人员").is_visible()


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_phone_menu_stacked_cards_and_no_horizontal_scroll(site, page):
    base, org = site
    login(page, base, org.users.lead.username, PASSWORD)

    def no_sideways_scroll():
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{page.url} is {width}px wide"

    no_sideways_scroll()
    nav = page.locator("nav.mainnav")
    assert not nav.is_visible()
    page.locator("label.nav-burger[for=nav-toggle]").click()
    assert nav.is_visible()
    nav.get_by_role("link", name="人员").click()
    page.wait_for_url(re.compile(r"/org/staff/$"))
    assert not nav.is_visible()  # a new page starts with the menu closed

    table = page.locator("#results table.list")
    assert not table.locator("thead").is_visible()
    rows = table.locator("tbody tr")
    assert rows.count() >= 2
    assert rows.first.evaluate("tr => getComputedStyle(tr).display") == "block"
    first, second = rows.nth(0).bounding_box(), rows.nth(1).bounding_box()
    assert second["y"] >= first["y"] + first["height"]  # one card under the other
    assert first["width"] <= PHONE["width"]
    label = rows.first.locator("td").first.evaluate("td => getComputedStyle(td, '::before').content")
    assert "工号" in label  # each cell carries its column name
    no_sideways_scroll()

    rows.first.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/org/staff/\d+/$"))
    no_sideways_scroll()
