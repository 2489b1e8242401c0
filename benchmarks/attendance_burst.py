"""Morning check-in burst against gunicorn, and the monthly sheet of a 300-person branch.

    .venv/bin/python benchmarks/attendance_burst.py          # SQLite (+ PostgreSQL if DATABASE_URL is set)
    .venv/bin/python benchmarks/attendance_burst.py --only sqlite --concurrency 100

The issue: "a morning burst of 2,000 check-ins from concurrent clients against the app served
by a production server — throughput, p95 latency, errors (must be 0) and duplicates (must be
0). The monthly sheet for a 300-person branch renders in under 1 s."

Each database gets a fresh, throwaway database (a temporary SQLite file, WAL, the production
settings; or a new database on the PostgreSQL server DATABASE_URL names, dropped afterwards),
migrated and loaded with ``build_demo(profile="large")`` (5,000 client managers). 2,000 of
them get a login with an API token (written in bulk: no password hashing). The app is served
by gunicorn on 127.0.0.1 with production settings (DEBUG off, collected static files), and
``--concurrency`` client threads POST ``/api/attendance/punch/check-in/`` once for each of
the 2,000 people, plus a second tap for 10% of them (half right behind the first, so both
are in flight together; half later in the burst). Afterwards the database must hold exactly
one record per person with the check-in time every tap was answered with.

Then the monthly sheet of BJ01, topped up to 300 people with a whole month of punches, leave
and outings, is requested through the same gunicorn (page, Excel, API), ``--sheet-reps``
times each after a warm-up.

Comparisons, in this run: burst p95 / ``--floor-ms`` (1,000 ms), errors / 0, duplicates / 0,
sheet p95 / ``--sheet-floor-ms`` (1,000 ms); and the burst p95 over the p95 of a baseline
burst of ``GET /api/me/`` (token lookup, no write) fired the same way. Exit status 0 when all
hold, 1 otherwise. See benchmarks/README-attendance.md.
"""

import argparse
import calendar as pycal
import datetime as dt
import http.client
import json
import os
import platform
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from harness import load_average, percentile, run_in_fresh_database  # noqa: E402 - beside this file

SEED = 20261129
PEOPLE = 2000
DOUBLE_TAP_SHARE = 0.10
SHEET_PEOPLE = 300
SHEET_BRANCH = "BJ01"
FLOOR_MS = 1000.0
SHEET_FLOOR_MS = 1000.0
PUNCH = "/api/attendance/punch/check-in/"


# --- Orchestration (no Django imported here) ------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run one database only")
    parser.add_argument("--people", type=int, default=PEOPLE, help="people checking in (default 2000)")
    parser.add_argument("--concurrency", type=int, default=50, help="client threads (default 50)")
    parser.add_argument("--workers", type=int, default=min(4, 2 * (os.cpu_count() or 1)))
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")
    parser.add_argument("--floor-ms", type=float, default=FLOOR_MS, help="burst p95 floor (default 1000)")
    parser.add_argument("--sheet-floor-ms", type=float, default=SHEET_FLOOR_MS)
    parser.add_argument("--sheet-reps", type=int, default=10, help="measured sheet requests (default 10)")
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
    """One database in its own process: the settings read the environment at import."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", vendor]
    for name in ("people", "concurrency", "workers", "threads", "floor_ms", "sheet_floor_ms", "sheet_reps"):
        command += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    env = {
        **os.environ,
        # Production settings, as deployed: DEBUG off, a key, Argon2, the manifest static storage.
        "DJANGO_SETTINGS_MODULE": "brokerdesk.settings",
        "BROKERDESK_DEBUG": "0",
        "BROKERDESK_SECRET_KEY": secrets.token_urlsafe(40),
        "BROKERDESK_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    return run_in_fresh_database(vendor, command, env, url, prefix="brokerdesk-burst-")


# --- HTTP client (stdlib only; a new connection per tap, as phones make) -----------------


@dataclass
class Hit:
    key: str  # who (token) or a label
    ms: float
    status: int
    check_in: str | None = None
    error: str = ""


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path


def request(port: int, method: str, path: str, headers: dict[str, str], key: str = "") -> tuple[Hit, bytes]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, headers={"Connection": "close", "Content-Length": "0", **headers})
        resp = conn.getresponse()
        body = resp.read()
        return Hit(key, (time.perf_counter() - start) * 1000, resp.status), body
    except OSError as exc:  # refused, reset, timed out: an error, never a retry
        return Hit(key, (time.perf_counter() - start) * 1000, 0, error=f"{type(exc).__name__}: {exc}"), b""
    finally:
        conn.close()


def tap(port: int, token: str) -> Hit:
    hit, body = request(port, "POST", PUNCH, {"Authorization": f"Token {token}"}, token)
    if hit.status == 200:
        hit.check_in = json.loads(body)["check_in"]
    elif not hit.error:
        hit.error = body[:200].decode("utf-8", "replace")
    return hit


def fire(jobs, concurrency: int) -> tuple[list[Hit], float]:
    """Run the jobs (callables) ``concurrency`` at a time, in the order given; wall time in s."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        hits = list(pool.map(lambda job: job(), jobs))
    return hits, time.perf_counter() - start


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(args, tmp: Path) -> Server:
    port = free_port()
    log = tmp / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "brokerdesk.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(args.threads),
        "--timeout",
        "60",
        "--log-level",
        "warning",
        "--error-logfile",
        str(log),
    ]
    process = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    server = Server(port, process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{read_log(server)}")
        hit, _body = request(port, "GET", "/login/", {})
        if hit.status == 200:
            return server
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{read_log(server)}")


def stop_gunicorn(server: Server | None) -> None:
    if server is None or server.process.poll() is not None:
        return
    server.process.send_signal(signal.SIGTERM)  # graceful: workers finish what they hold
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


def read_log(server: Server) -> str:
    try:
        return server.log.read_text(errors="replace")[-4000:]
    except OSError:
        return ""


# --- The measuring process -------------------------------------------------------------


def run_child(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    today = timezone.localdate()
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    t1 = time.perf_counter()
    from brokerdesk.org.demo import build_demo

    build_demo(seed=SEED, profile="large", today=today)
    t2 = time.perf_counter()
    tokens = make_tokens(args.people, exclude_branch=SHEET_BRANCH)
    baseline_token = tokens.pop()  # a spare login for the baseline and the warm-up
    sheet = build_sheet_branch(today)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    t3 = time.perf_counter()
    print_machine(connection, today)
    print(
        f"setup: migrate + collectstatic {t1 - t0:.1f} s, build_demo(large) {t2 - t1:.1f} s, "
        f"{len(tokens)} tokens + sheet branch {t3 - t2:.1f} s"
    )
    connections.close_all()  # the server has the database from here on

    server = None
    status = 0
    with tempfile.TemporaryDirectory(prefix="gunicorn-") as tmp:
        try:
            server = start_gunicorn(args, Path(tmp))
            print(
                f"server: gunicorn {gunicorn_version()} on 127.0.0.1:{server.port}, "
                f"{args.workers} workers × {args.threads} threads (gthread); "
                f"client: {args.concurrency} threads, a new connection per tap"
            )
            status |= burst(server, tokens, baseline_token, args)
            status |= sheet_timings(server, sheet, args)
        finally:
            stop_gunicorn(server)
            connections.close_all()
        log = read_log(server) if server else ""
        if "Traceback" in log or "database is locked" in log:
            print("gunicorn's error log:\n" + log)
            status |= 1
    print(f"load average after: {load_average()}")
    return status


def gunicorn_version() -> str:
    import gunicorn

    return gunicorn.__version__


def print_machine(connection, today: dt.date) -> None:
    import django

    if connection.vendor == "sqlite":
        import sqlite3

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
        db = f"sqlite {sqlite3.sqlite_version} (file, journal_mode={mode}, IMMEDIATE transactions)"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            db = f"{connection.vendor} {cursor.fetchone()[0]}"
    from brokerdesk.org.models import Staff

    print()
    print("=" * 100)
    print(f"BrokerDesk attendance burst benchmark — {db}")
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} {platform.release()}; "
        f"python {platform.python_version()}; django {django.get_version()}; load average {load_average()}"
    )
    print(f"data: {Staff.objects.count()} staff (large demo profile, seed {SEED}, today {today})")


def make_tokens(count: int, *, exclude_branch: str) -> list[str]:
    """Logins for ``count`` + 1 working client managers, with API tokens, written in bulk.

    No password: the burst authenticates with tokens (what the phone app keeps after its one
    POST /api/token/), so setting up does not run 2,000 Argon2 hashes.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from brokerdesk.access.models import RoleAssignment
    from brokerdesk.access.roles import Role
    from brokerdesk.org.models import Staff

    User = get_user_model()
    people = list(
        Staff.objects.filter(
            position=Staff.Position.CLIENT_MANAGER,
            status__in=[Staff.Status.ACTIVE, Staff.Status.PROBATION],
            user__isnull=True,
            outlet__isnull=False,
        )
        .exclude(branch__code=exclude_branch)
        .order_by("emp_no")[: count + 1]
    )
    if len(people) < count + 1:
        raise SystemExit(f"only {len(people)} client managers without a login; {count + 1} needed")
    unusable = make_password(None)
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(username=f"burst-{p.emp_no}", password=unusable) for p in people], batch_size=500
        )
        users = {u.username: u for u in User.objects.filter(username__startswith="burst-")}
        for p in people:
            p.user = users[f"burst-{p.emp_no}"]
        Staff.objects.bulk_update(people, ["user"], batch_size=500)
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=p.user, role=Role.CLIENT_MANAGER) for p in people], batch_size=500
        )
        tokens = Token.objects.bulk_create([Token(user=p.user, key=Token.generate_key()) for p in people])
    return [t.key for t in tokens]


@dataclass
class SheetSetup:
    branch_id: int
    month: dt.date
    people: int
    records: int
    leave: int
    outings: int
    session: str


def build_sheet_branch(today: dt.date) -> SheetSetup:
    """BJ01 topped up to 300 people on the sheet, with last month's punches, leave and outings.

    Last month is the sheet a branch prints for the pay run: every day is in the past, so every
    cell goes through the rules. The branch manager's session is made in the database.
    """
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from brokerdesk.attendance.models import DailyRecord, LeaveRequest, LeaveType, Outing, Workflow
    from brokerdesk.attendance.rules import working_day
    from brokerdesk.attendance.selectors import month_days, sheet_people
    from brokerdesk.core.validators import id_check_char
    from brokerdesk.org.models import Branch, Staff, Team
    from brokerdesk.org.rules import name_pinyin, pinyin_search_keys

    rng = random.Random(SEED)
    manager = get_user_model().objects.get(username="manager")
    branch = Branch.objects.get(code=SHEET_BRANCH)
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    days = month_days(month)
    tz = timezone.get_current_timezone()
    with transaction.atomic():
        missing = SHEET_PEOPLE - sheet_people(user=manager, branch=branch, month=month).count()
        teams = list(Team.objects.filter(branch=branch).select_related("lead").order_by("code"))
        extra = []
        for i in range(max(0, missing)):
            team = teams[i % len(teams)]
            name = "".join(
                rng.choice(chars) for chars in ("王李张刘陈杨黄赵吴周", "伟芳娜敏静丽强磊军洋", "明超霞平刚")
            )
            first17 = f"110102{dt.date(2003, 1, 1) + dt.timedelta(days=i):%Y%m%d}{i % 1000:03d}"
            extra.append(
                Staff(
                    emp_no=f"{branch.code}X{i:04d}",
                    name=name,
                    name_pinyin=name_pinyin(name),
                    pinyin_keys=pinyin_search_keys(name),
                    gender=Staff.Gender.MALE,
                    mobile=f"139{i:08d}",
                    id_number=first17 + id_check_char(first17),
                    employment_type=Staff.EmploymentType.FULL_TIME,
                    position=Staff.Position.CLIENT_MANAGER,
                    status=Staff.Status.ACTIVE,
                    branch=branch,
                    team=team,
                    outlet=team.lead.outlet if team.lead else None,
                    hired_on=month - dt.timedelta(days=400),
                )
            )
        Staff.objects.bulk_create(extra)
        people = list(sheet_people(user=manager, branch=branch, month=month).select_related("outlet"))
        workdays = [d for d in days if working_day(d)[0]]
        leave_types = list(LeaveType.objects.all())
        records, leave, outings = [], [], []
        for p in people:
            off = set()
            if rng.random() < 0.10:  # approved leave of 1–3 working days
                start = rng.randrange(len(workdays))
                span = workdays[start : start + rng.randint(1, 3)]
                off.update(span)
                leave.append(
                    LeaveRequest(
                        staff=p,
                        leave_type=rng.choice(leave_types),
                        starts_on=span[0],
                        ends_on=span[-1],
                        days=len(span),
                        reason="家中有事",
                        status=Workflow.APPROVED,
                    )
                )
            if rng.random() < 0.15:  # an approved outing over the morning
                d = rng.choice(workdays)
                outings.append(
                    Outing(
                        staff=p,
                        destination="客户单位",
                        person_visited="李总",
                        contact="13800000000",
                        purpose="资产配置方案讲解",
                        starts_at=dt.datetime.combine(d, dt.time(8, 30), tzinfo=tz),
                        ends_at=dt.datetime.combine(d, dt.time(11, 30), tzinfo=tz),
                        status=Workflow.APPROVED,
                    )
                )
            opens = p.outlet.opens_at if p.outlet else dt.time(9, 0)
            closes = p.outlet.closes_at if p.outlet else dt.time(17, 0)
            for d in workdays:
                if d in off or (p.hired_on and d < p.hired_on) or rng.random() < 0.03:  # absent
                    continue
                start = dt.datetime.combine(d, opens, tzinfo=tz)
                end = dt.datetime.combine(d, closes, tzinfo=tz)
                check_in = start + dt.timedelta(minutes=rng.randint(-40, 25 if rng.random() < 0.1 else -1))
                check_out = None if rng.random() < 0.02 else end + dt.timedelta(minutes=rng.randint(-20, 120))
                records.append(
                    DailyRecord(staff=p, day=d, outlet=p.outlet, check_in=check_in, check_out=check_out)
                )
        DailyRecord.objects.bulk_create(records, batch_size=1000)
        LeaveRequest.objects.bulk_create(leave)
        Outing.objects.bulk_create(outings)
    client = Client()
    client.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")
    session = client.cookies["sessionid"].value
    return SheetSetup(branch.pk, month, len(people), len(records), len(leave), len(outings), session)


def burst(server: Server, tokens: list[str], baseline_token: str, args) -> int:
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from brokerdesk.attendance.models import DailyRecord

    rng = random.Random(SEED)
    port = server.port
    # Warm-up: every worker thread loads what a first request loads (not measured).
    fire([lambda: request(port, "GET", "/api/me/", {"Authorization": f"Token {baseline_token}"})] * 64, 16)
    # Baseline: the same number of authenticated requests that write nothing, fired the same way.
    me = {"Authorization": f"Token {baseline_token}"}
    base_hits, base_wall = fire(
        [lambda: request(port, "GET", "/api/me/", me, "me")[0]] * len(tokens), args.concurrency
    )

    firsts = tokens[:]
    rng.shuffle(firsts)
    doubles = rng.sample(firsts, round(len(firsts) * DOUBLE_TAP_SHARE))
    order = []
    right_behind, later = set(doubles[: len(doubles) // 2]), doubles[len(doubles) // 2 :]
    for token in firsts:
        order.append(token)
        if token in right_behind:
            order.append(token)  # the impatient second tap, in flight with the first
    for token in later:  # tapped again a little later, after the first was answered
        order.insert(min(len(order), order.index(token) + rng.randint(args.concurrency * 2, 600)), token)
    started = dt.datetime.now(dt.UTC)
    hits, wall = fire([lambda t=t: tap(port, t) for t in order], args.concurrency)
    finished = dt.datetime.now(dt.UTC)

    # --- what the database holds ---
    staff_of = dict(Token.objects.filter(key__in=tokens).values_list("key", "user__staff"))
    days = {timezone.localdate(started), timezone.localdate(finished)}
    rows = list(
        DailyRecord.objects.filter(staff_id__in=staff_of.values(), day__in=days).values_list(
            "staff_id", "day", "check_in"
        )
    )
    per_person: dict[int, list] = {}
    for staff_id, _day, check_in in rows:
        per_person.setdefault(staff_id, []).append(check_in)
    extra_rows = sum(len(v) - 1 for v in per_person.values())
    missing = len(staff_of) - len(per_person)
    history = DailyRecord.history.model.objects.filter(staff_id__in=staff_of.values(), day__in=days).count()
    # Every tap by one person must have been answered with the one check-in time stored.
    answered: dict[int, set] = {}
    for h in hits:
        if h.check_in:
            answered.setdefault(staff_of[h.key], set()).add(h.check_in)
    changed = 0
    for staff_id, times in answered.items():
        stored = {c.isoformat().replace("+00:00", "Z") for c in per_person.get(staff_id, [])}
        parsed = {dt.datetime.fromisoformat(t.replace("Z", "+00:00")) for t in times}
        if len(parsed) != 1 or parsed != set(per_person.get(staff_id, [])):
            changed += 1
            if changed <= 3:
                print(f"  person {staff_id}: answered {sorted(times)}, stored {sorted(stored)}")

    errors = [h for h in hits if h.status != 200]
    ms = [h.ms for h in hits]
    base_ms = [h.ms for h in base_hits]
    base_errors = sum(1 for h in base_hits if h.status != 200)
    p50, p95, mx = statistics.median(ms), percentile(ms, 0.95), max(ms)
    b50, b95 = statistics.median(base_ms), percentile(base_ms, 0.95)
    duplicates = extra_rows + changed + max(0, history - len(per_person))

    print()
    print(
        f"burst: {len(tokens)} people, {len(order)} taps ({len(order) - len(tokens)} second taps: "
        f"{len(right_behind)} right behind the first, {len(later)} later), "
        f"{args.concurrency} concurrent clients"
    )
    header = (
        f"{'case':<30} {'requests':>8} {'wall s':>7} {'req/s':>7} {'p50':>7} {'p95':>7} {'max':>7} "
        f"{'errors':>6}"
    )
    print(header)
    print("-" * len(header))
    for label, n, w, m50, m95, m, e in (
        ("baseline GET /api/me/", len(base_hits), base_wall, b50, b95, max(base_ms), base_errors),
        ("POST check-in", len(hits), wall, p50, p95, mx, len(errors)),
    ):
        print(f"{label:<30} {n:>8} {w:7.2f} {n / w:7.1f} {m50:7.1f} {m95:7.1f} {m:7.1f} {e:>6}")
    print("(ms, seen by the client; token authentication; a new TCP connection per request)")
    for h in errors[:5]:
        print(f"  error: HTTP {h.status} {h.error[:160]}")
    print(
        f"database: {len(rows)} records for {len(staff_of)} people ({missing} missing, {extra_rows} extra), "
        f"{history} history entries, {changed} people answered with a time other than the one stored"
    )
    print()
    bad = len(errors) + missing
    checks = [
        (
            "burst p95 / floor",
            f"{p95:.1f} / {args.floor_ms:.0f} ms",
            f"{p95 / args.floor_ms:.2f}",
            p95 <= args.floor_ms,
        ),
        ("errors / allowed", f"{bad} / 0", "0" if not bad else "∞", not bad),
        ("duplicates / allowed", f"{duplicates} / 0", "0" if not duplicates else "∞", not duplicates),
    ]
    for label, shown, ratio, ok in checks:
        print(f"{label:<22} = {shown:<22} = {ratio:>5} → {'OK' if ok else 'FAIL'}")
    rate, base_rate = len(hits) / wall, len(base_hits) / base_wall
    print(
        f"throughput: {rate:.1f} taps/s ({rate / base_rate:.2f} of the baseline's {base_rate:.1f} req/s); "
        f"p95 / baseline p95 = {p95:.1f} / {b95:.1f} ms = {p95 / b95:.1f}x"
    )
    failed = sum(not ok for *_, ok in checks)
    return 1 if failed else 0


def sheet_timings(server: Server, sheet: SheetSetup, args) -> int:
    month = f"{sheet.month:%Y-%m}"
    cookie = {"Cookie": f"sessionid={sheet.session}"}
    cases = [
        ("sheet page", f"/attendance/sheet/?month={month}&branch={sheet.branch_id}"),
        ("sheet Excel", f"/attendance/sheet/?month={month}&branch={sheet.branch_id}&format=xlsx"),
        ("sheet API (JSON)", f"/api/attendance/sheet/?month={month}&branch={sheet.branch_id}&format=json"),
    ]
    print()
    days = pycal.monthrange(sheet.month.year, sheet.month.month)[1]
    print(
        f"monthly sheet: branch {SHEET_BRANCH}, {month}, {sheet.people} people × {days} days; "
        f"{sheet.records} punches, {sheet.leave} leave, {sheet.outings} outings; "
        f"2 warm-up + {args.sheet_reps} measured requests each, one at a time, as the branch manager"
    )
    times: dict[str, list[float]] = {label: [] for label, _ in cases}
    sizes: dict[str, int] = {}
    for rep in range(2 + args.sheet_reps):
        for label, path in cases:
            hit, body = request(server.port, "GET", path, cookie)
            if hit.status != 200:
                print(f"  {label}: HTTP {hit.status} {body[:300]!r}")
                return 1
            if rep == 0 and label == "sheet page":
                shown = body.partition(b"<tbody>")[2].count(b'<tr><th class="sticky">')
                if shown != sheet.people:
                    print(f"  the page shows {shown} people, not {sheet.people}")
                    return 1
            if rep >= 2:
                times[label].append(hit.ms)
            sizes[label] = len(body)
    header = f"{'case':<20} {'KB':>6} {'p50':>7} {'p95':>7} {'max':>7} {'p95/floor':>9}"
    print(header)
    print("-" * len(header))
    failed = 0
    for label, _ in cases:
        ms = times[label]
        p95 = percentile(ms, 0.95)
        failed += p95 > args.sheet_floor_ms
        print(
            f"{label:<20} {sizes[label] / 1024:6.0f} {statistics.median(ms):7.1f} {p95:7.1f} {max(ms):7.1f} "
            f"{p95 / args.sheet_floor_ms:9.2f}"
        )
    worst = max(cases, key=lambda c: percentile(times[c[0]], 0.95))[0]
    p95 = percentile(times[worst], 0.95)
    print(
        f"slowest sheet: {worst}: p95 / floor = {p95:.1f} / {args.sheet_floor_ms:.0f} ms = "
        f"{p95 / args.sheet_floor_ms:.2f} → {'OK' if not failed else 'FAIL'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
