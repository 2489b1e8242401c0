"""The pay report's Excel workbook in the layout a finance department files: title, branch, month
and version; one row per person with every component and 应发合计 / 扣款合计 / 实发金额; a
totals row; money as #,##0.00; the signature rows from the approval trail; and a second
sheet with every line."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from brokerdesk.approvals.services import inbox, task_act
from brokerdesk.performance import services_report as svc
from brokerdesk.performance.exports_report import report_headers, report_title, report_workbook
from brokerdesk.performance.models import PayLine, PayRun
from brokerdesk.performance.tests.factories_report import fake_compute, make_run


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def sign_all(org, run):
    svc.run_review(actor=org.users.accountant, run=run, note="ok")
    svc.run_submit(actor=org.users.accountant, run=run)
    for user in (org.users.accountant, org.users.deputy, org.users.manager):
        task = inbox(user).get(request_id=PayRun.objects.get(pk=run.pk).approval_id)
        task_act(actor=user, task=task, decision="approve")
    run.refresh_from_db()
    return run


def rows_of(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def find(rows, first):
    return next(i for i, r in enumerate(rows) if r and r[0] == first)


def test_report_sheet_layout(org):
    run = sign_all(org, make_run(org))
    wb = load_workbook(BytesIO(report_workbook(run)))
    ws = wb.worksheets[0]
    rows = rows_of(ws)
    assert rows[0][0] == report_title()
    meta = " ".join(str(v) for v in rows[1] if v)
    assert org.branches.b1.name in meta
    assert "2026年10月" in meta
    assert "v1" in meta
    headers = report_headers()
    assert rows[2] == headers
    assert len(headers) == 5 + len(PayLine.Component) + 3
    people = rows[3:6]
    assert [r[0] for r in people] == [1, 2, 3]
    by_emp = {r[1]: r for r in people}
    cm = by_emp["BJ0001"]
    assert cm[2] == "张三" and cm[3] == org.teams.a.name and cm[4] == org.levels[1].name
    col = {h: i for i, h in enumerate(headers)}
    commission = str(PayLine.Component.COMMISSION.label)
    assert Decimal(str(cm[col[commission]])) == Decimal("1234.56")
    assert Decimal(str(cm[col[_("Net pay")]])) == Decimal("4584.56")
    assert Decimal(str(cm[col[_("Deductions total")]])) == Decimal("50.00")
    total_row = rows[6]
    assert total_row[0] == _("Total")
    assert Decimal(str(total_row[col[_("Net pay")]])) == Decimal("13392.31")
    assert Decimal(str(total_row[col[commission]])) == Decimal("4034.66")
    # Money cells are formatted with thousands separators and two decimals.
    assert ws.cell(row=4, column=col[commission] + 1).number_format == "#,##0.00"
    assert ws.cell(row=7, column=col[_("Net pay")] + 1).number_format == "#,##0.00"
    # Signature rows: prepared, reviewed, then the three signers with name and time.
    text = [" ".join(str(v) for v in r if v) for r in rows[7:]]
    signer_rows = [t for t in text if t]
    assert any(_("Chief accountant") in t and "accountant" in t and "2026年" in t for t in signer_rows)
    assert any(_("Deputy manager (assistant manager)") in t and "deputy" in t for t in signer_rows)
    assert any(t.startswith(_("Manager")) and "周九" in t for t in signer_rows)
    assert any(run.content_hash in t for t in signer_rows)
    assert ws.page_setup.orientation == "landscape"


def test_unsigned_report_has_empty_signature_boxes(org):
    run = make_run(org)
    rows = rows_of(load_workbook(BytesIO(report_workbook(run))).worksheets[0])
    manager_row = next(r for r in rows if r[1] == f"{_('Manager')}：")
    assert manager_row[3] is None and manager_row[6] in (None, "")


def test_detail_sheet_has_every_line(org):
    run = make_run(org)
    ws = load_workbook(BytesIO(report_workbook(run))).worksheets[1]
    rows = rows_of(ws)
    lines = PayLine.objects.filter(run=run).count()
    assert len(rows) == 1 + lines + 1
    assert rows[-1][0] == _("Total")
    assert Decimal(str(rows[-1][7])) == Decimal("13392.31")
    assert any(
        r[4] == str(PayLine.Component.ATTENDANCE.label) and Decimal(str(r[7])) == Decimal("-50")
        for r in rows[1:]
    )


def test_correction_version_says_what_it_corrects(org, monkeypatch):
    fake_compute(monkeypatch, org)
    old = sign_all(org, make_run(org))
    new = svc.run_correct(actor=org.users.accountant, run=old, reason="更正")
    rows = rows_of(load_workbook(BytesIO(report_workbook(new))).worksheets[0])
    meta = " ".join(str(v) for v in rows[1] if v)
    assert "v2" in meta and "v1" in meta


def test_export_download_name_and_type(org, client_for):
    run = make_run(org)
    resp = client_for(org.users.accountant).get(reverse("performance:run-export", args=[run.pk]))
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "BJ01-202610" in resp["Content-Disposition"] and "v1.xlsx" in resp["Content-Disposition"]
