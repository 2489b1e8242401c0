"""The worked example of docs/performance-pay.md, reproduced to the fen.

Everything comes from the page itself and its CSV (docs/examples/pay-example.csv): the people,
the scheme, its brackets and base pay, the month's other inputs and the expected figures are
read from the page's tables, so the page and this test cannot drift apart. The CSV goes
through the real import service; the pay through ``run_compute``.
"""

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from brokerdesk.clients.tests.factories import make_client
from brokerdesk.org.models import Level, Staff
from brokerdesk.performance import services_import
from brokerdesk.performance import services_pay as svc
from brokerdesk.performance.models import CrmImport, PayLine, PayScheme, PaySlip
from brokerdesk.performance.tests.factories import make_scheme
from brokerdesk.performance.tests.factories_pay import assess

pytestmark = pytest.mark.django_db

DOCS = Path(settings.BASE_DIR) / "docs"
PAGE = DOCS / "performance-pay.md"
CSV = DOCS / "examples" / "pay-example.csv"
MONTH = dt.date(2026, 9, 1)


def table(name: str) -> list[list[str]]:
    """The rows (without header) of the markdown table after ``<!-- example:name -->``."""
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"<!-- example:{name} -->") + 1
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows[2:]  # without the header and its separator


def test_the_page_shows_the_csv_file_as_it_is():
    text = CSV.read_text(encoding="utf-8").strip()
    assert f"```csv\n{text}\n```" in PAGE.read_text(encoding="utf-8")


def _people(org) -> dict[str, Staff]:
    """The example's people are the test organisation's, with the page's 工号 and levels."""
    by_name = {s.name: s for s in (org.staff.cm, org.staff.cm_peer, org.staff.lead, org.staff.cm_b)}
    levels = {level.name: level for level in Level.objects.all()}
    people = {}
    for emp_no, name, _team, level, employment in table("people"):
        staff = by_name[name]
        Staff.objects.filter(pk=staff.pk).update(
            emp_no=emp_no, level=levels[level], employment_type=employment
        )
        staff.refresh_from_db()
        people[emp_no] = staff
    return people


def _scheme(org) -> PayScheme:
    values = {}
    for name, value in table("scheme"):
        values[name] = {"yes": True, "no": False}.get(value)
        if values[name] is None:
            values[name] = Decimal(value)
    brackets = [(lo, up or None, rate) for lo, up, rate in table("brackets")]
    levels = {level.name: level for level in Level.objects.all()}
    base = [(levels[name], amount) for name, employment, amount in table("base") if employment == "full_time"]
    return make_scheme(
        org.branches.b1,
        org.users.accountant,
        levels=base,
        brackets=brackets,
        effective_from=dt.date(2026, 7, 1),
        **values,
    )


def _clients(org, people):
    rows = list(csv.DictReader(io.StringIO(CSV.read_text(encoding="utf-8"))))
    for row in rows:
        make_client(
            org.users.manager,
            people[row["客户经理工号"]],
            client_no=row["客户号"],
            opened_on=dt.date.fromisoformat(row["开户日期"]),
        )


def _inputs(org, people):
    for emp_no, kind, value in table("inputs"):
        staff = people[emp_no]
        if kind == "performance score":
            assess(staff, MONTH, value)
        elif kind == "adjustment":
            amount, reason = value.split(" ", 1)
            svc.adjustment_add(
                actor=org.users.accountant,
                branch=org.branches.b1,
                month=MONTH,
                staff=staff,
                amount=Decimal(amount),
                reason=reason,
            )
        else:  # pragma: no cover - a new kind of input on the page needs code here
            raise AssertionError(kind)


def test_worked_example_is_reproduced_to_the_fen(org):
    people = _people(org)
    _scheme(org)
    _clients(org, people)
    upload = SimpleUploadedFile("pay-example.csv", CSV.read_bytes(), content_type="text/csv")
    imp = services_import.import_start(
        actor=org.users.accountant, branch=org.branches.b1, month=MONTH, upload=upload
    )
    imp.refresh_from_db()
    assert imp.status == CrmImport.Status.DONE, (
        imp.status,
        imp.error,
        list(imp.errors.values_list("message", flat=True)),
    )
    _inputs(org, people)

    run = svc.run_compute(actor=org.users.accountant, branch=org.branches.b1, month=MONTH)

    expected: dict[str, dict[str, Decimal]] = {}
    for emp_no, _name, component, amount in table("expected"):
        expected.setdefault(emp_no, {})[component] = Decimal(amount)
    run_total = expected.pop("—")["total"]
    found: dict[str, dict[str, Decimal]] = {}
    for slip in PaySlip.objects.filter(run=run).select_related("staff"):
        lines = {}
        for component, amount in PayLine.objects.filter(slip=slip).values_list("component", "amount"):
            lines[component] = lines.get(component, Decimal(0)) + amount
        lines["total"] = slip.total
        found[slip.staff.emp_no] = lines
    assert found == expected
    assert run.total == run_total and run.people == len(expected)
    # Every amount is whole fen and every slip is the sum of its lines.
    for slip in PaySlip.objects.filter(run=run):
        amounts = list(PayLine.objects.filter(slip=slip).values_list("amount", flat=True))
        assert slip.total == sum(amounts) and all(a == a.quantize(Decimal("0.01")) for a in amounts)
    # The lines explain themselves as the page does.
    peer_new = PayLine.objects.get(run=run, staff=people["BJ0002"], component="new_accounts")
    assert peer_new.inputs["other_accounts"] == [["880090005", "80000.00"]]
    lead = PayLine.objects.get(run=run, staff=people["BJ0003"], component="commission")
    assert lead.inputs["no_assessment"] is True
