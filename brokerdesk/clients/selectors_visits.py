"""Reads of visits, follow-ups and overlaps, already scoped; a fixed number of queries per page."""

import datetime as dt

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from brokerdesk.access import roles
from brokerdesk.access.scope import get_for_user, visible
from brokerdesk.clients.models import FollowUp, FollowUpEvent, Visit, VisitOverlap
from brokerdesk.org.models import Staff

OPEN_STATUSES = (FollowUp.Status.OPEN, FollowUp.Status.SENT)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return start, end


def _in_period(start: dt.date, end: dt.date) -> Q:
    return Q(visited_on__range=(start, end)) | Q(visited_on__isnull=True, planned_on__range=(start, end))


def _client_search(text: str) -> Q:
    text = text.strip()
    q = Q(client__name__icontains=text) | Q(client__pinyin_initials__startswith=text.lower())
    q |= Q(client__pinyin_full__startswith=text.lower())
    if text.isdigit():
        q |= Q(client__client_no__startswith=text)
    return q


def _followup_count():
    return Subquery(
        FollowUp.objects.filter(visit=OuterRef("pk"))
        .order_by()
        .values("visit")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )


def visit_list(*, user, me: Staff | None = None, filters: dict | None = None) -> QuerySet[Visit]:
    """Visits in the user's scope, newest day first, each with its client, author, co-visitors
    and number of matters raised."""
    f = filters or {}
    qs = (
        visible(user, Visit)
        .select_related("client", "author", "team", "verified_by__staff")
        .prefetch_related(Prefetch("visitors", queryset=Staff.objects.only("pk", "name")))
        .annotate(sort_day=Coalesce("visited_on", "planned_on"), n_followups=Coalesce(_followup_count(), 0))
    )
    whose = f.get("whose") or ""
    if whose == "mine" and me is not None:
        joint = Visit.visitors.through.objects.filter(staff_id=me.pk).values("visit_id")
        qs = qs.filter(Q(author=me) | Q(pk__in=joint))
    elif whose == "team" and me is not None and me.team_id:
        qs = qs.filter(team_id=me.team_id)
    if f.get("month"):
        qs = qs.filter(_in_period(*month_bounds(f["month"])))
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("form"):
        qs = qs.filter(form=f["form"])
    if f.get("verified") == "yes":
        qs = qs.filter(verified_at__isnull=False)
    elif f.get("verified") == "no":
        qs = qs.filter(status=Visit.Status.DONE, verified_at__isnull=True)
    if f.get("client"):
        qs = qs.filter(_client_search(f["client"]))
    if f.get("client_id"):
        qs = qs.filter(client_id=f["client_id"])
    return qs.order_by(F("sort_day").desc(nulls_last=True), "-id")


def visit_get(*, user, pk) -> Visit:
    qs = visible(user, Visit).select_related(
        "client__manager", "author", "team", "branch", "verified_by__staff", "created_by"
    )
    return get_for_user(user, qs, pk)


def visit_overlaps(visit: Visit) -> list[VisitOverlap]:
    """The visit's overlaps both ways: who else visited around the same day (names and dates
    only, whatever the viewer's scope)."""
    rows = list(
        VisitOverlap.objects.filter(Q(visit=visit) | Q(other=visit))
        .select_related("visit__author", "other__author")
        .order_by("days_apart", "id")
    )
    for row in rows:
        row.counterpart = row.other if row.visit_id == visit.pk else row.visit
    return rows


def verify_list(*, user, month: dt.date, unverified_only: bool = False) -> QuerySet[Visit]:
    """Done visits the user may verify: the month's (or, unverified only, every month's up to
    it), unverified ones first."""
    start, end = month_bounds(month)
    qs = visible(user, Visit, roles.VISIT_VERIFY).filter(status=Visit.Status.DONE)
    if unverified_only:
        qs = qs.filter(verified_at__isnull=True, visited_on__lte=end)
    else:
        qs = qs.filter(visited_on__range=(start, end))
    return (
        qs.select_related("client", "author", "team", "verified_by__staff")
        .annotate(unverified=Case(When(verified_at__isnull=True, then=Value(0)), default=Value(1)))
        .order_by("unverified", "visited_on", "id")
    )


def verify_counts(*, user, month: dt.date) -> dict[str, int]:
    start, end = month_bounds(month)
    qs = visible(user, Visit, roles.VISIT_VERIFY).filter(status=Visit.Status.DONE)
    counts = qs.aggregate(
        verified=Count("pk", filter=Q(visited_on__range=(start, end), verified_at__isnull=False)),
        unverified=Count("pk", filter=Q(visited_on__range=(start, end), verified_at__isnull=True)),
        earlier=Count("pk", filter=Q(visited_on__lt=start, verified_at__isnull=True)),
    )
    return counts


def _overdue(today: dt.date):
    return Case(
        When(Q(due_on__lt=today, status__in=OPEN_STATUSES), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def followup_list(*, user, me: Staff | None = None, tab: str = "", filters: dict | None = None):
    """(rows, overdue count) of the follow-ups in scope: the tab (mine, my department's, all)
    and filters applied; overdue ones flagged."""
    f = filters or {}
    today = timezone.localdate()
    qs = visible(user, FollowUp)
    if tab == "mine":
        qs = qs.filter(owner=me) if me is not None else qs.none()
    elif tab == "department":
        qs = qs.filter(department_id=me.department_id) if me is not None and me.department_id else qs.none()
    if f.get("category"):
        qs = qs.filter(category=f["category"])
    if f.get("department"):
        qs = qs.filter(department=f["department"])
    overdue = qs.filter(due_on__lt=today, status__in=OPEN_STATUSES).count()
    if f.get("status") == "overdue":
        qs = qs.filter(due_on__lt=today, status__in=OPEN_STATUSES)
    elif f.get("status") == "active":
        qs = qs.exclude(status=FollowUp.Status.CLOSED)
    elif f.get("status"):
        qs = qs.filter(status=f["status"])
    rows = (
        qs.select_related("client", "owner", "department__branch", "visit")
        .annotate(
            overdue=_overdue(today),
            done=Case(When(status=FollowUp.Status.CLOSED, then=Value(1)), default=Value(0)),
        )
        .order_by("done", "-overdue", "due_on", "id")
    )
    return rows, overdue


def followup_get(*, user, pk) -> FollowUp:
    today = timezone.localdate()
    qs = (
        visible(user, FollowUp)
        .select_related("client", "owner", "department__branch", "visit__author", "created_by")
        .prefetch_related(
            Prefetch(
                "events", queryset=FollowUpEvent.objects.select_related("actor__staff").order_by("at", "id")
            )
        )
        .annotate(overdue=_overdue(today))
    )
    return get_for_user(user, qs, pk)


def visit_followups(visit: Visit, today: dt.date | None = None):
    today = today or timezone.localdate()
    return list(
        visit.followups.select_related("department__branch", "owner")
        .annotate(overdue=_overdue(today))
        .order_by("due_on", "id")
    )


def overlap_report(*, user, start: dt.date, end: dt.date):
    """(counts per team, pairs) of overlaps recorded on visits of the period in scope."""
    qs = visible(user, VisitOverlap).filter(
        Q(visit__visited_on__range=(start, end))
        | Q(visit__visited_on__isnull=True, visit__planned_on__range=(start, end))
    )
    per_team = list(
        qs.values("visit__branch__name", "visit__team__name")
        .annotate(
            n=Count("pk"), visits=Count("visit", distinct=True), clients=Count("visit__client", distinct=True)
        )
        .order_by("visit__branch__name", "visit__team__name")
    )
    pairs = (
        qs.select_related(
            "visit__client", "visit__author", "visit__team", "visit__branch", "other__author", "other__team"
        )
        .annotate(sort_day=Coalesce("visit__visited_on", "visit__planned_on"))
        .order_by(F("sort_day").desc(nulls_last=True), "-id")
    )
    return per_team, pairs
