"""The quarterly visit report: counts, coverage against the standard, matters, scope, the
head's analysis, the Excel export, the API, and a constant number of queries."""

import datetime as dt
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from brokerdesk.clients import reports
from brokerdesk.clients.models import Client, FollowUp, QuarterReport, Tier, Visit, VisitOverlap
from brokerdesk.clients.tests.factories import make_client
from brokerdesk.org.models import Department

pytestmark = pytest.mark.django_db

Y, Q = 2026, 3  # 2026-07-01 .. 2026-09-30 (today is later)
OPENED = dt.date(2026, 5, 4)
URL = reverse("clients:quarter-report")
API = reverse("api-clients-quarter-report")
AUG1 = dt.date(2026, 8, 1)


def _visit(org, client, author, day, *, form="on_site", status="done", team=None):
    return Visit.objects.create(
        client=client,
        author=author,
        branch=author.branch,
        team=team if team is not None else author.team,
        status=status,
        visited_on=day if status == "done" else None,
        planned_on=day if status == "planned" else None,
        form=form,
        created_by=org.users.manager,
    )


def _followup(
    org, client, owner, *, status="open", due=dt.date(2026, 8, 1), created=dt.date(2026, 7, 10), **kw
):
    extra = {}
    if status == "closed":
        extra = {"informed_on": dt.date(2026, 8, 20), "informed_how": "phone"}
    f = FollowUp.objects.create(
        client=client,
        owner=owner,
        branch=owner.branch,
        category=kw.pop("category", "service"),
        matter="转账慢",
        due_on=due,
        status=status,
        created_by=org.users.manager,
        **extra,
        **kw,
    )
    at = timezone.make_aware(dt.datetime.combine(created, dt.time(10)))
    FollowUp.objects.filter(pk=f.pk).update(created_at=at)
    return f


@pytest.fixture
def data(org):
    gold = Tier.objects.get(code="gold")  # a visit every 60 days: 2 in a quarter
    c1 = make_client(org.users.cm, name="达标客户", opened_on=OPENED)
    c2 = make_client(org.users.cm_peer, name="未达标客户", opened_on=OPENED)
    c3 = make_client(org.users.cm_b, name="普通客户", opened_on=OPENED)
    c_out = make_client(org.users.outsider, name="外部客户", opened_on=OPENED)
    Client.objects.filter(pk__in=[c1.pk, c2.pk, c_out.pk]).update(
        tier=gold, tier_manual=True, tier_reason="测试"
    )
    Client.objects.filter(pk=c3.pk).update(tier=None)
    s = org.staff
    v1 = _visit(org, c1, s.cm, dt.date(2026, 7, 5))
    v2 = _visit(org, c1, s.cm, dt.date(2026, 8, 25), form="phone")
    _visit(org, c2, s.cm_peer, dt.date(2026, 9, 30), form="event")
    _visit(org, c3, s.cm_b, dt.date(2026, 7, 1), form="phone")
    _visit(org, c_out, s.outsider, dt.date(2026, 8, 1))
    # Not in the report: planned, before the quarter, after it, cancelled.
    _visit(org, c1, s.cm, dt.date(2026, 9, 1), status="planned")
    _visit(org, c2, s.cm_peer, dt.date(2026, 6, 30))
    _visit(org, c2, s.cm_peer, dt.date(2026, 10, 1))
    VisitOverlap.objects.create(visit=v2, other=v1, days_apart=51)
    dept = Department.objects.create(branch=org.branches.b1, kind=Department.Kind.OTHER, name="综合部")
    _followup(org, c1, s.cm, status="open", due=dt.date(2026, 8, 1), department=dept)  # overdue
    _followup(
        org, c1, s.cm, status="sent", due=dt.date(2026, 10, 5), department=dept
    )  # due after the quarter
    _followup(org, c2, s.cm_peer, status="resolved", category="product")
    _followup(org, c2, s.cm_peer, status="closed", category="product")
    _followup(org, c3, s.cm_b, status="sent", due=dt.date(2026, 9, 29), category="complaint")  # overdue
    _followup(org, c1, s.cm, status="open", created=dt.date(2026, 6, 30))  # raised before the quarter
    _followup(org, c_out, s.outsider, status="open")  # other branch
    return {"c1": c1, "c2": c2, "c3": c3, "c_out": c_out, "gold": gold, "dept": dept}


def _cat(fig, key):
    return next(r for r in fig.matters_by_category if r.key == key)


def test_branch_figures_for_the_branch_manager(org, data):
    fig = reports.quarter_figures(org.users.manager, year=Y, quarter=Q, branch=org.branches.b1)
    assert fig.visits_total == 4  # the other branch's visit is not counted
    assert fig.by_form == {"on_site": 1, "phone": 2, "event": 1}
    tiers = {(t.code if t else None): (counts, total) for t, counts, total in fig.by_tier}
    assert tiers["gold"][1] == 3 and tiers[None] == ({"on_site": 0, "phone": 1, "event": 0}, 1)
    gold = next(r for r in fig.coverage if r.tier.code == "gold")
    assert (gold.required, gold.clients, gold.covered, gold.pct) == (2, 2, 1, 50.0)
    assert all(r.clients == 0 for r in fig.coverage if r.tier.code != "gold")
    assert _cat(fig, "service").raised == 2 and _cat(fig, "service").overdue == 1
    product = _cat(fig, "product")
    assert (product.raised, product.resolved, product.closed, product.overdue) == (2, 2, 1, 0)
    assert _cat(fig, "complaint").overdue == 1
    assert fig.matters_total.raised == 5 and fig.matters_total.overdue == 2
    by_dept = {r.key: r for r in fig.matters_by_department}
    assert by_dept[data["dept"].pk].raised == 2 and by_dept[None].raised == 3
    assert dict(fig.teams) == {"金融街一部": 3, "金融街二部": 1}
    assert fig.overlaps == 1


def test_company_view_sums_the_branches(org, data):
    fig = reports.quarter_figures(org.users.channel, year=Y, quarter=Q)
    assert fig.visits_total == 5
    gold = next(r for r in fig.coverage if r.tier.code == "gold")
    assert (gold.clients, gold.covered) == (3, 1)
    rows = {r.branch.code: r for r in fig.by_branch}
    assert rows["BJ01"].visits == 4 and rows["SH01"].visits == 1


def test_region_view_counts_the_regions_matters(org, data):
    fig = reports.quarter_figures(org.users.region, year=Y, quarter=Q)
    assert [b.code for b in fig.branches] == ["BJ01"]
    assert fig.visits_total == 4 and fig.matters_total.raised == 5


def test_company_view_counts_every_matter(org, data):
    fig = reports.quarter_figures(org.users.channel, year=Y, quarter=Q)
    assert fig.matters_total.raised == 6


def test_lower_scopes_count_only_what_they_see(org, data):
    mine = reports.quarter_figures(org.users.cm, year=Y, quarter=Q, branch=org.branches.b1)
    assert mine.visits_total == 2
    assert next(r for r in mine.coverage if r.tier.code == "gold").clients == 1
    team = reports.quarter_figures(org.users.lead, year=Y, quarter=Q, branch=org.branches.b1)
    assert team.visits_total == 3  # team a only
    outsider = reports.quarter_figures(org.users.outsider, year=Y, quarter=Q)
    assert outsider.visits_total == 1


def test_overdue_in_the_running_quarter_means_due_before_today(org, data):
    today = timezone.localdate()
    y, q = reports.current_quarter(today)
    c = data["c1"]
    _followup(org, c, org.staff.cm, due=today - dt.timedelta(days=1), created=today)
    _followup(org, c, org.staff.cm, due=today, created=today)
    fig = reports.quarter_figures(org.users.manager, year=y, quarter=q, branch=org.branches.b1)
    assert fig.matters_total.raised == 2 and fig.matters_total.overdue == 1


def test_page_shows_the_report_and_defaults_to_own_branch(org, data, client_for):
    resp = client_for(org.users.manager).get(URL, {"year": Y, "quarter": Q})
    assert resp.status_code == 200
    assert resp.context["branch"] == org.branches.b1
    assert resp.context["fig"].visits_total == 4
    html = resp.content.decode()
    assert 'id="coverage"' in html and "50.0%" in html and 'id="save-analysis"' in html
    # A company login with no branch sees every branch summed, and may pick one.
    resp = client_for(org.users.channel).get(URL, {"year": Y, "quarter": Q})
    assert resp.context["branch"] is None and resp.context["fig"].visits_total == 5
    resp = client_for(org.users.channel).get(URL, {"year": Y, "quarter": Q, "branch": org.branches.b2.pk})
    assert resp.context["fig"].visits_total == 1


def test_other_branch_is_404(org, data, client_for):
    c = client_for(org.users.manager)
    assert c.get(URL, {"year": Y, "quarter": Q, "branch": org.branches.b2.pk}).status_code == 404
    api = reverse("api-clients-quarter-report")
    assert c.get(api, {"year": Y, "quarter": Q, "branch": org.branches.b2.pk}).status_code == 404


def test_bad_quarter_is_a_field_error(org, client_for):
    resp = client_for(org.users.manager).get(reverse("api-clients-quarter-report"), {"quarter": 5})
    assert resp.status_code == 400 and "quarter" in resp.json()


def test_branch_head_writes_the_analysis_with_history(org, data, client_for):
    c = client_for(org.users.manager)
    url = f"{URL}?year={Y}&quarter={Q}&branch={org.branches.b1.pk}"
    resp = c.post(url, {"analysis": "三季度走访覆盖率偏低，需加强黄金客户走访。"})
    assert resp.status_code == 302
    resp = c.post(url, {"analysis": "修订：重点督办投诉类事项。"})
    report = QuarterReport.objects.get(branch=org.branches.b1, year=Y, quarter=Q)
    assert report.analysis == "修订：重点督办投诉类事项。" and report.updated_by == org.users.manager
    assert report.history.count() == 2
    page = c.get(url).content.decode()
    assert "三季度走访覆盖率偏低" in page  # the earlier version in the history
    # Empty text: a field error, nothing saved.
    resp = c.post(url, {"analysis": "  "})
    assert resp.status_code == 200 and resp.context["analysis_form"].errors
    assert QuarterReport.objects.get(pk=report.pk).history.count() == 2
    # The channel head office sees it read-only in the company view.
    data_json = client_for(org.users.channel).get(
        reverse("api-clients-quarter-report"), {"year": Y, "quarter": Q}
    )
    rows = {r["branch"]: r for r in data_json.json()["by_branch"]}
    assert rows["BJ01"]["analysis"] == "修订：重点督办投诉类事项。"


@pytest.mark.parametrize("who", ["lead", "cm", "trade", "channel"])
def test_only_branch_heads_may_write_the_analysis(org, data, client_for, who):
    c = client_for(getattr(org.users, who))
    url = f"{URL}?year={Y}&quarter={Q}&branch={org.branches.b1.pk}"
    assert c.post(url, {"analysis": "不该保存"}).status_code == 403
    assert 'id="save-analysis"' not in c.get(url).content.decode()
    assert not QuarterReport.objects.exists()


def test_service_refuses_other_branch_and_future_quarter(org):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        reports.analysis_save(
            actor=org.users.manager, branch=org.branches.b2, year=Y, quarter=Q, analysis="x"
        )
    with pytest.raises(ValidationError) as exc:
        reports.analysis_save(
            actor=org.users.manager, branch=org.branches.b1, year=2027, quarter=4, analysis="x"
        )
    assert "quarter" in exc.value.message_dict
    assert not QuarterReport.objects.exists()


def test_excel_export_has_the_sheets(org, data, client_for):
    resp = client_for(org.users.manager).get(
        reverse("clients:quarter-report-export"), {"year": Y, "quarter": Q, "branch": org.branches.b1.pk}
    )
    assert resp.status_code == 200
    wb = load_workbook(BytesIO(resp.content))
    assert len(wb.sheetnames) >= 7
    coverage = wb.worksheets[2]
    gold = next(row for row in coverage.iter_rows(min_row=2, values_only=True) if row[0] == "黄金客户")
    assert gold[2:6] == (2, 2, 1, 50.0)


def test_api_returns_the_same_figures(org, data, client_for):
    resp = client_for(org.users.manager).get(
        reverse("api-clients-quarter-report"), {"year": Y, "quarter": Q, "branch": org.branches.b1.pk}
    )
    body = resp.json()
    assert body["visits"]["total"] == 4 and body["visits"]["by_form"]["phone"] == 2
    gold = next(r for r in body["coverage"] if r["tier"] == "gold")
    assert (gold["clients"], gold["covered"], gold["visits_required"]) == (2, 1, 2)
    assert body["matters"]["total"]["overdue"] == 2 and body["overlaps"] == 1


def _more(org, data, n):
    for i in range(n):
        c = make_client(org.users.cm_b, name=f"加量{i}", opened_on=OPENED)
        Client.objects.filter(pk=c.pk).update(tier=data["gold"], tier_manual=True, tier_reason="测试")
        v = _visit(org, c, org.staff.cm_b, dt.date(2026, 8, 3), form=["on_site", "phone", "event"][i % 3])
        _visit(org, c, org.staff.cm_b, dt.date(2026, 8, 4))
        VisitOverlap.objects.create(
            visit=v, other=Visit.objects.filter(client=data["c1"]).first(), days_apart=1
        )
        _followup(org, c, org.staff.cm_b, category=["product", "trading", "other"][i % 3])


@pytest.mark.parametrize("who", ["manager", "lead", "channel"])
def test_query_count_is_constant(org, data, client_for, who):
    c = client_for(getattr(org.users, who))
    params = {"year": Y, "quarter": Q}
    c.get(URL, params)
    with CaptureQueriesContext(connection) as few:
        assert c.get(URL, params).status_code == 200
    with CaptureQueriesContext(connection) as few_api:
        c.get(reverse("api-clients-quarter-report"), params)
    _more(org, data, 12)
    with CaptureQueriesContext(connection) as many:
        resp = c.get(URL, params)
    with CaptureQueriesContext(connection) as many_api:
        c.get(reverse("api-clients-quarter-report"), params)
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many_api) == len(few_api)
    if who == "manager":
        assert resp.context["fig"].visits_total == 4 + 24
