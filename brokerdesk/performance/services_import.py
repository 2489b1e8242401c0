# ruff: noqa: S608 - the SQL here names tables from the models and this module; values are parameters
"""The monthly CRM import (第十五条): a month of client-level figures from the firm's CRM.

``import_start`` checks the caller, the month and the file (by content, size capped), stores
it and queues the work; ``import_run`` does the work in two phases:

1. **read** (``_read``): every client is loaded first (``_client_map``: one query, packed
   ints), then the file is streamed (``csv`` or openpyxl read-only) and each row checked in
   Python (number, dates, month, new-account flag, the CRM's 工号, the client: unknown, other
   branch, duplicate, no responsible manager on the month's last day). Every problem is an
   ``ImportRowError`` (line and reason). Good rows go straight into ``ClientMonth`` under this
   import, which is not current yet, so nothing reads them, in batches that are each one short
   transaction moving the progress counters. A file with bad rows stops here (status
   ``invalid``: its stored rows are removed, nothing imported) unless the user accepted
   importing the good rows (then, or later with ``import_accept_good_rows``).
2. **load** (``_load``): in ONE transaction the openers of the new accounts are set, the month
   is switched to this import (``MonthVersion`` of every branch it covers repointed, the
   previous import kept as superseded), the branches' statistics (``ManagerMonth``) are
   rebuilt from one GROUP BY (whose sums are also the reconciliation's), and the tiers the
   month's figures change are written. A crash anywhere before the commit leaves the previous
   version as it was. The clients' figures are not copied anywhere: the client pages read the
   current import's rows (``clients.selectors.with_latest_figures``).

Credit (DESIGN: by ownership history, never by the CRM's own column): revenue, assets and
"clients served" go to the responsible manager on the month's last day; a new account goes to
the manager on its opening day. The CRM's 工号 is validated and reconciled (``owner_mismatches``).

Money is Decimal, rounded half-up to the fen once when read; sums in SQL are exact (numeric on
PostgreSQL, integer fen on SQLite, whose decimal columns hold binary floats).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import hashlib
import io
import logging
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.scope import EVERYTHING, can, scope_filter, visible
from brokerdesk.clients.models import Client, Ownership
from brokerdesk.core.files import safe_display_name
from brokerdesk.core.money import ZERO, to_fen
from brokerdesk.org.models import Branch, Staff
from brokerdesk.performance.models import (
    ClientMonth,
    CrmImport,
    ImportRowError,
    ManagerMonth,
    MonthVersion,
    PayScheme,
)
from brokerdesk.performance.selectors import month_end

log = logging.getLogger("brokerdesk.performance")

BATCH = 50_000  # rows a transaction (SQLite: each commit waits for the disk)
# A month of a million clients is about 70 MB of CSV; the web server's own upload limit
# (UPLOAD_MAX_BYTES) is for documents and far smaller, so CRM files have their own cap.
MAX_BYTES = getattr(settings, "CRM_IMPORT_MAX_BYTES", 300 * 1024 * 1024)
# An .xlsx is a zip: its unpacked size and compression ratio are capped (zip bombs).
XLSX_MAX_UNPACKED = 2 * 1024 * 1024 * 1024
XLSX_MAX_RATIO = 150
LIMIT = Decimal("1e16")  # max_digits=18, decimal_places=2

Progress = Callable[[int, int, str], None]

# --- The file format (docs/performance-import.md) -------------------------------------------

# Each column's accepted header names: Chinese first (what the CRM exports), then English.
COLUMNS: dict[str, tuple[str, ...]] = {
    "month": ("月份", "统计月份", "month"),
    "client_no": ("客户号", "资金账号", "client_no", "client number"),
    "manager_emp_no": ("客户经理工号", "工号", "manager_emp_no", "manager"),
    "opened_on": ("开户日期", "opened_on", "opening date"),
    "new_account": ("新开户", "是否新开户", "new_account", "new"),
    "net_revenue": ("净收入", "net_revenue", "net revenue"),
    "avg_assets": ("日均资产", "avg_assets", "average assets"),
    "end_assets": ("月末资产", "end_assets", "month-end assets"),
}
REQUIRED = ("month", "client_no", "manager_emp_no", "net_revenue", "avg_assets", "end_assets")
_HEADER_ALIASES = {
    re.sub(r"\s+", "", alias.lower()): key for key, aliases in COLUMNS.items() for alias in aliases
}
_UNIT = re.compile(r"[（(][^)）]*[)）]$")  # 净收入（元） / net_revenue (RMB)
TRUE_FLAGS = {"1", "y", "yes", "true", "t", "是", "新", "新开户", "√"}
FALSE_FLAGS = {"0", "n", "no", "false", "f", "否", "-"}
_MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*月?(?:\s*[-/.]?\s*\d{1,2}\s*日?)?(?:\s+[\d:]+)?$")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T][\d:.]+)?$")


class Phase:
    READING = "reading"  # and checking, and storing the good rows
    CHECKED = "checked"
    LOADING = "loading"
    DONE = "done"


def header_key(name) -> str | None:
    text = str(name or "").replace("\ufeff", "").strip()
    text = _UNIT.sub("", text).strip()
    return _HEADER_ALIASES.get(re.sub(r"\s+", "", text.lower()))


def map_header(cells) -> tuple[dict[str, int], list[str]]:
    """Column positions by key, and the problems of the header (missing or repeated columns)."""
    found: dict[str, int] = {}
    problems: list[str] = []
    for i, cell in enumerate(cells):
        key = header_key(cell)
        if key is None:
            continue  # other columns are allowed and ignored
        if key in found:
            problems.append(_("The column %(name)s appears twice.") % {"name": cell})
            continue
        found[key] = i
    missing = [COLUMNS[k][0] + "/" + COLUMNS[k][-1] for k in REQUIRED if k not in found]
    if "opened_on" not in found and "new_account" not in found:
        missing.append(_("开户日期/opened_on or 新开户/new_account"))
    if missing:
        problems.append(_("These columns are missing: %(cols)s.") % {"cols": ", ".join(missing)})
    return found, problems


def parse_month(value) -> dt.date | None:
    """A month cell: 2026-10, 2026/10, 202610, 2026年10月, a date in it, or an Excel date."""
    if isinstance(value, dt.datetime | dt.date):
        return dt.date(value.year, value.month, 1)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value))
    m = _MONTH_RE.match(str(value or "").strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    return dt.date(year, month, 1) if 1 <= month <= 12 else None


def parse_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)  # 2026-10-08 and 20261008
    except ValueError:
        pass
    m = _DATE_RE.match(text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None


def parse_amount(value) -> Decimal | None:
    """An amount to the fen (half-up), or None when it is not a finite number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal | int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))  # the shortest decimal that is this float
    else:
        try:
            amount = Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            text = str(value).strip().replace(",", "").replace("¥", "").replace("￥", "").replace(" ", "")
            if text.startswith("(") and text.endswith(")"):  # accounting negative
                text = "-" + text[1:-1]
            try:
                amount = Decimal(text)
            except (InvalidOperation, ValueError):
                return None
    if not amount.is_finite():
        return None
    amount = to_fen(amount)
    return amount if abs(amount) < LIMIT else None


def fen_of(text) -> int | None:
    """A plain amount as the CRM writes it ("1234.5", "-20", "0.05") in fen; None for anything
    else (then ``parse_amount`` reads it, or says what is wrong). Plain means ASCII digits, an
    optional minus and at most two decimals, so the text itself is a valid SQL numeric."""
    if text.__class__ is not str or not text.isascii():
        return None
    whole, _dot, part = text.partition(".")
    negative = False
    if not whole.isdigit():
        if whole[:1] != "-" or not whole[1:].isdigit():
            return None
        negative, whole = True, whole[1:]
    if len(whole) > 15:
        return None
    if not part:
        fen = int(whole) * 100
    elif len(part) == 2 and part.isdigit():
        fen = int(whole + part)
    elif len(part) == 1 and part.isdigit():
        fen = int(whole + part) * 10
    else:
        return None
    return -fen if negative else fen


def parse_flag(value) -> bool | None:
    """True / False, or None when the cell is empty or unreadable (then: the opening date)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE_FLAGS:
        return True
    if text in FALSE_FLAGS:
        return False
    return None


def _cell_text(value) -> str:
    """A client number or 工号 cell as text (Excel keeps long numbers as floats)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- Reading the file -----------------------------------------------------------------------


def sniff_kind(head: bytes) -> str | None:
    """``xlsx`` (a zip), ``csv`` (text), or None (anything else, e.g. a binary file)."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if not head or b"\x00" in head:
        return None  # empty, UTF-16 or binary
    return "csv"


def csv_encoding(head: bytes) -> str | None:
    """utf-8-sig (with or without BOM) or gb18030 (GBK exports), by what the bytes decode as."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        return None


def _check_zip(fileobj) -> None:
    try:
        with zipfile.ZipFile(fileobj) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError):
        raise ValidationError({"file": _("This .xlsx file is damaged and cannot be read.")}) from None
    if "xl/workbook.xml" not in names:
        raise ValidationError({"file": _("This is a zip file, not an Excel workbook (.xlsx).")})
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if unpacked > XLSX_MAX_UNPACKED or unpacked / packed > XLSX_MAX_RATIO:
        raise ValidationError({"file": _("This workbook unpacks to too much data to be read safely.")})
    fileobj.seek(0)


def iter_rows(fileobj, kind: str) -> Iterator[tuple[int, tuple | list]]:
    """(line number, cells) of every row, the header first; blank rows skipped. Streams."""
    if kind == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(fileobj, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            for line, values in enumerate(ws.iter_rows(values_only=True), start=1):
                if values and any(v not in (None, "") for v in values):
                    yield line, values
        finally:
            wb.close()
        return
    fileobj.seek(0)
    head = fileobj.read(65536)
    fileobj.seek(0)
    encoding = csv_encoding(head)
    if encoding is None:
        raise ValidationError({"file": _("The file is not text in UTF-8 or GBK: save it as CSV (UTF-8).")})
    text = io.TextIOWrapper(_raw(fileobj), encoding=encoding, newline="")
    try:
        sample = text.read(4096)
        text.seek(0)
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
        reader = csv.reader(text, delimiter=delimiter)
        for row in reader:
            if row and (row[0].strip() or any(c.strip() for c in row)):
                yield reader.line_num, row
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": _("The file is not text in UTF-8 or GBK: save it as CSV (UTF-8).")}
        ) from None
    finally:
        # Keep the caller's file open; a generator left by an error may be closed after it.
        with contextlib.suppress(ValueError):
            text.detach()


def _raw(fileobj):
    """The underlying binary file of Django's File wrappers (TextIOWrapper needs a real one)."""
    from django.core.files import File

    while isinstance(fileobj, File) and getattr(fileobj, "file", None) is not None:
        fileobj = fileobj.file
    return fileobj


def estimate_rows(fileobj, kind: str) -> int:
    """Data rows to expect, for the progress bar (lines of a CSV; the sheet's size for XLSX)."""
    fileobj.seek(0)
    if kind == "csv":
        lines = 0
        last = b"\n"
        while chunk := fileobj.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
        lines += 0 if last == b"\n" else 1
        fileobj.seek(0)
        return max(0, lines - 1)
    from openpyxl import load_workbook

    wb = load_workbook(fileobj, read_only=True)
    try:
        rows = wb.worksheets[0].max_row or 0
    finally:
        wb.close()
    fileobj.seek(0)
    return max(0, rows - 1)


# --- Starting an import -----------------------------------------------------------------------


def may_import(user, branch: Branch | None) -> bool:
    """PAY_RUN on the branch; a firm-wide file (branch None) needs it over the whole company."""
    if branch is None:
        return scope_filter(user, Branch, roles.PAY_RUN) == EVERYTHING
    return visible(user, Branch.objects.filter(pk=branch.pk), roles.PAY_RUN).exists()


def check_month(month: dt.date | None) -> dt.date:
    """A month that has ended (the CRM's month-end figures exist only then)."""
    if month is None:
        raise ValidationError({"month": _("Choose the month of the figures.")})
    if month.day != 1:
        raise ValidationError({"month": _("A month is given by its first day, such as 2026-10-01.")})
    this_month = timezone.localdate().replace(day=1)
    if month >= this_month:
        raise ValidationError(
            {
                "month": _(
                    "%(month)s has not ended yet: its figures can be imported from the 1st of the next month."
                )
                % {"month": f"{month:%Y-%m}"}
            }
        )
    if month.year < 2000:
        raise ValidationError({"month": _("Choose a month from 2000 on.")})
    return month


def _inspect(upload) -> str:
    """Check the upload by content and size, and its header row; return its kind."""
    if upload is None:
        raise ValidationError({"file": _("Choose the CRM file (CSV or Excel .xlsx).")})
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}}
        )
    upload.seek(0)
    head = upload.read(65536)
    upload.seek(0)
    kind = sniff_kind(head)
    name = (getattr(upload, "name", "") or "").lower()
    suffix = name.rsplit(".", 1)[-1] if "." in name else ""
    if kind is None:
        raise ValidationError(
            {"file": _("Only CSV (UTF-8 or GBK text) or Excel (.xlsx) files are accepted.")}
        )
    if (kind == "xlsx" and suffix != "xlsx") or (kind == "csv" and suffix not in ("csv", "txt", "")):
        raise ValidationError({"file": _("The file's name does not match its content.")})
    if kind == "xlsx":
        _check_zip(upload)
    rows = iter_rows(upload, kind)
    try:
        first = next(rows, None)
        second = next(rows, None) if first else None
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - any unreadable workbook is one answer to the user
        raise ValidationError({"file": _("This file cannot be read as CSV or Excel.")}) from None
    finally:
        rows.close()
    upload.seek(0)
    if first is None:
        raise ValidationError({"file": _("The file is empty.")})
    _cols, problems = map_header(first[1])
    if problems:
        raise ValidationError({"file": [_("Line 1 (the header): %(p)s") % {"p": p} for p in problems]})
    if second is None:
        raise ValidationError({"file": _("The file has a header but no rows.")})
    return kind


def import_start(
    *,
    actor,
    branch: Branch | None,
    month: dt.date,
    upload,
    accept_good_rows: bool = False,
    enqueue: bool = True,
    as_operator: bool = False,
) -> CrmImport:
    """Store the file and queue its import. ``as_operator``: the command line run on the server
    by its operator, who acts without a role (recorded as ``actor``)."""
    if not as_operator and not may_import(actor, branch):
        raise PermissionDenied(_("You may not import CRM figures for this branch."))
    month = check_month(month)
    kind = _inspect(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    imp = CrmImport(
        month=month,
        branch=branch,
        file_name=safe_display_name(getattr(upload, "name", "") or f"crm.{kind}"),
        file_sha256=digest.hexdigest(),
        accept_good_rows=accept_good_rows,
        uploaded_by=actor,
        phase="",
    )
    imp.file.save(f"crm-{month:%Y%m}-{uuid.uuid4().hex[:12]}.{kind}", upload, save=False)
    imp.save()
    if enqueue:
        _enqueue(imp)
    imp.refresh_from_db()
    return imp


def _enqueue(imp: CrmImport) -> None:
    # The task row is written in the caller's transaction (database backend): it is picked up
    # once the import record it names is committed. The test backend runs it at once.
    from brokerdesk.performance.tasks import run_crm_import

    result = run_crm_import.enqueue(imp.pk)
    CrmImport.objects.filter(pk=imp.pk).update(task_id=str(result.id)[:64])


def import_accept_good_rows(*, actor, crm_import: CrmImport, enqueue: bool = True) -> CrmImport:
    """The user's explicit decision to import the good rows of a file with bad rows. The file
    is read and checked again (clients or staff may have been added since), then its good rows
    are loaded."""
    if not can(actor, roles.PAY_RUN, crm_import):
        raise PermissionDenied(_("You may not import CRM figures for this branch."))
    imp = CrmImport.objects.get(pk=crm_import.pk)
    if imp.status != CrmImport.Status.INVALID:
        raise ValidationError(
            _("Only an import with bad rows waiting for a decision can import its good rows.")
        )
    if imp.rows_total - imp.rows_bad <= 0:
        raise ValidationError(_("This file has no good rows to import."))
    newer = CrmImport.objects.filter(
        month=imp.month, status=CrmImport.Status.DONE, uploaded_at__gt=imp.uploaded_at
    )
    if imp.branch_id:
        newer = newer.filter(Q(branch__isnull=True) | Q(branch_id=imp.branch_id))
    if newer.exists():
        raise ValidationError(_("A newer import of this month is already in place; upload the file again."))
    changed = CrmImport.objects.filter(pk=imp.pk, status=CrmImport.Status.INVALID).update(
        status=CrmImport.Status.QUEUED, accept_good_rows=True, phase="", error=""
    )
    if changed != 1:
        raise ValidationError(_("This import is already being processed."))
    if enqueue:
        _enqueue(imp)
    imp.refresh_from_db()
    return imp


# --- Running an import ------------------------------------------------------------------------


def import_run(crm_import_id: int, *, progress: Progress | None = None) -> CrmImport:
    """Read, check and (when clean or accepted) load one queued import. Safe to call twice:
    only a queued import is worked on."""
    with translation.override(settings.LANGUAGE_CODE):
        claimed = CrmImport.objects.filter(pk=crm_import_id, status=CrmImport.Status.QUEUED).update(
            status=CrmImport.Status.VALIDATING, finished_at=None
        )
        imp = CrmImport.objects.get(pk=crm_import_id)
        if claimed != 1:
            return imp
        cache = _SqliteCache()
        try:
            tiers = _read(imp, progress)
            imp.refresh_from_db()
            if imp.rows_bad and not imp.accept_good_rows:
                _discard(imp)
                _finish(imp, CrmImport.Status.INVALID, progress)
            elif imp.rows_total - imp.rows_bad <= 0:
                _discard(imp)
                _finish(imp, CrmImport.Status.INVALID, progress, error=_("The file has no good rows."))
            else:
                _load(imp, tiers, progress)
        except ValidationError as exc:
            _discard(imp)
            _finish(imp, CrmImport.Status.FAILED, progress, error="; ".join(exc.messages))
        except Exception as exc:
            log.exception("CRM import %s failed", crm_import_id)
            _discard(imp)
            _finish(imp, CrmImport.Status.FAILED, progress, error=f"{type(exc).__name__}: {exc}"[:2000])
            raise
        finally:
            cache.restore()
        imp.refresh_from_db()
        return imp


class _SqliteCache:
    """SQLite's page cache is 2 MB per connection by default; storing a million rows updates
    ClientMonth's indexes at a million places each, which then reads pages from the file again
    and again. The import's connection gets a 256 MB cache while it runs."""

    SIZE_KIB = 256 * 1024

    def __init__(self):
        self.old = None
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            self.old = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA cache_size = -{self.SIZE_KIB}")

    def restore(self) -> None:
        if self.old is None:
            return
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(self.old)}")
        except Exception:  # noqa: BLE001 - a broken connection is discarded with its cache
            log.warning("could not restore the SQLite cache size")


def _finish(imp, status, progress, error: str = "") -> None:
    CrmImport.objects.filter(pk=imp.pk).update(
        status=status, error=error, finished_at=timezone.now(), is_current=False
    )
    if progress:
        progress(imp.progress_done, imp.progress_total, status)


def _discard(imp) -> None:
    """Rows stored by an import that is not loaded are never read (it is not current); remove them."""
    try:
        with transaction.atomic():
            ClientMonth.objects.filter(crm_import_id=imp.pk).delete()
    except Exception:  # noqa: BLE001 - best effort: the failure itself is what gets reported
        log.exception("could not remove the stored rows of CRM import %s", imp.pk)


def _set_progress(imp_id: int, done: int, total: int, phase: str, progress: Progress | None) -> None:
    CrmImport.objects.filter(pk=imp_id).update(progress_done=done, progress_total=total, phase=phase)
    if progress:
        progress(done, total, phase)


def _show(value) -> str:
    text = str(value if value is not None else "").strip()
    return f"“{text[:30]}”" if text else "“”"


ERR_COLUMNS = ("crm_import_id", "line", "column", "message")
CM_COLUMNS = (
    "crm_import_id",
    "month",
    "line",
    "client_id",
    "branch_id",
    "crm_manager_id",
    "manager_id",
    "opened_on",
    "is_new",
    "net_revenue",
    "avg_assets",
    "end_assets",
)
# What _client_map gives for a client's tier: leave it alone (set by hand, or later figures).
KEEP_TIER = -1


def _client_map(imp: CrmImport) -> dict[str, tuple]:
    """client number -> (client id, branch id, responsible manager on the month's last day or
    None, registry opening day, tier id / 0 for none / KEEP_TIER) packed in one int
    (``_unpack``), for every client, from one query. About 120 bytes a client: a million fit
    well under the memory limit, and every row of the file is then checked without a query.
    A client number whose row has been read maps to minus its line (duplicates)."""
    end = month_end(imp.month)
    qn = connection.ops.quote_name
    client = qn(Client._meta.db_table)
    owner = qn(Ownership._meta.db_table)
    end_col = qn("end")
    # Clients of branches whose later month is already imported keep the tier those figures gave.
    later = list(
        MonthVersion.objects.filter(month__gt=imp.month).values_list("branch_id", flat=True).distinct()
    )
    later_sql = f" OR c.branch_id IN ({', '.join(str(int(b)) for b in later)})" if later else ""
    # The opening day as its ordinal (date.toordinal), computed by the database: a million
    # date objects made and taken apart in Python cost a second.
    if connection.vendor == "sqlite":
        ordinal = "CAST(julianday(c.opened_on) - 1721424.5 AS INTEGER)"
    else:
        ordinal = "(c.opened_on - DATE '0001-01-01' + 1)"
    big = "INTEGER" if connection.vendor == "sqlite" else "BIGINT"
    tier = (
        f"CASE WHEN c.tier_manual OR (c.figures_month IS NOT NULL AND c.figures_month > %s){later_sql} "
        f"THEN {KEEP_TIER} ELSE COALESCE(c.tier_id, 0) END"
    )
    # The two halves of ``_pack`` made by the database (each fits a 64-bit integer): the
    # client and branch; the manager, opening day and tier.
    sql = f"""
        SELECT c.client_no, (CAST(c.id AS {big}) << {CLIENT - BRANCH}) | c.branch_id,
            (CAST(COALESCE(o.manager_id, 0) AS {big}) << {MANAGER})
            | (CAST({ordinal} AS {big}) << {ORDINAL}) | ({tier} + 1)
        FROM {client} c
        LEFT JOIN {owner} o ON o.client_id = c.id AND o.start <= %s
            AND (o.{end_col} IS NULL OR o.{end_col} > %s)
    """
    found: dict[str, int] = {}
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [imp.month, end, end])
        while chunk := cursor.fetchmany(20_000):
            for no, high, low in chunk:
                found[no] = high << BRANCH | low
    return found


# A client of the map as one int (a tuple of five took twice the memory), from the lowest bit:
# tier + 1 (16 bits), the opening day's ordinal (20), the month-end manager or 0 (32), the
# branch (24), the client. The database packs it (``_client_map``), the read loop unpacks it
# inline; ``_pack`` and ``_unpack`` are the same layout in one place each way.
ORDINAL, MANAGER, BRANCH, CLIENT = 16, 36, 68, 92
TIER_MASK, ORDINAL_MASK, MANAGER_MASK, BRANCH_MASK = 0xFFFF, 0xFFFFF, 0xFFFFFFFF, 0xFFFFFF


def _pack(client_id: int, branch_id: int, manager_id: int | None, ordinal: int, tier: int) -> int:
    return (
        client_id << CLIENT
        | branch_id << BRANCH
        | (manager_id or 0) << MANAGER
        | ordinal << ORDINAL
        | (tier + 1)
    )


def _unpack(value: int) -> tuple[int, int, int | None, int, int]:
    """(client, branch, month-end manager or None, opening day's ordinal, tier)."""
    return (
        value >> CLIENT,
        (value >> BRANCH) & BRANCH_MASK,
        (value >> MANAGER) & MANAGER_MASK or None,
        (value >> ORDINAL) & ORDINAL_MASK,
        (value & TIER_MASK) - 1,
    )


def _tier_rules():
    """The active tiers as (asset floor, revenue floor, id) in fen, highest rank first."""
    from brokerdesk.clients.models import Tier

    def fen(floor):  # an amount in fen reaches the floor when it is at least ceil(floor × 100)
        return None if floor is None else int((floor * HUNDRED).to_integral_value(rounding=ROUND_CEILING))

    return [
        (fen(t.min_assets), fen(t.min_revenue), t.pk)
        for t in Tier.objects.filter(active=True).order_by("rank", "pk")
    ]


def _read(imp: CrmImport, progress: Progress | None) -> list[tuple[int | None, int]]:
    """Read the file once: check every row, store the good ones in ClientMonth under this import.

    Each row is checked by itself (numbers, dates, month, flag), against the ~7,000 staff's 工号
    and against every client at once (``_client_map``: client number, branch, responsible
    manager on the month's last day, duplicates). Every problem is an ``ImportRowError`` (line
    and reason). The good rows go straight into ClientMonth under this import, which is not
    current, so nothing reads them; once a bad row is found (and importing the good rows was
    not accepted) nothing more is stored and what was stored is removed at the end. Each
    batch is one short transaction that also moves the progress counters.

    Returns the tier changes the month's figures make ((tier id or None, client id)), applied
    by ``_load`` with the rest.
    """
    if imp.rows_total:  # a re-run (accepting the good rows) starts clean
        ImportRowError.objects.filter(crm_import=imp).delete()
        ClientMonth.objects.filter(crm_import=imp).delete()
    month, end = imp.month, month_end(imp.month)
    staff = dict(Staff.objects.values_list("emp_no", "pk"))
    y, m = month.year, month.month
    spellings = {f"{y}-{m:02d}", f"{y}-{m}", f"{y}/{m:02d}", f"{y}/{m}", f"{y}{m:02d}", f"{y}年{m}月"}
    spellings |= {f"{y}年{m:02d}月", f"{y}-{m:02d}-01", end.isoformat()}
    labels = {
        "net_revenue": _("net revenue"),
        "avg_assets": _("average daily assets"),
        "end_assets": _("month-end assets"),
    }
    msg = {
        "month_unreadable": _("the month %(v)s cannot be read"),
        "month_wrong": _("the row is for %(found)s, not %(month)s"),
        "no_client": _("the client number is missing"),
        "no_emp": _("the client manager's 工号 is missing"),
        "bad_emp": _("unknown client manager 工号 %(no)s"),
        "missing": _("%(col)s is missing"),
        "nan": _("%(col)s %(v)s is not a number"),
        "negative": _("%(col)s cannot be negative"),
        "bad_date": _("the opening date %(v)s cannot be read"),
        "late_date": _("the account was opened on %(day)s, after the month"),
        "bad_flag": _("the new-account flag %(v)s is not 1/0 or 是/否"),
        "unknown_client": _("unknown client number %(no)s"),
        "other_branch": _("client %(no)s belongs to another branch"),
        "duplicate": _("client %(no)s is already on line %(line)s"),
        "no_owner": _("client %(no)s has no responsible manager on %(day)s"),
    }
    own_branch = imp.branch_id
    accept = imp.accept_good_rows
    rules = _tier_rules()
    streaming = _CopyStream() if connection.vendor == "postgresql" else contextlib.nullcontext()
    with streaming as stream, imp.file.open("rb") as fileobj:
        kind = sniff_kind(fileobj.read(8))
        fileobj.seek(0)
        if kind is None:
            raise ValidationError(_("The stored file is not CSV or Excel."))
        total = estimate_rows(fileobj, kind)
        _set_progress(imp.pk, 0, total, Phase.READING, progress)
        clients = _client_map(imp)
        rows = iter_rows(fileobj, kind)
        header = next(rows, None)
        if header is None:
            raise ValidationError(_("The file is empty."))
        cols, problems = map_header(header[1])
        if problems:
            raise ValidationError([_("Line 1 (the header): %(p)s") % {"p": p} for p in problems])
        width = max(cols.values()) + 1
        i_month, i_client, i_emp = cols["month"], cols["client_no"], cols["manager_emp_no"]
        i_opened, i_flag = cols.get("opened_on"), cols.get("new_account")
        amount_cols = [(k, cols[k], k == "net_revenue") for k in ("net_revenue", "avg_assets", "end_assets")]
        i_revenue, i_avg, i_end = cols["net_revenue"], cols["avg_assets"], cols["end_assets"]
        in_fen = connection.vendor == "sqlite"
        month_text = month.isoformat()
        dates: dict[str, dt.date] = {}  # opening days as written, read once each
        count = bad_lines = 0
        good = new_accounts = 0
        sum_revenue = sum_avg = sum_end = 0  # fen
        iso: dict[dt.date, str] = {}  # opening days as ISO text (the database's form)
        branches: set[int] = set()
        unknown: dict[str, int] = {}  # unknown client numbers: their first line (for duplicates)
        tier_changes: list[tuple[int | None, int]] = []
        storing = True
        batch: list = []
        errors: list = []
        pk = imp.pk
        for line, cells in rows:
            count += 1
            row_ok = False
            # The common case first: plain text cells, all good. Anything else (spaces, other
            # spellings, an error) goes through the full check below, which says what is wrong.
            if len(cells) >= width and cells[i_month] in spellings:
                packed = clients.get(cells[i_client])
                crm_manager = staff.get(cells[i_emp])
                if packed is not None and packed > 0 and crm_manager is not None:
                    manager_id = (packed >> MANAGER) & MANAGER_MASK  # _unpack, inline (hot path)
                    branch_id = (packed >> BRANCH) & BRANCH_MASK
                    if manager_id and (not own_branch or branch_id == own_branch):
                        r_text, a_text, e_text = cells[i_revenue], cells[i_avg], cells[i_end]
                        revenue, avg, end_assets = fen_of(r_text), fen_of(a_text), fen_of(e_text)
                        raw = cells[i_opened] if i_opened is not None else None
                        opened_on = dates.get(raw) if raw else None
                        if raw and opened_on is None:
                            opened_on = parse_date(raw)
                            if opened_on is not None and opened_on <= end:
                                dates[raw] = opened_on
                            else:
                                revenue = None  # the full check says what is wrong
                        flag = None
                        raw = cells[i_flag] if i_flag is not None else None
                        if raw:
                            flag = True if raw in TRUE_FLAGS else False if raw in FALSE_FLAGS else None
                            if flag is None:
                                revenue = None
                        if (
                            revenue is not None
                            and avg is not None
                            and end_assets is not None
                            and avg >= 0 <= end_assets
                        ):
                            row_ok = True
                            client_id = packed >> CLIENT
                            registered_on = (packed >> ORDINAL) & ORDINAL_MASK
                            tier = (packed & TIER_MASK) - 1
                            clients[cells[i_client]] = -line
            if not row_ok:
                if len(cells) < width:
                    cells = list(cells) + [None] * (width - len(cells))
                bad: list[tuple[str, str]] = []
                raw = cells[i_month]
                if not (isinstance(raw, str) and raw.strip() in spellings):
                    found = parse_month(raw)
                    if found is None:
                        bad.append(("month", msg["month_unreadable"] % {"v": _show(raw)}))
                    elif found != month:
                        bad.append(
                            (
                                "month",
                                msg["month_wrong"] % {"found": f"{found:%Y-%m}", "month": f"{month:%Y-%m}"},
                            )
                        )
                client_no = _cell_text(cells[i_client])[:40]
                entry = None
                if not client_no:
                    bad.append(("client_no", msg["no_client"]))
                else:
                    entry = clients.get(client_no)
                    if entry is None:
                        bad.append(("client_no", msg["unknown_client"] % {"no": client_no}))
                        first = unknown.setdefault(client_no, line)
                        if first != line:
                            bad.append(("client_no", msg["duplicate"] % {"no": client_no, "line": first}))
                    elif entry < 0:  # minus the line that already had it
                        bad.append(("client_no", msg["duplicate"] % {"no": client_no, "line": -entry}))
                        entry = None
                    else:
                        entry = _unpack(entry)
                        clients[client_no] = -line
                        if own_branch and entry[1] != own_branch:
                            bad.append(("client_no", msg["other_branch"] % {"no": client_no}))
                        if entry[2] is None:
                            bad.append(("client_no", msg["no_owner"] % {"no": client_no, "day": end}))
                emp_no = _cell_text(cells[i_emp])
                crm_manager = staff.get(emp_no)
                if crm_manager is None:
                    bad.append(
                        ("manager_emp_no", msg["bad_emp"] % {"no": emp_no} if emp_no else msg["no_emp"])
                    )
                amounts = []
                for key, i, may_be_negative in amount_cols:
                    raw = cells[i]
                    if raw is None or (isinstance(raw, str) and not raw.strip()):
                        bad.append((key, msg["missing"] % {"col": labels[key]}))
                        continue
                    amount = parse_amount(raw)
                    if amount is None:
                        bad.append((key, msg["nan"] % {"col": labels[key], "v": _show(raw)}))
                    elif amount < 0 and not may_be_negative:
                        bad.append((key, msg["negative"] % {"col": labels[key]}))
                    else:
                        amounts.append(amount)
                opened_on = None
                raw = cells[i_opened] if i_opened is not None else None
                if raw is not None and not (isinstance(raw, str) and not raw.strip()):
                    opened_on = parse_date(raw)
                    if opened_on is None:
                        bad.append(("opened_on", msg["bad_date"] % {"v": _show(raw)}))
                    elif opened_on > end:
                        bad.append(("opened_on", msg["late_date"] % {"day": opened_on}))
                flag = None
                if i_flag is not None:
                    raw = cells[i_flag]
                    flag = parse_flag(raw)
                    if flag is None and raw is not None and str(raw).strip():
                        bad.append(("new_account", msg["bad_flag"] % {"v": _show(raw)}))
                if bad:
                    bad_lines += 1
                    errors.extend((pk, line, col, text[:300]) for col, text in bad)
                    if not accept:
                        storing = False
                else:
                    row_ok = True
                    revenue, avg, end_assets = (int(a * HUNDRED) for a in amounts)
                    r_text, a_text, e_text = (str(a) for a in amounts)
                    client_id, branch_id, manager_id, registered_on, tier = entry
            if row_ok:
                if opened_on is None:
                    opened_on = dt.date.fromordinal(registered_on)  # the registry's opening day
                is_new = flag if flag is not None else month <= opened_on <= end
                opened_text = iso.get(opened_on)
                if opened_text is None:
                    opened_text = iso[opened_on] = opened_on.isoformat()
                good += 1
                new_accounts += is_new
                sum_revenue += revenue
                sum_avg += avg
                sum_end += end_assets
                branches.add(branch_id)
                if tier != KEEP_TIER:
                    new_tier = 0
                    for min_assets, min_revenue, tier_id in rules:
                        if (min_assets is not None and end_assets >= min_assets) or (
                            min_revenue is not None and revenue >= min_revenue
                        ):
                            new_tier = tier_id
                            break
                    if new_tier != tier:
                        tier_changes.append((new_tier or None, client_id))
                if storing:
                    # SQLite gets the amounts in fen (the INSERT divides: the same double as the
                    # decimal text would give); PostgreSQL gets COPY's text lines, the amounts as
                    # written (plain numerals) — every value is an int, a date or such a numeral.
                    if in_fen:
                        batch.append(
                            (
                                line,
                                client_id,
                                branch_id,
                                crm_manager,
                                manager_id,
                                opened_text,
                                is_new,
                                revenue,
                                avg,
                                end_assets,
                            )
                        )
                    else:
                        batch.append(
                            f"{pk}\t{month_text}\t{line}\t{client_id}\t{branch_id}\t{crm_manager}\t{manager_id}\t"
                            f"{opened_text}\t{'t' if is_new else 'f'}\t{r_text}\t{a_text}\t{e_text}\n"
                        )
                        if len(batch) >= STREAM_ROWS:
                            stream.write(batch)
                            batch = []
            if count % BATCH == 0:
                _write_batch(imp, batch if storing else [], errors, stream)
                batch, errors = [], []
                total = max(total, count)
                _set_progress(pk, count, total, Phase.READING, progress)
        _write_batch(imp, batch if storing else [], errors, stream)
    del clients
    totals = {
        "rows": good,
        "new_accounts": new_accounts,
        "net_revenue": str(Decimal(sum_revenue) / HUNDRED),
        "avg_assets": str(Decimal(sum_avg) / HUNDRED),
        "end_assets": str(Decimal(sum_end) / HUNDRED),
        "branches": sorted(branches),
    }
    for key in ("net_revenue", "avg_assets", "end_assets"):
        totals[key] = str(to_fen(totals[key]))
    CrmImport.objects.filter(pk=pk).update(
        rows_total=count, rows_bad=bad_lines, file_totals=totals, phase=Phase.CHECKED
    )
    _set_progress(pk, count, count, Phase.CHECKED, progress)
    return tier_changes


STREAM_ROWS = 2_000  # rows a write while a batch is read (PostgreSQL)


class _CopyStream:
    """The good rows fed to PostgreSQL while the file is read: one ``COPY`` into ClientMonth per
    batch, written a few thousand rows at a time, so that the server stores them (in its own
    process, on another core) while Python reads the next ones. Read first and sent after, the
    two waited for each other: 3 s of a million rows. No other statement may run on the
    connection while a COPY is open: ``close`` ends it (waiting for the server) before the
    batch's errors and progress are written; leaving the block on an error aborts it."""

    def __init__(self):
        self._atomic = self._cursor = self._block = self._copy = None

    def write(self, lines: list[str]) -> None:
        if not lines:
            return
        if self._copy is None:
            qn = connection.ops.quote_name
            cols = ", ".join(qn(c) for c in CM_COLUMNS)
            # Each batch's COPY in a transaction (a savepoint inside another): a COPY aborted
            # by an error then rolls back alone, and the connection goes on.
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self._cursor = connection.connection.cursor()
            self._block = self._cursor.copy(f"COPY {qn(ClientMonth._meta.db_table)} ({cols}) FROM STDIN")
            self._copy = self._block.__enter__()
        self._copy.write("".join(lines))

    def close(self, *exc) -> None:
        if self._copy is None:
            return
        exc = exc or (None, None, None)
        atomic, block, cursor = self._atomic, self._block, self._cursor
        self._atomic = self._cursor = self._block = self._copy = None
        try:
            try:
                block.__exit__(*exc)
            finally:
                cursor.close()
        except Exception as error:
            if exc[0] is None:  # the COPY itself failed: roll back, and say so
                atomic.__exit__(type(error), error, error.__traceback__)
                raise
            log.warning("ending an aborted COPY: %s", error)
        atomic.__exit__(*exc)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close(*exc)


def _write_batch(imp: CrmImport, rows: list, errors: list, stream: _CopyStream | None) -> None:
    """The end of a batch: its last good rows (PostgreSQL: they end the batch's COPY, fed while
    it was read) and its bad rows' errors."""
    if stream is not None:
        stream.write(rows)
        stream.close()
        rows = []
    with transaction.atomic():
        if rows:
            # SQLite. The import and month are the same for every row (written into the
            # statement); the amounts come in fen: dividing two exact doubles gives the double
            # nearest to the decimal amount, the same value the decimal text would be stored as.
            same = (str(int(imp.pk)), f"'{imp.month.isoformat()}'")
            fen = ("%s / 100.0",) * 3
            bulk_insert(ClientMonth._meta.db_table, CM_COLUMNS, rows, marks=same + ("%s",) * 7 + fen)
        bulk_insert(ImportRowError._meta.db_table, ERR_COLUMNS, errors)


def bulk_insert(table: str, columns: tuple[str, ...], rows: list, marks: tuple[str, ...] = ()) -> None:
    """Many rows at once: COPY on PostgreSQL, executemany elsewhere (``marks``: the placeholder
    of each column there, ``%s`` by default)."""
    if not rows:
        return
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            values = ", ".join(marks[i] if i < len(marks) else "%s" for i in range(len(columns)))
            cursor.executemany(f"INSERT INTO {qn(table)} ({cols}) VALUES ({values})", rows)


# --- Loading: the version switch, statistics and tiers in one transaction ---------------------


def fen_total(column: str) -> str:
    """An exact SQL sum of a money column: numeric on PostgreSQL; integer fen on SQLite (whose
    decimal columns are binary floats). Read it back with ``from_fen_total``."""
    if connection.vendor == "sqlite":
        return f"SUM(CAST(ROUND({column} * 100) AS INTEGER))"
    return f"SUM({column})"


def from_fen_total(value) -> Decimal:
    if value is None:
        return ZERO
    return to_fen(Decimal(int(value)) / HUNDRED if connection.vendor == "sqlite" else value)


HUNDRED = Decimal(100)


def _load(imp: CrmImport, tier_changes: list, progress: Progress | None) -> None:
    """In ONE transaction: the openers of the new accounts, the version switch, the statistics
    (one GROUP BY, which also sums the stored rows back for the reconciliation) and the tiers.
    A crash anywhere before the commit leaves the previous version as it was."""
    CrmImport.objects.filter(pk=imp.pk).update(status=CrmImport.Status.LOADING, phase=Phase.LOADING)
    if progress:
        progress(imp.progress_done, imp.progress_total, Phase.LOADING)
    with transaction.atomic():
        branch_ids = [imp.branch_id] if imp.branch_id else list(imp.file_totals.get("branches") or [])
        # Two loads of the same branch and month queue on the branch rows (PostgreSQL);
        # SQLite's immediate transactions already let one writer in at a time.
        list(Branch.objects.select_for_update().filter(pk__in=branch_ids).order_by("pk").values_list("pk"))
        set_openers(imp)
        switch_version(imp, branch_ids)
        imported = rebuild_statistics(imp, branch_ids)
        update_tiers(tier_changes)
        CrmImport.objects.filter(pk=imp.pk).update(
            status=CrmImport.Status.DONE,
            is_current=True,
            phase=Phase.DONE,
            imported_totals=imported,
            rows_imported=imported["rows"],
            owner_mismatches=imported["owner_mismatches"],
            progress_done=imp.progress_total,
            finished_at=timezone.now(),
            error="",
        )
    if connection.vendor == "postgresql":
        # A million new rows: without fresh statistics PostgreSQL plans pay's new-account query
        # as a scan of the whole month instead of the small partial index (0.5 s at 1M rows).
        # Only the columns that queries filter or join on: the amounts' statistics (sampled
        # from 30,000 rows each) are never used, and took half of it.
        columns = ("crm_import_id", "branch_id", "is_new", "opener_id", "client_id", "month")
        with connection.cursor() as cursor:
            cursor.execute(
                f"ANALYZE {connection.ops.quote_name(ClientMonth._meta.db_table)} ({', '.join(columns)})"
            )
    if progress:
        progress(imp.progress_total, imp.progress_total, Phase.DONE)


def set_openers(imp: CrmImport) -> int:
    """Who gets each new account: the responsible manager on its opening day (else the first one)."""
    qn = connection.ops.quote_name
    cm = qn(ClientMonth._meta.db_table)
    owner = qn(Ownership._meta.db_table)
    end_col = qn("end")
    day = f"COALESCE({cm}.opened_on, %s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {cm} SET opener_id = COALESCE(
                (SELECT o2.manager_id FROM {owner} o2 WHERE o2.client_id = {cm}.client_id
                    AND o2.start <= {day} AND (o2.{end_col} IS NULL OR o2.{end_col} > {day})
                    ORDER BY o2.start LIMIT 1),
                (SELECT o3.manager_id FROM {owner} o3 WHERE o3.client_id = {cm}.client_id
                    ORDER BY o3.start LIMIT 1))
            WHERE crm_import_id = %s AND is_new
            """,
            [imp.month, imp.month, imp.pk],
        )
        return cursor.rowcount


def switch_version(imp: CrmImport, branch_ids: list[int]) -> None:
    """Point each branch's month at this import; an import no longer current anywhere is superseded."""
    month = imp.month
    versions = MonthVersion.objects.filter(branch_id__in=branch_ids, month=month)
    old_ids = set(versions.values_list("crm_import_id", flat=True)) - {imp.pk}
    existing = set(versions.values_list("branch_id", flat=True))
    versions.update(crm_import=imp, updated_at=timezone.now())
    MonthVersion.objects.bulk_create(
        [MonthVersion(branch_id=b, month=month, crm_import=imp) for b in branch_ids if b not in existing]
    )
    still_current = set(
        MonthVersion.objects.filter(crm_import_id__in=old_ids).values_list("crm_import_id", flat=True)
    )
    CrmImport.objects.filter(pk__in=old_ids - still_current).update(is_current=False, superseded_by=imp)
    CrmImport.objects.filter(pk=imp.pk).update(is_current=True)


def _placements(staff_ids, end: dt.date) -> dict[int, tuple[int | None, int | None]]:
    """(team, regional manager) of each person on the month's last day (StaffAssignment), else
    their current placement."""
    from brokerdesk.org.models import StaffAssignment

    found = {
        pk: (team_id, rm_id)
        for pk, team_id, rm_id in Staff.objects.filter(pk__in=staff_ids).values_list(
            "pk", "team_id", "regional_manager_id"
        )
    }
    dated = (
        StaffAssignment.objects.filter(staff_id__in=staff_ids, starts_on__lte=end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=end))
        .order_by("staff_id", "id")
        .values_list("staff_id", "team_id", "regional_manager_id")
    )
    for staff_id, team_id, rm_id in dated:  # the latest (highest id) wins
        found[staff_id] = (team_id, rm_id)
    return found


def rebuild_statistics(imp: CrmImport, branch_ids: list[int]) -> dict:
    """The branches' ManagerMonth rows of the month, from this import; returns what the stored
    rows sum to (the reconciliation's "imported" column) and what the statistics sum to.

    One GROUP BY over the import's rows (the (import, manager) index) gives revenue, assets and
    clients served by the month-end manager, and the rows' own totals; a second, over the small
    partial index of new accounts, the new accounts by their opener. Team and regional manager
    are the person's placement on the month's last day.
    """
    month = imp.month
    end = month_end(month)
    ManagerMonth.objects.filter(branch_id__in=branch_ids, month=month).delete()
    qn = connection.ops.quote_name
    cm = qn(ClientMonth._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT branch_id, manager_id, COUNT(*), {fen_total("net_revenue")}, {fen_total("end_assets")},
                {fen_total("avg_assets")}, SUM(CASE WHEN manager_id <> crm_manager_id THEN 1 ELSE 0 END)
            FROM {cm} WHERE crm_import_id = %s GROUP BY branch_id, manager_id
            """,
            [imp.pk],
        )
        served = cursor.fetchall()
        cursor.execute(
            f"SELECT branch_id, opener_id, COUNT(*) FROM {cm} WHERE crm_import_id = %s AND is_new "
            f"GROUP BY branch_id, opener_id",
            [imp.pk],
        )
        opened = cursor.fetchall()
    groups: dict[tuple[int, int], list] = {}
    rows = mismatches = 0
    sums = [ZERO] * 3
    for branch_id, staff_id, n, revenue, end_assets, avg, mismatch in served:
        revenue, end_assets, avg = from_fen_total(revenue), from_fen_total(end_assets), from_fen_total(avg)
        rows += n
        mismatches += int(mismatch or 0)
        sums = [sums[0] + revenue, sums[1] + end_assets, sums[2] + avg]
        groups[(branch_id, staff_id)] = [0, n, revenue, end_assets, avg]
    new_total = 0
    for branch_id, opener_id, n in opened:
        new_total += n
        if opener_id is None:
            continue
        groups.setdefault((branch_id, opener_id), [0, 0, ZERO, ZERO, ZERO])[0] += n
    placed = _placements({staff_id for _b, staff_id in groups}, end)
    bulk_insert(
        ManagerMonth._meta.db_table,
        MM_COLUMNS,
        [
            (branch_id, month, staff_id, *placed[staff_id], imp.pk, new, new, n, revenue, end_assets, avg, 0)
            for (branch_id, staff_id), (new, n, revenue, end_assets, avg) in sorted(groups.items())
            if staff_id in placed
        ],
    )
    _qualify(imp, branch_ids)
    return {
        "rows": rows,
        "net_revenue": str(sums[0]),
        "avg_assets": str(sums[2]),
        "end_assets": str(sums[1]),
        "new_accounts": new_total,
        "owner_mismatches": mismatches,
        "statistics": statistics_totals(imp),
    }


MM_COLUMNS = (
    "branch_id",
    "month",
    "staff_id",
    "team_id",
    "regional_manager_id",
    "crm_import_id",
    "new_accounts",
    "qualified_new_accounts",
    "clients_served",
    "net_revenue",
    "total_assets",
    "avg_assets",
    "product_sales",
)


def statistics_totals(imp: CrmImport) -> dict:
    """What the import's statistics (ManagerMonth, a few thousand rows) sum to."""
    qn = connection.ops.quote_name
    mm = qn(ManagerMonth._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*), SUM(clients_served), SUM(new_accounts), {fen_total("net_revenue")},
                {fen_total("avg_assets")}, {fen_total("total_assets")}
            FROM {mm} WHERE crm_import_id = %s
            """,
            [imp.pk],
        )
        managers, served, new, revenue, avg, end = cursor.fetchone()
    return {
        "managers": managers or 0,
        "clients_served": int(served or 0),
        "new_accounts": int(new or 0),
        "net_revenue": str(from_fen_total(revenue)),
        "avg_assets": str(from_fen_total(avg)),
        "end_assets": str(from_fen_total(end)),
    }


def schemes_in_force(branch_ids, month: dt.date) -> dict[tuple[int, int | None], PayScheme]:
    """(branch, team or None) -> the approved scheme in force in the month (latest wins)."""
    found: dict[tuple[int, int | None], PayScheme] = {}
    schemes = PayScheme.objects.filter(
        branch_id__in=branch_ids, status=PayScheme.Status.APPROVED, effective_from__lte=month
    ).order_by("effective_from", "version", "id")
    for scheme in schemes:
        found[(scheme.branch_id, scheme.team_id)] = scheme
    return found


def _qualify(imp: CrmImport, branch_ids: list[int]) -> None:
    """Qualified new accounts: month-end assets at least the scheme's threshold (the team's
    scheme, else the branch's); without a threshold every new account qualifies."""
    schemes = schemes_in_force(branch_ids, imp.month)
    for (branch_id, team_id), scheme in schemes.items():
        threshold = scheme.new_account_min_assets or Decimal(0)
        if threshold <= 0:
            continue  # written equal to the new accounts
        rows = ManagerMonth.objects.filter(branch_id=branch_id, month=imp.month, crm_import=imp)
        if team_id is None:
            own = [t for (b, t) in schemes if b == branch_id and t is not None]
            rows = rows.exclude(team_id__in=own)
        else:
            rows = rows.filter(team_id=team_id)
        qualified = (
            ClientMonth.objects.filter(
                crm_import=imp,
                branch_id=OuterRef("branch_id"),
                opener_id=OuterRef("staff_id"),
                is_new=True,
                end_assets__gte=threshold,
            )
            .order_by()
            .values("opener_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        rows.update(qualified_new_accounts=Coalesce(Subquery(qualified), Value(0)))


def update_tiers(changes: list[tuple[int | None, int]]) -> int:
    """The tiers the month's figures change (``clients.rules.tier_for``'s rule, applied while
    reading): only those clients are written, and never one whose tier is set by hand. The
    clients' figures themselves are not copied anywhere: the client pages read the current
    import's ClientMonth rows (``clients.selectors.with_latest_figures``)."""
    if not changes:
        return 0
    qn = connection.ops.quote_name
    client = qn(Client._meta.db_table)
    if connection.vendor == "postgresql":  # one UPDATE … FROM a temporary table (COPY)
        table = f"crm_tiers_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {table} (tier_id BIGINT, client_id BIGINT) ON COMMIT DROP"
            )
            bulk_insert(table, ("tier_id", "client_id"), changes)
            cursor.execute(
                f"UPDATE {client} SET tier_id = t.tier_id FROM {table} t "
                f"WHERE {client}.id = t.client_id AND NOT {client}.tier_manual"
            )
        return len(changes)
    sql = f"UPDATE {client} SET tier_id = %s WHERE id = %s AND NOT tier_manual"
    with connection.cursor() as cursor:
        for start in range(0, len(changes), 10_000):
            cursor.executemany(sql, changes[start : start + 10_000])
    return len(changes)


RECONCILED = ("rows", "net_revenue", "avg_assets", "end_assets", "new_accounts")


def reconciliation(imp: CrmImport) -> list[dict]:
    """Rows of the reconciliation table: the file's totals (good rows), what the import's rows
    sum to, and what the statistics sum to; ``ok`` when all agree."""
    labels = {
        "rows": _("rows"),
        "net_revenue": _("net revenue"),
        "avg_assets": _("average daily assets"),
        "end_assets": _("month-end assets"),
        "new_accounts": _("new accounts"),
    }
    stat_keys = {
        "rows": "clients_served",
        "net_revenue": "net_revenue",
        "avg_assets": "avg_assets",
        "end_assets": "end_assets",
        "new_accounts": "new_accounts",
    }
    file_totals = imp.file_totals or {}
    imported = imp.imported_totals or {}
    stats = imported.get("statistics") or {}
    out = []
    for key in RECONCILED:
        money = key not in ("rows", "new_accounts")
        conv = (
            (lambda v: Decimal(str(v)) if v not in (None, "") else None)
            if money
            else (lambda v: int(v) if v not in (None, "") else None)
        )
        f, i, s = conv(file_totals.get(key)), conv(imported.get(key)), conv(stats.get(stat_keys[key]))
        out.append(
            {
                "key": key,
                "label": labels[key],
                "money": money,
                "file": f,
                "imported": i,
                "statistics": s,
                "ok": f is not None and f == i == s,
            }
        )
    return out
