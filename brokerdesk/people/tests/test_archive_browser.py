"""The personnel archive in a real Chromium (第二十五条): a client manager on a phone opens
their own file from the section's page, downloads their own photo, and cannot open a
colleague's file by its URL (404); HR uploads a document on a desktop and the designated
person verifies the original."""

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
from brokerdesk.people import services_archive as services
from brokerdesk.people.models_archive import ArchiveDocument, DocumentDownload
from brokerdesk.people.tests.test_archive_fixtures import PDF, give_contract, png

pytestmark = [pytest.mark.browser, skip_without_chromium]


@pytest.fixture
def site(live_server):
    return live_server.url, build_org()


def test_client_manager_opens_own_file_but_not_a_colleagues(site, new_page):
    base, org = site
    photo = services.document_upload(actor=org.users.hr, staff=org.staff.cm, slot="photo", upload=png())
    give_contract(org.users.hr, org.staff.cm)
    phone = new_page(viewport=PHONE)
    login(phone, base, org.users.cm.username, PASSWORD)
    phone.goto(f"{base}/people/")
    with phone.expect_navigation():
        phone.locator("[data-testid=own-file]").click()
    assert phone.url.endswith(f"/people/staff/{org.staff.cm.pk}/")
    assert phone.locator("#file-head").get_attribute("data-staff") == str(org.staff.cm.pk)
    assert phone.locator(f"tr[data-document='{photo.pk}']").is_visible()
    # Their own file is read-only to them: no upload, no contract button, no verify.
    assert phone.locator("[data-testid=upload-link]").count() == 0
    assert phone.locator("[data-testid=contract-create]").count() == 0
    assert phone.locator("[data-testid=verify]").count() == 0
    # Missing documents are shown on the file.
    assert phone.locator("tr.missing[data-slot=resume] [data-flag=missing]").is_visible()
    with phone.expect_download() as dl:
        phone.locator(f"tr[data-document='{photo.pk}'] [data-testid=download]").click()
    assert dl.value.suggested_filename == "photo.png"
    assert DocumentDownload.objects.filter(document=photo, user=org.users.cm).count() == 1
    # The page fits a phone: nothing wider than the screen.
    width = phone.evaluate("document.documentElement.scrollWidth")
    wide = phone.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > 391)
            .slice(0, 12)
            .map(e => e.textContent + " < " + e.parentElement.tagName)"""
    )
    assert width <= PHONE["width"] + 1, (width, wide)
    # A colleague's file (same team) and another branch's answer 404, and nothing leaks.
    for other in (org.staff.cm_peer, org.staff.outsider):
        response = phone.goto(f"{base}/people/staff/{other.pk}/")
        assert response.status == 404
        assert other.name not in phone.content()
    response = phone.goto(f"{base}/people/staff/")
    assert phone.locator("#file-table tbody tr[data-staff]").count() == 1
    assert phone.locator(f"#file-table tr[data-staff='{org.staff.cm.pk}']").count() == 1


def test_hr_uploads_and_the_designated_person_verifies(site, new_page, tmp_path):
    base, org = site
    desk = new_page()
    login(desk, base, org.users.trade.username, PASSWORD)
    desk.goto(f"{base}/people/staff/{org.staff.cm.pk}/")
    with desk.expect_navigation():
        desk.locator("tr.missing[data-slot=diploma] a").click()
    exe = tmp_path / "diploma.pdf"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 64)
    desk.locator("#id_file").set_input_files(str(exe))
    with desk.expect_navigation():
        desk.locator("[data-testid=submit]").click()
    assert desk.locator(".field.has-error #id_file").count() == 1
    assert not ArchiveDocument.objects.exists()
    good = tmp_path / "diploma-scan.pdf"
    good.write_bytes(PDF)
    desk.locator("#id_file").set_input_files(str(good))
    with desk.expect_navigation():
        desk.locator("[data-testid=submit]").click()
    doc = ArchiveDocument.objects.get(slot="diploma")
    row = desk.locator(f"tr[data-document='{doc.pk}']")
    assert row.locator("[data-flag=unverified]").is_visible()
    with desk.expect_navigation():
        row.locator("[data-testid=verify]").click()
    desk.locator("#id_note").fill("原件已核对")
    with desk.expect_navigation():
        desk.locator("[data-testid=submit]").click()
    doc.refresh_from_db()
    assert doc.verified_by == org.users.trade
    assert desk.locator(f"tr[data-document='{doc.pk}'] [data-flag=unverified]").count() == 0
