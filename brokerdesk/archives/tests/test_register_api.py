"""The register over the API: the same scopes as the pages (another branch and a client manager
see nothing of it), 400 with field errors for bad input, closed months refusing changes, the
search parameters, custody and the month's closing."""

import pytest

from brokerdesk.archives import services
from brokerdesk.archives.models_register import CustodyMove, RegisterEntry
from brokerdesk.archives.tests.factories import exe_as_pdf, file_entry, last_month, office, pdf, this_month

pytestmark = pytest.mark.django_db

K = RegisterEntry.Kind
API = "/api/archives/entries/"


@pytest.fixture
def entries(org):
    a = file_entry(org, kind=K.WORK_PLAN, title="金融街一部年度工作计划")
    b = file_entry(org, kind=K.PAY_REPORT, month=last_month(), title="上月薪酬月报", scan=pdf())
    c = file_entry(org, actor=office(org), branch=org.branches.b2, kind=K.MINUTES, title="陆家嘴月度会议纪要")
    return a, b, c


def _serials(resp) -> set[str]:
    assert resp.status_code == 200, resp.content
    return {row["serial_no"] for row in resp.json()["results"]}


def test_the_api_lists_each_roles_scope(org, client_for, entries):
    a, b, c = entries
    assert _serials(client_for(org.users.trade).get(API)) == {a.serial_no, b.serial_no}
    assert _serials(client_for(org.users.lead).get(API)) == {a.serial_no, b.serial_no}
    assert _serials(client_for(org.users.outsider).get(API)) == set()
    assert _serials(client_for(org.users.cm).get(API)) == set()
    assert _serials(client_for(office(org)).get(API)) == {a.serial_no, b.serial_no, c.serial_no}
    services.custody_pass(actor=org.users.trade, entry=a, to_staff=org.staff.cm)
    assert _serials(client_for(org.users.cm).get(API)) == {a.serial_no}


def test_another_branch_cannot_read_or_change_through_the_api(org, client_for, entries):
    _a, _b, c = entries
    trade = client_for(org.users.trade)
    assert trade.get(f"{API}{c.pk}/").status_code == 404
    assert trade.patch(f"{API}{c.pk}/", {"title": "x"}, content_type="application/json").status_code == 404
    assert (
        trade.post(f"{API}{c.pk}/withdraw/", {"reason": "x"}, content_type="application/json").status_code
        == 404
    )
    assert (
        trade.post(f"{API}{c.pk}/custody/", {"to_staff": None}, content_type="application/json").status_code
        == 404
    )
    assert trade.get(f"{API}{c.pk}/moves/").status_code == 404
    assert trade.get(f"{API}{c.pk}/scan/").status_code == 404
    assert trade.get(f"/api/archives/batches/{c.batch_id}/").status_code == 404
    assert (
        trade.post(
            f"/api/archives/batches/{c.batch_id}/close/", {}, content_type="application/json"
        ).status_code
        == 404
    )
    resp = trade.post(
        API,
        {
            "branch": org.branches.b2.pk,
            "kind": "other",
            "month": f"{this_month():%Y-%m}",
            "title": "t",
            "cabinet": "c",
        },
        content_type="application/json",
    )
    assert resp.status_code == 400 and "branch" in resp.json()
    c.refresh_from_db()
    assert c.title == "陆家嘴月度会议纪要"


def test_readers_without_the_filing_permission_are_refused_writes(org, client_for, entries):
    a, _b, _c = entries
    lead = client_for(org.users.lead)
    assert lead.patch(f"{API}{a.pk}/", {"title": "x"}, content_type="application/json").status_code == 403
    assert (
        lead.post(f"{API}{a.pk}/custody/", {"to_staff": None}, content_type="application/json").status_code
        == 403
    )
    assert (
        lead.post(
            API,
            {
                "branch": org.branches.b1.pk,
                "kind": "other",
                "month": f"{this_month():%Y-%m}",
                "title": "t",
                "cabinet": "c",
            },
            content_type="application/json",
        ).status_code
        == 403
    )
    cm = client_for(org.users.cm)
    assert cm.get(f"{API}{a.pk}/").status_code == 404


def test_filing_through_the_api_and_bad_input(org, client_for):
    web = client_for(org.users.trade)
    resp = web.post(
        API,
        {
            "branch": org.branches.b1.pk,
            "kind": "approval",
            "month": f"{this_month():%Y-%m}",
            "title": "团队组建报批",
            "cabinet": "柜1",
            "submission_key": "abc",
        },
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["serial_no"] == f"SP-BJ01-{this_month():%Y%m}-0001" and body["month_closed"] is False
    retry = web.post(
        API,
        {
            "branch": org.branches.b1.pk,
            "kind": "approval",
            "month": f"{this_month():%Y-%m}",
            "title": "团队组建报批",
            "cabinet": "柜1",
            "submission_key": "abc",
        },
        content_type="application/json",
    )
    assert retry.json()["id"] == body["id"] and RegisterEntry.objects.count() == 1
    bad = web.post(
        API, {"kind": "poem", "month": "2026-13", "title": "", "pages": 0}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert set(bad.json()) >= {"branch", "kind", "month", "title", "cabinet", "pages"}
    future = web.post(
        API,
        {"branch": org.branches.b1.pk, "kind": "other", "month": "2999-01", "title": "t", "cabinet": "c"},
        content_type="application/json",
    )
    assert future.status_code == 400 and "month" in future.json()
    upload = web.post(
        API,
        {
            "branch": org.branches.b1.pk,
            "kind": "other",
            "month": f"{this_month():%Y-%m}",
            "title": "t",
            "cabinet": "c",
            "scan": exe_as_pdf(),
        },
    )
    assert upload.status_code == 400 and "scan" in upload.json()
    with_scan = web.post(
        API,
        {
            "branch": org.branches.b1.pk,
            "kind": "contract",
            "month": f"{this_month():%Y-%m}",
            "title": "劳动合同",
            "cabinet": "柜5",
            "scan": pdf(),
        },
    )
    assert with_scan.status_code == 201 and with_scan.json()["has_scan"] is True
    assert RegisterEntry.objects.count() == 2


def test_search_parameters(org, client_for, entries):
    a, b, c = entries
    web = client_for(office(org))
    assert _serials(web.get(f"{API}?serial={a.serial_no}")) == {a.serial_no}
    assert _serials(web.get(f"{API}?serial=XC-BJ01")) == {b.serial_no}
    assert _serials(web.get(f"{API}?kind=minutes")) == {c.serial_no}
    assert _serials(web.get(f"{API}?month_from={last_month():%Y-%m}&month_to={last_month():%Y-%m}")) == {
        b.serial_no
    }
    assert _serials(web.get(f"{API}?q=工作计划")) == {a.serial_no}
    assert _serials(web.get(f"{API}?branch={org.branches.b2.pk}")) == {c.serial_no}
    bad = web.get(f"{API}?month_from=soon&kind=poem&branch=x")
    assert bad.status_code == 400 and set(bad.json()) == {"month_from", "kind", "branch"}


def test_closed_months_refuse_changes_through_the_api(org, client_for, entries):
    _a, b, _c = entries
    web = client_for(org.users.trade)
    resp = web.post(
        f"/api/archives/batches/{b.batch_id}/close/", {"note": "归档"}, content_type="application/json"
    )
    assert resp.status_code == 200 and resp.json()["closed"] is True
    assert web.patch(f"{API}{b.pk}/", {"title": "x"}, content_type="application/json").status_code == 400
    assert (
        web.post(f"{API}{b.pk}/withdraw/", {"reason": "x"}, content_type="application/json").status_code
        == 400
    )
    again = web.post(f"/api/archives/batches/{b.batch_id}/close/", {}, content_type="application/json")
    assert again.status_code == 400
    resp = web.post(
        API,
        {
            "branch": org.branches.b1.pk,
            "kind": "pay_report",
            "month": f"{last_month():%Y-%m}",
            "title": "t",
            "cabinet": "c",
        },
        content_type="application/json",
    )
    assert resp.status_code == 400 and "month" in resp.json()
    fix = web.post(
        API,
        {
            "branch": org.branches.b1.pk,
            "kind": "pay_report",
            "month": f"{this_month():%Y-%m}",
            "title": "更正",
            "cabinet": "c",
            "corrects": b.pk,
        },
        content_type="application/json",
    )
    assert fix.status_code == 201 and fix.json()["corrects"] == b.pk


def test_edit_withdraw_custody_and_trail(org, client_for, entries):
    a, b, _c = entries
    web = client_for(org.users.trade)
    resp = web.patch(f"{API}{a.pk}/", {"cabinet": "柜7", "pages": 3}, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["cabinet"] == "柜7"
    assert web.patch(f"{API}{a.pk}/", {"cabinet": ""}, content_type="application/json").status_code == 400
    resp = web.post(
        f"{API}{a.pk}/custody/", {"to_staff": org.staff.cm.pk, "note": "借"}, content_type="application/json"
    )
    assert resp.status_code == 200 and resp.json()["custodian"] == org.staff.cm.pk
    bad = web.post(
        f"{API}{a.pk}/custody/", {"to_staff": org.staff.outsider.pk}, content_type="application/json"
    )
    assert bad.status_code == 400 and "to_staff" in bad.json()
    moves = web.get(f"{API}{a.pk}/moves/").json()
    assert [m["to_staff"] for m in moves] == [org.staff.cm.pk]
    assert web.post(f"{API}{a.pk}/withdraw/", {}, content_type="application/json").status_code == 400
    resp = web.post(f"{API}{a.pk}/withdraw/", {"reason": "登记错误"}, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["status"] == "withdrawn"
    # HR (people.handover) may record a move for a departure, not edit.
    hr = client_for(org.users.hr)
    assert (
        hr.post(f"{API}{a.pk}/custody/", {"to_staff": None}, content_type="application/json").status_code
        == 200
    )
    assert hr.patch(f"{API}{b.pk}/", {"title": "x"}, content_type="application/json").status_code == 403
    assert CustodyMove.objects.filter(entry=a).count() == 2


def test_scan_download_through_the_api(org, client_for, entries):
    _a, b, _c = entries
    assert client_for(org.users.trade).get(f"{API}{b.pk}/scan/").status_code == 200
    assert client_for(org.users.lead).get(f"{API}{b.pk}/scan/").status_code == 404


def test_batches_and_close_month(org, client_for, entries):
    a, b, c = entries
    web = client_for(org.users.trade)
    rows = web.get("/api/archives/batches/").json()["results"]
    assert {r["id"] for r in rows} == {a.batch_id, b.batch_id}
    assert client_for(org.users.cm).get("/api/archives/batches/").json()["results"] == []
    resp = web.post(
        "/api/archives/batches/close-month/",
        {"branch": org.branches.b1.pk, "month": "2025-01"},
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["closed"] is True and resp.json()["filed"] == 0
    resp = web.post(
        "/api/archives/batches/close-month/",
        {"branch": org.branches.b2.pk, "month": "2025-01"},
        content_type="application/json",
    )
    assert resp.status_code == 400 and "branch" in resp.json()
    resp = web.post(
        "/api/archives/batches/close-month/",
        {"branch": org.branches.b1.pk, "month": f"{this_month():%Y-%m}"},
        content_type="application/json",
    )
    assert resp.status_code == 400


def test_the_api_count_is_null_beyond_the_cap(org, client_for, entries, monkeypatch):
    from brokerdesk.archives import selectors

    monkeypatch.setattr(selectors.CappedPaginator, "cap", 2)
    web = client_for(office(org))
    assert web.get(API).json()["count"] is None
    assert web.get(f"{API}?branch={org.branches.b2.pk}").json()["count"] == 1
