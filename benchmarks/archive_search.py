"""Archive register search latency with 100,000 register entries (issue 7, "Speed").

    .venv/bin/python benchmarks/archive_search.py            # SQLite (+ PostgreSQL if DATABASE_URL is set)
    .venv/bin/python benchmarks/archive_search.py --only postgresql --reps 30
    .venv/bin/python benchmarks/archive_search.py --entries 20000   # a quicker, smaller run

Each database gets a fresh, throwaway database (a temporary SQLite file; a new database on the
PostgreSQL server DATABASE_URL names, dropped afterwards), migrated and loaded with
``build_demo(profile="small")`` (24 branches, the demo logins) and then ``--entries`` register
entries inserted in bulk: spread over the 24 branches, the nine kinds and the 24 months up to
today, numbered per kind, branch and month exactly as the service numbers them (serial
counters included), each (branch, month) with its batch, every month but the last two closed,
one entry in fifty with its original out with someone of its branch, one in a hundred
withdrawn. Titles come from a pool of Chinese phrases, so a title word matches many entries
and a rarer one few.

Every case is requested through Django's test Client (middleware, session, scope, search form,
capped count, template) ``--warmup`` times unmeasured and then ``--reps`` times measured, round
robin, as a branch manager (BJ01, about 1/24 of the entries) and the integrated office (the
whole company): the register page 1 and page 2, a serial number exact and by prefix, kind and a
three-month period, a title word (common and rare), kind + title, the htmx search-as-you-type
request and the API list and search. The query count of each case is printed: it must be the
same for page 1 and page 2 and whatever the number of matches.

The slowest p95 is compared with the 100 ms target in the same run: PASS or FAIL, exit status
0 or 1. Each login's ``/api/me/`` is measured too, as a baseline. See
benchmarks/README-archives-assets.md.
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
ENTRIES = 100_000
MONTHS = 24
CHUNK = 5_000

TOPICS = [
    "营销团队",
    "客户经理",
    "金融街一部",
    "合作银行网点",
    "两融业务",
    "基金代销",
    "集合资产管理计划",
    "新客户开发",
    "网点驻点",
    "投资者教育",
    "团队组建",
    "绩效考核",
    "人员变动",
    "薪酬核算",
    "客户回访",
]
KIND_WORDS = {
    "pay_report": ["薪酬月报", "工资薪酬报表"],
    "business_report": ["业务月报", "业务开展数据及分析说明"],
    "statistics": ["统计报表", "营销业绩统计"],
    "work_plan": ["年度工作计划", "营销计划"],
    "approval": ["报批材料", "报备材料"],
    "confirmation_batch": ["营销客户确认单", "确认单批次"],
    "minutes": ["会议纪要", "月度总结会纪要"],
    "contract": ["劳动合同", "营销合作协议"],
    "other": ["其他资料", "培训签到表"],
}


# --- Orchestration (no Django imported here) ------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run one database only")
    parser.add_argument("--reps", type=int, default=40, help="measured requests per case (default 40)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured requests per case (default 5)")
    parser.add_argument("--floor-ms", type=float, default=FLOOR_MS, help="p95 target in ms (default 100)")
    parser.add_argument("--entries", type=int, default=ENTRIES, help="entries to insert (default 100,000)")
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
        "--entries",
        str(args.entries),
    ]
    return run_in_fresh_database(vendor, command, env, url, prefix="brokerdesk-bench-archives-")


# --- Building the data -----------------------------------------------------------------


def month_list() -> list[dt.date]:
    months, month = [], TODAY.replace(day=1)
    for _ in range(MONTHS):
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return months[::-1]  # oldest first


def insert_entries(total: int) -> None:
    """Batches, entries and serial counters in bulk, as the services would leave them."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from brokerdesk.archives import rules_register as rules
    from brokerdesk.archives.models_register import RegisterBatch, RegisterEntry
    from brokerdesk.core.models import SerialCounter
    from brokerdesk.core.serials import format_serial
    from brokerdesk.org.models import Branch, Staff

    rng = random.Random(SEED + 7)
    branches = list(Branch.objects.order_by("code").values_list("pk", "code"))
    months = month_list()
    keepers = get_user_model().objects.get(username="office")
    people: dict[int, list[int]] = {}
    for pk, branch_id in Staff.objects.filter(status=Staff.Status.ACTIVE).values_list("pk", "branch_id"):
        people.setdefault(branch_id, []).append(pk)
    kinds = list(RegisterEntry.Kind.values)
    now = timezone.now()
    open_months = set(months[-2:])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")  # a throwaway database
    with transaction.atomic():
        RegisterBatch.objects.bulk_create(
            RegisterBatch(
                branch_id=b,
                month=m,
                closed_at=None if m in open_months else now,
                closed_by=None if m in open_months else keepers,
            )
            for b, _code in branches
            for m in months
        )
    batch_ids = {(b, m): pk for pk, b, m in RegisterBatch.objects.values_list("pk", "branch_id", "month")}
    sequences: dict[tuple[str, int, dt.date], int] = {}
    chunk: list = []
    for i in range(total):
        branch_id, code = branches[i % len(branches)]
        month = months[rng.randrange(MONTHS)]
        kind = kinds[rng.randrange(len(kinds))]
        key = (kind, branch_id, month)
        sequences[key] = number = sequences.get(key, 0) + 1
        held = rng.random() < 0.02 and people.get(branch_id)
        withdrawn = rng.random() < 0.01
        title = f"{rng.choice(TOPICS)}{month.year}年{month.month}月{rng.choice(KIND_WORDS[kind])}"
        chunk.append(
            RegisterEntry(
                serial_no=format_serial(rules.prefix_for(kind), code, month, number),
                kind=kind,
                branch_id=branch_id,
                month=month,
                sequence=number,
                batch_id=batch_ids[(branch_id, month)],
                title=title,
                title_key=rules.title_key(title),
                cabinet=f"柜{rng.randint(1, 12)}",
                folder=f"{month:%Y%m}-{rng.randint(1, 30):02d}",
                pages=rng.randint(1, 60),
                filed_by=keepers,
                custodian_id=rng.choice(people[branch_id]) if held else None,
                custody_since=now if held else None,
                status="withdrawn" if withdrawn else "filed",
                withdrawn_reason="登记错误" if withdrawn else "",
                withdrawn_at=now if withdrawn else None,
            )
        )
        if len(chunk) >= CHUNK:
            with transaction.atomic():
                RegisterEntry.objects.bulk_create(chunk)
            chunk = []
    if chunk:
        with transaction.atomic():
            RegisterEntry.objects.bulk_create(chunk)
    with transaction.atomic():
        SerialCounter.objects.bulk_create(
            SerialCounter(kind=rules.counter_kind(kind), branch_id=b, month=m, value=v)
            for (kind, b, m), v in sequences.items()
        )
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

    build_demo(seed=SEED, profile="small", today=TODAY)
    t2 = time.perf_counter()
    insert_entries(args.entries)
    t3 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum (or PRAGMA optimize) would give
    t4 = time.perf_counter()
    import brokerdesk.wsgi  # noqa: F401 - start the way a WSGI server does

    print_machine(connection)
    print(
        f"setup: migrate {t1 - t0:.1f} s, build_demo(small) {t2 - t1:.1f} s, "
        f"{args.entries:,} entries {t3 - t2:.1f} s, ANALYZE {t4 - t3:.1f} s"
    )
    print(
        f"each case: {args.warmup} warm-up + {args.reps} measured requests, cases taken in turn "
        f"(round robin); target {args.floor_ms:.0f} ms at p95"
    )
    runs = []
    for who in ("manager", "office"):
        client = login(who)
        runs.append((who, client, Case("baseline /api/me/", "/api/me/")))
        runs += [(who, client, case) for case in cases_for(who)]
    results = measure(runs, warmup=args.warmup, reps=args.reps)
    baselines = {r.who: r for r in results if r.case.url == "/api/me/"}
    print(f"load average after: {load_average()}")
    status = report(results, baselines, args.floor_ms)
    explain_slowest(results, login, args.floor_ms)
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
    from brokerdesk.archives.models_register import RegisterBatch, RegisterEntry
    from brokerdesk.org.models import Branch

    print()
    print("=" * 100)
    print(f"BrokerDesk archive register search benchmark — {db}")
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} {platform.release()}; "
        f"python {platform.python_version()}; django {django.get_version()}; load average {load_average()}"
    )
    print(
        f"data: {RegisterEntry.objects.count():,} register entries, "
        f"{RegisterBatch.objects.count():,} monthly batches, {Branch.objects.count()} branches, "
        f"{MONTHS} months (seed {SEED}, today {TODAY})"
    )


def login(username: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    user = get_user_model().objects.get(username=username)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def cases_for(who: str) -> list[Case]:
    """The register's search shapes, with terms taken from an entry in the login's scope."""
    from urllib.parse import urlencode

    from django.contrib.auth import get_user_model

    from brokerdesk.archives.selectors import EntryFilters, entry_search

    user = get_user_model().objects.get(username=who)
    scope = entry_search(user)
    count = scope.count()
    someone = scope.order_by("serial_no")[count // 2]
    months = month_list()
    three = {"month_from": f"{months[-6]:%Y-%m}", "month_to": f"{months[-4]:%Y-%m}"}
    prefix = someone.serial_no.rsplit("-", 1)[0]  # kind, branch and month: one month's numbers

    def rows(**filters) -> int:
        return entry_search(user, EntryFilters(**filters)).count()

    def url(base: str, **params) -> str:
        return f"{base}?{urlencode(params)}" if params else base

    page, api = "/archives/", "/api/archives/entries/"
    return [
        Case("register page 1", page, count),
        Case("register page 2", url(page, page=2), count),
        Case("serial exact", url(page, serial=someone.serial_no), 1),
        Case(f"serial prefix {prefix}", url(page, serial=prefix), rows(serial=prefix)),
        Case(
            "serial prefix, kind only",
            url(page, serial=someone.serial_no[:3]),
            rows(serial=someone.serial_no[:3]),
        ),
        Case(
            "kind + 3-month period",
            url(page, kind="pay_report", **three),
            rows(kind="pay_report", month_from=months[-6], month_to=months[-4]),
        ),
        Case(
            "kind + period page 2",
            url(page, kind="pay_report", page=2, **three),
            rows(kind="pay_report", month_from=months[-6], month_to=months[-4]),
        ),
        Case("title word (common) 薪酬", url(page, q="薪酬"), rows(q="薪酬")),
        Case("title word (rare) 投资者教育", url(page, q="投资者教育"), rows(q="投资者教育")),
        Case("title words 网点驻点 纪要", url(page, q="网点驻点 纪要"), rows(q="网点驻点 纪要")),
        Case("kind + title word", url(page, kind="contract", q="合作"), rows(kind="contract", q="合作")),
        Case("originals out", url(page, held="out"), rows(held="out")),
        Case(
            "search-as-you-type 薪酬 (htmx)",
            url(page, q="薪酬"),
            rows(q="薪酬"),
            htmx=True,
            htmx_target="results",
        ),
        Case("API list page 1", url(api, format="json"), count),
        Case("API serial prefix", url(api, format="json", serial=prefix), rows(serial=prefix)),
        Case("API kind + period", url(api, format="json", kind="pay_report", **three), None),
        Case("API title word 薪酬", url(api, format="json", q="薪酬"), rows(q="薪酬")),
    ]


def report(results: list[Result], baselines: dict[str, Result], floor: float) -> int:
    note = "(ms; rows = matching entries in the login's scope; cpu50 = median CPU time of this process)"
    failed = print_results(results, baselines, floor, note=note, case_width=40)
    measured = [r for r in results if not r.case.label.startswith("baseline")]
    for who in sorted({r.who for r in measured}):
        pages = sorted({r.queries for r in measured if r.who == who and r.case.url.startswith("/archives/")})
        apis = sorted(
            {r.queries for r in measured if r.who == who and r.case.url.startswith("/api/archives/")}
        )
        print(f"queries per request, {who}: register page {pages}; API {apis}")
    worst = max(measured, key=lambda r: r.p95)
    verdict = "PASS" if not failed else "FAIL"
    print(
        f"{verdict}: slowest p95 {worst.p95:.1f} ms ({worst.who}, {worst.case.label}); target {floor:.0f} ms"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
