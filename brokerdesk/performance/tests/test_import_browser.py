"""The CRM import in a real Chromium: the accountant uploads a month's file, sees the progress
bar complete and the reconciliation agree; on a phone the page fits the screen; then opens the
month's statistics."""

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
from brokerdesk.performance.models import CrmImport
from brokerdesk.performance.tests.import_helpers import book, csv_bytes, last_month, row

pytestmark = [pytest.mark.browser, skip_without_chromium]


@pytest.fixture
def site(live_server):
    org = build_org()
    return live_server.url, org, book(org)


def test_accountant_imports_a_month_and_sees_it_reconciled(site, page, tmp_path, new_page):
    base, org, c = site
    path = tmp_path / "crm-month.csv"
    path.write_bytes(
        csv_bytes(
            [
                row(c.a1, org.staff.cm.emp_no, "1000.00", "50000", "60000"),
                row(c.a2, org.staff.cm.emp_no, "234.56", "1000", "2000"),
                row(c.p1, org.staff.cm_peer.emp_no, "99.99", "10", "20"),
            ]
        )
    )
    login(page, base, org.users.accountant.username, PASSWORD)
    page.goto(f"{base}/performance/imports/")
    page.locator("#new-import").click()
    page.wait_for_url(re.compile(r"/imports/new/$"))
    page.locator("#id_month").fill(f"{last_month():%Y-%m}")
    page.locator("#id_file").set_input_files(str(path))
    with page.expect_navigation():
        page.locator("#import-form button[type=submit]").click()
    imp = CrmImport.objects.get()
    assert page.url.endswith(f"/imports/{imp.pk}/"), page.url
    assert page.locator("#import-bar").get_attribute("value") == "100"
    assert page.locator("#import-progress").get_attribute("data-status") == "done"
    rec = page.locator("#reconciliation")
    assert "¥1,334.55" in rec.inner_text()
    assert rec.locator(".badge.rejected").count() == 0 and rec.locator(".badge.approved").count() == 5
    assert page.locator("#rows-imported").inner_text() == "3"

    phone = new_page(viewport=PHONE)
    login(phone, base, org.users.accountant.username, PASSWORD)
    phone.goto(f"{base}/performance/imports/{imp.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.locator("a", has_text="本月统计").or_(
        page.locator("a", has_text="Statistics of the month")
    ).first.click()
    page.wait_for_url(re.compile(r"/statistics/"))
    assert "¥1,234.56" in page.locator("#stats-table").inner_text()
