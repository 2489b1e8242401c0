"""Helpers for the archive register's tests: months relative to today, an integrated-office
login (company-wide filing), and filing an entry through the service."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from brokerdesk.access.roles import Role
from brokerdesk.archives import services
from brokerdesk.archives.models_register import RegisterEntry
from brokerdesk.org.tests.factories import login

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def last_month() -> dt.date:
    return (this_month() - dt.timedelta(days=1)).replace(day=1)


def months_ago(n: int) -> dt.date:
    month = this_month()
    for _ in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def office(org):
    """The brokerage integrated office (company scope, archive.file)."""
    user = getattr(org.users, "office", None)
    if user is None:
        user = login("office", Role.INTEGRATED_OFFICE)
        org.users.office = user
    return user


def pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def exe_as_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("report.pdf", b"MZ\x90\x00\x03" + b"\x00" * 64, content_type="application/pdf")


def file_entry(
    org,
    *,
    actor=None,
    branch=None,
    kind=RegisterEntry.Kind.WORK_PLAN,
    month=None,
    title="2026年度工作计划",
    **kw,
) -> RegisterEntry:
    return services.entry_file(
        actor=actor or org.users.trade,
        branch=branch or org.branches.b1,
        kind=kind,
        month=month or this_month(),
        title=title,
        cabinet=kw.pop("cabinet", "柜1"),
        folder=kw.pop("folder", "A-01"),
        **kw,
    )
