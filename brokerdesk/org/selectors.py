"""Every read of the organisation that pages, API and exports share, already scoped."""

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet

from brokerdesk.access.scope import visible
from brokerdesk.org.models import (
    Branch,
    CooperationAgreement,
    Outlet,
    PartnerBank,
    Region,
    Staff,
    StaffAssignment,
    Team,
)


def staff_list(*, user) -> QuerySet[Staff]:
    return visible(user, Staff).select_related("branch", "team", "level", "outlet", "regional_manager")


def staff_detail_queryset(*, user) -> QuerySet[Staff]:
    return (
        staff_list(user=user)
        .select_related("department", "user")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=StaffAssignment.objects.select_related(
                    "branch", "team", "outlet", "regional_manager", "recorded_by"
                ),
            )
        )
    )


def team_list(*, user) -> QuerySet[Team]:
    return (
        visible(user, Team)
        .select_related("branch", "lead")
        .annotate(member_count=Count("members", filter=~Q(members__status=Staff.Status.LEFT)))
        .order_by("code")
    )


def outlet_list(*, user) -> QuerySet[Outlet]:
    return (
        visible(user, Outlet)
        .select_related("branch", "partner_bank")
        .annotate(staff_count=Count("staff", filter=Q(staff__status=Staff.Status.ACTIVE)))
        .order_by("branch__code", "name")
    )


def bank_list(*, user) -> QuerySet[PartnerBank]:
    return visible(user, PartnerBank).annotate(outlet_count=Count("outlets")).order_by("code")


def agreement_list(*, user) -> QuerySet[CooperationAgreement]:
    return (
        visible(user, CooperationAgreement)
        .select_related("bank", "branch")
        .annotate(outlet_count=Count("outlets"))
        .order_by("-year", "branch__code", "bank__code")
    )


def org_tree(*, user) -> list[Region]:
    """Regions with their branches and teams, each with head counts, in the user's scope."""
    teams = team_list(user=user).order_by("code")
    # Head counts count only the people the user may see: a client manager's tree does
    # not reveal how many work elsewhere in the branch.
    seen_staff = visible(user, Staff).filter(status=Staff.Status.ACTIVE).values("pk")
    branches = (
        visible(user, Branch)
        .annotate(staff_count=Count("staff", filter=Q(staff__in=seen_staff)))
        .prefetch_related(Prefetch("teams", queryset=teams, to_attr="visible_teams"))
        .order_by("code")
    )
    return list(
        visible(user, Region).prefetch_related(
            Prefetch("branches", queryset=branches, to_attr="visible_branches")
        )
    )


def workbench_counts(*, user, today: dt.date) -> dict[str, int]:
    """The workbench tiles, in four queries whatever the scope's size."""
    working = [Staff.Status.ACTIVE, Staff.Status.PROBATION]
    cm = Q(position=Staff.Position.CLIENT_MANAGER)
    counts = visible(user, Staff).aggregate(
        staff_active=Count("pk", filter=Q(status=Staff.Status.ACTIVE)),
        staff_probation=Count("pk", filter=Q(status=Staff.Status.PROBATION)),
        client_managers=Count("pk", filter=cm & Q(status__in=working)),
        without_outlet=Count("pk", filter=cm & Q(status=Staff.Status.ACTIVE, outlet__isnull=True)),
    )
    counts["teams"] = visible(user, Team).filter(status=Team.Status.ACTIVE).count()
    counts["outlets"] = visible(user, Outlet).filter(is_active=True).count()
    counts["agreements_expiring"] = (
        visible(user, CooperationAgreement)
        .filter(ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=60))
        .count()
    )
    return counts
