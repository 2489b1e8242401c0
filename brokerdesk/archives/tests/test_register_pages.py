"""The register's pages: who sees what (another branch, a client manager, a team lead), the
search by serial number, kind, period and title, filing with field errors, the closed month's
refusals, the batches with their printable index, custody and the logged scan download."""

import pytest
from django.utils import translation

from brokerdesk.access.models import SensitiveAccess
from brokerdesk.archives import services
from brokerdesk.archives.models_register import RegisterEntry
from brokerdesk.archives.tests.factories import (
    exe_as_pdf,
    file_entry,
    last_month,
    months_ago,
    office,
    pdf,
    this_month,
)

pytestmark = pytest.mark.django_db

K = RegisterEntry.Kind


@pytest.fixture
def entries(org):
    """Two entries in branch 1 (one last month), one in branch 2."""
    a = file_entry(org, kind=K.WORK_PLAN, title="金融街一部年度工作计划")
    b = file_entry(org, kind=K.PAY_REPORT, month=last_month(), title="上月薪酬月报", scan=pdf())
    c = file_entry(org, actor=office(org), branch=org.branches.b2, kind=K.MINUTES, title="陆家嘴月度会议纪要")
    return a, b, c


def _serials(resp) -> set[str]:
    return {e.serial_no for e in resp.context["page"].object_list}


def test_each_role_sees_its_scope_on_the_register_page(org, client_for, entries):
    a, b, c = entries
    expected = {
        "trade": {a.serial_no, b.serial_no},
        "manager": {a.serial_no, b.serial_no},
        "lead": {a.serial_no, b.serial_no},
        "accountant": {a.serial_no, b.serial_no},
        "region": {a.serial_no, b.serial_no},
        "hr": {a.serial_no, b.serial_no, c.serial_no},
        "vp": {a.serial_no, b.serial_no, c.serial_no},
        "cm": set(),
        "keeper": set(),
        "sysadmin": set(),
    }
    expected["office"] = {a.serial_no, b.serial_no, c.serial_no}
    office(org)
    for who, serials in expected.items():
        resp = client_for(getattr(org.users, who)).get("/archives/")
        assert resp.status_code == 200, who
        assert _serials(resp) == serials, who


def test_another_branch_cannot_open_or_change_an_entry(org, client_for, entries):
    a, _b, c = entries
    trade = client_for(org.users.trade)
    for url in (f"/archives/{c.pk}/", f"/archives/{c.pk}/edit/", f"/archives/{c.pk}/scan/"):
        assert trade.get(url).status_code == 404, url
    assert trade.post(f"/archives/{c.pk}/edit/", {"title": "x", "cabinet": "y"}).status_code == 404
    assert trade.post(f"/archives/{c.pk}/withdraw/", {"reason": "x"}).status_code == 404
    assert trade.post(f"/archives/{c.pk}/custody/", {"to_staff": org.staff.cm.pk}).status_code == 404
    outsider = client_for(org.users.outsider)
    assert outsider.get(f"/archives/{a.pk}/").status_code == 404
    c.refresh_from_db()
    assert c.title == "陆家嘴月度会议纪要" and c.custodian is None


def test_a_client_manager_sees_only_what_they_hold(org, client_for, entries):
    a, b, _c = entries
    cm = client_for(org.users.cm)
    assert cm.get(f"/archives/{a.pk}/").status_code == 404
    services.custody_pass(actor=org.users.trade, entry=a, to_staff=org.staff.cm, note="借阅")
    resp = cm.get("/archives/")
    assert _serials(resp) == {a.serial_no}
    assert 'id="custody-only"' in resp.content.decode()
    assert cm.get(f"/archives/{a.pk}/").status_code == 200
    assert _serials(cm.get("/archives/mine/")) == {a.serial_no}
    assert client_for(org.users.cm_peer).get(f"/archives/{a.pk}/").status_code == 404
    # Holding it is not keeping the register: no edit, no move, no batches.
    assert cm.get(f"/archives/{a.pk}/edit/").status_code == 404
    assert cm.post(f"/archives/{a.pk}/custody/", {"to_staff": ""}).status_code == 404
    assert cm.get(f"/archives/batches/{a.batch_id}/").status_code == 404
    assert cm.get("/archives/new/").status_code == 403
    assert b.pk not in {e.pk for e in cm.get("/archives/").context["page"].object_list}


def test_a_team_lead_reads_but_does_not_file_and_not_the_pay_report_scan(org, client_for, entries):
    _a, b, _c = entries
    lead = client_for(org.users.lead)
    assert lead.get(f"/archives/{b.pk}/").status_code == 200
    assert lead.get(f"/archives/{b.pk}/scan/").status_code == 404
    assert lead.get("/archives/new/").status_code == 403
    assert lead.get(f"/archives/{b.pk}/edit/").status_code == 404
    accountant = client_for(org.users.accountant)
    assert accountant.get(f"/archives/{b.pk}/scan/").status_code == 200


def test_the_scan_download_is_logged(org, client_for, entries):
    _a, b, _c = entries
    resp = client_for(org.users.trade).get(f"/archives/{b.pk}/scan/")
    assert resp.status_code == 200
    assert resp["Content-Disposition"].startswith("attachment")
    assert b.serial_no in resp["Content-Disposition"]
    log = SensitiveAccess.objects.get()
    assert (log.user, log.object_id, log.field) == (org.users.trade, str(b.pk), "scan")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("serial={a}", "a"),
        ("serial={a_lower}", "a"),
        ("serial=JH-BJ01", "a"),
        ("serial=XC", "b"),
        ("serial=ZZ-NOPE", ""),
        ("kind=pay_report", "b"),
        ("month_from={last}&month_to={last}", "b"),
        ("month_from={this}", "ac"),
        ("kind=minutes&month_from={this}&month_to={this}", "c"),
        ("q=工作计划", "a"),
        ("q=月度 纪要", "c"),
        ("q=月报", "b"),
        ("branch={b2}", "c"),
    ],
)
def test_search_by_number_kind_period_title_and_branch(org, client_for, entries, query, expected):
    a, b, c = entries
    by_letter = {"a": a, "b": b, "c": c}
    url = "/archives/?" + query.format(
        a=a.serial_no,
        a_lower=a.serial_no.lower(),
        last=f"{last_month():%Y-%m}",
        this=f"{this_month():%Y-%m}",
        b2=org.branches.b2.pk,
    )
    resp = client_for(office(org)).get(url)
    assert resp.status_code == 200
    assert _serials(resp) == {by_letter[x].serial_no for x in expected}


def test_withdrawn_entries_are_found_on_request(org, client_for, entries):
    a, _b, _c = entries
    services.entry_withdraw(actor=org.users.trade, entry=a, reason="重复")
    web = client_for(org.users.trade)
    assert a.serial_no not in _serials(web.get("/archives/"))
    assert _serials(web.get("/archives/?status=withdrawn")) == {a.serial_no}
    assert a.serial_no in _serials(web.get("/archives/?status=all"))


def test_search_as_you_type_answers_the_results_only(org, client_for, entries):
    resp = client_for(org.users.trade).get(
        "/archives/?q=计划", headers={"HX-Request": "true", "HX-Target": "results"}
    )
    html = resp.content.decode()
    assert resp.status_code == 200 and 'id="register-table"' in html and "<html" not in html


def test_a_bad_period_range_is_a_field_error(org, client_for, entries):
    resp = client_for(org.users.trade).get(
        f"/archives/?month_from={this_month():%Y-%m}&month_to={months_ago(3):%Y-%m}"
    )
    assert resp.status_code == 200
    assert "month_to" in resp.context["form"].errors


def test_filing_through_the_page(org, client_for):
    web = client_for(org.users.trade)
    form = web.get("/archives/new/").context["form"]
    key = form.initial["submission_key"]
    data = {
        "branch": org.branches.b1.pk,
        "kind": "business_report",
        "month": f"{this_month():%Y-%m}",
        "title": "十一月业务月报",
        "cabinet": "柜3",
        "folder": "月报-11",
        "pages": "8",
        "source_ref": "/performance/runs/1/",
        "submission_key": key,
        "scan": pdf("月报.pdf"),
    }
    resp = web.post("/archives/new/", data)
    entry = RegisterEntry.objects.get()
    assert resp.status_code == 302 and resp["Location"] == entry.get_absolute_url()
    assert entry.serial_no == f"YB-BJ01-{this_month():%Y%m}-0001" and entry.pages == 8
    data["scan"] = pdf("月报.pdf")
    again = web.post("/archives/new/", data)  # the same form sent twice
    assert again.status_code == 302 and RegisterEntry.objects.count() == 1
    detail = web.get(entry.get_absolute_url()).content.decode()
    assert 'id="source-link"' in detail and 'href="/performance/runs/1/"' in detail


def test_filing_bad_input_shows_field_errors_and_saves_nothing(org, client_for):
    web = client_for(org.users.trade)
    resp = web.post(
        "/archives/new/",
        {
            "branch": org.branches.b2.pk,  # not theirs
            "kind": "",
            "month": "2026-13",
            "title": "",
            "cabinet": "",
            "scan": exe_as_pdf(),
        },
    )
    assert resp.status_code == 400
    assert set(resp.context["form"].errors) >= {"branch", "kind", "month", "title", "cabinet"}
    resp = web.post(
        "/archives/new/",
        {
            "branch": org.branches.b1.pk,
            "kind": "other",
            "month": f"{this_month():%Y-%m}",
            "title": "t",
            "cabinet": "c",
            "scan": exe_as_pdf(),
        },
    )
    assert resp.status_code == 400 and "scan" in resp.context["form"].errors
    resp = web.post(
        "/archives/new/",
        {
            "branch": org.branches.b1.pk,
            "kind": "other",
            "month": f"{this_month():%Y-%m}",
            "title": "t",
            "cabinet": "c",
            "corrects": "QT-XX",
        },
    )
    assert resp.status_code == 400 and "corrects" in resp.context["form"].errors
    assert not RegisterEntry.objects.exists()


def test_a_closed_month_refuses_edit_withdraw_and_filing_on_the_pages(org, client_for, entries):
    _a, b, _c = entries
    web = client_for(org.users.trade)
    resp = web.post(f"/archives/batches/{b.batch_id}/close/", {"note": "归档"})
    assert resp.status_code == 302
    page = web.get(f"/archives/{b.pk}/edit/")
    assert page.status_code == 200 and 'id="edit-refused"' in page.content.decode()
    with translation.override("en"):
        resp = web.post(
            f"/archives/{b.pk}/edit/", {"title": "改了", "cabinet": "柜9"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert resp.status_code == 400
    resp = web.post(f"/archives/{b.pk}/withdraw/", {"reason": "错"})
    assert resp.status_code == 400
    resp = web.post(
        "/archives/new/",
        {
            "branch": org.branches.b1.pk,
            "kind": "pay_report",
            "month": f"{last_month():%Y-%m}",
            "title": "补",
            "cabinet": "柜1",
        },
    )
    assert resp.status_code == 400 and "month" in resp.context["form"].errors
    b.refresh_from_db()
    assert b.title == "上月薪酬月报" and not b.withdrawn
    detail = web.get(f"/archives/{b.pk}/").content.decode()
    assert 'id="closed-note"' in detail and 'id="file-correction"' in detail and 'id="edit"' not in detail


def test_the_closed_message_is_clear(org, client_for, entries):
    _a, b, _c = entries
    services.batch_close(actor=org.users.trade, batch=b.batch)
    web = client_for(org.users.trade)
    web.post("/i18n/setlang/", {"language": "en"})
    with translation.override("en"):
        resp = web.post(f"/archives/{b.pk}/edit/", {"title": "x", "cabinet": "y"})
        errors = " ".join(resp.context["form"].non_field_errors())
    assert f"{last_month():%Y-%m} is closed" in errors and "correction" in errors


def test_batches_list_detail_print_and_export(org, client_for, entries):
    a, b, c = entries
    web = client_for(org.users.trade)
    listing = web.get("/archives/batches/")
    assert {x.pk for x in listing.context["page"].object_list} == {a.batch_id, b.batch_id}
    detail = web.get(f"/archives/batches/{b.batch_id}/")
    assert detail.status_code == 200 and detail.context["may_close"]
    assert [e.pk for e in detail.context["entries"]] == [b.pk]
    current = web.get(f"/archives/batches/{a.batch_id}/")
    assert not current.context["month_over"]
    assert web.post(f"/archives/batches/{a.batch_id}/close/").status_code == 400  # the month is not over
    web.post(f"/archives/batches/{b.batch_id}/close/", {"note": "上月归档"})
    printed = web.get(f"/archives/batches/{b.batch_id}/print/")
    html = printed.content.decode()
    assert printed.status_code == 200 and b.serial_no in html and 'id="print-state"' in html
    export = web.get(f"/archives/batches/{b.batch_id}/export/")
    assert export.status_code == 200 and "spreadsheetml" in export["Content-Type"]
    assert web.get(f"/archives/batches/{c.batch_id}/").status_code == 404
    assert web.get(f"/archives/batches/{c.batch_id}/print/").status_code == 404
    assert web.post(f"/archives/batches/{c.batch_id}/close/").status_code == 404
    lead = client_for(org.users.lead)
    assert lead.get(f"/archives/batches/{b.batch_id}/").status_code == 200
    assert not lead.get(f"/archives/batches/{a.batch_id}/").context["may_close"]


def test_recording_custody_on_the_page(org, client_for, entries):
    a, _b, _c = entries
    web = client_for(org.users.trade)
    resp = web.post(f"/archives/{a.pk}/custody/", {"to_staff": org.staff.cm_b.pk, "note": "查阅"})
    assert resp.status_code == 302
    a.refresh_from_db()
    assert a.custodian == org.staff.cm_b
    resp = web.post(f"/archives/{a.pk}/custody/", {"to_staff": org.staff.outsider.pk})
    assert resp.status_code == 400 and "to_staff" in resp.context["custody_form"].errors
    resp = web.post(f"/archives/{a.pk}/custody/", {"to_staff": ""})
    assert resp.status_code == 302
    detail = web.get(f"/archives/{a.pk}/").content.decode()
    assert detail.count('id="move-') == 2
    assert client_for(org.users.lead).post(f"/archives/{a.pk}/custody/", {"to_staff": ""}).status_code == 404


def test_pages_work_for_the_menu_landing(org, client_for):
    resp = client_for(org.users.trade).get("/archives/")
    assert resp.status_code == 200 and 'id="file-new"' in resp.content.decode()
    assert client_for(org.users.lead).get("/archives/").status_code == 200
    assert 'id="file-new"' not in client_for(org.users.lead).get("/archives/").content.decode()


def test_a_title_search_pages_without_counting(org, client_for):
    for i in range(27):
        file_entry(org, kind=K.MINUTES, title=f"晨会纪要{i}")
    file_entry(org, kind=K.OTHER, title="培训签到表")
    web = client_for(org.users.trade)
    first = web.get("/archives/?q=纪要")
    page = first.context["page"]
    assert len(page.object_list) == 25 and page.has_next() and page.paginator.count is None
    assert 'id="page-next"' in first.content.decode()
    second = web.get("/archives/?q=纪要&page=2").context["page"]
    assert len(second.object_list) == 2 and not second.has_next() and second.paginator.count == 27
    assert web.get("/archives/?q=纪要&page=9").context["page"].number == 1
    counted = web.get("/archives/").context["page"]
    assert counted.paginator.count == 28
    api = client_for(org.users.trade)
    body = api.get("/api/archives/entries/?q=纪要&page_size=20").json()
    assert body["count"] is None and body["next"] and len(body["results"]) == 20
    last = api.get("/api/archives/entries/?q=纪要&page_size=20&page=2").json()
    assert last["count"] == 27 and last["next"] is None
    assert api.get("/api/archives/entries/?q=纪要&page_size=20&page=5").status_code == 404


def test_title_search_folds_width_and_case(org, client_for):
    a = file_entry(org, title="ＰＰＴ 培训材料")
    web = client_for(org.users.trade)
    assert {e.pk for e in web.get("/archives/?q=ppt").context["page"]} == {a.pk}
    assert {e.pk for e in web.get("/archives/?q=PPT 培训").context["page"]} == {a.pk}
