# ruff: noqa: S608 - the SQL here names tables from the models and this module; values are parameters
"""The monthly CRM import (第十五条): a month of client-level figures from the firm's CRM.

``import_start`` checks the caller, the month and the file (by content, size capped), stores
it and queues the work; ``import_run`` does the work in three phases:

1. **read**: the file is streamed (``csv`` or openpyxl read-only) in batches of
   ``BATCH`` rows. Each row is checked (number, dates, month, new-account flag) and looked
   up (client number, the CRM's manager 工号, the responsible manager on the last day of the
   month and on the opening day from the ownership history, duplicates). Every problem is
   an ``ImportRowError`` (line and reason). Good rows are *staged* in ``ClientMonth`` under
   this import, which is not current yet, so nothing reads them. Each batch is one short
   transaction that also moves the progress counters, so the page and the command line see
   progress while the file is read, and a concurrent writer never waits long for SQLite's
   lock.
2. **check**: a file with bad rows stops here (status ``invalid``: nothing imported) unless
   the user accepted importing the good rows (then, or later with
   ``import_accept_good_rows``).
3. **load**: in ONE transaction the month is switched to this import (``MonthVersion`` of
   every branch it covers repointed, the previous import kept as superseded), the branches'
   statistics (``ManagerMonth``) are deleted and rebuilt by one INSERT … SELECT … GROUP BY,
   and the clients' interim figures (``clients.Figure`` of the month, the latest figures on
   the client row, tiers) are refreshed set-based. A crash anywhere before the commit leaves
   the previous version as it was; the staged rows of a failed import are never read.

Credit (DESIGN: by ownership history, never by the CRM's own column): revenue, assets and
"clients served" go to the responsible manager on the month's last day; a new account goes to
the manager on its opening day. The CRM's 工号 is validated and reconciled (``owner_mismatches``).

Money is Decimal, rounded half-up to the fen once when read; sums in SQL are exact (numeric on
PostgreSQL, integer fen on SQLite, whose decimal columns hold binary floats).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import logging
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.scope import EVERYTHING, can, scope_filter, visible
from brokerdesk.clients.models import Client, Ownership
from brokerdesk.core.files import safe_display_name
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

BATCH = 5000
# A month of a million clients is about 70 MB of CSV; the web server's own upload limit
# (UPLOAD_MAX_BYTES) is for documents and far smaller, so CRM files have their own cap.
MAX_BYTES = getattr(settings, "CRM_IMPORT_MAX_BYTES", 300 * 1024 * 1024)
# An .xlsx is a zip: its unpacked size and compression ratio are capped (zip bombs).
XLSX_MAX_UNPACKED = 2 * 1024 * 1024 * 1024
XLSX_MAX_RATIO = 150
FEN = Decimal("0.01")
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
    READING = "reading"
    CHECKING = "checking"
    CHECKED = "checked"
    STAGING = "staging"
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
    amount = amount.quantize(FEN, rounding=ROUND_HALF_UP)
    return amount if abs(amount) < LIMIT else None


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
            if row and any(c.strip() for c in row):
                yield reader.line_num, row
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": _("The file is not text in UTF-8 or GBK: save it as CSV (UTF-8).")}
        ) from None
    finally:
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
        stage = _Stage(imp)
        cache = _SqliteCache()
        try:
            _read(imp, stage, progress)
            _check(imp, stage, progress)
            imp.refresh_from_db()
            if imp.rows_bad and not imp.accept_good_rows:
                _finish(imp, CrmImport.Status.INVALID, progress)
            elif imp.rows_total - imp.rows_bad <= 0:
                _finish(imp, CrmImport.Status.INVALID, progress, error=_("The file has no good rows."))
            else:
                _stage_rows(imp, stage, progress)
                _load(imp, progress)
        except ValidationError as exc:
            _discard(imp)
            _finish(imp, CrmImport.Status.FAILED, progress, error="; ".join(exc.messages))
        except Exception as exc:
            log.exception("CRM import %s failed", crm_import_id)
            _discard(imp)
            _finish(imp, CrmImport.Status.FAILED, progress, error=f"{type(exc).__name__}: {exc}"[:2000])
            raise
        finally:
            stage.drop()
            cache.restore()
        imp.refresh_from_db()
        return imp


class _SqliteCache:
    """SQLite's page cache is 2 MB per connection by default; the staging of a million rows
    updates eight indexes of ClientMonth at thousands of places each, which then reads pages
    from the file again and again. The import's connection gets a 256 MB cache while it runs."""

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
    """Rows staged by an import that failed are never read (it is not current); remove them."""
    try:
        with transaction.atomic():
            ClientMonth.objects.filter(crm_import_id=imp.pk).delete()
    except Exception:  # noqa: BLE001 - best effort: the failure itself is what gets reported
        log.exception("could not remove the staged rows of CRM import %s", imp.pk)


def _set_progress(imp_id: int, done: int, total: int, phase: str, progress: Progress | None) -> None:
    CrmImport.objects.filter(pk=imp_id).update(progress_done=done, progress_total=total, phase=phase)
    if progress:
        progress(done, total, phase)


class _Stage:
    """The connection's temporary tables: the file's rows as read (amounts in integer fen), and
    the lines found bad. Temporary tables are private to the connection and cost no log."""

    def __init__(self, imp: CrmImport):
        suffix = f"{imp.pk}_{uuid.uuid4().hex[:6]}"
        self.rows = f"crm_stage_{suffix}"
        self.bad = f"crm_bad_{suffix}"
        self.created = False

    def create(self) -> None:
        big = "INTEGER" if connection.vendor == "sqlite" else "BIGINT"
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.rows} (line INTEGER NOT NULL, client_no VARCHAR(40) NOT NULL, "
                f"crm_manager_id {big}, opened_on DATE, is_new SMALLINT, ok SMALLINT NOT NULL, "
                f"net_revenue {big}, avg_assets {big}, end_assets {big})"
            )
            cursor.execute(f"CREATE TEMPORARY TABLE {self.bad} (line INTEGER PRIMARY KEY)")
        self.created = True

    def analyze(self) -> None:
        """PostgreSQL never analyzes temporary tables by itself: without statistics it plans the
        joins against a million clients as if the staged rows were a handful."""
        if connection.vendor == "postgresql" and self.created:
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {self.rows}")
                cursor.execute(f"ANALYZE {self.bad}")

    def drop(self) -> None:
        if not self.created:
            return
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.rows}")
                cursor.execute(f"DROP TABLE IF EXISTS {self.bad}")
        except Exception:  # noqa: BLE001 - a broken connection drops its temporary tables anyway
            log.warning("could not drop the staging tables %s", self.rows)
        self.created = False


def _show(value) -> str:
    text = str(value if value is not None else "").strip()
    return f"“{text[:30]}”" if text else "“”"


STAGE_COLUMNS = (
    "line",
    "client_no",
    "crm_manager_id",
    "opened_on",
    "is_new",
    "ok",
    "net_revenue",
    "avg_assets",
    "end_assets",
)
ERR_COLUMNS = ("crm_import_id", "line", "column", "message")
HUNDRED = Decimal(100)


def _read(imp: CrmImport, stage: _Stage, progress: Progress | None) -> None:
    """Phase 1: stream the file, check each row by itself, stage every row that names a client.

    What a row can be checked for alone is checked here, in Python (numbers, dates, month,
    flag, the CRM's 工号 against the ~7,000 staff); what needs the million clients and their
    ownership is checked by SQL over the staged rows (``_check``).
    """
    ImportRowError.objects.filter(crm_import=imp).delete()  # a re-run (accepting) starts clean
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
    }
    stage.create()
    with imp.file.open("rb") as fileobj:
        kind = sniff_kind(fileobj.read(8))
        fileobj.seek(0)
        if kind is None:
            raise ValidationError(_("The stored file is not CSV or Excel."))
        total = estimate_rows(fileobj, kind)
        _set_progress(imp.pk, 0, total, Phase.READING, progress)
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
        count = bad_lines = 0
        staged: list = []
        errors: list = []
        for line, cells in rows:
            if len(cells) < width:
                cells = list(cells) + [None] * (width - len(cells))
            count += 1
            bad: list[tuple[str, str]] = []
            raw = cells[i_month]
            if not (isinstance(raw, str) and raw.strip() in spellings):
                found = parse_month(raw)
                if found is None:
                    bad.append(("month", msg["month_unreadable"] % {"v": _show(raw)}))
                elif found != month:
                    bad.append(
                        ("month", msg["month_wrong"] % {"found": f"{found:%Y-%m}", "month": f"{month:%Y-%m}"})
                    )
            client_no = _cell_text(cells[i_client])
            if not client_no:
                bad.append(("client_no", msg["no_client"]))
            emp_no = _cell_text(cells[i_emp])
            crm_manager = staff.get(emp_no)
            if crm_manager is None:
                bad.append(("manager_emp_no", msg["bad_emp"] % {"no": emp_no} if emp_no else msg["no_emp"]))
            fen = []
            for key, i, may_be_negative in amount_cols:
                raw = cells[i]
                amount = None
                try:  # the common case, a plain number as text, without the function calls
                    amount = Decimal(raw).quantize(FEN, rounding=ROUND_HALF_UP)
                    if not (amount.is_finite() and -LIMIT < amount < LIMIT):
                        amount = None
                except (InvalidOperation, TypeError, ValueError):
                    pass
                if amount is None or not isinstance(raw, str):
                    if raw is None or (isinstance(raw, str) and not raw.strip()):
                        bad.append((key, msg["missing"] % {"col": labels[key]}))
                        fen.append(None)
                        continue
                    amount = parse_amount(raw)
                    if amount is None:
                        bad.append((key, msg["nan"] % {"col": labels[key], "v": _show(raw)}))
                        fen.append(None)
                        continue
                if amount < 0 and not may_be_negative:
                    bad.append((key, msg["negative"] % {"col": labels[key]}))
                    fen.append(None)
                    continue
                fen.append(int(amount * HUNDRED))
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
            if flag is not None:
                is_new = 1 if flag else 0
            elif opened_on is not None:
                is_new = 1 if month <= opened_on <= end else 0
            else:
                is_new = None  # the registry's opening day decides (see _check)
            if bad:
                bad_lines += 1
                errors.extend((imp.pk, line, col, text[:300]) for col, text in bad)
            if client_no:
                staged.append((line, client_no[:40], crm_manager, opened_on, is_new, 0 if bad else 1, *fen))
            if len(staged) >= BATCH:
                _write_batch(stage, staged, errors)
                staged, errors = [], []
                total = max(total, count)
                _set_progress(imp.pk, count, total, Phase.READING, progress)
        _write_batch(stage, staged, errors)
    CrmImport.objects.filter(pk=imp.pk).update(rows_total=count, rows_bad=bad_lines)
    stage.analyze()
    _set_progress(imp.pk, count, count, Phase.CHECKING, progress)


def _write_batch(stage: _Stage, staged: list, errors: list) -> None:
    with transaction.atomic():
        bulk_insert(stage.rows, STAGE_COLUMNS, staged)
        bulk_insert(ImportRowError._meta.db_table, ERR_COLUMNS, errors)


def bulk_insert(table: str, columns: tuple[str, ...], rows: list) -> None:
    """Many rows at once: COPY on PostgreSQL, executemany elsewhere."""
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
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})", rows)


def sql_message(template: str, values: dict[str, str]) -> tuple[str, list[str]]:
    """A translated message with ``%(name)s`` placeholders as an SQL concatenation of its literal
    parts (parameters) and the given SQL expressions, in the translation's own order."""
    parts: list[str] = []
    params: list[str] = []
    for piece in re.split(r"(%\(\w+\)s)", template):
        if not piece:
            continue
        m = re.fullmatch(r"%\((\w+)\)s", piece)
        if m:
            parts.append(f"CAST({values[m.group(1)]} AS VARCHAR(40))")
        else:
            parts.append("%s")
            params.append(piece.replace("%%", "%"))
    return " || ".join(parts) or "''", params


def _check(imp: CrmImport, stage: _Stage, progress: Progress | None) -> None:
    """Phase 2: the checks that need the clients and their ownership, as a few set-based
    statements over the staged rows; every problem lands in ImportRowError with its line."""
    qn = connection.ops.quote_name
    client = qn(Client._meta.db_table)
    owner = qn(Ownership._meta.db_table)
    errors = qn(ImportRowError._meta.db_table)
    end = month_end(imp.month)
    s = stage.rows
    checks = []
    text, params = sql_message(_("unknown client number %(no)s"), {"no": "s.client_no"})
    checks.append(
        (
            f"SELECT %s, s.line, 'client_no', {text} FROM {s} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {client} c WHERE c.client_no = s.client_no)",
            params,
        )
    )
    if imp.branch_id:
        text, params = sql_message(_("client %(no)s belongs to another branch"), {"no": "s.client_no"})
        checks.append(
            (
                f"SELECT %s, s.line, 'client_no', {text} FROM {s} s "
                f"JOIN {client} c ON c.client_no = s.client_no WHERE c.branch_id <> {int(imp.branch_id)}",
                params,
            )
        )
    text, params = sql_message(
        _("client %(no)s is already on line %(line)s"), {"no": "s.client_no", "line": "d.first_line"}
    )
    checks.append(
        (
            f"SELECT %s, s.line, 'client_no', {text} FROM {s} s JOIN "
            f"(SELECT client_no, MIN(line) AS first_line FROM {s} GROUP BY client_no HAVING COUNT(*) > 1) d "
            f"ON d.client_no = s.client_no WHERE s.line > d.first_line",
            params,
        )
    )
    template = _("client %(no)s has no responsible manager on %(day)s") % {"no": "%(no)s", "day": end}
    text, params = sql_message(template, {"no": "s.client_no"})
    checks.append(
        (
            f"SELECT %s, s.line, 'client_no', {text} FROM {s} s "
            f"JOIN {client} c ON c.client_no = s.client_no WHERE NOT EXISTS (SELECT 1 FROM {owner} o "
            f"WHERE o.client_id = c.id AND o.start <= %s AND (o.{qn('end')} IS NULL OR o.{qn('end')} > %s))",
            [*params, end, end],
        )
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for select, params in checks:
            cursor.execute(
                f"INSERT INTO {errors} (crm_import_id, line, {qn('column')}, message) {select}",
                [imp.pk, *params],
            )
        cursor.execute(
            f"INSERT INTO {stage.bad} (line) SELECT DISTINCT line FROM {errors} WHERE crm_import_id = %s",
            [imp.pk],
        )
        cursor.execute(f"SELECT COUNT(*) FROM {stage.bad}")
        bad_lines = cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {stage.bad}")
        # Rows whose opening day is not in the file: the registry's decides whether it is new.
        cursor.execute(
            f"UPDATE {s} SET opened_on = "
            f"(SELECT c.opened_on FROM {client} c WHERE c.client_no = {s}.client_no) WHERE opened_on IS NULL"
        )
        cursor.execute(
            f"UPDATE {s} SET is_new = CASE WHEN opened_on >= %s AND opened_on <= %s THEN 1 ELSE 0 END "
            f"WHERE is_new IS NULL",
            [imp.month, end],
        )
        cursor.execute(
            f"SELECT COUNT(*), SUM(net_revenue), SUM(avg_assets), SUM(end_assets), SUM(is_new) FROM {s} "
            f"WHERE ok = 1 AND NOT EXISTS (SELECT 1 FROM {stage.bad} b WHERE b.line = {s}.line)"
        )
        rows, revenue, avg, end_assets, new = cursor.fetchone()
    totals = {
        "rows": rows or 0,
        "new_accounts": int(new or 0),
        "net_revenue": str(Decimal(revenue or 0) / HUNDRED),
        "avg_assets": str(Decimal(avg or 0) / HUNDRED),
        "end_assets": str(Decimal(end_assets or 0) / HUNDRED),
    }
    for key in ("net_revenue", "avg_assets", "end_assets"):
        totals[key] = str(Decimal(totals[key]).quantize(FEN))
    CrmImport.objects.filter(pk=imp.pk).update(rows_bad=bad_lines, file_totals=totals, phase=Phase.CHECKED)
    if progress:
        progress(imp.rows_total, imp.rows_total, Phase.CHECKED)


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
    "opener_id",
    "net_revenue",
    "avg_assets",
    "end_assets",
)
# SQLite: ten chunks, each a short transaction that moves the bar. PostgreSQL: one statement,
# as each chunk would hash the million clients and their ownership again.
STAGE_CHUNKS = 10


def _stage_rows(imp: CrmImport, stage: _Stage, progress: Progress | None) -> None:
    """Phase 3: the good rows into ClientMonth under this import (not current yet, so nothing
    reads them), credited by the ownership history, in a few chunks for the progress bar."""
    qn = connection.ops.quote_name
    client = qn(Client._meta.db_table)
    owner = qn(Ownership._meta.db_table)
    cm = qn(ClientMonth._meta.db_table)
    end_col = qn("end")
    month, end = imp.month, month_end(imp.month)
    s = stage.rows
    new = "(s.is_new = 1)"
    day = "COALESCE(s.opened_on, %s)"
    sql = f"""
        INSERT INTO {cm} ({", ".join(qn(c) for c in CM_COLUMNS)})
        SELECT %s, %s, s.line, c.id, c.branch_id, s.crm_manager_id, o.manager_id, s.opened_on, {new},
            CASE WHEN s.is_new = 1 THEN COALESCE(
                (SELECT o2.manager_id FROM {owner} o2 WHERE o2.client_id = c.id AND o2.start <= {day}
                    AND (o2.{end_col} IS NULL OR o2.{end_col} > {day}) ORDER BY o2.start LIMIT 1),
                (SELECT o3.manager_id FROM {owner} o3 WHERE o3.client_id = c.id ORDER BY o3.start LIMIT 1)
            ) END,
            s.net_revenue / 100.0, s.avg_assets / 100.0, s.end_assets / 100.0
        FROM {s} s
        JOIN {client} c ON c.client_no = s.client_no
        JOIN {owner} o ON o.client_id = c.id AND o.start <= %s AND (o.{end_col} IS NULL OR o.{end_col} > %s)
        WHERE s.ok = 1 AND s.line > %s AND s.line <= %s
            AND NOT EXISTS (SELECT 1 FROM {stage.bad} b WHERE b.line = s.line)
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(line), MAX(line) FROM {s}")
        low, high = cursor.fetchone()
    if low is None:
        return
    total = imp.rows_total
    chunks = STAGE_CHUNKS if connection.vendor == "sqlite" else 1
    step = max(BATCH, (high - low + chunks) // chunks)
    done = 0
    _set_progress(imp.pk, 0, total, Phase.STAGING, progress)
    for start in range(low - 1, high, step):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [imp.pk, month, month, month, end, end, start, start + step])
            done += max(cursor.rowcount, 0)
            CrmImport.objects.filter(pk=imp.pk).update(progress_done=min(total, start + step - low + 1))
        if progress:
            progress(min(total, start + step - low + 1), total, Phase.STAGING)


# --- Loading: the version switch, statistics and figures in one transaction -------------------


def fen_sum(column: str) -> str:
    """An exact SQL sum of a money column: numeric on PostgreSQL; integer fen on SQLite (whose
    decimal columns are binary floats), turned back into yuan by the caller or the division."""
    if connection.vendor == "sqlite":
        return f"(SUM(CAST(ROUND({column} * 100) AS INTEGER)) / 100.0)"
    return f"SUM({column})"


def _exact(value) -> Decimal:
    if value is None:
        return Decimal("0.00")
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def _load(imp: CrmImport, progress: Progress | None) -> None:
    CrmImport.objects.filter(pk=imp.pk).update(status=CrmImport.Status.LOADING, phase=Phase.LOADING)
    if progress:
        progress(imp.progress_done, imp.progress_total, Phase.LOADING)
    with transaction.atomic():
        branch_ids = [imp.branch_id] if imp.branch_id else list(imp.file_totals.get("branches") or [])
        if not branch_ids:
            branch_ids = sorted(
                set(ClientMonth.objects.filter(crm_import=imp).values_list("branch_id", flat=True).distinct())
            )
        # Two loads of the same branch and month queue on the branch rows (PostgreSQL);
        # SQLite's immediate transactions already let one writer in at a time.
        list(Branch.objects.select_for_update().filter(pk__in=branch_ids).order_by("pk").values_list("pk"))
        switch_version(imp, branch_ids)
        rebuild_statistics(imp, branch_ids)
        refresh_client_figures(imp)
        imported = imported_totals(imp)
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
    if progress:
        progress(imp.progress_total, imp.progress_total, Phase.DONE)


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


def rebuild_statistics(imp: CrmImport, branch_ids: list[int]) -> int:
    """The branches' ManagerMonth rows of the month, from this import, in one INSERT … SELECT.

    Revenue, assets and clients served group by the month-end manager; new accounts by the
    opener. Team and regional manager are the person's placement on the month's last day
    (StaffAssignment), else their current one.
    """
    month = imp.month
    end = month_end(month)
    ManagerMonth.objects.filter(branch_id__in=branch_ids, month=month).delete()
    qn = connection.ops.quote_name
    cm = qn(ClientMonth._meta.db_table)
    mm = qn(ManagerMonth._meta.db_table)
    staff = qn(Staff._meta.db_table)
    from brokerdesk.org.models import StaffAssignment

    sa = qn(StaffAssignment._meta.db_table)
    sql = f"""
        INSERT INTO {mm} (branch_id, month, staff_id, team_id, regional_manager_id, crm_import_id,
            new_accounts, qualified_new_accounts, clients_served, net_revenue, total_assets,
            avg_assets, product_sales)
        SELECT g.branch_id, %s, g.staff_id,
            CASE WHEN a.id IS NULL THEN s.team_id ELSE a.team_id END,
            CASE WHEN a.id IS NULL THEN s.regional_manager_id ELSE a.regional_manager_id END,
            %s, g.new_accounts, g.new_accounts, g.served, g.revenue, g.end_assets, g.avg_assets, 0
        FROM (
            SELECT u.branch_id, u.staff_id, SUM(u.is_new) AS new_accounts, SUM(u.served) AS served,
                {fen_sum("u.revenue")} AS revenue, {fen_sum("u.end_assets")} AS end_assets,
                {fen_sum("u.avg_assets")} AS avg_assets
            FROM (
                SELECT branch_id, manager_id AS staff_id, 0 AS is_new, 1 AS served,
                    net_revenue AS revenue, end_assets, avg_assets
                FROM {cm} WHERE crm_import_id = %s
                UNION ALL
                SELECT branch_id, opener_id, 1, 0, 0, 0, 0
                FROM {cm} WHERE crm_import_id = %s AND is_new AND opener_id IS NOT NULL
            ) u
            GROUP BY u.branch_id, u.staff_id
        ) g
        JOIN {staff} s ON s.id = g.staff_id
        LEFT JOIN (
            SELECT staff_id, MAX(id) AS id FROM {sa}
            WHERE starts_on <= %s AND (ends_on IS NULL OR ends_on >= %s)
            GROUP BY staff_id
        ) cur ON cur.staff_id = g.staff_id
        LEFT JOIN {sa} a ON a.id = cur.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [month, imp.pk, imp.pk, imp.pk, end, end])
        inserted = cursor.rowcount
    _qualify(imp, branch_ids)
    return inserted


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
        rows = ManagerMonth.objects.filter(branch_id=branch_id, month=imp.month, crm_import=imp)
        if team_id is None:
            own = [t for (b, t) in schemes if b == branch_id and t is not None]
            rows = rows.exclude(team_id__in=own)
        else:
            rows = rows.filter(team_id=team_id)
        if threshold <= 0:
            rows.update(qualified_new_accounts=F("new_accounts"))
            continue
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


def tier_case(assets: str, revenue: str) -> tuple[str, list]:
    """The tier rule of ``clients.services.tier_recompute`` as one SQL CASE over the given
    assets and revenue expressions: the highest tier (rank 1 first) whose floor is met."""
    from brokerdesk.clients.models import Tier

    whens, params = [], []
    for tier in Tier.objects.filter(active=True).order_by("rank"):
        conds = []
        if tier.min_assets is not None:
            conds.append(f"{assets} >= %s")
            params.append(tier.min_assets)
        if tier.min_revenue is not None:
            conds.append(f"{revenue} >= %s")
            params.append(tier.min_revenue)
        if conds:
            whens.append(f"WHEN {' OR '.join(conds)} THEN %s")
            params.append(tier.pk)
    if not whens:
        return "NULL", []
    return f"CASE {' '.join(whens)} ELSE NULL END", params


def refresh_client_figures(imp: CrmImport) -> None:
    """The clients' interim figures (clients.Figure, source "crm") of the month, and, for each
    client whose latest figures these become, the figures on the client row and its tier.

    Two set-based statements (a million clients in seconds). The tier follows the rule of
    ``clients.services.tier_recompute`` (clients with a tier set by hand keep it), computed in
    the same UPDATE as the figures: calling tier_recompute itself rewrote every client three
    to five times over. Rows that already hold these figures are not rewritten (importing the
    same file again writes nothing here). Written without django-simple-history rows: the import
    keeps every version of the month's figures (ClientMonth), so a history row per client would
    repeat it.
    """
    from brokerdesk.clients.models import Figure

    qn = connection.ops.quote_name
    cm = qn(ClientMonth._meta.db_table)
    fig = qn(Figure._meta.db_table)
    client = qn(Client._meta.db_table)
    now = timezone.now()
    tier, tier_params = tier_case("c.end_assets", "c.net_revenue")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {fig} (client_id, month, assets, revenue, source, created_by_id, created_at)
            SELECT client_id, month, end_assets, net_revenue, 'crm', %s, %s FROM {cm} WHERE crm_import_id = %s
            ON CONFLICT (client_id, month) DO UPDATE SET
                assets = excluded.assets, revenue = excluded.revenue, source = excluded.source
            WHERE {fig}.assets <> excluded.assets OR {fig}.revenue <> excluded.revenue
                OR {fig}.source <> excluded.source
            """,
            [imp.uploaded_by_id, now, imp.pk],
        )
        cursor.execute(
            f"""
            UPDATE {client} SET assets = c.end_assets, revenue = c.net_revenue, figures_month = c.month,
                tier_id = CASE WHEN {client}.tier_manual THEN {client}.tier_id ELSE {tier} END
            FROM {cm} c
            WHERE c.client_id = {client}.id AND c.crm_import_id = %s
              AND ({client}.figures_month IS NULL OR {client}.figures_month <= %s)
              AND ({client}.figures_month IS NULL OR {client}.figures_month <> c.month
                   OR {client}.assets <> c.end_assets OR {client}.revenue <> c.net_revenue)
            """,
            [*tier_params, imp.pk, imp.month],
        )


def imported_totals(imp: CrmImport) -> dict:
    """What landed, summed back from the tables: the import's rows and its statistics."""
    qn = connection.ops.quote_name
    cm = qn(ClientMonth._meta.db_table)
    mm = qn(ManagerMonth._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*), {fen_sum("net_revenue")}, {fen_sum("avg_assets")}, {fen_sum("end_assets")},
                SUM(CASE WHEN is_new THEN 1 ELSE 0 END),
                SUM(CASE WHEN manager_id <> crm_manager_id THEN 1 ELSE 0 END)
            FROM {cm} WHERE crm_import_id = %s
            """,
            [imp.pk],
        )
        rows, revenue, avg, end, new, mismatches = cursor.fetchone()
        cursor.execute(
            f"""
            SELECT COUNT(*), SUM(clients_served), SUM(new_accounts), {fen_sum("net_revenue")},
                {fen_sum("avg_assets")}, {fen_sum("total_assets")}
            FROM {mm} WHERE crm_import_id = %s
            """,
            [imp.pk],
        )
        managers, served, stat_new, stat_revenue, stat_avg, stat_end = cursor.fetchone()
    return {
        "rows": rows or 0,
        "net_revenue": str(_exact(revenue)),
        "avg_assets": str(_exact(avg)),
        "end_assets": str(_exact(end)),
        "new_accounts": int(new or 0),
        "owner_mismatches": int(mismatches or 0),
        "statistics": {
            "managers": managers or 0,
            "clients_served": int(served or 0),
            "new_accounts": int(stat_new or 0),
            "net_revenue": str(_exact(stat_revenue)),
            "avg_assets": str(_exact(stat_avg)),
            "end_assets": str(_exact(stat_end)),
        },
    }


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
