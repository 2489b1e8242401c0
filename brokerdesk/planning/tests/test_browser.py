"""The annual plan's whole life in a real Chromium, through the pages only: the team lead
drafts and submits the plan, head office walks it along 第四条's route (with one return for
revision and a resubmission from the request page), the lead decomposes the approved targets
(first with a total that does not add up), actuals are entered for a month, and the progress
page marks who is behind.

Every person signs in through the login form in a browser context of their own.
"""

import importlib
import re
from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from brokerdesk.access.roles import Role
from brokerdesk.approvals.models import Request
from brokerdesk.core.tests.browser import (  # noqa: F401 - fixtures used by name
    browser_fixture,
    login,
    new_page_fixture,
    skip_without_chromium,
)
from brokerdesk.org.models import Department
from brokerdesk.org.tests.factories import PASSWORD, build_org
from brokerdesk.org.tests.factories import login as make_login
from brokerdesk.planning.models import AnnualPlan, MonthlyActual, PlanStatus, TargetShare

pytestmark = [pytest.mark.browser, skip_without_chromium]

YEAR = 2026
METRICS = ("new_accounts", "asset_growth", "net_revenue", "product_sales")
# Each quarter, 张三 and 孙八 get the same part; 钱七 (the regional manager) gets nothing.
QUARTER_PART = {
    "new_accounts": "5",
    "asset_growth": "500000",
    "net_revenue": "100000",
    "product_sales": "150000",
}


@pytest.fixture
def site(live_server):
    """The live server's address and the organisation with head office's approvers.

    The live server needs a transactional database, which is emptied after each test, so
    the default approval flows of the data migration are put back here when missing.
    """
    flows = importlib.import_module("brokerdesk.approvals.migrations.0002_default_flows")
    flows.create_flows(django_apps, None)
    org = build_org()
    compliance = Department.objects.create(kind=Department.Kind.COMPLIANCE, name="合规部")
    finance = Department.objects.create(kind=Department.Kind.FINANCE, name="计划财务部")
    org.users.office = make_login("office", Role.INTEGRATED_OFFICE)
    org.users.compliance = make_login("compliance", Role.COUNTERSIGN_DEPT, department=compliance)
    org.users.finance = make_login("finance", Role.COUNTERSIGN_DEPT, department=finance)
    return live_server.url, org


def expect_page(page, pattern: str) -> None:
    page.wait_for_url(re.compile(pattern))
    page.wait_for_load_state("domcontentloaded")


def message(page) -> str:
    return page.locator("ul.messages").inner_text()


def decide(page, base: str, title: str, decision: str, opinion: str = "", departments=()) -> None:
    """From the approver's inbox: open the request, decide, and land back in the inbox."""
    page.goto(f"{base}/approvals/")
    page.locator("table.list").get_by_role("link", name=title).click()
    expect_page(page, r"/approvals/requests/\d+/$")
    form = page.locator("#decide")
    form.get_by_label(decision, exact=True).check()
    if opinion:
        form.locator("#id_opinion").fill(opinion)
    for name in departments:
        form.get_by_label(name, exact=True).check()
    with page.expect_navigation():
        form.get_by_role("button", name="提交处理意见").click()
    assert page.url.endswith("/approvals/"), page.url
    assert "您的处理意见已记录" in message(page)


def fill_decomposition(page, people, part=QUARTER_PART, overrides=None) -> None:
    overrides = overrides or {}
    for person in people:
        for period in (1, 2, 3, 4):
            for m in METRICS:
                name = f"{m}-{person.pk}-{period}"
                page.locator(f"input[name='{name}']").fill(overrides.get(name, part[m]))


def test_plan_from_draft_through_return_and_approval_to_progress(site, new_page):
    base, org = site
    team = org.teams.a
    zhang, sun = org.staff.cm, org.staff.cm_peer

    pages = {}

    def as_user(key):
        """The page of a person, signed in through the login form the first time."""
        if key not in pages:
            pages[key] = new_page()
            login(pages[key], base, getattr(org.users, key).username, PASSWORD)
        return pages[key]

    # --- the team lead drafts the plan and submits it ------------------------------------
    lead = as_user("lead")
    lead.locator("nav.mainnav").get_by_role("link", name="工作计划").click()
    expect_page(lead, r"/planning/$")
    lead.get_by_role("link", name="新建年度计划").click()
    expect_page(lead, r"/planning/plans/new/$")
    lead.locator("#id_team").select_option(str(team.pk))
    lead.locator("#id_year").fill(str(YEAR))
    lead.locator("#id_split_by").select_option("quarter")
    lead.locator("#id_target_new_accounts").fill("40")
    lead.locator("#id_target_asset_growth").fill("4000000")
    lead.locator("#id_target_net_revenue").fill("800000")
    lead.locator("#id_target_product_sales").fill("1200000")
    lead.locator("#id_marketing_plan").fill("依托工商银行网点驻点营销，每月两场投资者教育活动。")
    with lead.expect_navigation():
        lead.get_by_role("button", name="保存").click()
    plan = AnnualPlan.objects.get(team=team, year=YEAR)
    expect_page(lead, rf"/planning/plans/{plan.pk}/$")
    assert lead.locator("h1 .badge").inner_text() == "草稿"
    with lead.expect_navigation():
        lead.get_by_role("button", name="提交审批").click()
    assert lead.locator("h1 .badge").inner_text() == "审批中"
    plan.refresh_from_db()
    title = plan.approval.title

    # --- office accepts; channel management returns it with an opinion ---------------------
    decide(as_user("office"), base, title, "同意", "已受理")
    channel = as_user("channel")
    decide(channel, base, title, "退回修改", "请补充与合作银行的具体合作方案")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED

    # --- the lead revises the plan and resubmits it from the request page ------------------
    lead.goto(f"{base}/planning/plans/{plan.pk}/")
    assert lead.locator("h1 .badge").inner_text() == "退回修改"
    lead.locator(".page-head").get_by_role("link", name="编辑").click()
    expect_page(lead, rf"/planning/plans/{plan.pk}/edit/$")
    lead.locator("#id_bank_cooperation_plan").fill(
        "与工商银行金融街支行签订年度合作方案：驻点、转介、联合沙龙。"
    )
    with lead.expect_navigation():
        lead.get_by_role("button", name="保存").click()
    expect_page(lead, rf"/planning/plans/{plan.pk}/$")
    lead.get_by_role("link", name="修改后重新提交").click()
    expect_page(lead, rf"/approvals/requests/{plan.approval_id}/$")
    trail = lead.locator("ol.timeline")
    assert "请补充与合作银行的具体合作方案" in trail.inner_text()  # the return's opinion
    with lead.expect_navigation():
        lead.get_by_role("button", name="重新提交").click()
    assert "申请已重新提交" in message(lead)
    assert lead.locator("h1 .badge").inner_text() == "审批中"

    # --- the whole route: office, channel naming compliance, compliance, office, vp, office --
    decide(as_user("office"), base, title, "同意", "已受理")
    decide(channel, base, title, "同意", "请合规部会签", departments=["合规部"])
    assert list(
        Request.objects.get(pk=plan.approval_id).countersign_departments.values_list("name", flat=True)
    ) == ["合规部"]
    assert as_user("finance").goto(f"{base}/approvals/").ok
    assert pages["finance"].locator("table.list").get_by_role("link", name=title).count() == 0
    decide(as_user("compliance"), base, title, "同意", "合规无意见")
    decide(as_user("office"), base, title, "同意", "已完成报备")
    decide(as_user("vp"), base, title, "同意", "同意执行")
    decide(as_user("office"), base, title, "同意", "会签意见已反馈")

    lead.goto(f"{base}/planning/plans/{plan.pk}/")
    assert lead.locator("h1 .badge").inner_text() == "已批准"
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.bank_cooperation_plan.startswith("与工商银行")

    # --- decomposition: a wrong total first, then one that adds up ---------------------------
    lead.get_by_role("link", name="分解目标").click()
    expect_page(lead, rf"/planning/plans/{plan.pk}/decompose/$")
    wrong = f"net_revenue-{sun.pk}-4"
    fill_decomposition(lead, [zhang, sun], overrides={wrong: "90000"})
    with lead.expect_navigation() as nav:
        lead.get_by_role("button", name="保存分解").click()
    assert nav.value.status == 400
    alert = lead.locator(".errors[role=alert]")
    assert alert.is_visible()
    text = alert.inner_text()
    assert "净收入" in text and "790000.00" in text and "800000.00" in text and "少 10000.00" in text, text
    assert "新开户数" not in text  # the other metrics add up
    assert lead.locator(f"input[name='{wrong}']").input_value() == "90000"  # kept as typed
    assert not TargetShare.objects.exists()

    lead.locator(f"input[name='{wrong}']").fill("100000")
    with lead.expect_navigation():
        lead.get_by_role("button", name="保存分解").click()
    expect_page(lead, rf"/planning/plans/{plan.pk}/$")
    assert "目标已分解" in message(lead)
    shares = TargetShare.objects.filter(plan=plan)
    assert sum(s.new_accounts for s in shares) == 40
    assert sum(s.net_revenue for s in shares) == Decimal("800000.00")
    assert {s.staff_id for s in shares} == {zhang.pk, sun.pk}

    # --- actuals for March: 张三 ahead of his Q1 targets, 孙八 behind -------------------------
    lead.goto(f"{base}/planning/actuals/?month={YEAR}-03&team={team.pk}")
    figures = {
        zhang: {
            "new_accounts": "6",
            "asset_growth": "600000",
            "net_revenue": "120000",
            "product_sales": "160000",
        },
        sun: {
            "new_accounts": "2",
            "asset_growth": "100000",
            "net_revenue": "20000",
            "product_sales": "30000",
        },
    }
    for person, values in figures.items():
        for m, value in values.items():
            lead.locator(f"input[name='{m}-{person.pk}']").fill(value)
    with lead.expect_navigation():
        lead.get_by_role("button", name="保存").click()
    assert "已保存 3 人的数据" in message(lead)
    assert MonthlyActual.objects.get(staff=sun).new_accounts == 2

    # --- progress per person marks who is behind ----------------------------------------------
    lead.goto(f"{base}/planning/progress/?level=person&year={YEAR}&month=3")
    table = lead.locator("table.progress")
    rows = table.locator("tbody tr")
    assert rows.count() == 3  # 张三 and 孙八 with targets, 钱七 with (zero) actuals

    def row_of(name):
        return table.locator("tbody tr", has=lead.get_by_role("link", name=name, exact=True))

    assert "behind" in (row_of("孙八").get_attribute("class") or "")
    assert row_of("孙八").locator(".badge", has_text="落后").is_visible()
    assert row_of("孙八").locator("td.behind-cell").count() == 4
    assert "behind" not in (row_of("张三").get_attribute("class") or "")
    assert row_of("张三").locator(".badge", has_text="落后").count() == 0
    assert "6 / 5.0" in row_of("张三").inner_text()
    assert row_of("钱七").locator(".badge", has_text="落后").count() == 0

    # The client manager sees only their own row; signing out ends the session.
    zhang_page = as_user("cm")
    zhang_page.goto(f"{base}/planning/progress/?level=person&year={YEAR}&month=3")
    assert zhang_page.locator("table.progress tbody tr").count() == 1
    assert "孙八" not in zhang_page.locator("table.progress").inner_text()
    with zhang_page.expect_navigation():
        zhang_page.locator("header").get_by_role("button", name="退出").click()
    zhang_page.goto(f"{base}/planning/progress/")
    assert "/login/" in zhang_page.url
