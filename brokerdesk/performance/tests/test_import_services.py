"""The CRM import service: bad rows with line numbers, nothing imported until clean or accepted,
atomic re-import without doubling, crash safety, crediting by ownership, reconciliation, and
the clients' interim figures."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from brokerdesk.clients import services as client_services
from brokerdesk.clients.models import Client, Figure
from brokerdesk.performance import services_import as svc
from brokerdesk.performance.models import ClientMonth, CrmImport, ImportRowError, ManagerMonth, MonthVersion
from brokerdesk.performance.selectors import add_months, current_import
from brokerdesk.performance.tests.factories import make_scheme
from brokerdesk.performance.tests.import_helpers import (
    HEADER_EN,
    book,
    csv_upload,
    last_month,
    row,
    xlsx_upload,
)

pytestmark = pytest.mark.django_db


def start(org, rows, *, branch="b1", who="accountant", accept=False, upload=None, month=None):
    return svc.import_start(
        actor=getattr(org.users, who),
        branch=getattr(org.branches, branch) if branch else None,
        month=month or last_month(),
        upload=upload or csv_upload(rows),
        accept_good_rows=accept,
    )


def stats(org, month=None):
    return {
        (m.staff_id): m
        for m in ManagerMonth.objects.filter(branch=org.branches.b1, month=month or last_month())
    }


def test_clean_file_is_imported_and_credited_to_the_month_end_owner(org):
    c = book(org)
    cm, peer = org.staff.cm, org.staff.cm_peer
    imp = start(
        org,
        [
            row(c.a1, cm.emp_no, "1000.00", "50000", "60000"),
            row(c.a2, cm.emp_no, "234.56", "10000", "12000.50"),
            row(c.p1, peer.emp_no, "-12.30", "0", "0"),
        ],
    )
    assert imp.status == CrmImport.Status.DONE, imp.error
    assert imp.is_current and imp.rows_total == 3 and imp.rows_bad == 0 and imp.rows_imported == 3
    assert current_import(org.branches.b1, last_month()) == imp
    s = stats(org)
    assert s[cm.pk].net_revenue == Decimal("1234.56")
    assert s[cm.pk].clients_served == 2
    assert s[cm.pk].total_assets == Decimal("72000.50")
    assert s[cm.pk].avg_assets == Decimal("60000.00")
    assert s[cm.pk].team_id == org.teams.a.pk and s[cm.pk].regional_manager_id == org.staff.rm.pk
    assert s[peer.pk].net_revenue == Decimal("-12.30")
    assert imp.percent == 100


def test_every_kind_of_bad_row_is_reported_with_its_line_and_nothing_is_imported(org):
    c = book(org)
    cm = org.staff.cm
    other = add_months(last_month(), -1)
    rows = [
        row(c.a1, cm.emp_no, "100"),  # line 2: good
        row("999999999", cm.emp_no, "100"),  # 3: unknown client
        row(c.a2, "XX9999", "100"),  # 4: unknown manager
        row(c.p1, cm.emp_no, "abc"),  # 5: bad number
        row(c.b1, cm.emp_no, "100", month=other),  # 6: wrong month
        row(c.a1, cm.emp_no, "100"),  # 7: duplicate of line 2
        row(c.o1, cm.emp_no, "100"),  # 8: client of another branch
        row(c.a2, cm.emp_no, "100", opened_on="2026-13-45"),  # 9: bad date
        row(c.a2, cm.emp_no, "100", "-5"),  # 10: negative assets (and duplicate of 9? no: 9 is bad but seen)
    ]
    imp = start(org, rows)
    assert imp.status == CrmImport.Status.INVALID
    assert imp.rows_total == 9 and imp.rows_bad == 8 and not imp.is_current
    errors = {(e.line, e.column) for e in ImportRowError.objects.filter(crm_import=imp)}
    assert {
        (3, "client_no"),
        (4, "manager_emp_no"),
        (5, "net_revenue"),
        (6, "month"),
        (7, "client_no"),
        (8, "client_no"),
        (9, "opened_on"),
        (10, "avg_assets"),
    } <= errors
    with translation.override("zh-hans"):
        messages = {e.line: e.message for e in imp.errors.all()}
        assert messages[3] == _("unknown client number %(no)s") % {"no": "999999999"}
        assert messages[7] == _("client %(no)s is already on line %(line)s") % {
            "no": c.a1.client_no,
            "line": 2,
        }
        assert messages[8] == _("client %(no)s belongs to another branch") % {"no": c.o1.client_no}
    assert not ManagerMonth.objects.exists()
    assert not MonthVersion.objects.exists()
    assert current_import(org.branches.b1, last_month()) is None
    assert not Figure.objects.filter(month=last_month()).exists()
    assert not ClientMonth.objects.filter(crm_import=imp).exists()  # the good rows read are removed


def test_accepting_the_good_rows_imports_exactly_them(org):
    c = book(org)
    cm = org.staff.cm
    imp = start(
        org, [row(c.a1, cm.emp_no, "100.10"), row("123456789", cm.emp_no, "5"), row(c.a2, cm.emp_no, "x")]
    )
    assert imp.status == CrmImport.Status.INVALID
    with pytest.raises(PermissionDenied):
        svc.import_accept_good_rows(actor=org.users.cm, crm_import=imp)
    imp = svc.import_accept_good_rows(actor=org.users.accountant, crm_import=imp)
    assert imp.status == CrmImport.Status.DONE, imp.error
    assert imp.rows_imported == 1
    assert list(ClientMonth.objects.filter(crm_import=imp).values_list("client_id", flat=True)) == [c.a1.pk]
    assert stats(org)[cm.pk].net_revenue == Decimal("100.10")
    assert imp.file_totals["rows"] == 1 and imp.file_totals["net_revenue"] == "100.10"
    with pytest.raises(ValidationError):
        svc.import_accept_good_rows(actor=org.users.accountant, crm_import=imp)


def test_accept_good_rows_up_front(org):
    c = book(org)
    imp = start(
        org, [row(c.a1, org.staff.cm.emp_no, "1"), row("1234567", org.staff.cm.emp_no, "1")], accept=True
    )
    assert imp.status == CrmImport.Status.DONE and imp.rows_bad == 1 and imp.rows_imported == 1


def test_same_file_three_times_replaces_the_month_and_never_doubles(org):
    c = book(org)
    cm, peer = org.staff.cm, org.staff.cm_peer
    rows = [row(c.a1, cm.emp_no, "1000"), row(c.a2, cm.emp_no, "500"), row(c.p1, peer.emp_no, "250")]
    first = start(org, rows)
    second = start(org, rows)
    third = start(org, rows)
    for imp in (first, second, third):
        imp.refresh_from_db()
    assert third.is_current and not first.is_current and not second.is_current
    assert first.superseded_by == second and second.superseded_by == third
    assert MonthVersion.objects.get(branch=org.branches.b1, month=last_month()).crm_import == third
    s = stats(org)
    assert s[cm.pk].net_revenue == Decimal("1500.00") and s[peer.pk].net_revenue == Decimal("250.00")
    assert ManagerMonth.objects.filter(month=last_month()).count() == 2
    # the CRM month is kept in ClientMonth (per version), never copied into the clients' figures
    assert not Figure.objects.filter(month=last_month()).exists()
    # old versions are kept for audit
    assert ClientMonth.objects.filter(crm_import=first).count() == 3


def test_a_crash_while_loading_leaves_the_previous_version(org, monkeypatch):
    c = book(org)
    cm = org.staff.cm
    first = start(org, [row(c.a1, cm.emp_no, "1000")])
    assert first.status == CrmImport.Status.DONE

    def boom(changes):
        raise RuntimeError("disk full")

    monkeypatch.setattr(svc, "update_tiers", boom)
    second = start(org, [row(c.a1, cm.emp_no, "9999"), row(c.a2, cm.emp_no, "1")])
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == CrmImport.Status.FAILED and "disk full" in second.error
    assert not second.is_current and first.is_current and first.superseded_by is None
    assert current_import(org.branches.b1, last_month()) == first
    assert stats(org)[cm.pk].net_revenue == Decimal("1000.00")
    assert ManagerMonth.objects.get(staff=cm).crm_import == first
    assert not ClientMonth.objects.filter(crm_import=second).exists()
    assert ClientMonth.objects.get(crm_import=first, client=c.a1).net_revenue == Decimal("1000.00")


def test_revenue_goes_to_the_month_end_owner_and_a_new_account_to_its_opener(org):
    cm, peer = org.staff.cm, org.staff.cm_peer
    month = last_month()
    opened = month + dt.timedelta(days=3)
    from brokerdesk.clients.tests.factories import make_client

    fresh = make_client(org.users.manager, cm, name="新客", opened_on=opened)
    client_services.client_transfer(
        actor=org.users.manager, client=fresh, to=peer, effective=month + dt.timedelta(days=15), note="调整"
    )
    imp = start(org, [row(fresh, cm.emp_no, "300.00", "1000", "2000", opened_on=opened.isoformat())])
    assert imp.status == CrmImport.Status.DONE, imp.error
    cmr = ClientMonth.objects.get(crm_import=imp)
    assert cmr.manager_id == peer.pk and cmr.opener_id == cm.pk and cmr.is_new
    assert cmr.crm_manager_id == cm.pk
    assert imp.owner_mismatches == 1
    s = stats(org)
    assert s[peer.pk].net_revenue == Decimal("300.00") and s[peer.pk].clients_served == 1
    assert s[peer.pk].new_accounts == 0
    assert s[cm.pk].new_accounts == 1 and s[cm.pk].clients_served == 0 and s[cm.pk].net_revenue == 0


def test_new_account_flag_and_qualifying_threshold_of_the_scheme(org):
    c = book(org)
    cm = org.staff.cm
    make_scheme(org.branches.b1, org.users.accountant, new_account_min_assets=Decimal("50000"))
    imp = start(
        org,
        [
            row(c.a1, cm.emp_no, "1", "1", "60000", new="是"),
            row(c.a2, cm.emp_no, "1", "1", "40000", new="1"),
            row(c.p1, org.staff.cm_peer.emp_no, "1", "1", "99999", new="否"),
        ],
    )
    s = stats(org)
    assert imp.status == CrmImport.Status.DONE
    assert s[cm.pk].new_accounts == 2 and s[cm.pk].qualified_new_accounts == 1
    assert s[org.staff.cm_peer.pk].new_accounts == 0


def test_reconciliation_file_totals_equal_imported_totals(org):
    c = book(org)
    cm = org.staff.cm
    imp = start(
        org,
        [
            row(c.a1, cm.emp_no, "0.005", "1,000.10", "¥2000"),
            row(c.a2, cm.emp_no, "10.994", "3", "4", new="1"),
        ],
    )
    assert imp.file_totals["net_revenue"] == "11.00"  # 0.01 + 10.99, each rounded half-up once
    assert imp.file_totals["avg_assets"] == "1003.10"
    table = svc.reconciliation(imp)
    assert all(r["ok"] for r in table), table
    assert imp.imported_totals["statistics"]["clients_served"] == 2


def test_the_crm_month_is_read_by_the_client_pages_not_copied_onto_the_client(org):
    c = book(org)
    before = Client.objects.get(pk=c.a1.pk)
    imp = start(org, [row(c.a1, org.staff.cm.emp_no, "88.00", "1", "777.00")])
    assert imp.status == CrmImport.Status.DONE
    assert not Figure.objects.filter(client=c.a1, month=last_month()).exists()
    client = Client.objects.get(pk=c.a1.pk)
    assert (client.assets, client.revenue, client.figures_month) == (
        before.assets,
        before.revenue,
        before.figures_month,
    )
    row_ = ClientMonth.objects.get(crm_import=imp, client=c.a1)
    assert (row_.end_assets, row_.net_revenue) == (Decimal("777.00"), Decimal("88.00"))


def test_english_headers_and_xlsx_are_accepted(org):
    c = book(org)
    upload = xlsx_upload(
        [[last_month(), int(c.a1.client_no), org.staff.cm.emp_no, None, 0, 12.5, 100, 200]], header=HEADER_EN
    )
    imp = start(org, [], upload=upload)
    assert imp.status == CrmImport.Status.DONE, (imp.error, list(imp.errors.values_list("line", "message")))
    assert stats(org)[org.staff.cm.pk].net_revenue == Decimal("12.50")


def test_gbk_csv_is_read(org):
    c = book(org)
    upload = csv_upload([row(c.a1, org.staff.cm.emp_no, "5")], encoding="gb18030")
    assert start(org, [], upload=upload).status == CrmImport.Status.DONE


@pytest.mark.parametrize(
    "month_delta, field",
    [(0, "month"), (1, "month")],
)
def test_months_not_ended_are_refused(org, month_delta, field):
    month = add_months(last_month(), 1 + month_delta)
    with pytest.raises(ValidationError) as exc:
        start(org, [row("1", "x", "1", month=month)], month=month)
    assert field in exc.value.message_dict
    assert not CrmImport.objects.exists()


@pytest.mark.parametrize(
    "upload",
    [
        lambda: csv_upload([["x"]], header=["foo", "bar"]),
        lambda: csv_upload([], header=None),
        lambda: __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
            "crm.csv", b"\x89PNG\r\n\x1a\n\x00\x00"
        ),
        lambda: __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
            "crm.xlsx", b"PK\x03\x04garbage"
        ),
        lambda: __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
            "crm.xlsx", b"month,client_no\n"
        ),
    ],
    ids=["missing columns", "no rows", "binary", "broken zip", "name mismatch"],
)
def test_malformed_files_are_refused_with_a_message_and_nothing_stored(org, upload):
    with pytest.raises(ValidationError) as exc:
        start(org, [], upload=upload())
    assert "file" in exc.value.message_dict
    assert not CrmImport.objects.exists()


def test_permissions(org):
    c = book(org)
    rows = [row(c.a1, org.staff.cm.emp_no, "1")]
    for who in ("cm", "lead", "manager", "outsider", "channel"):
        with pytest.raises(PermissionDenied):
            start(org, rows, who=who)
    with pytest.raises(PermissionDenied):
        start(org, rows, branch=None)  # firm-wide needs company scope
    with pytest.raises(PermissionDenied):
        start(org, rows, branch="b2")


def test_firm_wide_import_from_the_operator_covers_every_branch_it_names(org):
    c = book(org)
    imp = svc.import_start(
        actor=org.users.accountant,
        branch=None,
        month=last_month(),
        upload=csv_upload([row(c.a1, org.staff.cm.emp_no, "10"), row(c.o1, org.staff.outsider.emp_no, "20")]),
        as_operator=True,
    )
    assert imp.status == CrmImport.Status.DONE, imp.error
    assert set(MonthVersion.objects.values_list("branch_id", flat=True)) == {
        org.branches.b1.pk,
        org.branches.b2.pk,
    }
    # a later branch import replaces only its own branch
    branch_imp = start(org, [row(c.a1, org.staff.cm.emp_no, "11")])
    imp.refresh_from_db()
    assert imp.is_current and imp.superseded_by is None
    assert current_import(org.branches.b2, last_month()) == imp
    assert current_import(org.branches.b1, last_month()) == branch_imp
