"""Shared set-up of the CRM import and statistics tests: CRM files made in memory and a few
clients of the test organisation (``org`` fixture) with their ownership history."""

import csv
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from brokerdesk.clients.tests.factories import make_client
from brokerdesk.performance.selectors import add_months, month_end

HEADER_ZH = ["月份", "客户号", "客户经理工号", "开户日期", "新开户", "净收入", "日均资产", "月末资产"]
HEADER_EN = [
    "month",
    "client_no",
    "manager_emp_no",
    "opened_on",
    "new_account",
    "net_revenue",
    "avg_assets",
    "end_assets",
]


def last_month() -> dt.date:
    """The latest month that has ended (the latest one the import accepts)."""
    return add_months(timezone.localdate().replace(day=1), -1)


def row(client, emp_no, revenue, avg="100000.00", end="120000.00", *, month=None, opened_on="", new=""):
    month = month or last_month()
    number = client if isinstance(client, str) else client.client_no
    return [f"{month:%Y-%m}", number, emp_no, opened_on, new, str(revenue), str(avg), str(end)]


def csv_bytes(rows, header=None, encoding="utf-8") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header or HEADER_ZH)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def csv_upload(rows, header=None, name="crm.csv", encoding="utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(rows, header, encoding), content_type="text/csv")


def xlsx_upload(rows, header=None, name="crm.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header or HEADER_ZH)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


def book(org) -> SimpleNamespace:
    """Four clients of branch 1 (two of 张三, one of 孙八, one of 李四) and one of branch 2 (王五),
    all opened long before last month."""
    opened = last_month() - dt.timedelta(days=200)
    u, s = org.users, org.staff
    return SimpleNamespace(
        a1=make_client(u.manager, s.cm, name="甲一", opened_on=opened),
        a2=make_client(u.manager, s.cm, name="甲二", opened_on=opened),
        p1=make_client(u.manager, s.cm_peer, name="乙一", opened_on=opened),
        b1=make_client(u.manager, s.cm_b, name="丙一", opened_on=opened),
        o1=make_client(org.users.outsider, s.outsider, name="丁一", opened_on=opened),
    )


def emp(staff) -> str:
    return staff.emp_no


def D(value) -> Decimal:
    return Decimal(str(value))


__all__ = [
    "HEADER_EN",
    "HEADER_ZH",
    "D",
    "book",
    "csv_bytes",
    "csv_upload",
    "emp",
    "last_month",
    "month_end",
    "row",
    "xlsx_upload",
]
