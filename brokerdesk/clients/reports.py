"""The quarterly visit report (part 2, 2: 每季度以报表的形式将走访结果报相关领导，并对近期走访工作进行梳理，
并对客户意见建议的处理结果进行分析、评议).

Every figure comes from a handful of GROUP BY queries over the rows the user may see
(``access.scope``), so the report costs the same number of queries for ten visits or a
million. The head's analysis (``QuarterReport.analysis``) is the only thing written here.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.roles import ScopeLevel
from brokerdesk.access.scope import grants_for, visible
from brokerdesk.clients import rules
from brokerdesk.clients.models import Client, FollowUp, QuarterReport, Tier, Visit, VisitOverlap
from brokerdesk.org.models import Branch

FORMS = [c for c, _label in Visit.Form.choices]
CATEGORIES = [c for c, _label in FollowUp.Category.choices]
MAX_ANALYSIS = 20000


@dataclass
class MatterRow:
    key: str | int | None
    label: str
    raised: int = 0
    resolved: int = 0
    closed: int = 0
    overdue: int = 0

    def add(self, other: "MatterRow") -> None:
        self.raised += other.raised
        self.resolved += other.resolved
        self.closed += other.closed
        self.overdue += other.overdue

    @property
    def resolved_pct(self) -> float | None:
        return round(100 * self.resolved / self.raised, 1) if self.raised else None


@dataclass
class CoverageRow:
    tier: Tier
    required: int
    clients: int = 0
    covered: int = 0

    @property
    def pct(self) -> float | None:
        return round(100 * self.covered / self.clients, 1) if self.clients else None


@dataclass
class BranchRow:
    branch: Branch
    visits: int = 0
    clients: int = 0  # key accounts (clients with a tier)
    covered: int = 0
    raised: int = 0
    overdue: int = 0
    overlaps: int = 0

    @property
    def coverage_pct(self) -> float | None:
        return round(100 * self.covered / self.clients, 1) if self.clients else None


@dataclass
class QuarterFigures:
    year: int
    quarter: int
    start: dt.date
    end: dt.date
    cutoff: dt.date  # a matter due before this day and still open is overdue
    branches: list[Branch]  # the branches the report covers
    visits_total: int = 0
    by_form: dict[str, int] = field(default_factory=dict)
    by_tier: list[tuple[Tier | None, dict[str, int], int]] = field(default_factory=list)
    coverage: list[CoverageRow] = field(default_factory=list)
    matters_by_category: list[MatterRow] = field(default_factory=list)
    matters_by_department: list[MatterRow] = field(default_factory=list)
    matters_total: MatterRow | None = None
    teams: list[tuple[str, int]] = field(default_factory=list)
    overlaps: int = 0
    by_branch: list[BranchRow] = field(default_factory=list)

    @property
    def coverage_total(self) -> CoverageRow | None:
        if not self.coverage:
            return None
        total = CoverageRow(tier=None, required=0)
        for row in self.coverage:
            total.clients += row.clients
            total.covered += row.covered
        return total


def current_quarter(today: dt.date | None = None) -> tuple[int, int]:
    return rules.quarter_of(today or timezone.localdate())


def branches_for(user):
    """The branches whose report the user may open (a branch, a region, or all)."""
    return visible(user, Branch.objects.all()).order_by("code")


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _matter_counts(cutoff: dt.date) -> dict:
    open_states = [FollowUp.Status.OPEN, FollowUp.Status.SENT]
    return {
        "raised": Count("pk"),
        "resolved": Count("pk", filter=Q(status__in=[FollowUp.Status.RESOLVED, FollowUp.Status.CLOSED])),
        "closed": Count("pk", filter=Q(status=FollowUp.Status.CLOSED)),
        "overdue": Count("pk", filter=Q(status__in=open_states, due_on__lt=cutoff)),
    }


def quarter_figures(
    user, *, year: int, quarter: int, branch: Branch | None = None, today=None
) -> QuarterFigures:
    """The quarter's figures for one branch, or (``branch`` None) every branch in the user's
    scope summed. Only rows the user may see are counted."""
    today = today or timezone.localdate()
    start, end = rules.quarter_bounds(year, quarter)
    # Overdue: due before min(today, quarter end) and still open or with the department.
    cutoff = min(today, end)
    branches = [branch] if branch is not None else list(branches_for(user))
    branch_ids = [b.pk for b in branches]
    fig = QuarterFigures(year, quarter, start, end, cutoff, branches)

    tiers = list(Tier.objects.order_by("rank"))

    # 1. Done visits of the quarter by branch, form, client tier and team (one GROUP BY).
    visits = visible(user, Visit).filter(
        status=Visit.Status.DONE, visited_on__gte=start, visited_on__lte=end, branch_id__in=branch_ids
    )
    rows = (
        visits.order_by()
        .values("branch_id", "form", "client__tier_id", "team_id", "team__name")
        .annotate(n=Count("pk"))
    )
    by_branch = {b.pk: BranchRow(b) for b in branches}
    by_form = dict.fromkeys(FORMS, 0)
    tier_forms: dict[int | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FORMS, 0))
    teams: dict[str, int] = defaultdict(int)
    no_team = _("(no team)")
    for r in rows:
        n = r["n"]
        fig.visits_total += n
        by_form[r["form"]] = by_form.get(r["form"], 0) + n
        tier_forms[r["client__tier_id"]][r["form"]] += n
        teams[r["team__name"] or no_team] += n
        if r["branch_id"] in by_branch:
            by_branch[r["branch_id"]].visits += n
    fig.by_form = by_form
    fig.by_tier = [(t, tier_forms[t.pk], sum(tier_forms[t.pk].values())) for t in tiers]
    fig.by_tier.append((None, tier_forms[None], sum(tier_forms[None].values())))
    fig.teams = sorted(teams.items(), key=lambda kv: (-kv[1], kv[0]))

    # 2. Key-account coverage: clients of each tier, and those with enough done visits.
    required = {t.pk: rules.visits_required(t.visit_every_days) for t in tiers}
    done_in_quarter = (
        Visit.objects.filter(
            client_id=OuterRef("pk"), status=Visit.Status.DONE, visited_on__gte=start, visited_on__lte=end
        )
        .order_by()
        .values("client_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    need = Case(
        *[When(tier_id=tid, then=Value(req)) for tid, req in required.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    clients = visible(user, Client).filter(
        branch_id__in=branch_ids,
        tier__isnull=False,
        status=Client.Status.ACTIVE,
        opened_on__lte=end,
    )
    coverage_rows = (
        clients.order_by()
        .annotate(done_n=Coalesce(Subquery(done_in_quarter, output_field=IntegerField()), 0), need=need)
        .values("branch_id", "tier_id")
        .annotate(total=Count("pk"), covered=Count("pk", filter=Q(done_n__gte=F("need"))))
    )
    coverage = {t.pk: CoverageRow(t, required[t.pk]) for t in tiers}
    for r in coverage_rows:
        row = coverage.get(r["tier_id"])
        if row is not None:
            row.clients += r["total"]
            row.covered += r["covered"]
        if r["branch_id"] in by_branch:
            by_branch[r["branch_id"]].clients += r["total"]
            by_branch[r["branch_id"]].covered += r["covered"]
    fig.coverage = [coverage[t.pk] for t in tiers]

    # 3. Matters (follow-ups) raised in the quarter, by branch and category, and by department.
    followups = visible(user, FollowUp).filter(
        created_at__gte=_aware(start),
        created_at__lt=_aware(end + dt.timedelta(days=1)),
        branch_id__in=branch_ids,
    )
    counts = _matter_counts(cutoff)
    labels = dict(FollowUp.Category.choices)
    by_category = {c: MatterRow(c, str(labels[c])) for c in CATEGORIES}
    total = MatterRow("total", _("Total"))
    for r in followups.order_by().values("branch_id", "category").annotate(**counts):
        row = MatterRow(r["category"], "", r["raised"], r["resolved"], r["closed"], r["overdue"])
        by_category.setdefault(r["category"], MatterRow(r["category"], r["category"])).add(row)
        total.add(row)
        if r["branch_id"] in by_branch:
            by_branch[r["branch_id"]].raised += r["raised"]
            by_branch[r["branch_id"]].overdue += r["overdue"]
    fig.matters_by_category = list(by_category.values())
    fig.matters_total = total
    no_department = _("(no department yet)")
    fig.matters_by_department = [
        MatterRow(
            r["department_id"],
            r["department__name"] or no_department,
            r["raised"],
            r["resolved"],
            r["closed"],
            r["overdue"],
        )
        for r in followups.order_by()
        .values("department_id", "department__name")
        .annotate(**counts)
        .order_by("-raised", "department__name")
    ]

    # 4. Overlaps recorded on the quarter's visits (done in it, or planned for it).
    in_quarter = Q(visit__visited_on__gte=start, visit__visited_on__lte=end) | Q(
        visit__visited_on__isnull=True, visit__planned_on__gte=start, visit__planned_on__lte=end
    )
    overlap_rows = (
        visible(user, VisitOverlap)
        .filter(in_quarter, visit__branch_id__in=branch_ids)
        .exclude(visit__status=Visit.Status.CANCELLED)
        .order_by()
        .values("visit__branch_id")
        .annotate(n=Count("pk"))
    )
    for r in overlap_rows:
        fig.overlaps += r["n"]
        if r["visit__branch_id"] in by_branch:
            by_branch[r["visit__branch_id"]].overlaps += r["n"]
    fig.by_branch = list(by_branch.values())
    return fig


# --- the head's analysis ---------------------------------------------------------------------


def may_write_analysis(user, branch: Branch) -> bool:
    """Branch heads (branch manager, deputy: visit.verify at branch level) for their branch."""
    return any(
        roles.VISIT_VERIFY in g.perms and g.level == ScopeLevel.BRANCH and g.branch_id == branch.pk
        for g in grants_for(user)
    )


def analysis_for(branch: Branch, year: int, quarter: int) -> QuarterReport | None:
    return QuarterReport.objects.filter(branch=branch, year=year, quarter=quarter).first()


def analyses_for(branches, year: int, quarter: int) -> dict[int, QuarterReport]:
    return {
        r.branch_id: r
        for r in QuarterReport.objects.filter(branch__in=branches, year=year, quarter=quarter).select_related(
            "updated_by"
        )
    }


@transaction.atomic
def analysis_save(*, actor, branch: Branch, year: int, quarter: int, analysis: str) -> QuarterReport:
    """Write (or rewrite) the head's analysis of a branch's quarter; each save is kept in the
    report's history."""
    if not may_write_analysis(actor, branch):
        raise PermissionDenied(_("Only the branch's head may write this analysis."))
    errors: dict = {}
    if not 1 <= quarter <= 4:
        errors["quarter"] = [_("A quarter is 1 to 4.")]
    if not 2000 <= year <= 2100:
        errors["year"] = [_("Give a year such as 2026.")]
    analysis = (analysis or "").strip()
    if not analysis:
        errors["analysis"] = [_("Write the analysis.")]
    elif len(analysis) > MAX_ANALYSIS:
        errors["analysis"] = [_("The analysis is too long.")]
    if not errors and rules.quarter_bounds(year, quarter)[0] > timezone.localdate():
        errors["quarter"] = [_("This quarter has not begun.")]
    if errors:
        raise ValidationError(errors)
    report = (
        QuarterReport.objects.select_for_update().filter(branch=branch, year=year, quarter=quarter).first()
    )
    if report is None:
        report = QuarterReport(branch=branch, year=year, quarter=quarter)
    report.analysis = analysis
    report.updated_by = actor
    report._change_reason = _("Analysis written")
    report.save()
    return report
