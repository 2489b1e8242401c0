"""Assets in a real Chromium: the keeper registers a laptop and issues it to a client manager;
the manager, on a phone, finds it under their holdings."""

import pytest

from brokerdesk.assets.models_assets import Asset, LedgerLine
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


def test_keeper_registers_and_issues_and_the_manager_sees_it(site, new_page):
    base, org = site
    desk = new_page()
    login(desk, base, org.users.keeper.username, PASSWORD)
    desk.goto(f"{base}/assets/")
    with desk.expect_navigation():
        desk.locator("#new-asset").click()
    desk.locator("#id_category").select_option("computer")
    desk.locator("#id_tag").fill("BJ01-PC-0042")
    desk.locator("#id_description").fill("联想笔记本电脑")
    desk.locator("#id_spec").fill("ThinkPad T14")
    desk.locator("#id_unit").fill("台")
    desk.locator("#id_value").fill("6800.00")
    desk.locator("#id_acquired_on").fill("2026-03-02")
    desk.locator("#id_outlet").select_option(str(org.outlets.o1.pk))
    with desk.expect_navigation():
        desk.locator("#asset-form #save").click()
    asset = Asset.objects.get(tag="BJ01-PC-0042")
    assert desk.url.endswith(f"/assets/{asset.pk}/")
    assert desk.locator("#on-hand").inner_text().startswith("1")

    with desk.expect_navigation():
        desk.locator("#issue").click()
    # Issuing twice the single laptop is refused next to the field, nothing saved …
    desk.locator("#id_to_staff").select_option(str(org.staff.cm.pk))
    desk.locator("#id_quantity").evaluate("e => e.value = '2'")
    with desk.expect_navigation():
        desk.locator("#move-form #save").click()
    assert desk.locator("#move-form .error").count() >= 1
    assert LedgerLine.objects.filter(asset=asset).count() == 1
    # … and one is issued.
    desk.locator("#id_to_staff").select_option(str(org.staff.cm.pk))
    desk.locator("#id_quantity").evaluate("e => e.value = '1'")
    with desk.expect_navigation():
        desk.locator("#move-form #save").click()
    assert desk.url.endswith(f"/assets/{asset.pk}/")
    assert "张三" in desk.locator("#custodian").inner_text()
    assert desk.locator(f"#holders tr[data-staff='{org.staff.cm.pk}']").count() == 1

    phone = new_page(viewport=PHONE)
    login(phone, base, org.users.cm.username, PASSWORD)
    phone.goto(f"{base}/assets/")
    row = phone.locator(f"#asset-{asset.pk}")
    assert row.count() == 1 and "BJ01-PC-0042" in row.inner_text()
    assert row.locator(".mine").inner_text().startswith("1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with phone.expect_navigation():
        row.locator("a").first.click()
    assert phone.url.endswith(f"/assets/{asset.pk}/")
    assert phone.locator("#issue").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # A colleague does not see it.
    other = new_page(viewport=PHONE)
    login(other, base, org.users.cm_peer.username, PASSWORD)
    other.goto(f"{base}/assets/")
    assert other.locator(f"#asset-{asset.pk}").count() == 0
