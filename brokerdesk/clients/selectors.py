"""Reads of the client registry, already scoped: search, lists, the visits-due list and the
minimal look-up a claim starts from.

Built to stay fast with a million clients: search only uses prefix matches that an index
serves (never ``icontains``), and lists are counted with a cap instead of a full COUNT.
"""

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Case,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property

from brokerdesk.access import roles
from brokerdesk.access.roles import ScopeLevel
from brokerdesk.access.scope import grants_for, visible
from brokerdesk.clients import rules
from brokerdesk.clients.models import Client, Tier
from brokerdesk.org.models import Staff

COUNT_CAP = 10_000
SEARCH_MAX = 40


def prefix_q(field: str, value: str) -> Q:
    """``field`` starts with ``value``, written so the column's index serves it.

    PostgreSQL: ``LIKE 'value%'`` (Django gives an indexed CharField a ``varchar_pattern_ops``
    index for exactly this). SQLite's LIKE is case-insensitive and never uses the index, so
    there the prefix becomes a range: ``value <= field < value + U+10FFFF``.
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": value})
    return Q(**{f"{field}__gte": value, f"{field}__lt": value + "\U0010ffff"})


def clients_in_scope(user, perm: str = roles.VIEW) -> QuerySet:
    """The clients the user may see (or act on with ``perm``), with what a list row shows."""
    return visible(user, Client.objects.select_related("manager", "tier"), perm)


# --- the latest figures: hand figures on the client row, or the current CRM month ----------------


def current_client_months() -> QuerySet:
    """The CRM's client months that belong to the current import version of their branch and
    month (``performance.MonthVersion``): a superseded import's rows are left out.

    The models are looked up lazily: performance imports clients, not the other way round.
    """
    client_month = apps.get_model("performance", "ClientMonth")
    month_version = apps.get_model("performance", "MonthVersion")
    return client_month.objects.filter(
        Exists(
            month_version.objects.filter(
                branch_id=OuterRef("branch_id"),
                month=OuterRef("month"),
                crm_import_id=OuterRef("crm_import_id"),
            )
        )
    )


def with_latest_figures(qs: QuerySet) -> QuerySet:
    """``qs`` with each client's latest current CRM month: ``crm_month``, ``crm_assets`` (the
    month-end assets) and ``crm_revenue`` (the net revenue), all None without one.

    The CRM import no longer copies its figures onto the client row; ``Client.latest_month``,
    ``latest_assets`` and ``latest_revenue`` pick the later of these and the hand figures. Three
    correlated subqueries per row, each a backward walk of the ``(client, month)`` index of
    ``ClientMonth`` that stops at the first current row (``-id`` makes all three pick the same row
    when two current rows share a month).
    """
    latest = current_client_months().filter(client_id=OuterRef("pk")).order_by("-month", "-id")
    money = DecimalField(max_digits=18, decimal_places=2)
    return qs.annotate(
        crm_month=Subquery(latest.values("month")[:1], output_field=DateField()),
        crm_assets=Subquery(latest.values("end_assets")[:1], output_field=money),
        crm_revenue=Subquery(latest.values("net_revenue")[:1], output_field=money),
    )


def figures_history(client: Client, months: int = 24) -> list[dict]:
    """The client's ``months`` newest months of figures, newest first: its hand figures
    (``Figure``: entered or imported in the clients app) merged with the current CRM months; on
    the same month the CRM's figures win. Each row: month, assets, revenue, source (``"crm"`` or
    the Figure's own source: ``"entry"``, ``"import"``, …). Two queries."""
    rows = {
        f["month"]: {**f, "crm": False}
        for f in client.figures.order_by("-month").values("month", "assets", "revenue", "source")[:months]
    }
    crm = (
        current_client_months()
        .filter(client_id=client.pk)
        .order_by("-month", "-id")
        .values("month", "end_assets", "net_revenue")[: months * 2]
    )
    seen = set()
    for r in crm:
        if r["month"] in seen:
            continue  # two current rows of one month (the client moved branch): the newest row
        seen.add(r["month"])
        rows[r["month"]] = {
            "month": r["month"],
            "assets": r["end_assets"],
            "revenue": r["net_revenue"],
            "source": "crm",
            "crm": True,
        }
    return [rows[m] for m in sorted(rows, reverse=True)[:months]]


def search_q(q: str) -> Q | None:
    """The filter for a search box: name prefix, pinyin initials or full pinyin prefix, client
    number prefix, or the phone's last four digits. None when there is nothing to search."""
    q = (q or "").strip()[:SEARCH_MAX]
    if not q:
        return None
    cond = prefix_q("name", q)
    compact = q.replace(" ", "").lower()
    if compact.isascii() and compact.isalpha():
        cond |= prefix_q("pinyin_initials", compact) | prefix_q("pinyin_full", compact)
    if q.isdigit():
        cond |= prefix_q("client_no", q)
        if len(q) == 4:
            cond |= Q(phone_last4=q)
    return cond


def client_search(user, q: str = "", filters: dict | None = None, perm: str = roles.VIEW) -> QuerySet:
    """The user's clients matching the search box and the list filters (tier, manager, source,
    status), newest account first, with their latest figures (``with_latest_figures``)."""
    qs = clients_in_scope(user, perm)
    cond = search_q(q)
    if cond is not None and connection.vendor == "sqlite":
        # SQLite plans ``branch_id = X AND (name … OR pinyin … OR …)`` on the branch index and
        # tests each of the branch's clients (a branch of 42,000: 70–270 ms). As a subquery the
        # search is a union of index range scans and the branch index only checks membership
        # (3–5 ms). PostgreSQL combines the indexes itself (BitmapOr) either way.
        qs = qs.filter(pk__in=Client.objects.filter(cond).values("pk"))
    elif cond is not None:
        qs = qs.filter(cond)
    filters = filters or {}
    tier = filters.get("tier")
    if tier == "none":
        qs = qs.filter(tier__isnull=True)
    elif tier == "any":
        qs = qs.filter(tier__isnull=False)
    elif tier:
        qs = qs.filter(tier=tier)
    if filters.get("manager"):
        qs = qs.filter(manager=filters["manager"])
    if filters.get("source"):
        qs = qs.filter(source=filters["source"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return _newest_first(with_latest_figures(qs), user, perm)


def _newest_first(qs: QuerySet, user, perm: str) -> QuerySet:
    """Newest account first, served the fastest way for the user's scope.

    A client manager's and a branch's clients come in order straight from the
    ``(manager|branch, -opened_on, -id)`` indexes. A team's or a regional manager's clients are
    a few hundred rows spread over the whole table: ordering by the index there makes SQLite
    walk the table newest-first testing each row's manager (a second for a deep page of a
    million clients). Ordering by an expression no index serves lets it take the scope's
    managers, their clients by ``manager_id`` and sort those few rows instead.
    """
    levels = [g.level for g in grants_for(user) if perm in g.perms]
    if levels and max(levels) in (ScopeLevel.TEAM, ScopeLevel.ASSIGNED):
        return qs.order_by(Coalesce(F("opened_on"), F("opened_on")).desc(), Coalesce(F("id"), F("id")).desc())
    return qs.order_by("-opened_on", "-id")


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> int:
    """How many rows, counting at most ``cap + 1`` of them (one query, a sliced subquery).

    Annotations that only add columns (``with_latest_figures``: three subqueries a row) are left
    out of the count: Django keeps every annotation in a sliced count's subquery.
    """
    qs = qs.order_by()
    annotations = qs.query.annotations.values()
    if annotations and not qs.query.group_by and not any(a.contains_aggregate for a in annotations):
        qs = qs.values("pk")
    return qs[: cap + 1].count()


class CappedPaginator(Paginator):
    """A paginator that never counts more than ``cap + 1`` rows: with a million clients the
    list says "10,000+" instead of scanning the table to count them all."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        return capped_count(self.object_list, self.cap)

    @property
    def capped(self) -> bool:
        return self.count > self.cap


class PageByKeyMixin:
    """On PostgreSQL, a later page's rows are picked by primary key first: ``WHERE id IN (the
    page's ids, ordered and sliced) ORDER BY …``, still one query.

    For lists that carry ``with_latest_figures``: PostgreSQL computes the select list (the three
    figure subqueries) of every row an OFFSET skips, so the page at offset 50,000 took a second
    instead of 30 ms. The first page skips nothing, and SQLite computes the columns of the rows it
    returns only: there the search and scope would only be evaluated twice.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        qs = self.object_list
        if bottom and connection.vendor == "postgresql":
            return self._get_page(qs.filter(pk__in=qs.values("pk")[bottom:top]), number, self)
        return self._get_page(qs[bottom:top], number, self)


class ClientPaginator(PageByKeyMixin, CappedPaginator):
    """The client list's paginator: a capped count, the page's rows by primary key."""


class ClientApiPaginator(PageByKeyMixin, Paginator):
    """The API's client list: an exact count (Django leaves the figures out of it), the page's
    rows by primary key."""


def managers_in_scope(user) -> QuerySet:
    """The people whose clients the user sees, for the list's manager filter."""
    return visible(
        user, Staff.objects.filter(status__in=[Staff.Status.ACTIVE, Staff.Status.PROBATION])
    ).order_by("name")


# --- key accounts due a visit --------------------------------------------------------------------


def visits_due(user, today: dt.date | None = None, mine_only: bool = False) -> QuerySet:
    """Key accounts (a tier set) in the user's scope whose next visit is due, most overdue first.

    A key account is due ``tier.visit_every_days`` after its last visit, or today if it has never
    been visited (``rules.visit_due``); ``due_on`` is annotated for ordering, and each row's
    days overdue come from ``overdue_days``. One query for the tiers, one for the rows.
    """
    today = today or timezone.localdate()
    tiers = list(Tier.objects.values_list("pk", "visit_every_days"))
    qs = clients_in_scope(user).filter(tier__isnull=False, status=Client.Status.ACTIVE)
    if mine_only:
        qs = qs.filter(manager__user=user)
    if not tiers:
        return qs.none()
    due = Q(last_visit_on__isnull=True)
    for pk, every in tiers:
        due |= Q(tier_id=pk, last_visit_on__lte=today - dt.timedelta(days=every))
    next_due = Case(
        *[
            When(
                tier_id=pk,
                then=ExpressionWrapper(
                    F("last_visit_on") + Value(dt.timedelta(days=every)), output_field=DateField()
                ),
            )
            for pk, every in tiers
        ],
        output_field=DateField(),
    )
    return (
        qs.filter(due)
        .annotate(due_on=Coalesce(next_due, Value(today), output_field=DateField()))
        .order_by("due_on", "id")
    )


def overdue_days(client: Client, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    due = rules.visit_due(client.last_visit_on, client.tier.visit_every_days, today)
    return max(0, (today - due).days)


# --- the claim look-up ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimTarget:
    """What a client manager may learn about a client they cannot see, to claim it."""

    pk: int
    client_no: str
    name_masked: str
    holder_name: str
    holder_id: int


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the first character only."""
    name = (name or "").strip()
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def claim_lookup(user, client_no: str) -> ClaimTarget | None:
    """The client with exactly this number in the user's branch, held by someone else, as the
    minimum a claim needs (number, partly masked name, holder); None otherwise — the same answer
    for a number that does not exist, is in another branch or is already the user's."""
    client_no = (client_no or "").strip()
    if not rules.CLIENT_NO_RE.match(client_no):
        return None
    me = Staff.objects.filter(user=user).only("pk", "branch_id").first() if user.is_authenticated else None
    if me is None or me.branch_id is None:
        return None
    row = (
        Client.objects.filter(client_no=client_no, branch_id=me.branch_id, status=Client.Status.ACTIVE)
        .exclude(manager_id=me.pk)
        .values("pk", "client_no", "name", "manager__name", "manager_id")
        .first()
    )
    if row is None:
        return None
    return ClaimTarget(
        pk=row["pk"],
        client_no=row["client_no"],
        name_masked=mask_name(row["name"]),
        holder_name=row["manager__name"],
        holder_id=row["manager_id"],
    )
