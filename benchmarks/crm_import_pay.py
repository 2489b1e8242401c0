"""The monthly CRM import of a million client rows, then pay for every branch, against the floor.

    .venv/bin/python benchmarks/crm_import_pay.py           # SQLite (+ PostgreSQL if DATABASE_URL)
    .venv/bin/python benchmarks/crm_import_pay.py --only sqlite --clients 20000   # a quick run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/brokerdesk \\
        .venv/bin/python benchmarks/crm_import_pay.py --only postgresql

Each database gets a fresh, throwaway database (see harness.run_in_fresh_database), migrated
and loaded with ``build_demo(profile="large")`` (5,000 client managers in 24 branches) and
``--clients`` clients with their ownership history (one in twenty changed manager in the
middle of the month; one in fifty opened its account in the month), all written in bulk.
A CRM file of last month is written: one row per client, with the CRM's 工号 (one in a
hundred differs from the ownership history), the new-account flag left to the opening date,
net revenue (some negative), average daily and month-end assets.

Then, in a process of its own so that its peak memory is the measured work's alone:

1. **floor**: the same CSV parsed by the ``csv`` module and loaded into a plain table with
   no index by plain ``executemany`` (SQLite, in one transaction) or ``COPY`` (PostgreSQL),
   plus one ``GROUP BY`` of net revenue, assets and rows per 工号.
2. **import**: ``services_import.import_start`` (firm-wide, by the operator) and
   ``import_run``, phase by phase: store (copy + SHA-256), read (parse, check, look up,
   stage), then the one load transaction: switch the version, rebuild the statistics,
   refresh the clients' figures and tiers, sum back for the reconciliation.
3. **pay**: ``services_pay.run_compute(actor=…, branch=…, month=…)`` for every branch with
   figures (skipped, with a message, while that function does not exist).

It prints each phase's time, the peak memory (``VmHWM`` of the measuring process, and
tracemalloc's peak of Python objects during the import's read phase) and
(import + pay) / floor; the exit status is 1 when that ratio is above 3 or the peak memory
is 1 GB or more. See benchmarks/README-performance.md.
"""

import argparse
import contextlib
import csv
import datetime as dt
import functools
import os
import platform
import random
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from harness import load_average, run_in_fresh_database  # beside this file

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261129
TODAY = dt.date(2026, 11, 29)
CLIENTS = 1_000_000
CHUNK = 20_000
RATIO_LIMIT = 3.0
MEMORY_LIMIT_MB = 1024


# --- Orchestration (no Django imported here) ------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run one database only")
    parser.add_argument(
        "--clients", type=int, default=CLIENTS, help="clients and CRM rows (default 1,000,000)"
    )
    parser.add_argument(
        "--managers",
        type=int,
        default=None,
        help="client managers to spread the clients over (default: all 5,000 of the large profile)",
    )
    parser.add_argument("--no-pay", action="store_true", help="measure the import alone")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also trace Python allocations during the import (slows it down several times)",
    )
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--measure", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--floor", metavar="CSV", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        return run_floor(Path(args.floor))
    if args.measure:
        return run_measure(args)
    if args.child:
        return run_child(args)
    url = os.environ.get("DATABASE_URL", "")
    vendors = [args.only] if args.only else ["sqlite"] + (["postgresql"] if url else [])
    if "postgresql" in vendors and not url.startswith(("postgres://", "postgresql://")):
        parser.error("PostgreSQL needs DATABASE_URL=postgres://user@host:port/name")
    status = 0
    for vendor in vendors:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "brokerdesk.settings_test"}
        command = [sys.executable, str(Path(__file__).resolve()), "--child", vendor, *passthrough(args)]
        status |= run_in_fresh_database(vendor, command, env, url, prefix="brokerdesk-bench-crm-")
    return status


def passthrough(args) -> list[str]:
    out = ["--clients", str(args.clients)]
    if args.managers:
        out += ["--managers", str(args.managers)]
    if args.no_pay:
        out.append("--no-pay")
    if args.tracemalloc:
        out.append("--tracemalloc")
    return out


# --- Set-up: organisation, clients, ownership, the CRM file -----------------------------------


def month_of_file() -> dt.date:
    first = TODAY.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


CLIENT_COLUMNS = [
    "client_no",
    "kind",
    "name",
    "pinyin_initials",
    "pinyin_full",
    "id_number",
    "mobile",
    "phone_last4",
    "opened_on",
    "branch_id",
    "manager_id",
    "source",
    "source_note",
    "assets",
    "revenue",
    "tier_manual",
    "tier_reason",
    "status",
    "address",
    "notes",
    "created_at",
]
OWNERSHIP_COLUMNS = ["client_id", "manager_id", "start", "end", "reason", "note", "created_at"]


def plan(total: int, managers: list[tuple[int, int, str]]):
    """Yield, per client: (index, client_no, opened_on, first manager, month-end manager, branch,
    transfer day or None). Deterministic."""
    rng = random.Random(SEED)
    month = month_of_file()
    end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    old_days = [month - dt.timedelta(days=d) for d in range(30, 3650)]
    mid = month + dt.timedelta(days=14)
    n = len(managers)
    for i in range(total):
        owner_id, branch_id, _emp = managers[i % n]
        if i % 50 == 7:
            opened = month + dt.timedelta(days=rng.randrange((end - month).days + 1))
        else:
            opened = old_days[rng.randrange(len(old_days))]
        first = owner_id
        transfer = None
        if i % 20 == 3 and opened < mid:
            prev_id, prev_branch, _e = managers[(i + 1) % n]
            if prev_branch == branch_id:
                first, transfer = prev_id, mid
        yield i, f"{700000000 + i}", opened, first, owner_id, branch_id, transfer


def bulk(table: str, columns: list[str], rows) -> None:
    from django.db import connection, transaction

    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})"  # noqa: S608 - fixed names
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, chunk)
            chunk = []
    if chunk:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, chunk)


def build(args, workdir: Path) -> dict:
    """The organisation, the clients and their ownership, the branch accountants and the file."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from brokerdesk.access.models import RoleAssignment
    from brokerdesk.access.roles import Role
    from brokerdesk.clients.models import Client, Ownership
    from brokerdesk.org.demo import build_demo
    from brokerdesk.org.models import Branch, Staff

    User = get_user_model()
    times = {}
    t = time.perf_counter()
    build_demo(seed=SEED, profile="large", today=TODAY)
    times["build_demo(large)"] = time.perf_counter() - t
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")  # a throwaway database, while loading only
            cursor.execute("PRAGMA cache_size = -400000")
    managers = list(
        Staff.objects.filter(position=Staff.Position.CLIENT_MANAGER, branch__isnull=False)
        .order_by("branch_id", "pk")
        .values_list("pk", "branch_id", "emp_no")
    )
    if args.managers:
        managers = managers[: args.managers]
    emp = {pk: e for pk, _b, e in managers}
    now = timezone.now()
    t = time.perf_counter()
    bulk(
        Client._meta.db_table,
        CLIENT_COLUMNS,
        (
            (
                no,
                "individual",
                "客户",
                "kh",
                "kehu",
                "110101199001011237",
                "13900000000",
                "0000",
                opened,
                branch,
                owner,
                "outlet",
                "",
                0,
                0,
                False,
                "",
                "active",
                "",
                "",
                now,
            )
            for _i, no, opened, _first, owner, branch, _tr in plan(args.clients, managers)
        ),
    )
    times["clients"] = time.perf_counter() - t
    t = time.perf_counter()
    ids = dict(Client.objects.values_list("client_no", "pk").iterator(chunk_size=50_000))

    def ownerships():
        for _i, no, opened, first, owner, _branch, transfer in plan(args.clients, managers):
            cid = ids[no]
            if transfer:
                yield (cid, first, opened, transfer, "new", "", now)
                yield (cid, owner, transfer, None, "transfer", "", now)
            else:
                yield (cid, owner, opened, None, "new", "", now)

    bulk(Ownership._meta.db_table, OWNERSHIP_COLUMNS, ownerships())
    ids.clear()
    times["ownership"] = time.perf_counter() - t
    # An approved pay scheme for every branch (base pay by level, two commission brackets).
    from brokerdesk.org.models import Level
    from brokerdesk.performance.tests.factories import make_scheme

    operator = User.objects.filter(is_superuser=True).first()
    levels = [(level, 3000 + 500 * level.rank) for level in Level.objects.order_by("rank")]
    for branch in Branch.objects.order_by("pk"):
        make_scheme(
            branch, operator, levels=levels, new_account_bonus=Decimal("200"), asset_rate=Decimal("0.0001")
        )
    # An accountant login for every branch (the demo has one, for the first branch).
    accountants = {}
    for branch in Branch.objects.order_by("pk"):
        user = User.objects.create_user(username=f"bench-acc-{branch.code}", password="x")
        RoleAssignment.objects.create(user=user, role=Role.ACCOUNTANT, branch=branch)
        accountants[branch.pk] = user.pk
    # Two CRM files: last month's (September) is imported here, in the set-up, as the
    # previous monthly import left the database; the measured import is October's, whose
    # figures drift from September's (assets ±10 %, revenue ±20 %), as a client's do from one
    # month to the next. Clients opened in October are in October's file only.
    t = time.perf_counter()
    month = month_of_file()
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    path = workdir / f"crm-{month:%Y%m}.csv"
    previous_path = workdir / f"previous-{previous:%Y%m}.csv"
    rng = random.Random(SEED + 1)
    all_emp = [e for _p, _b, e in managers]
    header = ["月份", "客户号", "客户经理工号", "开户日期", "新开户", "净收入", "日均资产", "月末资产"]
    with (
        path.open("w", newline="", encoding="utf-8") as fh,
        previous_path.open("w", newline="", encoding="utf-8") as prev_fh,
    ):
        writer, prev_writer = csv.writer(fh), csv.writer(prev_fh)
        writer.writerow(header)
        prev_writer.writerow(header)
        for i, no, opened, first, owner, _branch, _tr in plan(args.clients, managers):
            crm_emp = all_emp[rng.randrange(len(all_emp))] if i % 100 == 11 else emp[owner]
            revenue = rng.randrange(-20_000, 2_000_000)
            avg = rng.randrange(0, 500_000_000)
            end_assets = rng.randrange(0, 500_000_000)
            if opened < month:
                prev_writer.writerow(
                    [
                        f"{previous:%Y-%m}",
                        no,
                        emp[first],
                        opened.isoformat(),
                        "",
                        Decimal(revenue) / 100,
                        Decimal(avg) / 100,
                        Decimal(end_assets) / 100,
                    ]
                )
                revenue = revenue * rng.randrange(80, 121) // 100
                avg = avg * rng.randrange(90, 111) // 100
                end_assets = end_assets * rng.randrange(90, 111) // 100
            writer.writerow(
                [
                    f"{month:%Y-%m}",
                    no,
                    crm_emp,
                    opened.isoformat(),
                    "",
                    Decimal(revenue) / 100,
                    Decimal(avg) / 100,
                    Decimal(end_assets) / 100,
                ]
            )
    times["CRM files"] = time.perf_counter() - t
    t = time.perf_counter()
    import_previous(previous_path, previous)
    times[f"import of {previous:%Y-%m}"] = time.perf_counter() - t
    # Last month's pay, as a real database holds it at the next month-end (and so that the
    # statistics below know the pay tables are not empty).
    t = time.perf_counter()
    from brokerdesk.performance import services_pay

    for branch in Branch.objects.order_by("pk"):
        services_pay.run_compute(
            actor=User.objects.get(pk=accountants[branch.pk]), branch=branch, month=previous
        )
    times[f"pay of {previous:%Y-%m}"] = time.perf_counter() - t
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    return {"times": times, "file": path, "accountants": accountants, "managers": len(managers)}


# --- The measuring process -------------------------------------------------------------------


def start_import(path: Path, month: dt.date):
    """``import_start`` of the file, firm-wide, by the operator (queued, not run)."""
    from django.contrib.auth import get_user_model
    from django.core.files import File

    from brokerdesk.performance import services_import as svc

    operator = get_user_model().objects.filter(is_superuser=True).first()
    with path.open("rb") as fh:
        return svc.import_start(
            actor=operator,
            branch=None,
            month=month,
            upload=File(fh, name=path.name),
            enqueue=False,
            as_operator=True,
        )


def import_previous(path: Path, month: dt.date) -> None:
    """Last month's file, through the import itself (not measured)."""
    from brokerdesk.performance import services_import as svc

    imp = svc.import_run(start_import(path, month).pk)
    if imp.status != "done":
        raise SystemExit(f"the set-up's import of {month:%Y-%m} ended {imp.status}: {imp.error}")


def run_child(args) -> int:
    import subprocess

    import django

    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate = time.perf_counter() - t
    if os.environ.get("BENCH_KEEP") == "1":  # the files stay beside the kept database
        folder = Path(os.environ["BROKERDESK_DATA_DIR"]) / "crm-bench"
        folder.mkdir(exist_ok=True)
        files = contextlib.nullcontext(str(folder))
    else:
        files = tempfile.TemporaryDirectory(prefix="crm-bench-")
    with files as tmp:
        built = build(args, Path(tmp))
        setup = {"migrate": migrate, **built["times"]}
        print()
        print("=" * 100)
        print(
            "setup: "
            + ", ".join(f"{k} {v:.1f} s" for k, v in setup.items())
            + f"; file {built['file'].stat().st_size / 1e6:.0f} MB"
        )
        command = [sys.executable, str(Path(__file__).resolve()), "--measure", tmp, *passthrough(args)]
        return subprocess.call(command, env=os.environ.copy(), cwd=ROOT)  # noqa: S603


def run_measure(args) -> int:
    import django

    django.setup()
    from django.db import connection

    path = next(Path(args.measure).glob("crm-*.csv"))
    print_machine(connection, args)
    with path.open("rb") as fh:  # the file in the page cache for both, as a fresh upload would be
        while fh.read(1 << 24):
            pass

    # The floor in a process of its own, so that this process's peak memory is the import's
    # and pay's alone (the floor's one-transaction executemany holds far more than they do).
    import json
    import subprocess

    out = subprocess.run(  # noqa: S603 - this script, with its own arguments
        [sys.executable, str(Path(__file__).resolve()), "--floor", str(path)],
        env=os.environ.copy(),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    floor = json.loads(out.strip().splitlines()[-1])
    imported = measure_import(path, trace=args.tracemalloc)
    after_import = peak_mb()
    pay = {} if args.no_pay else measure_pay(imported["month"])
    peak = peak_mb()
    print(
        f"peak memory: the floor's process {floor['peak_mb']:.0f} MB; this process after the import "
        f"{after_import:.0f} MB, after pay {peak:.0f} MB"
    )
    return report(floor, imported, pay, peak)


def run_floor(path: Path) -> int:
    import json

    import django

    django.setup()
    floor = measure_floor(path)
    floor["peak_mb"] = peak_mb()
    print(json.dumps(floor))
    return 0


def print_machine(connection, args) -> None:
    import django

    if connection.vendor == "sqlite":
        import sqlite3

        db = f"sqlite {sqlite3.sqlite_version} (file, WAL)"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            db = f"postgresql {cursor.fetchone()[0]}"
    print(f"BrokerDesk CRM import + pay benchmark — {db}")
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} {platform.release()}; "
        f"python {platform.python_version()}; django {django.get_version()}; load average {load_average()}"
    )


def measure_floor(path: Path) -> dict:
    """Parse with csv, load a plain table (executemany / COPY), one GROUP BY."""
    from django.db import connection, transaction

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        cursor.execute(
            "CREATE TABLE bench_floor (month varchar(10), client_no varchar(20), emp_no varchar(20), "
            "opened_on date, new_account varchar(5), net_revenue numeric(18,2), avg_assets numeric(18,2), "
            "end_assets numeric(18,2))"
        )
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        if connection.vendor == "postgresql":
            with (
                transaction.atomic(),
                connection.cursor() as cursor,
                cursor.cursor.copy("COPY bench_floor FROM STDIN") as copy,
            ):
                for row in reader:
                    copy.write_row([v or None for v in row])
        else:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany("INSERT INTO bench_floor VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", reader)
    t1 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT emp_no, COUNT(*), SUM(net_revenue), SUM(avg_assets), SUM(end_assets) "
            "FROM bench_floor GROUP BY emp_no"
        )
        groups = len(cursor.fetchall())
        cursor.execute("DROP TABLE bench_floor")
    t2 = time.perf_counter()
    return {"load": t1 - t0, "group by": t2 - t1, "total": t2 - t0, "groups": groups}


def peak_mb() -> float:
    """This process's peak resident memory: VmHWM on Linux. Not ``ru_maxrss``, which Linux
    carries over an exec from the process that forked it (here the set-up's, with its 400 MB
    page cache), so it reported the parent's size, not the measured work's."""
    try:
        with open("/proc/self/status") as fh:
            fields = dict(line.split(":", 1) for line in fh if line.startswith(("VmHWM:", "VmRSS:")))
        # The kernel updates the high-water mark lazily; the resident size now can be above it.
        return max(int(v.split()[0]) for v in fields.values()) / 1024
    except (OSError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def rss_mb() -> float:
    """The process's resident memory now (Linux), for the progress lines."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        return 0.0


def measure_import(path: Path, *, trace: bool = False) -> dict:
    import tracemalloc

    from brokerdesk.performance import services_import as svc
    from brokerdesk.performance.models import CrmImport

    phases: dict[str, float] = {}

    def timed(name, fn):
        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - t

        return wrapper

    # Time the import's parts (same functions, wrapped for this process only).
    svc._client_map = timed("read: every client, one query (part of the next)", svc._client_map)
    svc._read = timed("read: parse, check, store the good rows", svc._read)
    svc.set_openers = timed("load: openers of the new accounts", svc.set_openers)
    svc.switch_version = timed("load: switch version", svc.switch_version)
    svc.rebuild_statistics = timed("load: statistics + sums (one GROUP BY)", svc.rebuild_statistics)
    update_tiers = svc.update_tiers

    def counted_tiers(changes):
        phases["tier changes"] = len(changes)
        return update_tiers(changes)

    svc.update_tiers = timed("load: tiers that change", counted_tiers)

    last = {"t": time.perf_counter(), "shown": -1}

    def progress(done, total, phase):
        pct = int(done * 100 / total) if total else 100
        if pct // 10 != last["shown"] or phase not in ("reading",):
            last["shown"] = pct // 10
            print(
                f"  {phase:<8} {done:>9,} / {total:,} rows ({pct}%)  {time.perf_counter() - t0:6.1f} s"
                f"  (memory now {rss_mb():.0f} MB, peak "
                f"{peak_mb():.0f} MB)",
                flush=True,
            )

    month = month_of_file()
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    imp = start_import(path, month)
    phases["store file (copy + SHA-256)"] = time.perf_counter() - t0
    if os.environ.get("BENCH_EXPLAIN") and connection_vendor() == "postgresql":
        explain_writes()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        prof = cProfile.Profile()
        imp = prof.runcall(svc.import_run, imp.pk, progress=progress)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
    else:
        imp = svc.import_run(imp.pk, progress=progress)
    total = time.perf_counter() - t0
    py_peak = tracemalloc.get_traced_memory()[1] if trace else None
    tracemalloc.stop()
    if imp.status != CrmImport.Status.DONE:
        raise SystemExit(f"the import ended {imp.status}: {imp.error} ({imp.rows_bad} bad rows)")
    checks = svc.reconciliation(imp)
    return {
        "month": month,
        "phases": phases,
        "total": total,
        "rows": imp.rows_imported,
        "mismatches": imp.owner_mismatches,
        "reconciled": all(r["ok"] for r in checks),
        "tier_changes": int(phases.pop("tier changes", 0)),
        "py_peak_mb": py_peak / 1e6 if py_peak is not None else None,
    }


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


def explain_writes() -> None:
    """BENCH_EXPLAIN=1 on PostgreSQL: run the import's big writes under EXPLAIN (ANALYZE) and
    print their plans, trigger (foreign key) times included. For finding where time goes."""
    from django.db import connection

    targets = ('UPDATE "performance_clientmonth"', 'UPDATE "clients_client"')

    def wrapper(execute, sql, params, many, context):
        if many or not sql.lstrip().startswith(targets):
            return execute(sql, params, many, context)
        result = execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params, many, context)
        plan = "\n".join(r[0] for r in context["cursor"].fetchall())
        print(f"--- {sql.strip()[:60]}…\n{plan}", flush=True)
        return result

    connection.execute_wrappers.append(wrapper)


def measure_pay(month: dt.date) -> dict:
    from django.contrib.auth import get_user_model

    from brokerdesk.org.models import Branch
    from brokerdesk.performance import services_pay
    from brokerdesk.performance.models import MonthVersion

    run_compute = getattr(services_pay, "run_compute", None)
    if run_compute is None:
        print(
            "pay: brokerdesk.performance.services_pay.run_compute does not exist yet: "
            "measuring the import alone"
        )
        return {}
    User = get_user_model()
    branches = list(
        Branch.objects.filter(pk__in=MonthVersion.objects.filter(month=month).values("branch_id"))
    )
    if os.environ.get("BENCH_PROFILE_PAY"):  # a cProfile of the pay phase, printed after it
        import cProfile

        prof = cProfile.Profile()
        run_compute = functools.partial(prof.runcall, run_compute)
    t = time.perf_counter()
    people = 0
    failed = []
    for branch in branches:
        actor = User.objects.get(username=f"bench-acc-{branch.code}")
        try:
            run = run_compute(actor=actor, branch=branch, month=month)
        except Exception as exc:  # noqa: BLE001 - reported, and the run fails
            failed.append(f"{branch.code}: {type(exc).__name__}: {exc}"[:300])
            continue
        people += getattr(run, "people", 0) or 0
    total = time.perf_counter() - t
    if os.environ.get("BENCH_PROFILE_PAY"):
        import pstats

        pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    for line in failed:
        print(f"pay FAILED for {line}")
    return {
        "total": total,
        "branches": len(branches),
        "people": people,
        "failed": len(failed),
    }


def report(floor: dict, imported: dict, pay: dict, peak_mb: float) -> int:
    print()
    print(f"{'phase':<44} {'seconds':>9}")
    print("-" * 54)
    print(f"{'floor: parse + plain load (executemany/COPY)':<44} {floor['load']:9.2f}")
    print(f"{'floor: one GROUP BY':<44} {floor['group by']:9.2f}")
    print(f"{'floor total':<44} {floor['total']:9.2f}")
    print("-" * 54)
    for name, secs in imported["phases"].items():
        print(f"{'import ' + name:<44} {secs:9.2f}")
    print(f"{'import total':<44} {imported['total']:9.2f}")
    if pay:
        print(f"{'pay: run_compute × ' + str(pay['branches']) + ' branches':<44} {pay['total']:9.2f}")
    whole = imported["total"] + (pay.get("total") or 0)
    print(f"{'import + pay':<44} {whole:9.2f}")
    print("-" * 54)
    ratio = whole / floor["total"] if floor["total"] else float("inf")
    print(
        f"rows imported {imported['rows']:,}; owner mismatches {imported['mismatches']:,}; "
        f"reconciled: {'yes' if imported['reconciled'] else 'NO'}; "
        f"tiers changed {imported['tier_changes']:,}"
        + (
            f"; pay for {pay['people']:,} people in {pay['branches']} branches"
            if pay
            else "; pay not measured"
        )
    )
    traced = imported["py_peak_mb"]
    print(
        f"peak memory: {peak_mb:.0f} MB (VmHWM of this process)"
        + (f"; Python objects at most {traced:.0f} MB (tracemalloc, import)" if traced is not None else "")
    )
    ok_ratio = ratio <= RATIO_LIMIT
    ok_mem = peak_mb < MEMORY_LIMIT_MB
    print(
        f"(import + pay) / floor = {whole:.1f} / {floor['total']:.1f} s = {ratio:.2f} "
        f"(limit {RATIO_LIMIT:.0f}) → {'OK' if ok_ratio else 'FAIL'}; "
        f"memory {peak_mb:.0f} MB (limit {MEMORY_LIMIT_MB} MB) → {'OK' if ok_mem else 'FAIL'}"
    )
    return 0 if ok_ratio and ok_mem and imported["reconciled"] and not pay.get("failed") else 1


if __name__ == "__main__":
    sys.exit(main())
