"""Serial numbers (流水号): per kind, per branch, per month; gap-free and safe under
concurrent creation (第二十一条: 编制流水号，每月整理归档).

``next_number`` must be called inside the transaction that creates the numbered record.
The counter row is moved with one conditional ``UPDATE … SET value = value + 1``: on
PostgreSQL the row lock it takes makes a concurrent caller wait until this transaction ends,
and on SQLite writes are serialised by the immediate transaction. If the creation rolls
back, so does the increment: no number is skipped, none is given twice.
"""

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from brokerdesk.core.models import SerialCounter


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_number(*, kind: str, branch, month: dt.date) -> int:
    if not connection.in_atomic_block:
        raise RuntimeError("next_number must run inside the transaction that creates the record")
    month = month_start(month)
    branch_id = getattr(branch, "pk", branch)
    for _attempt in range(3):
        moved = SerialCounter.objects.filter(kind=kind, branch_id=branch_id, month=month).update(
            value=F("value") + 1
        )
        if moved == 1:
            return SerialCounter.objects.values_list("value", flat=True).get(
                kind=kind, branch_id=branch_id, month=month
            )
        try:
            with transaction.atomic():  # a savepoint: losing the race to create the row is fine
                SerialCounter.objects.create(kind=kind, branch_id=branch_id, month=month, value=1)
            return 1
        except IntegrityError:
            continue  # someone created it first: take the next number from their row
    raise RuntimeError("could not allocate a serial number")


def format_serial(prefix: str, branch_code: str, month: dt.date, number: int) -> str:
    """QR-BJ01-202611-0001: kind prefix, branch code, year and month, four-digit sequence."""
    return f"{prefix}-{branch_code}-{month:%Y%m}-{number:04d}"
