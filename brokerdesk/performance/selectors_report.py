"""Reads of the monthly pay report (薪酬月报表): the runs a user may see, the people × components
table of one run, the signatures from its approval trail, and the differences of a
correction against the signed version it corrects.

Every read starts from the scope (``pay.view``): the branch's accountant, deputy and
manager see their branch, the integrated office the company, nobody else. The table of a
run costs the same few queries whatever the number of people (slips with their person,
team and level; one grouped query over the lines).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from brokerdesk.access.roles import PAY_VIEW, Role
from brokerdesk.access.scope import get_for_user, visible
from brokerdesk.approvals.models import Action, Step
from brokerdesk.core.money import ZERO, to_fen
from brokerdesk.performance.models import PayLine, PayRun, PaySlip

PAY_REPORT_FLOW = "pay_report"
COMPONENTS: list[str] = [c.value for c in PayLine.Component]

# The signature boxes of the report, in the order of 第十五条; a step of the flow with
# another role (an administrator may add one) is shown under its own name.
SIGN_LABELS = {
    Role.ACCOUNTANT: _("Chief accountant"),
    Role.DEPUTY_MANAGER: _("Deputy manager (assistant manager)"),
    Role.BRANCH_MANAGER: _("Manager"),
}


def run_list(*, user, filters: dict | None = None) -> QuerySet[PayRun]:
    """The runs the user may see (``pay.view``), newest month first, with what the list shows."""
    rows = (
        visible(user, PayRun, PAY_VIEW)
        .select_related("branch", "corrects", "approval__current_step", "computed_by__staff")
        .annotate(n_corrections=Count("corrections"))
        .order_by("-month", "branch__code", "-version")
    )
    filters = filters or {}
    if filters.get("month"):
        rows = rows.filter(month=filters["month"])
    if filters.get("branch"):
        rows = rows.filter(branch=filters["branch"])
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    return rows


def run_get_for_user(*, user, pk, perm: str = PAY_VIEW) -> PayRun:
    """One run in the user's scope, or 404."""
    qs = PayRun.objects.select_related(
        "branch",
        "corrects",
        "crm_import",
        "computed_by__staff",
        "reviewed_by__staff",
        "approval__current_step",
    )
    return get_for_user(user, qs, pk, perm)


def version_chain(run: PayRun) -> list[PayRun]:
    """Every version of the run's branch and month, oldest first (one query)."""
    return list(
        PayRun.objects.filter(branch_id=run.branch_id, month=run.month)
        .only("pk", "version", "status", "corrects_id", "signed_at", "total", "correction_reason")
        .order_by("version")
    )


# --- the table ----------------------------------------------------------------------------------


def amount_text(value: Decimal) -> str:
    """1,234.56 (no currency sign: the columns of a printed report are all yuan); zero is blank."""
    return f"{to_fen(value):,.2f}" if value else ""


@dataclass
class ReportRow:
    number: int
    slip: PaySlip
    amounts: dict[str, Decimal]
    url: str = ""  # the person's slip (the pay area's page), when it exists

    @property
    def cells(self) -> list[Decimal]:
        return [self.amounts.get(c, ZERO) for c in COMPONENTS]

    @property
    def texts(self) -> list[str]:
        slip = self.slip
        return [amount_text(a) for a in (*self.cells, slip.gross, slip.deductions, slip.total)]


@dataclass
class ReportTable:
    rows: list[ReportRow]
    totals: dict[str, Decimal] = field(default_factory=dict)
    gross: Decimal = ZERO
    deductions: Decimal = ZERO
    total: Decimal = ZERO

    @property
    def total_cells(self) -> list[Decimal]:
        return [self.totals.get(c, ZERO) for c in COMPONENTS]

    @property
    def total_texts(self) -> list[str]:
        return [
            amount_text(a) or "0.00" for a in (*self.total_cells, self.gross, self.deductions, self.total)
        ]


def component_labels() -> list[tuple[str, str]]:
    return [(c.value, c.label) for c in PayLine.Component]


def _sums_by_person(run_id: int) -> dict[int, dict[str, Decimal]]:
    sums: dict[int, dict[str, Decimal]] = {}
    grouped = (
        PayLine.objects.filter(run_id=run_id)
        .values("staff_id", "component")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    for row in grouped:
        # SQLite's SUM of decimals comes back with float-like digits: the lines are in fen, so
        # quantising the sum to the fen is exact.
        sums.setdefault(row["staff_id"], {})[row["component"]] = to_fen(row["amount"])
    return sums


def with_slip_urls(table: ReportTable) -> ReportTable:
    """Link each row to its slip's page ("why is my commission ¥X"), once that page exists."""
    for row in table.rows:
        try:
            row.url = reverse("performance:slip-detail", args=[row.slip.pk])
        except NoReverseMatch:
            break
    return table


def report_table(run: PayRun) -> ReportTable:
    """People × components of a run: the stored lines summed per person and component, the
    slips' stored earned / deductions / pay, and a totals row that is the sum of the rows."""
    slips = list(
        run.slips.select_related("staff", "team", "level").order_by(
            F("team__code").asc(nulls_last=True), "staff__emp_no", "staff_id"
        )
    )
    sums = _sums_by_person(run.pk)
    table = ReportTable(rows=[])
    totals = dict.fromkeys(COMPONENTS, ZERO)
    for number, slip in enumerate(slips, start=1):
        amounts = sums.get(slip.staff_id, {})
        table.rows.append(ReportRow(number=number, slip=slip, amounts=amounts))
        for component, amount in amounts.items():
            totals[component] = totals.get(component, ZERO) + amount
        table.gross += slip.gross
        table.deductions += slip.deductions
        table.total += slip.total
    table.totals = totals
    return table


# --- signatures -----------------------------------------------------------------------------------


@dataclass
class Signature:
    label: str
    step_name: str
    name: str = ""
    on_behalf_of: str = ""
    at: dt.datetime | None = None
    opinion: str = ""


def person_name(user) -> str:
    if user is None:
        return ""
    staff = getattr(user, "staff", None)
    return staff.name if staff is not None else user.username


def signatures(run: PayRun) -> list[Signature]:
    """The signature boxes (主办会计 / 副经理（经理助理）/ 经理): who signed each step of the
    latest round of the run's approval, and when; empty boxes before signing."""
    steps = list(Step.objects.filter(flow__code=PAY_REPORT_FLOW).order_by("order"))
    boxes = {s.pk: Signature(label=str(SIGN_LABELS.get(s.role, s.name)), step_name=s.name) for s in steps}
    request = run.approval
    if request is not None:
        actions = Action.objects.filter(
            request=request, round=request.round, kind=Action.Kind.APPROVE
        ).select_related("task", "actor__staff", "on_behalf_of__staff")
        for action in actions:
            box = boxes.get(action.task.step_id) if action.task_id else None
            if box is None:
                continue
            box.name = person_name(action.actor)
            box.on_behalf_of = person_name(action.on_behalf_of)
            box.at = action.at
            box.opinion = action.opinion
    return [boxes[s.pk] for s in steps]


def trail(run: PayRun) -> list[Action]:
    """The approval trail of the run's request, every round."""
    if run.approval_id is None:
        return []
    return list(
        Action.objects.filter(request_id=run.approval_id)
        .select_related("actor__staff", "on_behalf_of__staff")
        .order_by("at", "id")
    )


# --- differences of a correction ------------------------------------------------------------------


@dataclass
class DiffLine:
    component: str
    label: str
    before: Decimal
    after: Decimal

    @property
    def diff(self) -> Decimal:
        return self.after - self.before


@dataclass
class PersonDiff:
    staff_id: int
    emp_no: str
    name: str
    lines: list[DiffLine]
    total_before: Decimal
    total_after: Decimal

    @property
    def total_diff(self) -> Decimal:
        return self.total_after - self.total_before


@dataclass
class RunDiff:
    before: PayRun
    after: PayRun
    people: list[PersonDiff]
    total_before: Decimal
    total_after: Decimal

    @property
    def total_diff(self) -> Decimal:
        return self.total_after - self.total_before


def run_differences(run: PayRun, base: PayRun | None = None) -> RunDiff | None:
    """Per person and component, what the correction changes against the version it corrects:
    only the people and components whose amount differs (someone only in one version
    counts as zero in the other). Totals are over every person of either version."""
    base = base or run.corrects
    if base is None:
        return None
    before = _sums_by_person(base.pk)
    after = _sums_by_person(run.pk)
    slips = {
        s.staff_id: s
        for s in PaySlip.objects.filter(run_id__in=[base.pk, run.pk])
        .select_related("staff")
        .only("staff_id", "total", "run_id", "staff__name", "staff__emp_no")
    }
    totals_before = dict(PaySlip.objects.filter(run=base).values_list("staff_id", "total"))
    totals_after = dict(PaySlip.objects.filter(run=run).values_list("staff_id", "total"))
    labels = dict(component_labels())
    people = []
    for staff_id in sorted(set(before) | set(after) | set(totals_before) | set(totals_after)):
        was, now = before.get(staff_id, {}), after.get(staff_id, {})
        lines = [
            DiffLine(c, str(labels[c]), was.get(c, ZERO), now.get(c, ZERO))
            for c in COMPONENTS
            if was.get(c, ZERO) != now.get(c, ZERO)
        ]
        t_before, t_after = totals_before.get(staff_id, ZERO), totals_after.get(staff_id, ZERO)
        if not lines and t_before == t_after:
            continue
        slip = slips[staff_id]
        people.append(
            PersonDiff(
                staff_id=staff_id,
                emp_no=slip.staff.emp_no,
                name=slip.staff.name,
                lines=lines,
                total_before=t_before,
                total_after=t_after,
            )
        )
    people.sort(key=lambda p: (p.emp_no, p.staff_id))
    return RunDiff(
        before=base,
        after=run,
        people=people,
        total_before=sum(totals_before.values(), ZERO),
        total_after=sum(totals_after.values(), ZERO),
    )


def prefetch_corrections() -> Prefetch:
    return Prefetch("corrections", queryset=PayRun.objects.only("pk", "version", "status", "corrects_id"))
