"""What the benchmarks share: each database's run in a throwaway database and a process of
its own, and the timing of requests (warm-up, round robin, nearest-rank p95, CPU time and a
query count per case). Imported by the scripts beside it."""

import contextlib
import math
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]  # nearest rank


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",  # the maintenance database, as Django's test runner uses
        autocommit=True,
    ) as conn:
        conn.execute(sql)


def run_in_fresh_database(vendor: str, command: list[str], env: dict[str, str], url: str, prefix: str) -> int:
    """Run ``command`` against a new SQLite file, or a new PostgreSQL database named after the
    one DATABASE_URL names (never that one itself), dropped afterwards. The settings read the
    environment at import, hence a process of its own."""
    env = {**env, "PYTHONPATH": str(ROOT)}
    # BENCH_KEEP=1 keeps the database and the work folder (their names are printed), to look
    # into them afterwards; drop them by hand.
    keep = os.environ.get("BENCH_KEEP") == "1"
    with (
        contextlib.nullcontext(tempfile.mkdtemp(prefix=prefix))
        if keep
        else tempfile.TemporaryDirectory(prefix=prefix) as tmp
    ):
        env["BROKERDESK_DATA_DIR"] = tmp
        env["BROKERDESK_MEDIA_ROOT"] = str(Path(tmp) / "files")
        if vendor == "sqlite":
            env.pop("DATABASE_URL", None)
            env["BROKERDESK_SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
            return subprocess.call(command, env=env, cwd=ROOT)  # noqa: S603
        parts = urlsplit(url)
        name = f"{parts.path.strip('/') or 'brokerdesk'}_bench_{uuid.uuid4().hex[:8]}"
        pg_admin(url, f'CREATE DATABASE "{name}"')
        try:
            env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + name))
            env["DB_CONN_MAX_AGE"] = "60"  # persistent connections, as deployed
            return subprocess.call(command, env=env, cwd=ROOT)  # noqa: S603
        finally:
            if keep:
                print(f"kept: database {name}, folder {tmp}")
            else:
                pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Timing:
    p50: float
    p95: float
    max: float
    queries: int
    cpu50: float  # median CPU time of this process per request (excludes waiting, and the PG server)


def time_requests(runs: Sequence, fetch: Callable, *, warmup: int, reps: int) -> list[Timing]:
    """Time ``fetch(run)`` for every run, taken in turn (round robin) so that background load
    falls on all cases alike; then one more, untimed call per run counts its queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        for run in runs:
            fetch(run)
    times: list[list[float]] = [[] for _ in runs]
    cpu: list[list[float]] = [[] for _ in runs]
    for _ in range(reps):
        for i, run in enumerate(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            fetch(run)
            times[i].append((time.perf_counter() - start) * 1000)
            cpu[i].append((time.process_time() - start_cpu) * 1000)
    timings = []
    for run, ms, cpu_ms in zip(runs, times, cpu, strict=True):
        with CaptureQueriesContext(connection) as ctx:
            fetch(run)
        timings.append(
            Timing(
                statistics.median(ms),
                percentile(ms, 0.95),
                max(ms),
                len(ctx.captured_queries),
                statistics.median(cpu_ms),
            )
        )
    return timings


# --- Pages timed per login: the cases, their results and the table every script prints --------


@dataclass
class Case:
    label: str
    url: str
    rows: int | None = None  # matching rows, for the reader (not timed)
    htmx: bool = False  # sent as an htmx request (the results partial)
    htmx_target: str = ""  # the element it swaps, when the page answers by target


@dataclass
class Result:
    who: str
    case: Case
    p50: float
    p95: float
    max: float
    queries: int
    cpu50: float  # median CPU time of this process per request (excludes waiting, and the PG server)


def measure(runs: Sequence, *, warmup: int, reps: int) -> list[Result]:
    """Time each (login, test client, Case) run; a page that does not answer 200 stops the run."""

    def fetch(run):
        who, client, case = run
        headers = {}
        if case.htmx:
            headers["HX-Request"] = "true"
            if case.htmx_target:
                headers["HX-Target"] = case.htmx_target
        resp = client.get(case.url, headers=headers)
        if resp.status_code != 200:
            raise SystemExit(f"{who} {case.url} answered {resp.status_code}")

    timings = time_requests(runs, fetch, warmup=warmup, reps=reps)
    return [
        Result(run[0], run[2], t.p50, t.p95, t.max, t.queries, t.cpu50)
        for run, t in zip(runs, timings, strict=True)
    ]


def print_results(
    results: list[Result], baselines: dict[str, Result], floor: float, *, note: str, case_width: int = 34
) -> list[Result]:
    """The table of every case, then the slowest case against the floor and each login's slowest
    against its own /api/me/ baseline. Returns the cases over the floor."""
    print()
    header = (
        f"{'login':<9} {'case':<{case_width}} {'rows':>7} {'p50':>6} {'p95':>6} {'max':>6} {'cpu50':>6} "
        f"{'queries':>7} {'p95/floor':>9} {'p95/base':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        base = baselines.get(r.who)
        vs_base = f"{r.p95 / base.p95:7.1f}x" if base and r is not base else f"{'—':>8}"
        rows = "" if r.case.rows is None else str(r.case.rows)
        print(
            f"{r.who:<9} {r.case.label[:case_width]:<{case_width}} {rows:>7} {r.p50:6.1f} {r.p95:6.1f} "
            f"{r.max:6.1f} {r.cpu50:6.1f} {r.queries:>7} {r.p95 / floor:9.2f} {vs_base}"
        )
    print(note)
    measured = [r for r in results if not r.case.label.startswith("baseline")]
    worst = max(measured, key=lambda r: r.p95)
    failed = [r for r in measured if r.p95 > floor]
    verdict = "OK" if not failed else f"FAIL ({len(failed)} case(s) over the floor)"
    print()
    print(
        f"slowest: {worst.who} {worst.case.label}: "
        f"p95 / floor = {worst.p95:.1f} / {floor:.0f} ms = {worst.p95 / floor:.2f} → {verdict}"
    )
    for who, base in baselines.items():
        top = max((r for r in measured if r.who == who), key=lambda r: r.p95)
        print(
            f"baseline {who}: slowest p95 / /api/me/ p95 = {top.p95:.1f} / {base.p95:.1f} ms "
            f"= {top.p95 / base.p95:.1f}x ({top.case.label})"
        )
    return failed


def explain_slowest(results: Sequence, login: Callable, floor: float, limit: int = 4) -> None:
    """The longest query of the slowest case (or of each case over the target), with its plan;
    ``login(username)`` gives a logged-in test client."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    measured = sorted((r for r in results if not r.case.label.startswith("baseline")), key=lambda r: -r.p95)
    chosen = [r for r in measured if r.p95 > floor][:limit] or measured[:1]
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    for r in chosen:
        client = login(r.who)
        headers = {"HX-Request": "true", "HX-Target": r.case.htmx_target} if r.case.htmx else {}
        with CaptureQueriesContext(connection) as ctx:
            client.get(r.case.url, headers=headers)
        q = max(ctx.captured_queries, key=lambda q: float(q["time"]))
        sql = q["sql"]
        print()
        print(f"{r.who} {r.case.label}: longest query {float(q['time']) * 1000:.1f} ms")
        where = sql.find(" FROM ")
        print(f"  SELECT …{sql[where : where + 600]}")
        try:
            with connection.cursor() as cursor:
                cursor.execute(prefix + sql)
                for row in cursor.fetchall():
                    print("    " + " | ".join(str(x) for x in row))
        except Exception as exc:  # noqa: BLE001 - captured SQL has inlined parameters; best effort
            print(f"    (no plan: {exc.__class__.__name__})")
