"""``brokerdesk import_crm``: a progress bar, the reconciliation, a non-zero exit on bad rows."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from brokerdesk.performance.models import CrmImport
from brokerdesk.performance.tests.import_helpers import book, csv_bytes, last_month, row

pytestmark = pytest.mark.django_db


def run(*args):
    import io

    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import_crm", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_clean_file_prints_progress_and_reconciliation(org, tmp_path):
    c = book(org)
    path = tmp_path / "crm.csv"
    path.write_bytes(
        csv_bytes([row(c.a1, org.staff.cm.emp_no, "10.00"), row(c.o1, org.staff.outsider.emp_no, "5")])
    )
    from brokerdesk.org.tests.factories import UserFactory

    UserFactory(username="root", is_superuser=True)
    code, out, err = run(str(path), "--month", f"{last_month():%Y-%m}")
    assert code == 0, err
    assert "reading" in out and "100%" in out and "Reconciliation" in out
    assert "net_revenue" in out and "15.00" in out and "DIFFERS" not in out
    imp = CrmImport.objects.get()
    assert imp.branch is None and imp.status == CrmImport.Status.DONE


def test_bad_rows_exit_non_zero_and_are_listed(org, tmp_path):
    c = book(org)
    path = tmp_path / "crm.csv"
    rows = [row(c.a1, org.staff.cm.emp_no, "1")] + [
        row(f"9{i:08d}", org.staff.cm.emp_no, "1") for i in range(30)
    ]
    path.write_bytes(csv_bytes(rows))
    code, out, err = run(
        str(path), "--month", f"{last_month():%Y-%m}", "--branch", "BJ01", "--user", "accountant"
    )
    assert code == 1
    assert "line 3 [client_no]" in err and "… and 10 more" in err
    assert CrmImport.objects.get().status == CrmImport.Status.INVALID
    code, out, err = run(
        str(path),
        "--month",
        f"{last_month():%Y-%m}",
        "--branch",
        "BJ01",
        "--user",
        "accountant",
        "--accept-good-rows",
    )
    assert code == 0 and CrmImport.objects.filter(status=CrmImport.Status.DONE).count() == 1


def test_refusals(org, tmp_path):
    path = tmp_path / "crm.csv"
    path.write_bytes(csv_bytes([row("1234567", "x", "1")]))
    with pytest.raises(CommandError):
        run(str(path), "--month", "next year")
    with pytest.raises(CommandError):
        run(str(path), "--month", f"{last_month():%Y-%m}", "--branch", "NOPE", "--user", "accountant")
    with pytest.raises(CommandError, match="无权"):
        run(str(path), "--month", f"{last_month():%Y-%m}", "--branch", "SH01", "--user", "accountant")
    with pytest.raises(CommandError):
        run(str(tmp_path / "missing.csv"), "--month", f"{last_month():%Y-%m}")
