"""The monthly pay report in a real Chromium: the accountant reviews a computed run and sends it
for signing, then the accountant, the deputy and the manager sign in order through the
approvals inbox, and the run shows signed with its signatures."""

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
from brokerdesk.performance.models import PayRun
from brokerdesk.performance.tests.factories_report import make_run, office_user, sign_from_inbox

pytestmark = [pytest.mark.browser, skip_without_chromium]


@pytest.fixture
def site(live_server):
    org = build_org()
    office_user()
    run = make_run(org)
    return live_server.url, org, run


def test_review_submit_and_sign_in_order(site, new_page):
    base, org, run = site
    page = new_page()
    login(page, base, org.users.accountant.username, PASSWORD)
    page.goto(f"{base}/performance/runs/")
    with page.expect_navigation():
        page.locator(f"#run-{run.pk} a").first.click()
    assert page.locator("#report-table tbody tr").count() == 3
    assert "13,392.31" in page.locator("#report-total").inner_text()
    page.locator("#id_note").fill("已核对提成、开户奖励与考勤扣款")
    with page.expect_navigation():
        page.locator("#review-button").click()
    assert page.locator("#run-status [data-status]").get_attribute("data-status") == "reviewed"
    with page.expect_navigation():
        page.locator("#submit-button").click()
    assert page.locator("#run-status [data-status]").get_attribute("data-status") == "signing"
    run.refresh_from_db()

    # The deputy and the manager have nothing to sign before the accountant.
    for who in ("deputy", "manager"):
        other = new_page()
        login(other, base, who, PASSWORD)
        other.goto(f"{base}/approvals/")
        assert other.locator(f"a[href='/approvals/requests/{run.approval_id}/']").count() == 0

    # The accountant signs the first step from the report's own page.
    with page.expect_navigation():
        page.locator("#sign-link").click()
    page.locator("#decide input[name=decision][value=approve]").check()
    with page.expect_navigation():
        page.locator("#decide button[type=submit]").click()

    deputy = new_page(viewport=PHONE)
    login(deputy, base, "deputy", PASSWORD)
    sign_from_inbox(deputy, base, run)
    assert PayRun.objects.get(pk=run.pk).status == "signing"

    manager = new_page()
    login(manager, base, "manager", PASSWORD)
    sign_from_inbox(manager, base, run)

    manager.goto(f"{base}{run.get_absolute_url()}")
    assert manager.locator("#run-status [data-status]").get_attribute("data-status") == "signed"
    signatures = manager.locator("#signatures tbody").inner_text()
    assert "accountant" in signatures and "deputy" in signatures and "周九" in signatures
    assert manager.locator("#review-form").count() == 0
    run.refresh_from_db()
    assert run.status == "signed" and run.content_hash == run.fingerprint()
    assert manager.locator("#content-hash").inner_text() == run.content_hash
