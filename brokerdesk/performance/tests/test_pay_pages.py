"""Pay pages and API: "My pay" and the slip breakdown for the person, the branch for finance;
a colleague, the team lead and another branch get 404; adjustments; constant query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from brokerdesk.access.models import SensitiveAccess
from brokerdesk.access.roles import Role
from brokerdesk.org.tests.factories import StaffFactory, login
from brokerdesk.performance import services_pay as svc
from brokerdesk.performance.models import PayAdjustment, PayRun, PaySlip
from brokerdesk.performance.tests.factories import make_stat
from brokerdesk.performance.tests.factories_pay import AUGUST, SEPTEMBER, month_ready, scheme, sign

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def run(org):
    month_ready(
        org,
        cm={"net_revenue": D("166913.46"), "avg_assets": D("2512325.00")},
        cm_peer={"net_revenue": D("30500.00")},
    )
    scheme(org, asset_rate=D("0.0002"), holdback_rate=D("0.1"), holdback_release_revenue=D(100000))
    return svc.run_compute(actor=org.users.accountant, branch=org.branches.b1, month=SEPTEMBER)


def slip_of(run, staff) -> PaySlip:
    return PaySlip.objects.get(run=run, staff=staff)


def test_a_client_manager_reads_why_their_commission_is_what_it_is(org, client_for, run):
    web = client_for(org.users.cm)
    mine = web.get(reverse("performance:my-pay"))
    assert mine.status_code == 200
    slip = slip_of(run, org.staff.cm)
    assert f'id="slip-{slip.pk}"' in mine.content.decode()
    page = web.get(slip.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "¥23,382.69" in html  # the commission line
    assert "3,382.692" in html  # 16,913.46 × 20 %, before the one rounding
    assert "¥166,913.46" in html and "20%" in html
    assert "¥502.47" in html  # 2,512,325.00 × 0.02 %: 502.465 rounded half-up
    assert f"{slip.total:,.2f}" in html
    assert not SensitiveAccess.objects.exists()  # their own pay: no log row


@pytest.mark.parametrize("who", ["cm_peer", "lead", "rm", "cm_b", "outsider", "trade", "norole"])
def test_colleagues_the_lead_and_another_branch_cannot_open_a_slip(org, client_for, run, who):
    slip = slip_of(run, org.staff.cm)
    web = client_for(getattr(org.users, who))
    assert web.get(slip.get_absolute_url()).status_code == 404
    assert web.get(f"/api/performance/slips/{slip.pk}/").status_code == 404
    listed = web.get("/api/performance/slips/?format=json").json()["results"]
    assert slip.pk not in [s["id"] for s in listed]


@pytest.mark.parametrize("who", ["accountant", "manager", "deputy"])
def test_finance_and_the_branch_managers_see_the_branch_and_each_view_is_logged(org, client_for, run, who):
    slip = slip_of(run, org.staff.cm)
    web = client_for(getattr(org.users, who))
    assert web.get(slip.get_absolute_url()).status_code == 200
    listed = web.get("/api/performance/slips/?format=json").json()
    assert listed["count"] == PaySlip.objects.filter(run=run).count()
    assert SensitiveAccess.objects.filter(model="performance.PaySlip", object_id=str(slip.pk)).count() == 1


def test_another_branchs_finance_sees_nothing_of_this_branch(org, client_for, run):
    other = login("accountant_b2", Role.ACCOUNTANT, branch=org.branches.b2)
    web = client_for(other)
    slip = slip_of(run, org.staff.cm)
    assert web.get(slip.get_absolute_url()).status_code == 404
    assert web.get("/api/performance/slips/?format=json").json()["count"] == 0


def test_api_slip_has_lines_with_inputs_and_a_sentence_in_the_callers_language(org, client_for, run):
    web = client_for(org.users.cm)
    data = web.get("/api/performance/slips/?format=json").json()["results"]
    assert [s["staff"] for s in data] == [org.staff.cm.pk]
    lines = {line["component"]: line for line in data[0]["lines"]}
    assert lines["commission"]["amount"] == "23382.69"
    assert lines["commission"]["inputs"]["revenue"] == "166913.46"
    assert "¥166,913.46" in lines["commission"]["text"]
    assert D(data[0]["total"]) == sum(D(line["amount"]) for line in data[0]["lines"])


def test_my_pay_lists_only_my_own_slips_and_not_superseded_ones(org, client_for, run):
    again = svc.run_compute(actor=org.users.accountant, branch=org.branches.b1, month=SEPTEMBER)
    page = client_for(org.users.cm).get(reverse("performance:my-pay"))
    slips = list(page.context["page"])
    assert [s.run_id for s in slips] == [again.pk]
    assert all(s.staff_id == org.staff.cm.pk for s in slips)
    # The superseded computation is still there for the trail, marked as such.
    old = client_for(org.users.cm).get(slip_of(run, org.staff.cm).get_absolute_url())
    assert old.status_code == 200 and "superseded" in old.content.decode()


def test_adjustment_page_records_an_adjustment_with_its_reason(org, client_for):
    web = client_for(org.users.accountant)
    url = reverse("performance:adjustment-create")
    assert web.get(url).status_code == 200
    bad = web.post(
        url, {"branch": org.branches.b1.pk, "month": "2026-09", "staff": org.staff.cm.pk, "amount": "0"}
    )
    assert bad.status_code == 400 and not PayAdjustment.objects.exists()
    ok = web.post(
        url,
        {
            "branch": org.branches.b1.pk,
            "month": "2026-09",
            "staff": org.staff.cm.pk,
            "amount": "500.00",
            "reason": "补发交通补贴",
        },
    )
    assert ok.status_code == 302
    adjustment = PayAdjustment.objects.get()
    assert (adjustment.month, adjustment.amount) == (SEPTEMBER, D("500.00"))
    listing = web.get(reverse("performance:adjustment-list")).content.decode()
    assert "补发交通补贴" in listing


@pytest.mark.parametrize("who", ["cm", "lead", "manager"])
def test_adjustments_are_only_added_by_pay_run_holders(org, client_for, who):
    web = client_for(getattr(org.users, who))
    assert web.get(reverse("performance:adjustment-create")).status_code == 404
    resp = web.post(
        "/api/performance/adjustments/",
        {
            "branch": org.branches.b1.pk,
            "month": "2026-09-01",
            "staff": org.staff.cm.pk,
            "amount": "5",
            "reason": "x",
        },
    )
    assert resp.status_code == 403 and not PayAdjustment.objects.exists()


def test_adjustments_api_refuses_zero_and_a_missing_reason_with_field_errors(org, client_for):
    web = client_for(org.users.accountant)
    resp = web.post(
        "/api/performance/adjustments/",
        {
            "branch": org.branches.b1.pk,
            "month": "2026-09-01",
            "staff": org.staff.cm.pk,
            "amount": "0",
            "reason": "",
        },
    )
    assert resp.status_code == 400 and set(resp.json()) == {"amount", "reason"}
    resp = web.post(
        "/api/performance/adjustments/",
        {
            "branch": org.branches.b1.pk,
            "month": "2026-09-01",
            "staff": org.staff.cm.pk,
            "amount": "-12.50",
            "reason": "扣回",
        },
    )
    assert resp.status_code == 201 and resp.json()["amount"] == "-12.50"


def test_adjustments_are_seen_by_their_person_and_finance_only(org, client_for):
    svc.adjustment_add(
        actor=org.users.accountant,
        branch=org.branches.b1,
        month=SEPTEMBER,
        staff=org.staff.cm,
        amount=D(10),
        reason="补贴",
    )
    assert client_for(org.users.cm).get("/api/performance/adjustments/").json()["count"] == 1
    for who in ("cm_peer", "lead", "outsider"):
        assert client_for(getattr(org.users, who)).get("/api/performance/adjustments/").json()["count"] == 0
    assert client_for(org.users.manager).get("/api/performance/adjustments/").json()["count"] == 1


def _more_months(org, n_people):
    """More people with slips in more months: lists must not grow in queries."""
    people = [
        StaffFactory(branch=org.branches.b1, team=org.teams.b, level=org.levels[1]) for _ in range(n_people)
    ]
    for month in (AUGUST, dt.date(2026, 7, 1)):
        imp, _ = month_ready(org, month, cm={"net_revenue": D(1000)})
        for p in people:
            make_stat(imp, p, net_revenue=D(500))
        sign(svc.run_compute(actor=org.users.accountant, branch=org.branches.b1, month=month))
    for p in people:
        svc.adjustment_add(
            actor=org.users.accountant, branch=org.branches.b1, month=AUGUST, staff=p, amount=D(1), reason="r"
        )


PAGES = [
    "/performance/pay/",
    "/performance/pay/adjustments/",
    "/performance/schemes/",
    "/api/performance/slips/?format=json",
    "/api/performance/adjustments/?format=json",
    "/api/performance/schemes/?format=json",
]


@pytest.mark.parametrize("who", ["cm", "accountant"])
def test_pay_lists_run_the_same_queries_with_few_or_many_rows(org, client_for, run, who):
    web = client_for(getattr(org.users, who))
    svc.adjustment_add(
        actor=org.users.accountant,
        branch=org.branches.b1,
        month=SEPTEMBER,
        staff=org.staff.cm,
        amount=D(1),
        reason="r",
    )

    def counts():
        web.get(PAGES[0])
        found = {}
        for url in PAGES:
            with CaptureQueriesContext(connection) as ctx:
                assert web.get(url).status_code == 200, url
            found[url] = len(ctx.captured_queries)
        return found

    few = counts()
    _more_months(org, 6)
    assert PayRun.objects.filter(status=PayRun.Status.SIGNED).count() == 2
    assert counts() == few


def test_slip_detail_query_count_does_not_grow_with_lines(org, client_for, run):
    web = client_for(org.users.cm)
    slip = slip_of(run, org.staff.cm)
    with CaptureQueriesContext(connection) as ctx:
        web.get(slip.get_absolute_url())
    assert len(ctx.captured_queries) < 20
