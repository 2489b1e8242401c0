"""An appointment in a real Chromium: a client manager takes the call on a phone and passes it on
to 张三 as important; 张三 sees it waiting, acknowledges it, converts it into a client after the
account is opened, and lands on the client's page with its confirmation form's serial number."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from brokerdesk.clients.models import Client, Inquiry
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


def test_an_appointment_is_recorded_acknowledged_and_converted_into_a_client(site, new_page):
    base, org = site
    peer = new_page(viewport=PHONE)
    login(peer, base, org.users.cm_peer.username, PASSWORD)
    peer.goto(f"{base}/clients/inquiries/new/")
    assert peer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    peer.locator("input[name=kind][value=appointment]").check()
    peer.locator("#id_caller_name").fill("黄女士")
    peer.locator("#id_mobile").fill("13711112222")
    peer.locator("#id_topic").fill("预约周一上午开户")
    peer.locator("#id_important").check()
    peer.locator("#id_assigned_to").select_option(str(org.staff.cm.pk))
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    peer.locator("#id_appointment_at").fill(tomorrow.strftime("%Y-%m-%dT10:00"))
    peer.locator("#id_appointment_outlet").select_option(str(org.outlets.o1.pk))
    with peer.expect_navigation():
        peer.locator("#inquiry-form button[type=submit]").click()
    inquiry = Inquiry.objects.get()
    assert peer.url.endswith(f"/clients/inquiries/{inquiry.pk}/"), peer.url
    assert inquiry.important and inquiry.assigned_to == org.staff.cm

    cm = new_page()
    login(cm, base, org.users.cm.username, PASSWORD)
    cm.goto(f"{base}/clients/inquiries/")
    assert cm.locator("#waiting-count .n").inner_text() == "1"
    with cm.expect_navigation():
        cm.locator(f"#inquiry-{inquiry.pk} a").first.click()
    with cm.expect_navigation():
        cm.locator("#acknowledge").click()
    assert cm.locator("#acknowledged-at").inner_text().strip() not in ("", "—")
    with cm.expect_navigation():
        cm.locator("#convert").click()
    assert cm.locator("#id_name").input_value() == "黄女士"
    cm.locator("#id_client_no").fill("880012345")
    cm.locator("#id_id_number").fill(make_id_number(321))
    with cm.expect_navigation():
        cm.locator("#convert-form button[type=submit]").click()
    client = Client.objects.get()
    assert re.search(rf"/clients/{client.pk}/$", cm.url), cm.url
    month = timezone.localdate().replace(day=1)
    serial = f"QR-BJ01-{month:%Y%m}-0001"
    assert serial in cm.locator("#confirmations").inner_text()
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.CONVERTED and inquiry.client == client
    assert client.source == Client.Source.INQUIRY and client.manager == org.staff.cm
