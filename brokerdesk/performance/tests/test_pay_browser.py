"""Pay in a real Chromium: finance drafts a scheme (a gap between brackets comes back next to the
field, then it is fixed); once the month is computed, a client manager on a phone opens "My
pay" and their slip and reads why their commission is what it is."""

from decimal import Decimal

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
from brokerdesk.performance import services_pay as svc
from brokerdesk.performance.models import PayScheme, PaySlip
from brokerdesk.performance.tests.factories_pay import SEPTEMBER, month_ready

pytestmark = [pytest.mark.browser, skip_without_chromium]


@pytest.fixture
def site(live_server):
    return live_server.url, build_org()


def test_finance_drafts_a_scheme_and_a_manager_reads_their_breakdown_on_a_phone(site, new_page):
    base, org = site
    desk = new_page()
    login(desk, base, org.users.accountant.username, PASSWORD)
    desk.goto(f"{base}/performance/schemes/new/")
    desk.locator("#id_name").fill("金融街营业部客户经理薪酬标准")
    desk.locator("#id_effective_from").fill("2026-07")
    desk.locator("#id_asset_rate").fill("0.0002")
    desk.locator("#id_brackets-0-lower").fill("0")
    desk.locator("#id_brackets-0-upper").fill("50000")
    desk.locator("#id_brackets-0-rate").fill("0.10")
    desk.locator("#id_brackets-1-lower").fill("60000")  # a gap from 50,000 to 60,000
    desk.locator("#id_brackets-1-rate").fill("0.15")
    for i, amount in enumerate(("3000", "4000", "5500")):
        desk.locator(f"#id_base-{i}-amount").fill(amount)
    with desk.expect_navigation():
        desk.locator("#scheme-form button[type=submit]").click()
    error = desk.locator("#bracket-2 .error")
    assert "¥50,000.00" in error.inner_text() and "¥60,000.00" in error.inner_text()
    assert not PayScheme.objects.exists()
    desk.locator("#id_brackets-1-lower").fill("50000")
    with desk.expect_navigation():
        desk.locator("#scheme-form button[type=submit]").click()
    scheme = PayScheme.objects.get()
    assert desk.url.endswith(f"/performance/schemes/{scheme.pk}/")
    assert desk.locator("#scheme-status").inner_text() == "草稿"
    # (The approval route is tested with the services; here the scheme is taken as approved.)
    PayScheme.objects.filter(pk=scheme.pk).update(status=PayScheme.Status.APPROVED)
    month_ready(org, cm={"net_revenue": Decimal("66913.46"), "avg_assets": Decimal("2512325.00")})
    run = svc.run_compute(actor=org.users.accountant, branch=org.branches.b1, month=SEPTEMBER)
    slip = PaySlip.objects.get(run=run, staff=org.staff.cm)

    phone = new_page(viewport=PHONE)
    login(phone, base, org.users.cm.username, PASSWORD)
    phone.goto(f"{base}/performance/pay/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with phone.expect_navigation():
        phone.locator(f"#slip-{slip.pk} a").first.click()
    assert phone.url.endswith(f"/performance/pay/slips/{slip.pk}/")
    commission = phone.locator("#slip-lines tr[id^=line-commission]").inner_text()
    # 50,000.00 × 10 % + 16,913.46 × 15 % = 5,000.00 + 2,537.019 → ¥7,537.02
    assert "¥7,537.02" in commission and "2,537.019" in commission and "15%" in commission
    assert phone.locator("#slip-total").inner_text() == f"¥{slip.total:,.2f}"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
