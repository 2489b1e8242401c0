"""Assessment in a real Chromium: the team lead marks 张三's first quarter on a phone (htmx,
the scores move in place), the branch manager confirms it, the level moves up from 1 April,
and 张三 finds the change in "My assessments" and in the level history."""

import datetime as dt
from decimal import Decimal as D

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
from brokerdesk.org.tests.factories import PASSWORD, build_org
from brokerdesk.performance import services_assess as services
from brokerdesk.performance.models import Assessment, AssessmentPolicy, LevelChange
from brokerdesk.performance.tests.factories_assess import Q1, approved_plan, import_months, make_stat, share

pytestmark = [pytest.mark.browser, skip_without_chromium]


@pytest.fixture
def site(live_server):
    org = build_org()
    imports = import_months(org.branches.b1, Q1, 3, org.users.accountant)
    plan = approved_plan(org.teams.a, org.users.lead)
    for m in (1, 2, 3):
        share(plan, org.staff.cm, m, new_accounts=2, net_revenue="10000", asset_growth="100000")
    for imp in imports:
        make_stat(
            imp,
            org.staff.cm,
            new_accounts=2,
            net_revenue=D("10000"),
            total_assets=D("100000") * imp.month.month,
        )
    AssessmentPolicy.objects.update(promote_from=D(60), demote_below=D(30))
    services.assess_period(actor=org.users.manager, branch=org.branches.b1, period="quarter", starts_on=Q1)
    return live_server.url, org, Assessment.objects.get(staff=org.staff.cm, period="quarter")


def test_lead_marks_manager_confirms_and_the_level_moves(site, new_page):
    base, org, a = site
    detail = f"{base}/performance/assessments/{a.pk}/"

    # The lead marks on a phone; the scores change in place without a reload.
    lead = new_page(viewport=PHONE)
    login(lead, base, "lead", PASSWORD)
    lead.goto(detail)
    assert lead.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    before = lead.locator("#duty-score").inner_text()
    score = lead.locator("#lead-form input[type=number]")
    score.fill("101")
    lead.locator("#lead-save").click()
    lead.locator("#lead-form .error").wait_for()  # out of range: said next to the field
    assert lead.locator("#duty-score").inner_text() == before
    lead.locator("#lead-form input[type=number]").fill("95")
    lead.locator("#id_comment").fill("客户服务规范，晨会发言积极。")
    lead.locator("#lead-save").click()
    lead.locator("#lead .msg-success").wait_for()
    assert lead.locator("#duty-score").inner_text() != before
    assert lead.url == detail
    assert not lead.locator("#confirm-form").count()  # the lead marks, the branch confirms

    # The branch manager confirms; the level moves up from the first day of the next quarter.
    manager = new_page()
    login(manager, base, "manager", PASSWORD)
    manager.goto(detail)
    # (The manager may mark too: the lead's comment is in the form.)
    assert manager.locator("#id_comment").input_value() == "客户服务规范，晨会发言积极。"
    manager.on("dialog", lambda dialog: dialog.accept())
    with manager.expect_navigation():
        manager.locator("#confirm-button").click()
    manager.locator("#level-change").wait_for()
    assert "中级" in manager.locator("#level-change").inner_text()
    assert not manager.locator("#confirm-form").count()
    change = LevelChange.objects.get(assessment=a)
    assert (change.previous.name, change.level.name, change.effective_from) == (
        "初级",
        "中级",
        dt.date(2026, 4, 1),
    )
    assert Staff.objects.get(pk=org.staff.cm.pk).level.name == "中级"

    manager.goto(f"{base}/performance/levels/{org.staff.cm.pk}/")
    row = manager.locator(f"#change-{change.pk}")
    assert "中级" in row.inner_text() and "初级" in row.inner_text()

    # 张三 reads it in their own file.
    cm = new_page(viewport=PHONE)
    login(cm, base, "cm", PASSWORD)
    cm.goto(f"{base}/performance/assessments/mine/")
    assert cm.locator("#current-level").inner_text() == "中级"
    assert cm.locator(f"#change-{change.pk}").count() == 1
    assert cm.locator(f"#assessment-{a.pk}").count() == 1
