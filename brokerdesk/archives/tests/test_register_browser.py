"""The archive register in a real Chromium: the trade-management post files two documents of
last month (one with a scanned copy), finds one by its serial number with search-as-you-type,
closes the month from its batch, and sees the edit of a closed month's entry refused; the
register page fits a phone."""

import pytest

from brokerdesk.archives.models_register import RegisterBatch, RegisterEntry
from brokerdesk.archives.tests.factories import PDF, last_month
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
    return live_server.url, build_org()


def _file(page, base, *, kind, title, cabinet, scan=None):
    page.goto(f"{base}/archives/new/")
    page.locator("#id_kind").select_option(kind)
    page.locator("#id_month").fill(f"{last_month():%Y-%m}")
    page.locator("#id_title").fill(title)
    page.locator("#id_cabinet").fill(cabinet)
    page.locator("#id_folder").fill("月报夹")
    if scan:
        page.locator("#id_scan").set_input_files(scan)
    with page.expect_navigation():
        page.locator("#file-submit").click()
    return page.locator("#serial").inner_text()


def test_file_search_close_and_the_edit_is_refused(site, new_page, tmp_path):
    base, org = site
    month = last_month()
    desk = new_page()
    login(desk, base, org.users.trade.username, PASSWORD)

    # A bad filing first: the fields say what is missing, nothing is saved.
    desk.goto(f"{base}/archives/new/")
    with desk.expect_navigation():
        desk.locator("#file-submit").click()
    assert desk.locator("#entry-form .has-error #id_title").count() == 1
    assert desk.locator("#entry-form .has-error #id_cabinet").count() == 1
    assert not RegisterEntry.objects.exists()

    scan = tmp_path / "薪酬月报.pdf"
    scan.write_bytes(PDF)
    first = _file(desk, base, kind="pay_report", title="上月客户经理薪酬月报", cabinet="柜1", scan=str(scan))
    assert desk.locator("#download-scan").count() == 1
    second = _file(desk, base, kind="minutes", title="上月月度总结会会议纪要", cabinet="柜2")
    assert first == f"XC-BJ01-{month:%Y%m}-0001"
    assert second == f"JY-BJ01-{month:%Y%m}-0001"

    # Search by serial number: typing swaps the results (htmx) and the URL follows.
    desk.goto(f"{base}/archives/")
    assert desk.locator("#register-table tbody tr[data-serial]").count() == 2
    desk.locator("#id_serial").fill(first.lower())
    desk.wait_for_function("document.querySelectorAll('#register-table tbody tr[data-serial]').length === 1")
    assert desk.locator("#register-table tbody tr[data-serial]").get_attribute("data-serial") == first
    assert "serial=" in desk.url
    with desk.expect_navigation():
        desk.locator("#register-table a.serial").click()
    entry = RegisterEntry.objects.get(serial_no=first)
    assert desk.url.endswith(f"/archives/{entry.pk}/")

    # Close the month from its batch; the printable index lists both entries.
    with desk.expect_navigation():
        desk.locator("#batch-link").click()
    assert desk.locator("#batch-entries tbody tr").count() == 2
    desk.locator("#id_note").fill("上月资料已整理归档")
    with desk.expect_navigation():
        desk.locator("#close-submit").click()
    assert desk.locator("#batch-status").count() == 1
    batch = RegisterBatch.objects.get(branch=org.branches.b1, month=month)
    assert batch.closed and batch.closed_by == org.users.trade
    printed = new_page()
    login(printed, base, org.users.trade.username, PASSWORD)
    printed.goto(f"{base}/archives/batches/{batch.pk}/print/")
    assert printed.locator("#index-table tbody tr").count() == 2

    # The entry no longer changes: the edit page says why, and the detail offers a correction.
    desk.goto(f"{base}/archives/{entry.pk}/")
    assert desk.locator("#edit").count() == 0
    assert desk.locator("#closed-note").is_visible()
    desk.goto(f"{base}/archives/{entry.pk}/edit/")
    assert desk.locator("#edit-refused").is_visible()
    assert desk.locator("#edit-submit").count() == 0
    assert desk.locator("#id_title").is_disabled()
    desk.goto(f"{base}/archives/{entry.pk}/")
    with desk.expect_navigation():
        desk.locator("#file-correction").click()
    assert desk.locator("#id_corrects").input_value() == first
    desk.locator("#id_title").fill("上月薪酬月报（更正）")
    desk.locator("#id_cabinet").fill("柜1")
    with desk.expect_navigation():
        desk.locator("#file-submit").click()
    correction = RegisterEntry.objects.get(corrects=entry)
    assert desk.locator("#corrects-link").inner_text() == first
    assert correction.month > month
    entry.refresh_from_db()
    assert entry.title == "上月客户经理薪酬月报"


def test_the_register_fits_a_phone(site, new_page):
    base, org = site
    from brokerdesk.archives.tests.factories import file_entry

    for i in range(3):
        file_entry(org, title=f"营销团队业务月报（业务开展数据及分析说明、人员变动、人员工资薪酬报表）{i}")
    phone = new_page(viewport=PHONE)
    login(phone, base, org.users.manager.username, PASSWORD)
    phone.goto(f"{base}/archives/")
    assert phone.locator("#register-table tbody tr[data-serial]").count() == 3
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.goto(f"{base}/archives/{RegisterEntry.objects.first().pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
