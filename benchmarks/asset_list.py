"""Asset list latency with 50,000 assets and their ledger (issue 7, "Speed").

    .venv/bin/python benchmarks/asset_list.py            # SQLite (+ PostgreSQL if DATABASE_URL is set)
    .venv/bin/python benchmarks/asset_list.py --only postgresql --reps 30
    .venv/bin/python benchmarks/asset_list.py --assets 10000   # a quicker, smaller run

Each database gets a fresh, throwaway database (a temporary SQLite file; a new database on the
PostgreSQL server DATABASE_URL names, dropped afterwards), migrated and loaded with
``build_demo(profile="small")`` (24 branches, the demo logins) and then ``--assets`` register
entries inserted in bulk with their ledger lines and holdings, exactly as the services leave
them (cached stock equal to the ledger): a fifth of them in the ``keeper``'s branch (also the
``lead``'s and the ``cm``'s, so the keeper's register holds 10,000), the rest spread over the other 23;
computers, office equipment, promotional material tracked by quantity and other items; about
60 % issued to people of their branch (consumables spread over one to three people), one in
twenty disposed of, some allocated to a team and placed at an outlet.

Every case is requested through Django's test Client (middleware, session, scope, filter form,
count, template or serializer) ``--warmup`` times unmeasured and then ``--reps`` times measured,
round robin, as the branch's asset keeper, a team lead, a client manager and channel management
(the whole company): the list page 1 and page 2, a tag, a description word, a holder's name
and pinyin initials, status and category filters, the htmx search-as-you-type request, and the
API list and search. The query count of each case is printed: it must not depend on the page or
the number of matches.

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
ASSETS = 50_000
FIRST_BRANCH_SHARE = 0.2
CHUNK = 5_000
LOGINS = ("keeper", "lead", "cm", "channel")

KINDS = [
    # (category, tag prefix, weight, by quantity, descriptions with their unit values)
    (
        "computer",
        "PC",
        35,
        False,
        [("笔记本电脑", "6499.00"), ("台式电脑", "4999.00"), ("显示器", "1299.00")],
    ),
    (
        "office",
        "BG",
        30,
        False,
        [
            ("激光打印机", "1580.00"),
            ("复印机", "12800.00"),
            ("移动开户平板", "3299.00"),
            ("扫描仪", "899.00"),
        ],
    ),
    (
        "promotional",
        "XC",
        25,
        True,
        [("宣传折页", "1.20"), ("易拉宝", "85.00"), ("客户答谢礼品", "45.00"), ("投资者教育手册", "6.50")],
    ),
    ("other", "QT", 10, False, [("办公桌椅", "780.00"), ("保险柜", "2300.00"), ("饮水机", "560.00")]),
]


# --- Orchestration (no Django imported here) ------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run one database only")
    parser.add_argument("--reps", type=int, default=40, help="measured requests per case (default 40)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured requests per case (default 5)")
    parser.add_argument("--floor-ms", type=float, default=FLOOR_MS, help="p95 target in ms (default 100)")
    parser.add_argument("--assets", type=int, default=ASSETS, help="assets to insert (default 50,000)")
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
        "--assets",
        str(args.assets),
    ]
    return run_in_fresh_database(vendor, command, env, url, prefix="brokerdesk-bench-assets-")


# --- Building the data -----------------------------------------------------------------


def insert_assets(total: int) -> dict:
    """Assets, ledger lines and holdings in bulk, as the services would leave them."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from brokerdesk.assets import rules_assets as rules
    from brokerdesk.assets.models_assets import Asset, Holding, LedgerLine
    from brokerdesk.org.models import Branch, Outlet, Staff, Team

    rng = random.Random(SEED + 11)
    keeper = get_user_model().objects.get(username="keeper")
    from brokerdesk.access.models import RoleAssignment

    # The keeper's branch first: it gets the first branch's share.
    kept = RoleAssignment.objects.filter(user=keeper).values_list("branch_id", flat=True).first()
    branches = sorted(Branch.objects.values_list("pk", "code"), key=lambda b: (b[0] != kept, b[1]))
    people: dict[int, list[int]] = {}
    names: dict[int, tuple[str, str, str]] = {}
    for pk, branch_id, name, emp_no, keys in Staff.objects.filter(
        status=Staff.Status.ACTIVE,
        position__in=[
            Staff.Position.CLIENT_MANAGER,
            Staff.Position.REGIONAL_MANAGER,
            Staff.Position.TEAM_LEAD,
        ],
    ).values_list("pk", "branch_id", "name", "emp_no", "pinyin_keys"):
        people.setdefault(branch_id, []).append(pk)
        names[pk] = (name, emp_no, keys)
    teams: dict[int, list[int]] = {}
    for pk, branch_id in Team.objects.values_list("pk", "branch_id"):
        teams.setdefault(branch_id, []).append(pk)
    outlets: dict[int, list[int]] = {}
    for pk, branch_id in Outlet.objects.values_list("pk", "branch_id"):
        outlets.setdefault(branch_id, []).append(pk)
    weights = [k[2] for k in KINDS]
    first_count = int(total * FIRST_BRANCH_SHARE)
    numbers: dict[int, int] = {}
    now = timezone.now()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")  # a throwaway database
    counts = {"lines": 0, "holdings": 0}

    def branch_of(i: int) -> tuple[int, str]:
        if i < first_count:
            return branches[0]
        return branches[1 + (i - first_count) % (len(branches) - 1)]

    done = 0
    while done < total:
        size = min(CHUNK, total - done)
        assets, plans = [], []
        for i in range(done, done + size):
            branch_id, code = branch_of(i)
            category, prefix, _w, by_quantity, pool = rng.choices(KINDS, weights=weights)[0]
            description, value = rng.choice(pool)
            numbers[branch_id] = n = numbers.get(branch_id, 0) + 1
            quantity = rng.choice([100, 200, 500, 1000, 2000]) if by_quantity else 1
            acquired = TODAY - dt.timedelta(days=rng.randint(30, 1500))
            roll = rng.random()
            holders: list[tuple[int, int]] = []
            disposed = roll < 0.05
            if not disposed and roll < 0.65 and people.get(branch_id):
                if by_quantity:
                    for who in rng.sample(
                        people[branch_id], k=min(len(people[branch_id]), rng.randint(1, 3))
                    ):
                        holders.append((who, rng.randint(1, quantity // 10)))
                else:
                    holders.append((rng.choice(people[branch_id]), 1))
            held = sum(q for _w, q in holders)
            on_hand = 0 if disposed else quantity - held
            status = "disposed" if disposed else ("issued" if holders else "in_store")
            custodian = holders[0][0] if len(holders) == 1 and on_hand == 0 else None
            tag = f"{code}-{prefix}-{n:06d}"
            assets.append(
                Asset(
                    branch_id=branch_id,
                    team_id=rng.choice(teams[branch_id])
                    if teams.get(branch_id) and rng.random() < 0.3
                    else None,
                    outlet_id=rng.choice(outlets[branch_id])
                    if outlets.get(branch_id) and rng.random() < 0.5
                    else None,
                    category=category,
                    tag=tag,
                    description=description,
                    spec="",
                    by_quantity=by_quantity,
                    unit="份" if by_quantity else "台",
                    value=Decimal(value),
                    acquired_on=acquired,
                    status=status,
                    on_hand=on_hand,
                    quantity=0 if disposed else quantity,
                    custodian_id=custodian,
                    search_text=rules.search_text(tag, description, "", [names[w] for w, _q in holders]),
                    created_by=keeper,
                    created_at=now,
                )
            )
            plans.append((acquired, quantity, holders, disposed))
        with transaction.atomic():
            Asset.objects.bulk_create(assets, batch_size=1000)
            lines, holdings = [], []
            for asset, (acquired, quantity, holders, disposed) in zip(assets, plans, strict=True):
                common = {"asset_id": asset.pk, "branch_id": asset.branch_id, "recorded_by": keeper}
                lines.append(
                    LedgerLine(
                        kind="receive",
                        day=acquired,
                        quantity=quantity,
                        source="outside",
                        target="store",
                        reason="采购入库",
                        **common,
                    )
                )
                issued_on = min(TODAY, acquired + dt.timedelta(days=7))
                for who, q in holders:
                    lines.append(
                        LedgerLine(
                            kind="issue",
                            day=issued_on,
                            quantity=q,
                            source="store",
                            target="person",
                            to_staff_id=who,
                            reason="领用",
                            **common,
                        )
                    )
                    holdings.append(Holding(asset_id=asset.pk, staff_id=who, quantity=q))
                if disposed:
                    lines.append(
                        LedgerLine(
                            kind="dispose",
                            day=min(TODAY, acquired + dt.timedelta(days=20)),
                            quantity=quantity,
                            source="store",
                            target="outside",
                            reason="报废",
                            **common,
                        )
                    )
            LedgerLine.objects.bulk_create(lines, batch_size=2000)
            Holding.objects.bulk_create(holdings, batch_size=2000)
            counts["lines"] += len(lines)
            counts["holdings"] += len(holdings)
        done += size
    connection.close()  # the requests measured get a fresh connection with the usual settings
    return counts


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
    counts = insert_assets(args.assets)
    t3 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum (or PRAGMA optimize) would give
    t4 = time.perf_counter()
    import brokerdesk.wsgi  # noqa: F401 - start the way a WSGI server does

    print_machine(connection, counts)
    print(
        f"setup: migrate {t1 - t0:.1f} s, build_demo(small) {t2 - t1:.1f} s, "
        f"{args.assets:,} assets {t3 - t2:.1f} s, ANALYZE {t4 - t3:.1f} s"
    )
    print(
        f"each case: {args.warmup} warm-up + {args.reps} measured requests, cases taken in turn "
        f"(round robin); target {args.floor_ms:.0f} ms at p95"
    )
    runs = []
    for who in LOGINS:
        client = login(who)
        runs.append((who, client, Case("baseline /api/me/", "/api/me/")))
        runs += [(who, client, case) for case in cases_for(who)]
    results = measure(runs, warmup=args.warmup, reps=args.reps)
    baselines = {r.who: r for r in results if r.case.url == "/api/me/"}
    print(f"load average after: {load_average()}")
    status = report(results, baselines, args.floor_ms)
    explain_slowest(results, login, args.floor_ms)
    return status


def print_machine(connection, counts: dict) -> None:
    import django

    if connection.vendor == "sqlite":
        import sqlite3

        db = f"sqlite {sqlite3.sqlite_version} (file, WAL)"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            db = f"{connection.vendor} {cursor.fetchone()[0]}"
    from brokerdesk.assets.models_assets import Asset
    from brokerdesk.org.models import Branch

    print()
    print("=" * 100)
    print(f"BrokerDesk asset list benchmark — {db}")
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} {platform.release()}; "
        f"python {platform.python_version()}; django {django.get_version()}; load average {load_average()}"
    )
    print(
        f"data: {Asset.objects.count():,} assets, {counts['lines']:,} ledger lines, {counts['holdings']:,} "
        f"holdings, {Branch.objects.count()} branches (seed {SEED}, today {TODAY})"
    )


def login(username: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    user = get_user_model().objects.get(username=username)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def cases_for(who: str) -> list[Case]:
    """The list's search shapes, with terms taken from an asset and a holder in the login's scope."""
    from urllib.parse import urlencode

    from django.contrib.auth import get_user_model

    from brokerdesk.assets.models_assets import Holding
    from brokerdesk.assets.selectors_assets import asset_list

    user = get_user_model().objects.get(username=who)
    scope = asset_list(user=user)
    count = scope.count()
    someone = scope[count // 2] if count else None
    holder = (
        Holding.objects.filter(asset__in=scope.values("pk"))
        .select_related("staff")
        .order_by("staff__emp_no")
        .first()
    )
    name = holder.staff.name if holder else "张"
    initials = holder.staff.pinyin_keys.split()[-1] if holder and holder.staff.pinyin_keys.strip() else "zs"

    def rows(**filters) -> int:
        return asset_list(user=user, filters=filters).count()

    def url(base: str, **params) -> str:
        return f"{base}?{urlencode(params)}" if params else base

    page, api = "/assets/", "/api/assets/assets/"
    tag = someone.tag if someone else "PC"
    return [
        Case("list page 1", page, count),
        Case("list page 2", url(page, page=2), count),
        Case("tag exact", url(page, q=tag), rows(q=tag)),
        Case("tag prefix (kind)", url(page, q=tag[:8]), rows(q=tag[:8])),
        Case("description word 笔记本", url(page, q="笔记本"), rows(q="笔记本")),
        Case(f"holder name {name}", url(page, q=name), rows(q=name)),
        Case(f"holder pinyin {initials}", url(page, q=initials), rows(q=initials)),
        Case(
            "status issued + computer",
            url(page, status="issued", category="computer"),
            rows(status="issued", category="computer"),
        ),
        Case("in store, page 2", url(page, status="in_store", page=2), rows(status="in_store")),
        Case(
            "search-as-you-type 笔记本 (htmx)",
            url(page, q="笔记本"),
            rows(q="笔记本"),
            htmx=True,
            htmx_target="results",
        ),
        Case("API list page 1", url(api, format="json"), count),
        Case("API search 笔记本", url(api, format="json", q="笔记本"), rows(q="笔记本")),
        Case("API status issued", url(api, format="json", status="issued"), rows(status="issued")),
    ]


def report(results: list[Result], baselines: dict[str, Result], floor: float) -> int:
    note = "(ms; rows = matching assets in the login's scope; cpu50 = median CPU time of this process)"
    failed = print_results(results, baselines, floor, note=note, case_width=40)
    measured = [r for r in results if not r.case.label.startswith("baseline")]
    for who in LOGINS:
        pages = sorted({r.queries for r in measured if r.who == who and r.case.url.startswith("/assets/")})
        apis = sorted({r.queries for r in measured if r.who == who and r.case.url.startswith("/api/assets/")})
        print(f"queries per request, {who}: list page {pages}; API {apis}")
    worst = max(measured, key=lambda r: r.p95)
    verdict = "PASS" if not failed else "FAIL"
    print(
        f"{verdict}: slowest p95 {worst.p95:.1f} ms ({worst.who}, {worst.case.label}); target {floor:.0f} ms"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
