"""``brokerdesk import_crm FILE --month 2026-10 [--branch BJ01] [--accept-good-rows] [--user NAME]``

Import a month of CRM figures from the command line, in this process, with a progress bar that
updates in place, then the reconciliation. Without ``--branch`` the file is firm-wide (every
branch it names). With ``--user`` the import runs as that login and its permissions; without,
as the server's operator (recorded as the first superuser). Exit status 0 when the month was
imported, 1 when the file has bad rows (listed: the first ``--show`` and the count) or failed.
"""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from brokerdesk.org.models import Branch
from brokerdesk.performance import services_import
from brokerdesk.performance.forms_import import parse_month_text
from brokerdesk.performance.models import CrmImport

BAR = 30


class Command(BaseCommand):
    help = "Import a month of CRM figures (CSV or XLSX) with a progress bar and the reconciliation."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CRM file (CSV or .xlsx)")
        parser.add_argument("--month", required=True, help="the month of the figures, e.g. 2026-10")
        parser.add_argument("--branch", help="branch code (e.g. BJ01); default: a firm-wide file")
        parser.add_argument(
            "--accept-good-rows", action="store_true", help="import the good rows of a file with bad rows"
        )
        parser.add_argument("--user", help="act as this login (its permissions apply)")
        parser.add_argument("--show", type=int, default=20, help="bad rows to list (default 20)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        month = parse_month_text(options["month"])
        if month is None:
            raise CommandError("--month must look like 2026-10")
        branch = None
        if options["branch"]:
            branch = Branch.objects.filter(code=options["branch"]).first()
            if branch is None:
                raise CommandError(f"No branch with the code {options['branch']}")
        User = get_user_model()
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"No active login {options['user']}")
            operator = False
        else:
            actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if actor is None:
                raise CommandError("No superuser to record the import under: pass --user")
            operator = True
        try:
            with path.open("rb") as fh:
                imp = services_import.import_start(
                    actor=actor,
                    branch=branch,
                    month=month,
                    upload=File(fh, name=path.name),
                    accept_good_rows=options["accept_good_rows"],
                    enqueue=False,
                    as_operator=operator,
                )
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "Permission denied") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            f"Import #{imp.pk}: {path.name}, {month:%Y-%m}, {branch.code if branch else 'firm-wide'}"
        )
        imp = services_import.import_run(imp.pk, progress=self._progress)
        self._end_bar()
        return self._report(imp, options["show"])

    # The bar rewrites its own line ("\r") on a terminal; elsewhere it prints every tenth.
    def _progress(self, done: int, total: int, phase: str) -> None:
        pct = min(100, int(done * 100 / total)) if total else 100
        filled = BAR * pct // 100
        text = f"\r{phase:<9} [{'#' * filled}{'.' * (BAR - filled)}] {pct:3d}% {done:,}/{total:,}"
        if self.stdout.isatty():
            self.stdout.write(text, ending="")
            self.stdout.flush()
            self._open = True
        elif pct // 10 != getattr(self, "_last", None) or phase != getattr(self, "_phase", None):
            self.stdout.write(text.lstrip("\r"))
            self._last, self._phase = pct // 10, phase

    def _end_bar(self) -> None:
        if getattr(self, "_open", False):
            self.stdout.write("")

    def _report(self, imp: CrmImport, show: int):
        self.stdout.write(
            f"Status: {imp.get_status_display()} ({imp.status}); rows {imp.rows_total:,}, "
            f"bad {imp.rows_bad:,}, imported {imp.rows_imported:,}"
        )
        if imp.error:
            self.stderr.write(imp.error)
        if imp.rows_bad:
            errors = list(imp.errors.order_by("line", "id")[:show])
            count = imp.errors.count()
            self.stderr.write(f"Bad rows ({count:,} problems on {imp.rows_bad:,} lines):")
            for e in errors:
                self.stderr.write(f"  line {e.line} [{e.column}]: {e.message}")
            if count > len(errors):
                self.stderr.write(f"  … and {count - len(errors):,} more (see the import's page or --show)")
        if imp.status == CrmImport.Status.DONE:
            self.stdout.write(f"Owner mismatches (CRM 工号 ≠ ownership history): {imp.owner_mismatches:,}")
            self.stdout.write("Reconciliation:")
            self.stdout.write(f"  {'':<22} {'file':>20} {'imported':>20} {'statistics':>20}")
            for r in services_import.reconciliation(imp):
                mark = "ok" if r["ok"] else "DIFFERS"
                cells = f"{r['file']!s:>20} {r['imported']!s:>20} {r['statistics']!s:>20}"
                self.stdout.write(f"  {r['key']:<22} {cells}  {mark}")
            return None
        sys.exit(1)
