"""The quarterly visit report in a real Chromium: the branch manager opens last quarter's
report on a phone, reads the figures and writes the head's analysis."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from brokerdesk.clients.models import Client, QuarterReport, Tier, Visit
from brokerdesk.clients.tests.factories import make_client
from brokerdesk.core.tests.browser import (  # noqa: F401 - fixtures used by name
    PHONE,
    browser_fixture,
    login,
    new_page_fixture,
    page_fixture,
    skip_without_chromium,
)
from brokerdesk.org.tests.factories import PASSWORD, build_org

pytestmark = [pytest.mark.browser, skip_without_chromium]


@pytest.fixture
def site(live_server):
    org = build_org()
    gold, _created = Tier.objects.get_or_create(
        code="gold",
        defaults={"name": "黄金客户", "rank": 2, "min_assets": Decimal("3000000"), "visit_every_days": 60},
    )
    c = make_client(org.users.cm, name="达标客户", opened_on=dt.date(2026, 5, 4))
    Client.objects.filter(pk=c.pk).update(tier=gold, tier_manual=True, tier_reason="测试")
    for day, form in ((dt.date(2026, 7, 5), "on_site"), (dt.date(2026, 8, 25), "phone")):
        Visit.objects.create(
            client=c,
            author=org.staff.cm,
            branch=org.branches.b1,
            team=org.teams.a,
            status="done",
            visited_on=day,
            form=form,
            created_by=org.users.cm,
        )
    return live_server.url, org


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_branch_manager_reads_the_report_and_writes_the_analysis(site, page):
    base, org = site
    login(page, base, org.users.manager.username, PASSWORD)
    page.goto(f"{base}/clients/reports/quarterly/")
    page.locator("#id_year").fill("2026")
    page.locator("#id_quarter").select_option("3")
    with page.expect_navigation():
        page.locator("#report-filters button").click()
    assert "quarter=3" in page.url
    assert page.locator("#report-tiles .tile .n").first.inner_text() == "2"
    assert "100.0%" in page.locator("#coverage").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#id_analysis").fill("三季度黄金客户走访全部达标，继续保持。")
    with page.expect_navigation():
        page.locator("#save-analysis").click()
    assert re.search(r"branch=\d+", page.url)
    assert page.locator("#id_analysis").input_value() == "三季度黄金客户走访全部达标，继续保持。"
    report = QuarterReport.objects.get(branch=org.branches.b1, year=2026, quarter=3)
    assert report.updated_by == org.users.manager
    # The Excel export is offered for the same quarter and branch.
    href = page.locator("#report-export").get_attribute("href")
    assert "quarter=3" in href and f"branch={org.branches.b1.pk}" in href
