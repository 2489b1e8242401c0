"""The one place that decides what a user may see and change.

Pages, API, exports and search all start from :func:`visible`. A user's roles become
*grants* (a scope level, its anchor and the permissions it carries); each scoped model has
one rule here that turns a grant into a filter. A user without a grant carrying the
permission sees nothing: the scope fails closed.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from brokerdesk.access.roles import PAY_VIEW, ROLE_DEFS, VIEW, ScopeLevel
from brokerdesk.approvals.models import Request as ApprovalRequest
from brokerdesk.approvals.models import Task as ApprovalTask
from brokerdesk.attendance.models import DailyRecord, LeaveRequest, Outing, Patrol, PunchCorrection
from brokerdesk.clients.models import (
    Claim,
    Client,
    ConfirmationBatch,
    ConfirmationForm,
    Figure,
    FollowUp,
    FollowUpEvent,
    Inquiry,
    InquiryEvent,
    Ownership,
    QuarterReport,
    Tier,
    Visit,
    VisitOverlap,
)
from brokerdesk.meetings.models import Attendance as MeetingAttendance
from brokerdesk.meetings.models import Decision as MeetingDecision
from brokerdesk.meetings.models import Meeting
from brokerdesk.org.models import (
    Branch,
    CooperationAgreement,
    Department,
    Outlet,
    PartnerBank,
    Region,
    Staff,
    Team,
)
from brokerdesk.performance.models import (
    Assessment,
    AssessmentPolicy,
    ClientMonth,
    CrmImport,
    DutyItem,
    DutyScore,
    ImportRowError,
    LevelChange,
    ManagerMonth,
    PayAdjustment,
    PayLine,
    PayRun,
    PayScheme,
    PaySlip,
    SchemeBasePay,
    SchemeBracket,
    StatReview,
)
from brokerdesk.planning.models import AnnualPlan, MonthlyActual, TargetShare, TeamStandard
from brokerdesk.worklogs.models import SpotCheck, SpotCheckItem, WorkLog

security_log = logging.getLogger("brokerdesk.security")

NOTHING = Q(pk__in=[])
EVERYTHING = Q()


@dataclass(frozen=True)
class Grant:
    role: str
    level: ScopeLevel
    perms: frozenset[str]
    region_id: int | None = None
    branch_id: int | None = None
    team_id: int | None = None
    staff_id: int | None = None
    outlet_id: int | None = None
    user_id: int | None = None
    department_id: int | None = None


def grants_for(user) -> list[Grant]:
    """The user's grants, computed once per request object (cached on the user)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_bd_grants", None)
    if cached is not None:
        return cached
    staff = Staff.objects.filter(user=user).select_related("branch").first()
    grants = []
    for ra in user.role_assignments.select_related("team", "branch"):
        role_def = ROLE_DEFS.get(ra.role)
        if role_def is None or role_def.level == ScopeLevel.NONE:
            continue
        region_id = ra.region_id
        branch_id = ra.branch_id
        team_id = ra.team_id
        if ra.team_id:
            branch_id = branch_id or ra.team.branch_id
        if role_def.level in (ScopeLevel.SELF, ScopeLevel.ASSIGNED):
            if staff is None:
                continue  # a self-scoped role with no staff record sees nothing
            branch_id = staff.branch_id
            team_id = staff.team_id
        grants.append(
            Grant(
                role=ra.role,
                level=role_def.level,
                perms=role_def.perms,
                region_id=region_id,
                branch_id=branch_id,
                team_id=team_id,
                staff_id=staff.pk if staff else None,
                outlet_id=staff.outlet_id if staff else None,
                user_id=user.pk,
                department_id=staff.department_id if staff else None,
            )
        )
    user._bd_grants = grants
    return grants


def has_perm(user, perm: str) -> bool:
    """Whether any of the user's roles carries ``perm`` somewhere (menus, buttons)."""
    return any(perm in g.perms for g in grants_for(user))


def roles_of(user) -> set[str]:
    return {g.role for g in grants_for(user)}


# --- One rule per scoped model: grant -> filter ---------------------------------------


def _region_rule(g: Grant) -> Q:
    if g.level == ScopeLevel.COMPANY:
        return EVERYTHING
    if g.level == ScopeLevel.REGION:
        return Q(pk=g.region_id)
    return Q(branches__pk=g.branch_id) if g.branch_id else NOTHING


def _branch_rule(g: Grant) -> Q:
    if g.level == ScopeLevel.COMPANY:
        return EVERYTHING
    if g.level == ScopeLevel.REGION:
        return Q(region_id=g.region_id)
    return Q(pk=g.branch_id) if g.branch_id else NOTHING


def _department_rule(g: Grant) -> Q:
    # Head-office departments are known to everyone in scope; branch departments follow the branch.
    if g.level == ScopeLevel.COMPANY:
        return EVERYTHING
    if g.level == ScopeLevel.REGION:
        return Q(branch__isnull=True) | Q(branch__region_id=g.region_id)
    return Q(branch__isnull=True) | Q(branch_id=g.branch_id)


def _team_rule(g: Grant, p: str = "") -> Q:
    """Teams, or (with a prefix such as ``team__``) records that belong to a team."""
    if g.level == ScopeLevel.COMPANY:
        return EVERYTHING
    if g.level == ScopeLevel.REGION:
        return Q(**{f"{p}branch__region_id": g.region_id})
    if g.level == ScopeLevel.BRANCH:
        return Q(**{f"{p}branch_id": g.branch_id})
    return Q(**{f"{p}pk": g.team_id}) if g.team_id else NOTHING


def _outlet_rule(g: Grant) -> Q:
    # Outlets are shared by the teams of a branch, so a team lead sees the branch's outlets;
    # a client manager or regional manager sees the outlets where they and theirs work.
    if g.level == ScopeLevel.COMPANY:
        return EVERYTHING
    if g.level == ScopeLevel.REGION:
        return Q(branch__region_id=g.region_id)
    if g.level in (ScopeLevel.BRANCH, ScopeLevel.TEAM):
        return Q(branch_id=g.branch_id)
    if g.level == ScopeLevel.ASSIGNED:
        return Q(pk=g.outlet_id) | Q(staff__regional_manager_id=g.staff_id)
    return Q(pk=g.outlet_id) if g.outlet_id else NOTHING


def _bank_rule(g: Grant) -> Q:
    # Partner banks are firm-wide reference data, visible to every role with a scope.
    return EVERYTHING


def _agreement_rule(g: Grant) -> Q:
    if g.level == ScopeLevel.COMPANY:
        return EVERYTHING
    if g.level == ScopeLevel.REGION:
        return Q(branch__region_id=g.region_id)
    if g.level in (ScopeLevel.BRANCH, ScopeLevel.TEAM):
        return Q(branch_id=g.branch_id)
    return Q(outlets__pk=g.outlet_id) if g.outlet_id else NOTHING


def _staff_rule(g: Grant, p: str = "") -> Q:
    """Staff, or (with a prefix such as ``staff__``) records that belong to a person."""
    if g.level == ScopeLevel.COMPANY:
        return EVERYTHING
    if g.level == ScopeLevel.REGION:
        return Q(**{f"{p}branch__region_id": g.region_id})
    if g.level == ScopeLevel.BRANCH:
        return Q(**{f"{p}branch_id": g.branch_id})
    own = Q(**{f"{p}pk": g.staff_id}) if g.staff_id else NOTHING
    if g.level == ScopeLevel.TEAM:
        return Q(**{f"{p}team_id": g.team_id}) | own
    if g.level == ScopeLevel.ASSIGNED:
        return Q(**{f"{p}regional_manager_id": g.staff_id}) | own
    return own


def _approval_request_rule(g: Grant) -> Q:
    # Requests follow their branch; everyone also sees what they submitted and what was
    # put to them by name.
    # "Put to them by name" is a subquery, not a join through the tasks: the join made every
    # list scan all requests against their tasks (10,000 requests: 8 ms for each of the
    # count and the page on SQLite; now both use the branch, submitter and person indexes).
    named = ApprovalTask.objects.filter(person_id=g.user_id).values("request_id")
    own = Q(submitter_id=g.user_id) | Q(pk__in=named)
    if g.level == ScopeLevel.COMPANY:
        return EVERYTHING
    if g.level == ScopeLevel.REGION:
        return Q(branch__region_id=g.region_id) | own
    if g.level == ScopeLevel.BRANCH:
        return Q(branch_id=g.branch_id) | own
    if g.level == ScopeLevel.TEAM:
        return Q(team_id=g.team_id) | own
    return own


def _plan_rule(g: Grant) -> Q:
    # A team's plans follow the team; a client manager sees their own team's plan.
    return _team_rule(g, "team__")


def _spotcheck_rule(g: Grant) -> Q:
    # A spot-check shows every drawn log of a team and why it was picked: for the team's lead
    # and above. Client and regional managers see only the result on their own logs.
    if g.level in (ScopeLevel.SELF, ScopeLevel.ASSIGNED):
        return NOTHING
    return _team_rule(g, "team__")


def _client_rule(g: Grant, p: str = "") -> Q:
    """Clients, or (with a prefix such as ``client__``) records about a client.

    A branch and above see the branch's clients; below that, clients follow their
    responsible manager: a team lead sees the team's managers' clients, a regional manager
    those of the managers assigned to them, a client manager their own.
    """
    if g.level == ScopeLevel.COMPANY:
        return EVERYTHING
    if g.level == ScopeLevel.REGION:
        return Q(**{f"{p}branch__region_id": g.region_id})
    if g.level == ScopeLevel.BRANCH:
        return Q(**{f"{p}branch_id": g.branch_id})
    own = Q(**{f"{p}manager_id": g.staff_id}) if g.staff_id else NOTHING
    # A team's or a regional manager's clients: the managers as a subquery, so the client
    # side is one indexed ``manager_id IN (…)`` (an OR across a join served no index: a
    # team lead's list of a million clients took 300–400 ms, now a few ms).
    if g.level == ScopeLevel.TEAM:
        managers = Staff.objects.filter(Q(team_id=g.team_id) | Q(pk=g.staff_id)).values("pk")
        return Q(**{f"{p}manager_id__in": managers})
    if g.level == ScopeLevel.ASSIGNED:
        managers = Staff.objects.filter(Q(regional_manager_id=g.staff_id) | Q(pk=g.staff_id)).values("pk")
        return Q(**{f"{p}manager_id__in": managers})
    return own


def _branch_records_rule(g: Grant, p: str = "") -> Q:
    """Branch-wide back-office records (confirmation batches, quarterly reports): team lead and up."""
    if g.level == ScopeLevel.COMPANY:
        return EVERYTHING
    if g.level == ScopeLevel.REGION:
        return Q(**{f"{p}branch__region_id": g.region_id})
    if g.level in (ScopeLevel.BRANCH, ScopeLevel.TEAM):
        return Q(**{f"{p}branch_id": g.branch_id})
    return NOTHING


def _either(*filters: Q) -> Q:
    """OR of filters. Django drops an empty Q from an OR (``Q() | Q(x)`` is ``Q(x)``), so a
    filter that allows everything has to win explicitly."""
    if any(f == EVERYTHING for f in filters):
        return EVERYTHING
    combined = filters[0]
    for f in filters[1:]:
        combined |= f
    return combined


def _staff_ids(g: Grant):
    """The staff a below-branch grant covers, as a subquery (no join in the outer query)."""
    return Staff.objects.filter(_staff_rule(g)).values("pk")


def _client_ids(g: Grant):
    return Client.objects.filter(_client_rule(g)).values("pk")


def _visit_rule(g: Grant, p: str = "") -> Q:
    # A visit is seen by the visitor's line (the author and those above them) and by the
    # client's (its responsible manager and those above). Co-visitors see it too.
    # Below branch level the three ways in are subqueries on indexed columns, so a manager's
    # visit list never joins (or scans) every visit of the firm.
    if g.level in (ScopeLevel.COMPANY, ScopeLevel.REGION, ScopeLevel.BRANCH):
        return _client_rule(g, p)
    joint = Visit.visitors.through.objects.filter(staff_id=g.staff_id).values("visit_id")
    return (
        Q(**{f"{p}author_id__in": _staff_ids(g)})
        | Q(**{f"{p}client_id__in": _client_ids(g)})
        | Q(**{f"{p}pk__in": joint})
    )


def _followup_rule(g: Grant, p: str = "") -> Q:
    # The owner's line, the client's line, and the responsible department's people.
    dept = Q(**{f"{p}department_id": g.department_id}) if g.department_id else NOTHING
    if g.level == ScopeLevel.COMPANY:
        return EVERYTHING  # (an empty Q OR'ed with another is that other: never combine it)
    if g.level in (ScopeLevel.REGION, ScopeLevel.BRANCH):
        return _client_rule(g, p) | dept
    return Q(**{f"{p}owner_id__in": _staff_ids(g)}) | Q(**{f"{p}client_id__in": _client_ids(g)}) | dept


def _inquiry_rule(g: Grant, p: str = "") -> Q:
    if g.level in (ScopeLevel.COMPANY, ScopeLevel.REGION, ScopeLevel.BRANCH):
        return _client_rule(g, p)
    received = Q(**{f"{p}received_by_id": g.staff_id}) if g.staff_id else NOTHING
    return Q(**{f"{p}assigned_to_id__in": _staff_ids(g)}) | received


def _by_branch(g: Grant, p: str = "") -> Q:
    """Records of a branch, for everyone whose scope reaches into that branch."""
    if g.level == ScopeLevel.COMPANY:
        return EVERYTHING
    if g.level == ScopeLevel.REGION:
        return Q(**{f"{p}branch__region_id": g.region_id})
    return Q(**{f"{p}branch_id": g.branch_id}) if g.branch_id else NOTHING


def _pay_rule(g: Grant, p: str = "", staff: str = "staff_id") -> Q:
    """Pay (第十五条): a person sees only their own; finance, the branch's managers and the
    integrated office (``pay.view``) see the pay of their scope. A team lead sees only their own."""
    own = Q(**{staff: g.staff_id}) if g.staff_id else NOTHING
    if PAY_VIEW not in g.perms or g.level in (ScopeLevel.SELF, ScopeLevel.ASSIGNED, ScopeLevel.TEAM):
        return own
    return _either(_by_branch(g, p), own)


def _pay_records_rule(g: Grant, p: str = "") -> Q:
    """Branch-wide pay records (runs, imports, finance notes): ``pay.view`` holders only."""
    if PAY_VIEW not in g.perms or g.level in (ScopeLevel.SELF, ScopeLevel.ASSIGNED, ScopeLevel.TEAM):
        return NOTHING
    return _by_branch(g, p)


def _stat_rule(g: Grant) -> Q:
    """A manager's monthly statistics follow the placement *of that month* (stored on the row)."""
    if g.level in (ScopeLevel.COMPANY, ScopeLevel.REGION, ScopeLevel.BRANCH):
        return _by_branch(g)
    own = Q(staff_id=g.staff_id) if g.staff_id else NOTHING
    if g.level == ScopeLevel.TEAM:
        return Q(team_id=g.team_id) | own
    if g.level == ScopeLevel.ASSIGNED:
        return Q(regional_manager_id=g.staff_id) | own
    return own


RULES: dict[type[Model], Callable[[Grant], Q]] = {
    Region: _region_rule,
    Branch: _branch_rule,
    Department: _department_rule,
    Team: _team_rule,
    Outlet: _outlet_rule,
    PartnerBank: _bank_rule,
    CooperationAgreement: _agreement_rule,
    Staff: _staff_rule,
    ApprovalRequest: _approval_request_rule,
    AnnualPlan: _plan_rule,
    TeamStandard: _plan_rule,
    MonthlyActual: lambda g: _staff_rule(g, "staff__"),
    DailyRecord: lambda g: _staff_rule(g, "staff__"),
    LeaveRequest: lambda g: _staff_rule(g, "staff__"),
    PunchCorrection: lambda g: _staff_rule(g, "staff__"),
    Outing: lambda g: _staff_rule(g, "staff__"),
    Patrol: lambda g: _staff_rule(g, "lead__"),
    TargetShare: lambda g: _staff_rule(g, "staff__"),
    WorkLog: lambda g: _staff_rule(g, "staff__"),
    SpotCheck: _spotcheck_rule,
    SpotCheckItem: lambda g: _staff_rule(g, "log__staff__"),
    # A team's meetings: its members, its lead, the branch and above (第九条, 第十条).
    Meeting: lambda g: _team_rule(g, "team__"),
    MeetingAttendance: lambda g: _team_rule(g, "meeting__team__"),
    MeetingDecision: lambda g: _team_rule(g, "meeting__team__"),
    # Clients and service (第二十一条; part 2 and part 4).
    Tier: _bank_rule,  # firm-wide reference data
    Client: _client_rule,
    Ownership: lambda g: _client_rule(g, "client__"),
    Claim: lambda g: _either(_client_rule(g, "client__"), _staff_rule(g, "claimant__")),
    Figure: lambda g: _client_rule(g, "client__"),
    ConfirmationForm: _client_rule,
    ConfirmationBatch: _branch_records_rule,
    QuarterReport: _branch_records_rule,
    Visit: _visit_rule,
    VisitOverlap: lambda g: _visit_rule(g, "visit__"),
    FollowUp: _followup_rule,
    FollowUpEvent: lambda g: _followup_rule(g, "followup__"),
    Inquiry: _inquiry_rule,
    InquiryEvent: lambda g: _inquiry_rule(g, "inquiry__"),
    # Statistics, pay and assessment (第二、十五、十六、十七条).
    CrmImport: _pay_records_rule,
    ImportRowError: lambda g: _pay_records_rule(g, "crm_import__"),
    ClientMonth: lambda g: _client_rule(g, "client__"),
    ManagerMonth: _stat_rule,
    StatReview: _pay_records_rule,
    PayScheme: _by_branch,
    SchemeBasePay: lambda g: _by_branch(g, "scheme__"),
    SchemeBracket: lambda g: _by_branch(g, "scheme__"),
    PayRun: _pay_records_rule,
    PaySlip: lambda g: _pay_rule(g, "run__"),
    PayLine: lambda g: _pay_rule(g, "run__"),
    PayAdjustment: _pay_rule,
    LevelChange: lambda g: _staff_rule(g, "staff__"),
    Assessment: lambda g: _staff_rule(g, "staff__"),
    DutyScore: lambda g: _staff_rule(g, "assessment__staff__"),
    DutyItem: _bank_rule,  # firm-wide configuration
    AssessmentPolicy: _bank_rule,
}

# The rules of people, archives and assets live beside this module and join here (they
# import the helpers above, so they are imported last).
from brokerdesk.access import scope_archives, scope_assets, scope_people  # noqa: E402

for _area in (scope_people, scope_archives, scope_assets):
    RULES.update(_area.RULES)

# Rules that can match one row several times through a to-many join need DISTINCT.
_TO_MANY = {Region, Outlet, CooperationAgreement}


def scope_filter(user, model: type[Model], perm: str = VIEW) -> Q | None:
    """The filter for ``model`` under the user's grants carrying ``perm``; None means nothing."""
    rule = RULES.get(model)
    if rule is None:
        raise LookupError(f"no scope rule for {model.__name__}: add one to access.scope.RULES")
    combined = None
    for g in grants_for(user):
        if perm not in g.perms:
            continue
        q = rule(g)
        if q == EVERYTHING:
            return EVERYTHING
        combined = q if combined is None else combined | q
    return combined


def visible(user, queryset_or_model, perm: str = VIEW) -> QuerySet:
    """Rows of the queryset (or model) that the user may act on with ``perm``."""
    qs = (
        queryset_or_model
        if isinstance(queryset_or_model, QuerySet)
        else queryset_or_model._default_manager.all()
    )
    q = scope_filter(user, qs.model, perm)
    if q is None:
        return qs.none()
    if q == EVERYTHING:
        return qs
    if qs.model in _TO_MANY:
        # Filter by primary key through a subquery rather than .distinct(), so callers can
        # still order, annotate and paginate freely.
        return qs.filter(pk__in=qs.model._default_manager.filter(q).values("pk"))
    return qs.filter(q)


def can(user, perm: str, obj: Model) -> bool:
    return visible(user, type(obj)._default_manager.filter(pk=obj.pk), perm).exists()


def get_for_user(user, queryset_or_model, pk, perm: str = VIEW) -> Model:
    """One object in the user's scope, or 404. An out-of-scope attempt is logged."""
    qs = (
        queryset_or_model
        if isinstance(queryset_or_model, QuerySet)
        else queryset_or_model._default_manager.all()
    )
    try:
        return visible(user, qs, perm).get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        if qs.model._default_manager.filter(pk=pk).exists() if str(pk).isdigit() else False:
            security_log.warning(
                "refused %s on %s #%s for user %s", perm, qs.model.__name__, pk, getattr(user, "pk", None)
            )
        raise Http404 from None
