"""Business statistics: rollups at every level within each reader's scope, totals, Excel export,
finance's review and notes, the API, and constant query counts."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from brokerdesk.performance import selectors_stats, services_stats
from brokerdesk.performance.models import StatReview
from brokerdesk.performance.tests.factories import make_import, make_stat
from brokerdesk.performance.tests.import_helpers import last_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def month_stats(org):
    s = org.staff
    imp1 = make_import(org.branches.b1, last_month(), org.users.accountant)
    imp2 = make_import(org.branches.b2, last_month(), org.users.accountant)
    make_stat(
        imp1,
        s.cm,
        new_accounts=2,
        clients_served=10,
        net_revenue=Decimal("1000.10"),
        total_assets=Decimal("500000"),
    )
    make_stat(
        imp1,
        s.cm_peer,
        new_accounts=1,
        clients_served=5,
        net_revenue=Decimal("200.20"),
        total_assets=Decimal("100000"),
    )
    make_stat(
        imp1,
        s.cm_b,
        new_accounts=0,
        clients_served=3,
        net_revenue=Decimal("30.03"),
        total_assets=Decimal("30000"),
    )
    make_stat(
        imp2,
        s.outsider,
        new_accounts=4,
        clients_served=7,
        net_revenue=Decimal("7.00"),
        total_assets=Decimal("7000"),
    )
    return imp1, imp2


def names(rows):
    return sorted(r.name for r in rows)


def test_each_reader_sees_their_scope(org, month_stats):
    m, u, s = last_month(), org.users, org.staff
    assert [r.staff_id for r in selectors_stats.stats_for(u.cm, m, "manager")] == [s.cm.pk]
    assert {r.staff_id for r in selectors_stats.stats_for(u.lead, m, "manager")} == {s.cm.pk, s.cm_peer.pk}
    assert {r.staff_id for r in selectors_stats.stats_for(u.rm, m, "manager")} == {s.cm.pk, s.cm_peer.pk}
    assert {r.staff_id for r in selectors_stats.stats_for(u.manager, m, "manager")} == {
        s.cm.pk,
        s.cm_peer.pk,
        s.cm_b.pk,
    }
    assert len(selectors_stats.stats_for(u.vp, m, "manager")) == 4
    assert selectors_stats.stats_for(u.outsider, m, "branch")[0].name == org.branches.b2.name
    assert selectors_stats.stats_for(u.sysadmin, m, "company") == []


def test_rollups_and_totals(org, month_stats):
    m = last_month()
    teams = {r.name: r for r in selectors_stats.stats_for(org.users.manager, m, "team")}
    a = teams[org.teams.a.name]
    assert a.managers == 2 and a.new_accounts == 3 and a.clients_served == 15
    assert a.net_revenue == Decimal("1200.30") and a.assets_per_client == Decimal("40000.00")
    company = selectors_stats.stats_for(org.users.vp, m, "company")
    assert len(company) == 1 and company[0].net_revenue == Decimal("1237.33") and company[0].managers == 4
    regions = selectors_stats.stats_for(org.users.vp, m, "region")
    assert names(regions) == sorted([org.regions.r1.name, org.regions.r2.name])
    rms = selectors_stats.stats_for(org.users.manager, m, "regional_manager")
    assert {r.name for r in rms} >= {org.staff.rm.name}
    total = selectors_stats.totals(selectors_stats.stats_for(org.users.vp, m, "branch"))
    assert total.net_revenue == Decimal("1237.33") and total.clients_served == 25


def test_stats_page_and_export(org, month_stats, client_for):
    web = client_for(org.users.manager)
    resp = web.get(reverse("performance:stats"), {"month": f"{last_month():%Y-%m}", "level": "team"})
    html = resp.content.decode()
    assert resp.status_code == 200 and org.teams.a.name in html and org.teams.c.name not in html
    assert 'id="stats-total"' in html and "¥1,230.33" in html
    xlsx = web.get(
        reverse("performance:stats-export"), {"month": f"{last_month():%Y-%m}", "level": "manager"}
    )
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in r] for r in ws.iter_rows()]
    assert len(values) == 1 + 3 + 1  # header, three managers, totals
    assert values[-1][6] == pytest.approx(1230.33)


def test_client_manager_page_shows_only_their_own_row(org, month_stats, client_for):
    html = client_for(org.users.cm).get(reverse("performance:stats")).content.decode()
    assert (
        org.staff.cm.name in html
        and org.staff.cm_peer.name not in html
        and org.staff.outsider.name not in html
    )
    assert 'id="note-form"' not in html


def test_finance_reviews_and_annotates(org, month_stats, client_for):
    web = client_for(org.users.accountant)
    m = f"{last_month():%Y-%m}"
    resp = web.post(
        reverse("performance:stats-note"),
        {"month": m, "branch": org.branches.b1.pk, "is_review": "on", "text": "已核对"},
    )
    assert resp.status_code == 302
    resp = web.post(
        reverse("performance:stats-note"),
        {"month": m, "branch": org.branches.b1.pk, "staff": org.staff.cm.pk, "text": "张三本月收入含冲回"},
    )
    assert resp.status_code == 302
    html = web.get(reverse("performance:stats"), {"month": m}).content.decode()
    assert "张三本月收入含冲回" in html and f'id="review-{org.branches.b1.pk}"' in html
    empty = web.post(reverse("performance:stats-note"), {"month": m, "branch": org.branches.b1.pk})
    assert empty.status_code == 400
    # a re-import after the review asks for a new one
    make_import(org.branches.b1, last_month(), org.users.accountant)
    state = selectors_stats.review_state(org.users.accountant, last_month())
    assert state and state[0]["review"] and not state[0]["current"]


def test_note_rules(org, month_stats):
    b1, m = org.branches.b1, last_month()
    with pytest.raises(PermissionDenied):
        services_stats.stat_note_add(actor=org.users.manager, branch=b1, month=m, text="x")
    with pytest.raises(PermissionDenied):
        services_stats.stat_note_add(actor=org.users.accountant, branch=org.branches.b2, month=m, text="x")
    with pytest.raises(ValidationError):
        services_stats.stat_note_add(
            actor=org.users.accountant, branch=b1, month=m, staff=org.staff.outsider, text="x"
        )
    from brokerdesk.performance.selectors import add_months

    with pytest.raises(ValidationError):
        services_stats.stat_note_add(actor=org.users.accountant, branch=b1, month=add_months(m, -5), text="x")
    note = services_stats.stat_note_add(actor=org.users.accountant, branch=b1, month=m, is_review=True)
    assert note.crm_import == month_stats[0]


def test_notes_are_not_seen_outside_pay_view(org, month_stats, client_for):
    services_stats.stat_note_add(
        actor=org.users.accountant, branch=org.branches.b1, month=last_month(), text="机密备注"
    )
    for who in ("cm", "lead", "outsider"):
        assert (
            "机密备注"
            not in client_for(getattr(org.users, who)).get(reverse("performance:stats")).content.decode()
        )
    assert "机密备注" in client_for(org.users.manager).get(reverse("performance:stats")).content.decode()


def test_statistics_api_and_notes_api(org, month_stats):
    c = APIClient()
    c.force_authenticate(org.users.lead)
    body = c.get(
        "/api/performance/statistics/", {"month": f"{last_month():%Y-%m}", "level": "manager"}
    ).json()
    assert {r["key"][0] for r in body["rows"]} == {org.staff.cm.pk, org.staff.cm_peer.pk}
    assert body["total"]["net_revenue"] == "1200.30"
    assert c.get("/api/performance/statistics/", {"level": "nonsense"}).status_code == 400
    assert c.post("/api/performance/stat-notes/", {}, format="json").status_code == 403
    acc = APIClient()
    acc.force_authenticate(org.users.accountant)
    resp = acc.post(
        "/api/performance/stat-notes/",
        {"month": f"{last_month():%Y-%m}", "branch": org.branches.b1.pk, "text": "ok", "is_review": True},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    assert acc.get("/api/performance/stat-notes/").json()["count"] == 1
    other = APIClient()
    other.force_authenticate(org.users.outsider)
    assert other.get("/api/performance/stat-notes/").json()["count"] == 0
    assert other.get(f"/api/performance/stat-notes/{resp.json()['id']}/").status_code == 404
    bad = acc.post(
        "/api/performance/stat-notes/",
        {"month": f"{last_month():%Y-%m}", "branch": org.branches.b2.pk, "text": "x"},
        format="json",
    )
    assert bad.status_code == 403
    assert StatReview.objects.count() == 1


def test_stats_page_query_count_is_constant(org, client_for):
    from brokerdesk.org.tests.factories import StaffFactory

    imp = make_import(org.branches.b1, last_month(), org.users.accountant)
    make_stat(imp, org.staff.cm, net_revenue=Decimal("1"))
    web = client_for(org.users.accountant)
    url = reverse("performance:stats")
    web.get(url)
    with CaptureQueriesContext(connection) as few:
        web.get(url)
    for i in range(12):
        person = StaffFactory(branch=org.branches.b1, team=org.teams.b, emp_no=f"QC{i:03d}")
        make_stat(imp, person, net_revenue=Decimal("2"))
        services_stats.stat_note_add(
            actor=org.users.accountant, branch=org.branches.b1, month=last_month(), staff=person, text=f"n{i}"
        )
    with CaptureQueriesContext(connection) as many:
        resp = web.get(url)
    assert resp.content.decode().count('class="stat-row"') == 13
    assert len(many.captured_queries) == len(few.captured_queries)
