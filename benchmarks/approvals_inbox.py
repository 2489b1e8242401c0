"""Approver inbox and plan list latency with 10,000 approval requests in the database.

    .venv/bin/python benchmarks/approvals_inbox.py            # SQLite (+ PostgreSQL if DATABASE_URL is set)
    .venv/bin/python benchmarks/approvals_inbox.py --only sqlite --reps 30

Each database gets a fresh, throwaway database (a temporary SQLite file; a new database on
the PostgreSQL server DATABASE_URL names, dropped afterwards), migrated and loaded with
``build_demo(profile="small")`` and then, in bulk, 10,000 approval requests with their
tasks and trails: about 2,100 annual plans across twenty years (one request each, most
approved), team standards and leave requests, at every point of their route. Many wait for
the integrated office, channel management, a countersigning department or a branch
manager. Every case is requested through Django's test Client (the whole stack:
middleware, session, scope, navigation counts, template or serializer) ``--warmup`` times
unmeasured and then ``--reps`` times measured, the cases taken in turn so background load
falls on all alike, and reports p50 / p95 / max in ms and the queries one request runs.
See benchmarks/README.md.

Two comparisons, both in this run:
- against the floor (the issue's 100 ms at p95): ``p95 / floor``; above 1.00 fails;
- against a baseline measured the same way, ``/api/me/`` for the same login (session,
  login and scope lookups but no list): ``p95 / baseline`` shows what the list itself costs
  on top of a request that does almost nothing.

Exit status: 0 when every case is under the floor, 1 otherwise.
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
    load_average,
    measure,
    print_results,
    run_in_fresh_database,
)

FLOOR_MS = 100.0
SEED = 20261129
TODAY = dt.date(2026, 11, 29)
REQUESTS = 10_000
PLAN_YEARS = range(TODAY.year - 19, TODAY.year + 2)  # twenty years of plans, and next year's
LOGINS = ("office", "channel", "manager", "hr")


# --- Orchestration (no Django imported here) ------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run one database only")
    parser.add_argument("--reps", type=int, default=40, help="measured requests per case (default 40)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured requests per case (default 5)")
    parser.add_argument("--floor-ms", type=float, default=FLOOR_MS, help="p95 floor in ms (default 100)")
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


def child_command(vendor: str, args) -> list[str]:
    return [
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
    ]


def run_vendor(vendor: str, args, url: str) -> int:
    """Run one database's benchmark in its own process (settings read the env at import)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "brokerdesk.settings_test"}
    return run_in_fresh_database(vendor, child_command(vendor, args), env, url, prefix="brokerdesk-bench-")


# --- The data: 10,000 requests in bulk --------------------------------------------------


class Loader:
    """Writes requests, their tasks (one per approver slot of each step reached) and their
    trail exactly as the engine would have left them, but in bulk.

    Each request is described by its route (the flow's steps that apply) and its outcome:
    ``("pending", k)`` waits at step k; ``("returned", k)`` or ``("rejected", k)`` was sent
    back or refused at step k; ``("approved",)`` walked the whole route; ``("withdrawn",)``
    was taken back before anyone acted.
    """

    def __init__(self, rng: random.Random, now: dt.datetime):
        from django.contrib.auth import get_user_model
        from django.contrib.contenttypes.models import ContentType

        from brokerdesk.access.models import RoleAssignment
        from brokerdesk.access.roles import Role
        from brokerdesk.approvals.models import Flow, Step
        from brokerdesk.org.models import Department, Staff, Team
        from brokerdesk.planning.models import AnnualPlan, TeamStandard

        self.rng, self.now = rng, now
        User = get_user_model()
        # A login for everyone still working who has none: the submitters of leave requests,
        # the team leads who file plans, and the branch managers who approve leave.
        staff = list(
            Staff.objects.exclude(status=Staff.Status.LEFT).select_related("branch").order_by("emp_no")
        )
        new_users = [User(username=f"u{s.emp_no.lower()}") for s in staff if s.user_id is None]
        for u in new_users:
            u.set_unusable_password()
        User.objects.bulk_create(new_users, batch_size=1000)
        by_name = {u.username: u.pk for u in User.objects.all()}
        for s in staff:
            if s.user_id is None:
                s.user_id = by_name[f"u{s.emp_no.lower()}"]
        Staff.objects.bulk_update(staff, ["user"], batch_size=1000)
        self.staff = staff
        self.user_of_staff = {s.pk: s.user_id for s in staff}
        managers = {s.branch_id: s.user_id for s in staff if s.position == Staff.Position.BRANCH_MANAGER}
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user_id=uid, role=Role.BRANCH_MANAGER, branch_id=bid)
                for bid, uid in managers.items()
                if not RoleAssignment.objects.filter(user_id=uid).exists()
            ]
        )
        self.branch_manager = managers
        heads = {d.kind: d for d in Department.objects.filter(branch__isnull=True)}
        self.compliance, self.hr_dept = heads[Department.Kind.COMPLIANCE], heads[Department.Kind.HR]
        compliance = User.objects.create_user(username="compliance", password="bench-only-password")
        RoleAssignment.objects.create(user=compliance, role=Role.COUNTERSIGN_DEPT, department=self.compliance)
        named = ["office", "channel", "vp", "hr"]
        users = {u.username: u.pk for u in User.objects.filter(username__in=named)}
        self.role_user = {
            Role.INTEGRATED_OFFICE: users["office"],
            Role.CHANNEL_MANAGEMENT: users["channel"],
            Role.VICE_PRESIDENT: users["vp"],
        }
        self.dept_user = {self.compliance.pk: compliance.pk, self.hr_dept.pk: users["hr"]}

        # A flow of its own whose first step is the branch manager's, for leave-like requests
        # (its own code, so it never meets a flow the product's migrations define).
        leave = Flow.objects.create(
            code="bench_leave", name="请假（基准测试）", description="营业部负责人审批 → 经纪业务综合室备案"
        )
        Step.objects.bulk_create(
            [
                Step(flow=leave, order=1, name="营业部负责人审批", kind="role", role=Role.BRANCH_MANAGER),
                Step(flow=leave, order=2, name="综合室备案", kind="role", role=Role.INTEGRATED_OFFICE),
            ]
        )
        self.flows = {f.code: f for f in Flow.objects.all()}
        self.routes = {code: list(f.steps.order_by("order")) for code, f in self.flows.items()}
        self.ct = {
            "plan": ContentType.objects.get_for_model(AnnualPlan),
            "standard": ContentType.objects.get_for_model(TeamStandard),
            "staff": ContentType.objects.get_for_model(Staff),
        }
        self.teams = list(Team.objects.select_related("branch", "lead").order_by("code"))
        # Who files a team's documents: its lead, else the branch manager, else the office.
        self.lead_user = {
            t.pk: self.user_of_staff.get(t.lead_id) or managers.get(t.branch_id) or users["office"]
            for t in self.teams
        }
        self.specs: list[dict] = []

    # Describing requests ----------------------------------------------------------------

    def add(self, *, flow, kind, subject_id, title, branch_id, team_id, submitter, outcome, at, figures=None):
        self.specs.append(
            {
                "flow": flow,
                "kind": kind,
                "subject_id": subject_id,
                "title": title,
                "branch_id": branch_id,
                "team_id": team_id,
                "submitter": submitter,
                "outcome": outcome,
                "at": at,
                "figures": figures or {},
            }
        )

    def open_outcome(self, weights: dict) -> int:
        """The step (order, 1-based) where an open request of the team-document route waits."""
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    # Writing them -----------------------------------------------------------------------

    def write(self) -> dict:
        from brokerdesk.approvals.models import Action, Notification, Request, Task

        hours = dt.timedelta(hours=1)
        requests = []
        for spec in self.specs:
            route = self.routes[spec["flow"]]
            outcome = spec["outcome"]
            status = {"pending": "pending", "returned": "returned", "rejected": "rejected"}.get(
                outcome[0], outcome[0]
            )
            current = None
            if outcome[0] in ("pending", "returned"):
                current = route[outcome[1] - 1]
            requests.append(
                Request(
                    flow=self.flows[spec["flow"]],
                    title=spec["title"],
                    subject_type=self.ct[spec["kind"]],
                    subject_id=spec["subject_id"],
                    branch_id=spec["branch_id"],
                    team_id=spec["team_id"],
                    submitter_id=spec["submitter"],
                    status=status,
                    figures=spec["figures"],
                    current_step=current,
                    submitted_at=spec["at"],
                    decided_at=None,  # set below from the trail
                    version=1,
                )
            )
        Request.objects.bulk_create(requests, batch_size=1000)

        tasks, actions, countersign = [], [], []
        task_actions = []  # (task index, Action) so actions get their task's id after insert
        notes = []
        for req, spec in zip(requests, self.specs, strict=True):
            route = self.routes[spec["flow"]]
            outcome = spec["outcome"]
            t = spec["at"]
            actions.append(Action(request=req, kind="submit", actor_id=spec["submitter"], at=t, round=1))
            if outcome[0] == "withdrawn":
                step = route[0]
                due = t + dt.timedelta(hours=step.due_hours)
                tasks.append(self._task(req, step, None, "cancelled", t, due))
                t += self.rng.randint(1, 20) * hours
                actions.append(Action(request=req, kind="withdraw", actor_id=spec["submitter"], at=t))
                req.decided_at = t
                continue
            stop = len(route) if outcome[0] == "approved" else outcome[1]
            depts = [self.compliance.pk, self.hr_dept.pk][: 1 + req.pk % 2]
            for order, step in enumerate(route[:stop], start=1):
                created = t
                due = created + dt.timedelta(hours=step.due_hours)
                slots = depts if step.kind == "countersign" else [None]
                last = order == stop and outcome[0] != "approved"
                for dept in slots:
                    who = self._approver(step, dept, spec["branch_id"])
                    if last and outcome[0] == "pending":
                        tasks.append(self._task(req, step, dept, "pending", created, due))
                        if who:
                            notes.append(Notification(user_id=who, text=f"待您审批：{req.title}"[:300]))
                        continue
                    t += self.rng.randint(2, 40) * hours
                    decision = "approve"
                    if last:
                        decision = "return" if outcome[0] == "returned" else "reject"
                    task_status = {"approve": "approved", "return": "returned"}.get(decision, "rejected")
                    tasks.append(self._task(req, step, dept, task_status, created, due, acted=t, by=who))
                    task_actions.append(
                        (
                            len(tasks) - 1,
                            Action(
                                request=req,
                                kind=decision,
                                actor_id=who,
                                step_name=step.name,
                                opinion="同意" if decision == "approve" else "请补充后重新报送",
                                at=t,
                            ),
                        )
                    )
                    if last:
                        break  # a return or rejection closes the other countersigning slots
                if step.names_countersign and (order < stop or outcome[0] == "approved"):
                    countersign += [(req.pk, d) for d in depts]
            if outcome[0] in ("approved", "rejected"):
                req.decided_at = t
        Task.objects.bulk_create(tasks, batch_size=2000)
        for i, action in task_actions:
            action.task = tasks[i]
            actions.append(action)
        Action.objects.bulk_create(actions, batch_size=2000)
        Request.objects.bulk_update([r for r in requests if r.decided_at], ["decided_at"], batch_size=1000)
        through = Request.countersign_departments.through
        through.objects.bulk_create(
            [through(request_id=r, department_id=d) for r, d in countersign], batch_size=2000
        )
        # The approvers have read about half of what reached them.
        for i, note in enumerate(notes):
            note.url = "/approvals/"
            note.read_at = self.now if i % 2 else None
        Notification.objects.bulk_create(notes, batch_size=2000)
        return {
            "requests": requests,
            "tasks": len(tasks),
            "actions": len(actions),
            "notifications": len(notes),
        }

    def _task(self, req, step, dept, status, created, due, acted=None, by=None):
        from brokerdesk.approvals.models import Task

        return Task(
            request=req,
            step=step,
            round=1,
            role=step.role if step.kind == "role" else "",
            department_id=dept,
            status=status,
            created_at=created,
            due_at=due,
            acted_at=acted,
            acted_by_id=by,
        )

    def _approver(self, step, dept, branch_id):
        if step.kind == "countersign":
            return self.dept_user[dept]
        if step.role == "branch_manager":
            return self.branch_manager.get(branch_id)
        return self.role_user[step.role]


def load(seed: int, today: dt.date) -> dict:
    """Plans, team standards and leave requests: 10,000 requests in all, in bulk."""
    from django.db import transaction
    from django.utils import timezone

    from brokerdesk.org.models import Staff
    from brokerdesk.planning.models import AnnualPlan, PlanStatus, TeamStandard

    rng = random.Random(seed)
    now = timezone.make_aware(dt.datetime.combine(today, dt.time(10, 0)))
    with transaction.atomic():
        loader = Loader(rng, now)
        # Where open team documents stand, by step order (1 office, 2 channel, 3 countersign,
        # 4 office report, 5 vice-president, 6 office feedback).
        open_weights = {1: 30, 2: 25, 3: 15, 4: 10, 5: 10, 6: 10}

        # 1. Annual plans: every team, twenty years approved, next year on its way.
        plans = []
        for team in loader.teams:
            for year in PLAN_YEARS:
                accounts = rng.randint(30, 60)
                plans.append(
                    AnnualPlan(
                        team=team,
                        year=year,
                        split_by=rng.choice(["month", "quarter"]),
                        target_new_accounts=accounts,
                        target_asset_growth=accounts * 100_000,
                        target_net_revenue=accounts * 18_000,
                        target_product_sales=accounts * 30_000,
                        marketing_plan=f"{team.name}{year}年：依托合作银行网点驻点营销，每月两场投资者教育讲座。",
                        created_by_id=loader.lead_user[team.pk],
                        status=PlanStatus.APPROVED,
                    )
                )
        AnnualPlan.objects.bulk_create(plans, batch_size=1000)
        for plan in plans:
            submitted = timezone.make_aware(dt.datetime(plan.year - 1, 12, 1)) + dt.timedelta(
                hours=rng.randint(0, 500)
            )
            if plan.year > today.year:
                roll = rng.random()
                if roll < 0.15:
                    plan.status = PlanStatus.DRAFT
                    continue
                submitted = now - dt.timedelta(hours=rng.randint(2, 600))
                if roll < 0.25:
                    outcome = ("returned", rng.choice([1, 2]))
                    plan.status = PlanStatus.RETURNED
                else:
                    outcome = ("pending", loader.open_outcome(open_weights))
                    plan.status = PlanStatus.IN_APPROVAL
            else:
                outcome = ("approved",)
                plan.approved_at = submitted + dt.timedelta(days=20)
            loader.add(
                flow="team_document",
                kind="plan",
                subject_id=plan.pk,
                title=f"{plan.team} {plan.year}年度工作计划（v1）",
                branch_id=plan.team.branch_id,
                team_id=plan.team_id,
                submitter=plan.created_by_id,
                outcome=outcome,
                at=submitted,
                figures={"new_accounts": str(plan.target_new_accounts)},
            )
            plan._spec = loader.specs[-1]

        # 2. Leave: one open request for each person (the engine allows one open request per
        # subject), most waiting for their branch manager; closed ones of past years.
        people = [s for s in loader.staff if s.position != Staff.Position.BRANCH_MANAGER]
        for s in people:
            outcome = ("pending", 1) if rng.random() < 0.9 else ("pending", 2)
            loader.add(
                flow="bench_leave",
                kind="staff",
                subject_id=s.pk,
                title=f"{s.name} 请假{rng.randint(1, 10)}天",
                branch_id=s.branch_id,
                team_id=s.team_id,
                submitter=s.user_id,
                outcome=outcome,
                at=now - dt.timedelta(hours=rng.randint(1, 300)),
                figures={"days": str(rng.randint(1, 10))},
            )
        leave_closed = 3_000
        for _ in range(leave_closed):
            s = rng.choice(people)
            outcome = rng.choices([("approved",), ("rejected", 1), ("withdrawn",)], weights=[85, 8, 7])[0]
            loader.add(
                flow="bench_leave",
                kind="staff",
                subject_id=s.pk,
                title=f"{s.name} 请假{rng.randint(1, 10)}天",
                branch_id=s.branch_id,
                team_id=s.team_id,
                submitter=s.user_id,
                outcome=outcome,
                at=now - dt.timedelta(hours=rng.randint(400, 3 * 365 * 24)),
            )

        # 3. Team standards: the rest, a quarter of them open at every step of the route.
        remaining = REQUESTS - len(loader.specs)
        standards = []
        for i in range(remaining):
            team = rng.choice(loader.teams)
            roll = rng.random()
            if roll < 0.25:
                outcome = ("pending", loader.open_outcome(open_weights))
                status, at = PlanStatus.IN_APPROVAL, now - dt.timedelta(hours=rng.randint(2, 900))
            elif roll < 0.28:
                outcome = ("returned", rng.choice([1, 2, 5]))
                status, at = PlanStatus.RETURNED, now - dt.timedelta(hours=rng.randint(24, 900))
            else:
                closed = [("approved",), ("rejected", 2), ("withdrawn",)]
                outcome = rng.choices(closed, weights=[80, 10, 10])[0]
                status = {"approved": PlanStatus.APPROVED, "rejected": PlanStatus.REJECTED}.get(
                    outcome[0], PlanStatus.WITHDRAWN
                )
                at = now - dt.timedelta(hours=rng.randint(900, 5 * 365 * 24))
            standards.append(
                (
                    TeamStandard(
                        team=team,
                        title=f"{team.name}管理及薪酬标准实施细则（{i + 1}）",
                        content="考核、薪酬与管理标准。",
                        status=status,
                        created_by_id=loader.lead_user[team.pk],
                    ),
                    outcome,
                    at,
                )
            )
        TeamStandard.objects.bulk_create([s for s, _o, _a in standards], batch_size=1000)
        for standard, outcome, at in standards:
            loader.add(
                flow="team_standards",
                kind="standard",
                subject_id=standard.pk,
                title=standard.title,
                branch_id=standard.team.branch_id,
                team_id=standard.team_id,
                submitter=standard.created_by_id,
                outcome=outcome,
                at=at,
            )
            standard._spec = loader.specs[-1]

        written = loader.write()
        by_spec = {id(spec): req for spec, req in zip(loader.specs, written["requests"], strict=True)}
        for plan in plans:
            if hasattr(plan, "_spec"):
                plan.approval_id = by_spec[id(plan._spec)].pk
        AnnualPlan.objects.bulk_update(plans, ["status", "approval", "approved_at"], batch_size=1000)
        for standard, _o, _a in standards:
            standard.approval_id = by_spec[id(standard._spec)].pk
        TeamStandard.objects.bulk_update([s for s, _o, _a in standards], ["approval"], batch_size=1000)
    return {
        "requests": len(written["requests"]),
        "tasks": written["tasks"],
        "actions": written["actions"],
        "notifications": written["notifications"],
        "plans": len(plans),
        "standards": len(standards),
    }


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
    loaded = load(SEED, TODAY)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give a loaded database
    t3 = time.perf_counter()
    # Start the application the way a WSGI server does (imports every view, settles the heap).
    import brokerdesk.wsgi  # noqa: F401

    print_machine(connection, loaded)
    print(
        f"setup: migrate {t1 - t0:.1f} s, build_demo(small) {t2 - t1:.1f} s, "
        f"{loaded['requests']:,} requests in bulk {t3 - t2:.1f} s"
    )
    print(
        f"each case: {args.warmup} warm-up + {args.reps} measured requests, cases taken in turn "
        f"(round robin) so background load falls on all of them alike; floor {args.floor_ms:.0f} ms"
    )

    runs = []  # (who, client, case)
    for who in LOGINS:
        client = login(who)
        runs.append((who, client, Case("baseline /api/me/", "/api/me/")))
        runs += [(who, client, case) for case in cases_for(who)]
    runs.append(("anonymous", login(None), Case("baseline /login/ page", "/login/")))
    results = measure(runs, warmup=args.warmup, reps=args.reps)
    baselines = {r.who: r for r in results if r.case.url == "/api/me/"}
    print(f"load average after: {load_average()}")
    return report(results, baselines, args.floor_ms)


def print_machine(connection, loaded: dict) -> None:
    import django

    if connection.vendor == "sqlite":
        import sqlite3

        db = f"sqlite {sqlite3.sqlite_version} (file, WAL)"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            db = f"{connection.vendor} {cursor.fetchone()[0]}"
    from brokerdesk.approvals.models import Request, Task
    from brokerdesk.org.models import Staff

    print()
    print("=" * 100)
    print(f"BrokerDesk approver inbox and plan list benchmark — {db}")
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} {platform.release()}; "
        f"python {platform.python_version()}; django {django.get_version()}; load average {load_average()}"
    )
    open_requests = Request.objects.filter(status__in=["pending", "returned"]).count()
    print(
        f"data: {Staff.objects.count()} staff (small profile), {loaded['requests']:,} requests "
        f"({open_requests:,} open), {loaded['tasks']:,} tasks "
        f"({Task.objects.filter(status='pending').count():,} waiting), {loaded['actions']:,} trail actions, "
        f"{loaded['plans']:,} annual plans, {loaded['standards']:,} team standards, "
        f"{loaded['notifications']:,} notifications (seed {SEED}, today {TODAY})"
    )


def login(username: str | None):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    if username:
        user = get_user_model().objects.get(username=username)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def cases_for(who: str) -> list[Case]:
    """The inbox, request list and plan list of one login, with the rows each one matches."""
    from django.contrib.auth import get_user_model

    from brokerdesk.approvals import selectors as approval_selectors
    from brokerdesk.approvals import services
    from brokerdesk.planning import selectors as planning_selectors

    user = get_user_model().objects.get(username=who)
    inbox = services.inbox(user).count()
    requests = approval_selectors.request_list(user=user)
    pending = requests.filter(status="pending").count()
    n_requests = requests.count()
    plans = planning_selectors.plan_list(user=user)
    n_plans = plans.count()
    year = TODAY.year + 1
    next_year = plans.filter(year=year).count()
    cases = [
        Case("inbox page", "/approvals/", inbox),
        Case("API inbox", "/api/approvals/inbox/?format=json", inbox),
    ]
    if who == "hr":  # a countersigning department: its inbox is what matters
        return cases
    last = max(1, -(-n_requests // 25))
    cases += [
        Case("request list page 1", "/approvals/requests/", n_requests),
        Case(f"request list page {min(last, 40)}", f"/approvals/requests/?page={min(last, 40)}", n_requests),
        Case("request list ?status=pending", "/approvals/requests/?status=pending", pending),
        Case("API request list", "/api/approvals/requests/?format=json", n_requests),
        Case("plan list page 1", "/planning/", n_plans),
        Case(f"plan list ?year={year}", f"/planning/?year={year}", next_year),
        Case("API plan list", "/api/planning/plans/?format=json", n_plans),
    ]
    return cases


def report(results: list[Result], baselines: dict[str, Result], floor: float) -> int:
    note = (
        "(ms; rows = matching rows in the login's inbox or scope; cpu50 = median CPU time of this "
        "process, not counting the PostgreSQL server's; p95/base = p95 over the same login's /api/me/ p95)"
    )
    failed = print_results(results, baselines, floor, note=note, case_width=32)
    measured = [r for r in results if not r.case.label.startswith("baseline")]
    for kind, prefix in (
        ("inbox page", "/approvals/"),
        ("request list page", "/approvals/requests/"),
        ("plan list page", "/planning/"),
        ("API", "/api/"),
    ):
        counts = sorted(
            {
                r.queries
                for r in measured
                if r.case.url.split("?")[0] == prefix or (prefix == "/api/" and r.case.url.startswith(prefix))
            }
        )
        print(f"queries per {kind} request: {counts}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
