"""Client list and search latency with a million clients (5,000 client managers).

    .venv/bin/python benchmarks/clients_search.py            # SQLite (+ PostgreSQL if DATABASE_URL is set)
    .venv/bin/python benchmarks/clients_search.py --only sqlite --reps 30
    .venv/bin/python benchmarks/clients_search.py --clients 100000   # a quicker, smaller run

Each database gets a fresh, throwaway database (a temporary SQLite file; a new database on
the PostgreSQL server DATABASE_URL names, dropped afterwards), migrated and loaded with
``build_demo(profile="large")`` (5,000 client managers) and then ``--clients`` clients
inserted in bulk, spread evenly over the client managers. Client rows are written as the
service writes them (pinyin keys from ``rules.pinyin_keys``, the phone's last four digits,
valid ID numbers), from a pool of names so that searches match many rows; history,
ownership and confirmation-form tables are left empty (the list does not read them).

Every case is requested through Django's test Client (middleware, session, scope, search,
capped count, template) ``--warmup`` times unmeasured and then ``--reps`` times measured,
round robin, as a branch manager (BJ01: about 1/24 of the clients), a team lead and a
client manager (about 200 clients): the list without a query (page 1 and a deep page) and
searches by name prefix, pinyin initials, client number prefix and the phone's last four
digits, plus the htmx search-as-you-type request.

The slowest p95 is compared with the 100 ms floor in the same run; above it the exit status
is 1. Each login's ``/api/me/`` is measured too, as a baseline. See benchmarks/README.md.
"""

import argparse
import datetime as dt
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from harness import (  # noqa: E402 - beside this file
    Case,
    Result,
    explain_slowest,
    load_average,
    measure,
    print_results,
    run_in_fresh_database,
)

FLOOR_MS = 100.0
SEED = 20261129
TODAY = dt.date(2026, 11, 29)
CLIENTS = 1_000_000
CHUNK = 20_000


# --- Orchestration (no Django imported here) ------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run one database only")
    parser.add_argument("--reps", type=int, default=40, help="measured requests per case (default 40)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured requests per case (default 5)")
    parser.add_argument("--floor-ms", type=float, default=FLOOR_MS, help="p95 floor in ms (default 100)")
    parser.add_argument("--clients", type=int, default=CLIENTS, help="clients to insert (default 1,000,000)")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_child(args)

    url = os.environ.get("DATABASE_URL", "")
    vendors = [args.only] if args.only else ["sqlite"] + (["postgresql"] if url else [])
    if "postgresql" in vendors and not url.startswith(("postgres://", "postgresql://")):
        parser.error("PostgreSQL needs DATABASE_URL=postgres://user@host:port/name")
    status = 0
    for vendor in vendors:
        status |= run_vendor(vendor, args, url)
    return status


def run_vendor(vendor: str, args, url: str) -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "brokerdesk.settings_test"}
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        vendor,
        "--reps",
        str(args.reps),
        "--warmup",
        str(args.warmup),
        "--floor-ms",
        str(args.floor_ms),
        "--clients",
        str(args.clients),
    ]
    return run_in_fresh_database(vendor, command, env, url, prefix="brokerdesk-bench-clients-")


# --- Building the data -----------------------------------------------------------------


def name_pool(rng: random.Random, size: int) -> list[tuple[str, str, str]]:
    from brokerdesk.clients import rules
    from brokerdesk.org.demo import GIVEN_CHARS, SURNAMES

    pool, seen = [], set()
    while len(pool) < size:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
        if name not in seen:
            seen.add(name)
            pool.append((name, *rules.pinyin_keys(name)))
    return pool


def id_pool(rng: random.Random, size: int) -> list[str]:
    from brokerdesk.core.validators import id_check_char

    out = []
    for _ in range(size):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 52))
        first17 = f"110101{birth:%Y%m%d}{rng.randint(0, 999):03d}"
        out.append(first17 + id_check_char(first17))
    return out


COLUMNS = [
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
    "tier_id",
    "tier_manual",
    "tier_reason",
    "status",
    "address",
    "notes",
    "created_at",
]


def lookups() -> tuple[list[int], list[tuple[int, int]]]:
    """Tier ids and (client manager, branch) pairs, read before any bulk load starts."""
    from brokerdesk.clients.models import Tier
    from brokerdesk.org.models import Staff

    tiers = list(Tier.objects.order_by("rank").values_list("pk", flat=True))
    managers = list(
        Staff.objects.filter(position=Staff.Position.CLIENT_MANAGER)
        .order_by("pk")
        .values_list("pk", "branch_id")
    )
    return tiers, managers


def client_rows(total: int, tiers: list[int], managers: list[tuple[int, int]]):
    """Yield the client rows in chunks: spread evenly over the client managers, newest
    accounts over the last ten years, one in twenty a key account."""
    from django.utils import timezone

    rng = random.Random(SEED + 99)
    names = name_pool(rng, 6000)
    ids = id_pool(rng, 5000)
    now = timezone.now()
    first_day = TODAY - dt.timedelta(days=3650)
    days = [first_day + dt.timedelta(days=i) for i in range(3651)]
    prefixes = ["135", "136", "138", "139", "150", "158", "186", "188"]
    chunk = []
    for i in range(total):
        manager_id, branch_id = managers[i % len(managers)]
        name, initials, full = names[rng.randrange(len(names))]
        mobile = prefixes[i % 8] + f"{rng.randrange(10**8):08d}"
        tier = tiers[i % len(tiers)] if tiers and rng.random() < 0.05 else None
        chunk.append(
            (
                f"{600000000 + i}",
                "individual",
                name,
                initials,
                full,
                ids[i % len(ids)],
                mobile,
                mobile[-4:],
                days[rng.randrange(len(days))],
                branch_id,
                manager_id,
                "outlet",
                "",
                0,
                0,
                tier,
                False,
                "",
                "active",
                "",
                "",
                now,
            )
        )
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def insert_clients(total: int) -> None:
    """Bulk insert: COPY on PostgreSQL, executemany in large transactions on SQLite."""
    from django.db import connection, transaction

    from brokerdesk.clients.models import Client

    table = Client._meta.db_table
    cols = ", ".join(COLUMNS)
    tiers, managers = lookups()
    rows = client_rows(total, tiers, managers)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for chunk in rows:
                for row in chunk:
                    copy.write_row(row)
        raw.commit()
        return
    marks = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 - fixed names
    with connection.cursor() as cursor:
        # A throwaway database: no fsync while loading, and room for the indexes in memory.
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute("PRAGMA cache_size = -400000")
    for chunk in rows:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, chunk)
    connection.close()  # the requests measured get a fresh connection with the usual settings


# --- The measuring process -------------------------------------------------------------


def run_child(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    t1 = time.perf_counter()
    from brokerdesk.org.demo import build_demo

    build_demo(seed=SEED, profile="large", today=TODAY)
    t2 = time.perf_counter()
    insert_clients(args.clients)
    t3 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum (or PRAGMA optimize) would give
    t4 = time.perf_counter()
    import brokerdesk.wsgi  # noqa: F401 - start the way a WSGI server does

    print_machine(connection)
    print(
        f"setup: migrate {t1 - t0:.1f} s, build_demo(large) {t2 - t1:.1f} s, "
        f"{args.clients:,} clients {t3 - t2:.1f} s, ANALYZE {t4 - t3:.1f} s"
    )
    print(
        f"each case: {args.warmup} warm-up + {args.reps} measured requests, cases taken in turn "
        f"(round robin); floor {args.floor_ms:.0f} ms"
    )
    runs = []
    for who in ("manager", "lead", "cm"):
        client = login(who)
        runs.append((who, client, Case("baseline /api/me/", "/api/me/")))
        runs += [(who, client, case) for case in cases_for(who)]
    results = measure(runs, warmup=args.warmup, reps=args.reps)
    baselines = {r.who: r for r in results if r.case.url == "/api/me/"}
    print(f"load average after: {load_average()}")
    status = report(results, baselines, args.floor_ms)
    explain_slowest(results, login, args.floor_ms, limit=6)
    return status


def print_machine(connection) -> None:
    import django

    if connection.vendor == "sqlite":
        import sqlite3

        db = f"sqlite {sqlite3.sqlite_version} (file, WAL)"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            db = f"{connection.vendor} {cursor.fetchone()[0]}"
    from brokerdesk.clients.models import Client
    from brokerdesk.org.models import Staff

    print()
    print("=" * 100)
    print(f"BrokerDesk client list and search benchmark — {db}")
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} {platform.release()}; "
        f"python {platform.python_version()}; django {django.get_version()}; load average {load_average()}"
    )
    managers = Staff.objects.filter(position=Staff.Position.CLIENT_MANAGER).count()
    print(
        f"data: {Client.objects.count():,} clients, {managers:,} client managers (seed {SEED}, today {TODAY})"
    )


def login(username: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    user = get_user_model().objects.get(username=username)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def cases_for(who: str) -> list[Case]:
    """The list and search cases, with terms taken from a client in the login's scope."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from brokerdesk.clients.selectors import client_search

    user = get_user_model().objects.get(username=who)
    base = reverse("clients:list")
    scope = client_search(user)
    count = scope.count()
    someone = scope.order_by("client_no")[count // 2]
    deep = min(20, max(1, count // 25))

    def rows(q: str) -> int:
        return client_search(user, q).count()

    terms = [
        ("name", someone.name),
        ("1-char name", someone.name[0]),
        ("pinyin initials", someone.pinyin_initials),
        ("full pinyin prefix", someone.pinyin_full[:5]),
        ("client no. prefix", someone.client_no[:6]),
        ("client no.", someone.client_no),
        ("phone last 4", someone.phone_last4),
    ]
    cases = [Case("list page 1", base, count)]
    if deep > 1:
        cases.append(Case(f"list page {deep}", f"{base}?page={deep}", count))
    cases += [Case(f"search {label} {q!r}", f"{base}?q={q}", rows(q)) for label, q in terms]
    cases.append(
        Case(
            f"search-as-you-type {someone.pinyin_initials!r} (htmx)",
            f"{base}?q={someone.pinyin_initials}",
            rows(someone.pinyin_initials),
            htmx=True,
            htmx_target="results",
        )
    )
    return cases


def report(results: list[Result], baselines: dict[str, Result], floor: float) -> int:
    note = "(ms; rows = matching clients in the login's scope; cpu50 = median CPU time of this process)"
    failed = print_results(results, baselines, floor, note=note, case_width=44)
    measured = [r for r in results if not r.case.label.startswith("baseline")]
    lists = sorted({r.queries for r in measured if r.case.label.startswith("list")})
    searches = sorted({r.queries for r in measured if r.case.label.startswith("search") and r.case.rows})
    print(f"queries per list page: {lists}; per search page with results: {searches}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
