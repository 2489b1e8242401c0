"""The client registry in a real Chromium: a client manager on a phone finds the new-client
form, registers a client and sees its confirmation form's serial number; then finds the client
again by its pinyin initials with search-as-you-type."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from brokerdesk.clients.models import Client, ConfirmationForm
from brokerdesk.core.tests.browser import (  # noqa: F401 - fixtures used by name
    PHONE,
    browser_fixture,
    login,
    new_page_fixture,
    page_fixture,
    skip_without_chromium,
)
from brokerdesk.org.tests.factories import PASSWORD, build_org, make_id_number

pytestmark = [pytest.mark.browser, skip_without_chromium]


@pytest.fixture
def site(live_server):
    return live_server.url, build_org()


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_client_manager_registers_a_client_on_a_phone_and_sees_the_serial(site, page):
    base, org = site
    login(page, base, org.users.cm.username, PASSWORD)
    page.goto(f"{base}/clients/")
    page.locator("#new-client").click()
    page.wait_for_url(re.compile(r"/clients/new/$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#id_client_no").fill("660012345")
    page.locator("#id_name").fill("王大锤")
    page.locator("#id_id_number").fill(make_id_number(77, area="110102"))
    page.locator("#id_mobile").fill("13987654321")
    page.locator("#id_opened_on").fill((timezone.localdate() - dt.timedelta(days=2)).isoformat())
    page.locator("#id_source").select_option("referral")
    with page.expect_navigation():
        page.locator("#client-form button[type=submit]").click()
    client = Client.objects.get(client_no="660012345")
    assert page.url.endswith(f"/clients/{client.pk}/"), page.url
    serial = ConfirmationForm.objects.get(client=client).serial_no
    assert page.locator("#confirmations a.serial").inner_text() == serial
    assert "139****4321" in page.locator("#profile").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto(f"{base}/clients/")
    page.locator("#client-filters input[type=search]").fill("wdc")
    page.wait_for_url(re.compile(r"q=wdc"))
    assert "王大锤" in page.locator("#results").inner_text()
