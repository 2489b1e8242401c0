"""In a real Chromium: an asset is issued, then handed over on transfer, and the transfer is
blocked until the whole checklist (assets, clients, follow-ups) is done.

The keeper issues a laptop to 张三 through the ledger page. The trade post tries to transfer
张三 to team B: refused. It starts the transfer handover from 张三's staff page; completing
it is refused while lines are open. 张三 (on a phone) says the laptop goes to 孙八 and
confirms handing it over; 孙八 (on a phone) finds it waiting and confirms receiving it, then
accepts the follow-up the trade post passed to them. The trade post reassigns the client
(new manager, date, client told), finance acknowledges the pay position, and completing the
handover performs the transfer.
"""

import datetime as dt

import pytest
from django.utils import timezone

from brokerdesk.assets.models_handover import Handover, HandoverLine
from brokerdesk.assets.tests.factories_assets import register
from brokerdesk.clients.tests.factories import make_client, make_followup
from brokerdesk.core.tests.browser import (  # noqa: F401 - fixtures used by name
    PHONE,
    browser_fixture,
    login,
    new_page_fixture,
    page_fixture,
    skip_without_chromium,
)
from brokerdesk.org.models import Staff
from brokerdesk.org.tests.factories import PASSWORD, build_org

pytestmark = [pytest.mark.browser, skip_without_chromium]


@pytest.fixture
def site(live_server):
    return live_server.url, build_org()


def _submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_an_asset_is_issued_then_handed_over_on_transfer_and_the_transfer_waits_for_the_checklist(
    site, new_page
):
    base, org = site
    cm, peer = org.staff.cm, org.staff.cm_peer
    laptop = register(org)
    client = make_client(org.users.cm, name="陈客户")
    followup = make_followup(org, client, due_on=timezone.localdate() + dt.timedelta(days=5))
    today = timezone.localdate().isoformat()
    effective = (timezone.localdate() + dt.timedelta(days=7)).isoformat()

    # The keeper issues the laptop to 张三 through the ledger page.
    keeper = new_page()
    login(keeper, base, org.users.keeper.username, PASSWORD)
    keeper.goto(f"{base}/assets/{laptop.pk}/move/?kind=issue")
    keeper.locator("#id_to_staff").select_option(str(cm.pk))
    keeper.locator("#id_reason").fill("领用")
    _submit(keeper, "#move-form button[type=submit]")
    laptop.refresh_from_db()
    assert laptop.custodian_id == cm.pk

    # The trade post tries the transfer directly: refused, nothing changes.
    desk = new_page()
    login(desk, base, org.users.trade.username, PASSWORD)

    def try_transfer():
        desk.goto(f"{base}/org/staff/{cm.pk}/transfer/")
        desk.locator("#id_team").select_option(str(org.teams.b.pk))
        desk.locator("#id_starts_on").fill(effective)
        desk.locator("#id_reason").fill("调往二部")
        _submit(desk, "form.form button[type=submit]")
        assert desk.locator(".errors").first.is_visible()
        assert Staff.objects.get(pk=cm.pk).team_id == org.teams.a.pk

    try_transfer()

    # It starts the transfer handover from 张三's staff page.
    desk.goto(f"{base}/org/staff/{cm.pk}/")
    with desk.expect_navigation():
        desk.locator("#start-transfer").click()
    desk.locator("#id_effective_on").fill(effective)
    desk.locator("#id_reason").fill("调往金融街二部")
    desk.locator("#id_to_branch").select_option(str(org.branches.b1.pk))
    desk.locator("#id_to_team").select_option(str(org.teams.b.pk))
    _submit(desk, "#start-form button[type=submit]")
    handover = Handover.objects.get(staff=cm)
    assert desk.url.endswith(f"/assets/handovers/{handover.pk}/")
    lines = {ln.kind: ln for ln in handover.lines.all()}
    assert set(lines) == {"asset", "client", "followup", "pay"}
    asset_line, client_line, fu_line, pay_line = (lines[k] for k in ("asset", "client", "followup", "pay"))
    assert desk.locator("#blocking").is_visible()

    # Completing is refused while lines are open; so is the transfer on the org page.
    _submit(desk, "#complete-form button")
    assert desk.locator("#complete-errors").is_visible()
    assert handover.__class__.objects.get(pk=handover.pk).status == "open"
    try_transfer()

    # 张三, on a phone, passes the laptop to 孙八 and confirms handing it over.
    person = new_page(viewport=PHONE)
    login(person, base, org.users.cm.username, PASSWORD)
    person.goto(f"{base}/assets/handovers/{handover.pk}/")
    _fits(person, PHONE["width"])
    form = person.locator(f"#assign-{asset_line.pk}")
    form.locator(f"input[name=l{asset_line.pk}-disposition][value=pass]").check()
    form.locator(f"select[name=l{asset_line.pk}-receiver]").select_option(str(peer.pk))
    _submit(person, f"#assign-{asset_line.pk} button")
    _submit(person, f"#give-{asset_line.pk} button")
    assert person.locator(f"#line-{asset_line.pk} .giver").inner_text() != "—"
    assert person.locator(f"#receive-{asset_line.pk}").count() == 0  # not their side

    # The trade post passes the follow-up to 孙八.
    desk.goto(f"{base}/assets/handovers/{handover.pk}/")
    desk.locator(f"#assign-{fu_line.pk} select[name=l{fu_line.pk}-receiver]").select_option(str(peer.pk))
    _submit(desk, f"#assign-{fu_line.pk} button")

    # 孙八, on a phone, finds both waiting and confirms them.
    receiver = new_page(viewport=PHONE)
    login(receiver, base, org.users.cm_peer.username, PASSWORD)
    receiver.goto(f"{base}/assets/handovers/")
    assert receiver.locator(f"#waiting-{asset_line.pk}").is_visible()
    with receiver.expect_navigation():
        receiver.locator(f"#waiting-{asset_line.pk} a").click()
    _fits(receiver, PHONE["width"])
    assert receiver.locator(f"#line-{client_line.pk}").count() == 0  # not addressed to them
    _submit(receiver, f"#receive-{asset_line.pk} button")
    _submit(receiver, f"#receive-{fu_line.pk} button")
    laptop.refresh_from_db()
    followup.refresh_from_db()
    assert laptop.custodian_id == peer.pk and followup.owner_id == peer.pk

    # Still blocked: the client and the pay line are open.
    desk.goto(f"{base}/assets/handovers/{handover.pk}/")
    assert desk.locator("#blocking").is_visible()

    # The trade post reassigns the client: new manager, date, and the client was told.
    form = desk.locator(f"#reassign-{client_line.pk}")
    form.locator(f"select[name=l{client_line.pk}-to]").select_option(str(peer.pk))
    form.locator(f"input[name=l{client_line.pk}-effective_on]").fill(today)
    form.locator(f"input[name=l{client_line.pk}-notified_on]").fill(today)
    form.locator(f"select[name=l{client_line.pk}-notified_how]").select_option("phone")
    _submit(desk, f"#reassign-{client_line.pk} button")
    assert desk.locator(f"#line-{client_line.pk}").get_attribute("data-status") == "done"

    # Finance acknowledges the pay position.
    finance = new_page()
    login(finance, base, org.users.accountant.username, PASSWORD)
    finance.goto(f"{base}/assets/handovers/{handover.pk}/")
    finance.locator(f"#acknowledge-{pay_line.pk} input[name=l{pay_line.pk}-note]").fill("无欠薪，无暂扣")
    _submit(finance, f"#acknowledge-{pay_line.pk} button")

    # Every line done: completing performs the transfer.
    desk.goto(f"{base}/assets/handovers/{handover.pk}/")
    assert desk.locator("#ready").is_visible()
    assert HandoverLine.objects.filter(handover=handover, status="open").count() == 0
    _submit(desk, "#complete-form button")
    assert desk.locator("#handover-status").get_attribute("data-status") == "completed"
    assert desk.locator("#signed").is_visible()
    assert desk.locator("#complete-form").count() == 0
    moved = Staff.objects.get(pk=cm.pk)
    assert moved.team_id == org.teams.b.pk
    desk.goto(f"{base}/org/staff/{cm.pk}/")
    desk.locator("#handover-panel").wait_for()  # the panel comes by htmx after the page
    assert desk.locator("#handover-panel .badge.completed").is_visible()
