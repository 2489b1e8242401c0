"""The month end to end in a real Chromium (the issue's "done when"): finance imports the CRM
month, computes pay, reviews and sends the report for signing; the chief accountant, the
deputy and the manager sign in that order; a client manager opens their own breakdown on a
phone and cannot open a colleague's."""

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
from brokerdesk.performance.models import PayRun, PaySlip
from brokerdesk.performance.tests.factories import make_scheme
from brokerdesk.performance.tests.factories_report import sign_from_inbox
from brokerdesk.performance.tests.import_helpers import book, csv_bytes, last_month, row

pytestmark = [pytest.mark.browser, skip_without_chromium]


@pytest.fixture
def site(live_server, tmp_path):
    org = build_org()
    c = book(org)
    # Commission 10 % up to ¥100,000 and 15 % above; no base pay (levels not priced).
    make_scheme(org.branches.b1, org.users.manager, effective_from=last_month().replace(month=1))
    path = tmp_path / "crm.csv"
    path.write_bytes(
        csv_bytes(
            [
                row(c.a1, org.staff.cm.emp_no, "1000.00"),
                row(c.a2, org.staff.cm.emp_no, "234.56"),
                row(c.p1, org.staff.cm_peer.emp_no, "99.99"),
                row(c.b1, org.staff.cm_b.emp_no, "500.00"),
            ]
        )
    )
    return live_server.url, org, path


def test_finance_imports_computes_three_sign_in_order_and_the_manager_reads_their_pay(site, new_page):
    base, org, path = site
    finance = new_page()
    login(finance, base, org.users.accountant.username, PASSWORD)

    # 1. Import the month.
    finance.goto(f"{base}/performance/imports/new/")
    finance.locator("#id_month").fill(f"{last_month():%Y-%m}")
    finance.locator("#id_file").set_input_files(str(path))
    with finance.expect_navigation():
        finance.locator("#import-form button[type=submit]").click()
    assert finance.locator("#import-progress").get_attribute("data-status") == "done"
    assert finance.locator("#rows-imported").inner_text() == "4"

    # 2. Compute the branch's pay of the month.
    finance.goto(f"{base}/performance/runs/")
    with finance.expect_navigation():
        finance.locator("#compute-link").click()
    finance.locator("#id_branch").select_option(str(org.branches.b1.pk))
    finance.locator("#id_month").fill(f"{last_month():%Y-%m}")
    with finance.expect_navigation():
        finance.locator("#compute-button").click()
    run = PayRun.objects.get(branch=org.branches.b1, month=last_month())
    assert finance.url.endswith(run.get_absolute_url()), finance.url
    # 10 % of 1,234.56 for 张三 is 123.456 → ¥123.46 (half-up once for the component).
    assert "¥123.46" in finance.locator("#report-table").inner_text()

    # 3. Review, send for signing; the chief accountant signs first from the report's page.
    finance.locator("#id_note").fill("与CRM汇总核对一致")
    with finance.expect_navigation():
        finance.locator("#review-button").click()
    with finance.expect_navigation():
        finance.locator("#submit-button").click()
    run.refresh_from_db()
    assert run.status == PayRun.Status.SIGNING
    manager = new_page()
    login(manager, base, org.users.manager.username, PASSWORD)
    manager.goto(f"{base}/approvals/")
    assert manager.locator(f"a[href='/approvals/requests/{run.approval_id}/']").count() == 0  # not yet
    sign_from_inbox(finance, base, run)
    deputy = new_page(viewport=PHONE)
    login(deputy, base, org.users.deputy.username, PASSWORD)
    sign_from_inbox(deputy, base, run)
    sign_from_inbox(manager, base, run)
    run.refresh_from_db()
    assert run.status == PayRun.Status.SIGNED and run.content_hash == run.fingerprint()

    # 4. The client manager opens their own breakdown on a phone.
    cm = new_page(viewport=PHONE)
    login(cm, base, org.users.cm.username, PASSWORD)
    cm.goto(f"{base}/performance/pay/")
    slip = PaySlip.objects.get(run=run, staff=org.staff.cm)
    with cm.expect_navigation():
        cm.locator(f"#slip-{slip.pk} a").first.click()
    assert cm.url.endswith(slip.get_absolute_url()), cm.url
    lines = cm.locator("#slip-lines").inner_text()
    assert "¥1,234.56" in lines and "¥123.46" in lines
    assert slip.total == Decimal("123.46")
    assert cm.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    colleague = PaySlip.objects.get(run=run, staff=org.staff.cm_peer)
    response = cm.goto(f"{base}{colleague.get_absolute_url()}")
    assert response.status == 404
