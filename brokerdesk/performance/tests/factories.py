"""Test data for statistics and pay: a month's current import with manager statistics made
directly (ORM), and a pay scheme with brackets and base pay."""

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile

from brokerdesk.performance.models import (
    CrmImport,
    ManagerMonth,
    MonthVersion,
    PayScheme,
    SchemeBasePay,
    SchemeBracket,
)


def make_import(branch, month: dt.date, by, **extra) -> CrmImport:
    """A finished, current import of the branch's month (no client rows)."""
    values = {
        "month": month,
        "branch": branch,
        "file_name": "crm.csv",
        "file_sha256": "0" * 64,
        "status": CrmImport.Status.DONE,
        "is_current": True,
        "uploaded_by": by,
    }
    values.update(extra)
    imp = CrmImport(**values)
    imp.file.save("crm.csv", ContentFile(b"month,client_no\n"), save=False)
    imp.save()
    MonthVersion.objects.update_or_create(branch=branch, month=month, defaults={"crm_import": imp})
    return imp


def make_stat(imp: CrmImport, staff, **figures) -> ManagerMonth:
    values = {
        "branch": imp.branch,
        "month": imp.month,
        "staff": staff,
        "team": staff.team,
        "regional_manager": staff.regional_manager,
        "crm_import": imp,
    }
    values.update({k: Decimal(str(v)) if isinstance(v, float) else v for k, v in figures.items()})
    return ManagerMonth.objects.create(**values)


def make_scheme(branch, by, *, levels=(), brackets=((0, 100000, "0.10"), (100000, None, "0.15")), **extra):
    """An approved scheme in force from January 2026; ``levels`` is [(level, amount)]."""
    values = {
        "branch": branch,
        "name": "客户经理薪酬标准",
        "effective_from": dt.date(2026, 1, 1),
        "status": PayScheme.Status.APPROVED,
        "created_by": by,
    }
    values.update(extra)
    scheme = PayScheme.objects.create(**values)
    for level, amount in levels:
        SchemeBasePay.objects.create(scheme=scheme, level=level, amount=Decimal(str(amount)))
    for lower, upper, rate in brackets:
        SchemeBracket.objects.create(
            scheme=scheme,
            lower=Decimal(str(lower)),
            upper=None if upper is None else Decimal(str(upper)),
            rate=Decimal(rate),
        )
    return scheme
